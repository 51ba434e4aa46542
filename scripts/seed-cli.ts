// Prints the demo tenant's API key and ids as JSON (used by `npm start`).
import { createDb } from '../prisma/client';
import { seedDemo } from './seed-demo';

const url = process.env.DATABASE_URL;
const dataDir = process.env.SWITCHBOARD_DATA_DIR;
if (!url || !dataDir) throw new Error('DATABASE_URL and SWITCHBOARD_DATA_DIR are required');
const db = createDb(url, { max: 2 });
try {
  const { tenant, token, contact, flow } = await seedDemo(db, dataDir);
  process.stdout.write(`${JSON.stringify({ tenantId: tenant.id, token, contactId: contact.id, flowId: flow.id })}\n`);
} finally {
  await db.$disconnect();
}
