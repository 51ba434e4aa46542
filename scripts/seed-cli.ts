// Prints the demo tenant's API key and ids as JSON (used by `npm start`).
import { Secrets } from '../api/crypto/secrets';
import { createDb } from '../prisma/client';
import { seedDemo } from './seed-demo';

const url = process.env.DATABASE_URL;
const dataDir = process.env.SWITCHBOARD_DATA_DIR;
if (!url || !dataDir) throw new Error('DATABASE_URL and SWITCHBOARD_DATA_DIR are required');
const db = createDb(url, { max: 2 });
try {
  const keys = (process.env.SWITCHBOARD_ENCRYPTION_KEYS ?? '').split(',').filter(Boolean);
  const secrets = keys.length ? new Secrets(keys) : undefined;
  const { tenant, token, contact, flow, channels } = await seedDemo(db, dataDir, secrets);
  const webchat = channels.find((c) => c.kind === 'webchat');
  process.stdout.write(
    `${JSON.stringify({ tenantId: tenant.id, token, contactId: contact.id, flowId: flow.id, webchatId: webchat?.id })}\n`,
  );
} finally {
  await db.$disconnect();
}
