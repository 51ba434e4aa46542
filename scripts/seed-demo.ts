// Seeds the demo tenant `npm start` prints: a tenant, an API key (kept in .data/demo-api-key so
// every start can print it; only its hash is in the database), a contact and a two-node flow.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sealCredentials } from '../activities/channels/store';
import { SandboxConfigSchema } from '../activities/providers/config';
import { demoPassages } from '../activities/rag/answerer';
import { generateApiKey, parseApiKey, secretMatches } from '../api/api-keys';
import type { Secrets } from '../api/crypto/secrets';
import { compileFlow, type Flow } from '../flow';
import { flowTemplates } from '../flow/templates';
import type { Db } from '../prisma/client';
import { toJson } from '../prisma/json';

export const demoFlow: Flow = {
  name: 'Welcome message',
  version: 0,
  nodes: [
    { id: 'start', type: 'trigger', params: { source: 'api' }, ui: { position: { x: 0, y: 0 } } },
    {
      id: 'welcome',
      type: 'send-message',
      params: { channel: 'sms', text: 'Hi {{contact.firstName | default: "there"}}, welcome to Switchboard!' },
      ui: { position: { x: 0, y: 160 } },
    },
    { id: 'done', type: 'end', params: { outcome: 'welcomed' }, ui: { position: { x: -120, y: 320 } } },
    { id: 'bounced', type: 'end', params: { outcome: 'unreachable' }, ui: { position: { x: 120, y: 320 } } },
  ],
  edges: [
    { id: 'start-welcome', source: 'start', sourceHandle: 'next', target: 'welcome' },
    { id: 'welcome-done', source: 'welcome', sourceHandle: 'sent', target: 'done' },
    { id: 'welcome-bounced', source: 'welcome', sourceHandle: 'failed', target: 'bounced' },
  ],
};

/** Creates the flow with its draft and first published version, unless one of that name exists. */
async function ensurePublishedFlow(db: Db, tenantId: string, definition: Flow) {
  const existing = await db.flow.findFirst({ where: { tenantId, name: definition.name, deletedAt: null } });
  if (existing?.publishedVersion) return existing;
  const compiled = compileFlow(definition);
  if (!compiled.ok) throw new Error(`demo flow ${definition.name} is invalid: ${JSON.stringify(compiled.issues)}`);
  return db.$transaction(async (tx) => {
    // A demo flow left unpublished by an older seed is brought up to date.
    const data = { tenantId, name: definition.name, definition: toJson(definition), publishedVersion: 1 };
    const flow = existing ? await tx.flow.update({ where: { id: existing.id }, data }) : await tx.flow.create({ data });
    await tx.flowVersion.create({
      data: {
        tenantId,
        flowId: flow.id,
        version: 1,
        definition: toJson(definition),
        plan: toJson(compiled.plan),
        checksum: compiled.plan.checksum,
      },
    });
    return flow;
  });
}

export async function seedDemo(db: Db, dataDir: string, secrets?: Secrets) {
  const tenant = await db.tenant.upsert({
    where: { slug: 'demo' },
    create: { name: 'Demo Company', slug: 'demo' },
    update: {},
  });
  const keyFile = join(dataDir, 'demo-api-key');
  let token = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
  const parsed = parseApiKey(token);
  const stored = parsed ? await db.apiKey.findUnique({ where: { prefix: parsed.prefix } }) : null;
  if (
    !parsed ||
    !stored ||
    stored.revokedAt ||
    stored.tenantId !== tenant.id ||
    !secretMatches(parsed.secret, stored.hash)
  ) {
    const key = generateApiKey();
    await db.apiKey.create({
      data: { tenantId: tenant.id, name: 'demo (npm start)', prefix: key.prefix, hash: key.hash, scopes: ['*'] },
    });
    token = key.token;
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${token}\n`, { mode: 0o600 });
  }
  let contact = await db.contact.findFirst({ where: { tenantId: tenant.id, email: 'ada@example.com' } });
  contact ??= await db.contact.create({
    data: {
      tenantId: tenant.id,
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '+14155550100',
      email: 'ada@example.com',
      timeZone: 'America/Los_Angeles',
      tags: ['demo'],
    },
  });
  const flow = await ensurePublishedFlow(db, tenant.id, demoFlow);
  for (const template of flowTemplates) await ensurePublishedFlow(db, tenant.id, template.flow);
  const channels = secrets ? await ensureSandboxChannels(db, secrets, tenant.id) : [];
  await ensureDemoKnowledge(db, tenant.id);
  return { tenant, token, contact, flow, channels };
}

/**
 * What the demo's support bot and voice agent know: a few short help articles, saved `pending`
 * for the API's catch-up sweep to ingest once the worker is up. Left alone once the tenant has any.
 */
async function ensureDemoKnowledge(db: Db, tenantId: string) {
  if (await db.knowledgeSource.count({ where: { tenantId } })) return;
  await db.knowledgeSource.createMany({
    data: demoPassages.map((p) => ({
      tenantId,
      kind: 'text',
      title: p.title,
      text: p.text,
      category: 'help',
      tags: ['demo'],
      visibility: 'public',
    })),
  });
}

const SANDBOX_KINDS = ['sms', 'whatsapp', 'voice', 'email', 'telegram', 'messenger', 'instagram'] as const;

/**
 * The demo tenant's channels: the sandbox network for every kind (simulated customers who reply,
 * ignore or say STOP, and answer, miss or send calls to voicemail — through the real webhook
 * routes), and a web-chat widget. Channels the developer added are left alone.
 */
async function ensureSandboxChannels(db: Db, secrets: Secrets, tenantId: string) {
  const made = [];
  for (const kind of SANDBOX_KINDS) {
    const existing = await db.channel.findFirst({ where: { tenantId, kind } });
    if (existing) {
      made.push(existing);
      continue;
    }
    made.push(
      await db.channel.create({
        data: {
          tenantId,
          kind,
          provider: 'sandbox',
          name: `Sandbox ${kind}`,
          status: 'connected',
          statusDetail: 'simulated customers',
          config: toJson(SandboxConfigSchema.parse({})),
          credentials: sealCredentials(secrets, { authToken: randomBytes(24).toString('hex') }),
        },
      }),
    );
  }
  const webchat =
    (await db.channel.findFirst({ where: { tenantId, kind: 'webchat' } })) ??
    (await db.channel.create({
      data: {
        tenantId,
        kind: 'webchat',
        provider: 'webchat',
        name: 'Website chat',
        status: 'connected',
        config: toJson({ allowedOrigins: [], title: 'Chat with Demo Company', greeting: 'Hi! How can we help?' }),
      },
    }));
  made.push(webchat);
  return made;
}
