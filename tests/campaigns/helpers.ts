// Shared set-up for campaign tests: a tenant with N contacts, the app, and a worker whose sandbox
// SMS provider counts what reaches it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { auth } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { daytimeZone } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';

/** Creates `n` contacts with distinct valid US numbers in `zone` (default: where it is midday). */
export async function seedContacts(
  database: TestDatabase,
  tenantId: string,
  n: number,
  opts: { zone?: string; tag?: string; offset?: number } = {},
): Promise<string[]> {
  const zone = opts.zone ?? daytimeZone();
  const offset = opts.offset ?? 0;
  const rows = Array.from({ length: n }, (_, i) => ({
    tenantId,
    firstName: `Recipient ${i + offset}`,
    phone: `+1415${String(2_000_000 + i + offset).padStart(7, '0')}`,
    timeZone: zone,
    tags: [opts.tag ?? 'campaign'],
  }));
  await database.db.contact.createMany({ data: rows });
  const made = await database.db.contact.findMany({
    where: { tenantId, phone: { in: rows.map((r) => r.phone) } },
    select: { id: true },
  });
  return made.map((c) => c.id);
}

export async function createSegment(app: FastifyInstance, token: string, tag: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/segments',
    headers: auth(token),
    payload: { name: `tag ${tag}`, filter: { match: 'all', conditions: [{ type: 'tag', op: 'has', value: tag }] } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

export async function createCampaign(app: FastifyInstance, token: string, body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: auth(token), payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

export async function campaignAction(
  app: FastifyInstance,
  token: string,
  id: string,
  action: string,
  payload?: object,
) {
  return app.inject({
    method: 'POST',
    url: `/v1/campaigns/${id}/${action}`,
    headers: auth(token),
    ...(payload ? { payload } : {}),
  });
}

export async function waitForCampaign(
  database: TestDatabase,
  id: string,
  status: string | string[] = ['completed', 'cancelled'],
  timeoutMs = 120_000,
) {
  const wanted = Array.isArray(status) ? status : [status];
  return waitFor(
    async () => {
      const c = await database.db.campaign.findUniqueOrThrow({ where: { id } });
      return wanted.includes(c.status) ? c : undefined;
    },
    `campaign ${id} to be ${wanted.join(' or ')}`,
    timeoutMs,
  );
}

export async function recipientsByStatus(database: TestDatabase, campaignId: string) {
  const rows = await database.db.campaignRecipient.groupBy({
    by: ['status'],
    where: { campaignId },
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

export type { TestWorkflowEnvironment };
