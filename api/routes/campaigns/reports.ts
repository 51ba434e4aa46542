import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { TenantDb } from '../../tenant-scope';

/** Recipients of a campaign by status. */
export async function recipientCounts(db: TenantDb, campaignId: string): Promise<Record<string, number>> {
  const rows = await db.campaignRecipient.groupBy({ by: ['status'], where: { campaignId }, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

/** Stats, recipients, results export and live progress of campaigns. */
export const campaignReportRoutes: FastifyPluginAsyncZod = async () => {};
