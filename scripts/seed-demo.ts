// Seeds the demo tenant `npm start` prints: a tenant, an API key (kept in .data/demo-api-key so
// every start can print it; only its hash is in the database), a contact and a two-node flow.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateApiKey, parseApiKey, secretMatches } from '../api/api-keys';
import type { Flow } from '../flow';
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
  ],
  edges: [{ id: 'start-welcome', source: 'start', sourceHandle: 'next', target: 'welcome' }],
};

export async function seedDemo(db: Db, dataDir: string) {
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
  let flow = await db.flow.findFirst({ where: { tenantId: tenant.id, name: demoFlow.name } });
  flow ??= await db.flow.create({ data: { tenantId: tenant.id, name: demoFlow.name, definition: toJson(demoFlow) } });
  return { tenant, token, contact, flow };
}
