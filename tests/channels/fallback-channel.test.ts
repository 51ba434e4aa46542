// A tenant without an SMS channel, in development: its first sends arrive together (a campaign's
// first tick) and create the sandbox channel once; none of them fails on the race.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendOutbound } from '../../activities/messaging/outbound';
import { SandboxMessagingProvider } from '../../activities/messaging/sandbox';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

it('concurrent first sends share one sandbox channel', async () => {
  const { db } = database;
  const tenant = await db.tenant.create({ data: { name: 'first sends', slug: 'first-sends' } });
  const sandbox = new SandboxMessagingProvider();
  const outcomes = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      sendOutbound(
        { db, fallback: { sms: sandbox } },
        {
          tenantId: tenant.id,
          idempotencyKey: `first-${i}`,
          channel: 'sms',
          to: `+1415555${String(1000 + i)}`,
          text: 'Hello',
          purpose: 'transactional',
        },
      ),
    ),
  );
  expect(outcomes.every((o) => o.provider === 'sandbox')).toBe(true);
  expect(sandbox.outbox).toHaveLength(12);
  const channels = await db.channel.findMany({ where: { tenantId: tenant.id } });
  expect(channels.map((c) => c.name)).toEqual(['Sandbox sms']);
  expect(await db.message.count({ where: { channelId: channels[0]?.id } })).toBe(12);
});
