import { generateApiKey } from '../../api/api-keys';
import { compileFlow, type Flow } from '../../flow';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';

export const welcomeFlow: Flow = {
  name: 'Welcome',
  version: 0,
  nodes: [
    { id: 'start', type: 'trigger', params: { source: 'api' } },
    { id: 'welcome', type: 'send-message', params: { channel: 'sms', text: 'Hi {{contact.firstName}}!' } },
    { id: 'done', type: 'end', params: { outcome: 'welcomed' } },
    { id: 'bounced', type: 'end', params: { outcome: 'unreachable' } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'welcome' },
    { id: 'e2', source: 'welcome', sourceHandle: 'sent', target: 'done' },
    { id: 'e3', source: 'welcome', sourceHandle: 'failed', target: 'bounced' },
  ],
};

/**
 * A zone where it is around midday right now (an `Etc/GMT±N` zone), so sends that keep calling
 * hours (8:00–21:00 in the recipient's zone) go through whenever the suite runs.
 */
export function daytimeZone(now = new Date()): string {
  // Etc/GMT-N is N hours ahead of UTC (POSIX signs are inverted).
  let ahead = 13 - now.getUTCHours();
  if (ahead > 14) ahead -= 24;
  if (ahead < -12) ahead += 24;
  return ahead === 0 ? 'Etc/UTC' : `Etc/GMT${ahead > 0 ? '-' : '+'}${Math.abs(ahead)}`;
}

/** A tenant with an API key, a contact and a flow. */
export async function seedTenant(db: Db, slug: string, contact: { phone?: string } = {}) {
  const tenant = await db.tenant.create({ data: { name: slug, slug } });
  const key = generateApiKey();
  const apiKey = await db.apiKey.create({
    data: { tenantId: tenant.id, name: 'test', prefix: key.prefix, hash: key.hash, scopes: ['*'] },
  });
  const person = await db.contact.create({
    data: {
      tenantId: tenant.id,
      firstName: 'Grace',
      phone: contact.phone ?? '+14155550123',
      email: 'grace@example.com',
      // Calls keep calling hours in the contact's zone; tests must not depend on the hour they run.
      timeZone: daytimeZone(),
    },
  });
  const flow = await db.flow.create({
    data: { tenantId: tenant.id, name: welcomeFlow.name, definition: toJson(welcomeFlow) },
  });
  const flowVersion = await publish(db, tenant.id, flow.id, welcomeFlow);
  return { tenant, token: key.token, apiKey, contact: person, flow, flowVersion };
}

/** Publishes a flow document as the flow's next version (what POST /flows/:id/publish does). */
export async function publish(db: Db, tenantId: string, flowId: string, definition: Flow) {
  const compiled = compileFlow(definition);
  if (!compiled.ok) throw new Error(`fixture flow is invalid: ${JSON.stringify(compiled.issues)}`);
  const latest = await db.flowVersion.findFirst({ where: { flowId }, orderBy: { version: 'desc' } });
  const version = await db.flowVersion.create({
    data: {
      tenantId,
      flowId,
      version: (latest?.version ?? 0) + 1,
      definition: toJson(definition),
      plan: toJson(compiled.plan),
      checksum: compiled.plan.checksum,
    },
  });
  await db.flow.update({
    where: { id: flowId },
    data: { publishedVersion: version.version, definition: toJson(definition) },
  });
  return version;
}
