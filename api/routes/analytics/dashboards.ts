// Tenant-wide numbers of a period for the console's dashboards: campaigns and their recipients,
// journey outcomes, the intents of customers' replies, and calls with their cost by day. Per-campaign
// numbers stay in /campaigns/:id/stats, a version's funnel in /flows/:id/versions/:v/funnel and SLA
// compliance in /analytics/sla; these only aggregate across a period.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CAMPAIGN_STATUSES, classifyIntent, INTENTS, RECIPIENT_STATUSES } from '../../../flow';
import { TimeZoneSchema } from '../../../flow/calendar';
import { Prisma } from '../../../generated/prisma/client';
import { AppError } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { parseRange, RangeQuerySchema } from './range';

/** A by-day series longer than this is refused rather than drawn as thousands of points. */
const MAX_DAYS = 1000;
/** Distinct reply texts classified per request; the most frequent first (`sampled` says when cut). */
const MAX_DISTINCT_REPLIES = 20_000;
/**
 * A call's cost as the provider reports it: a decimal string, negative for a debit (Twilio). Other
 * text (empty, "n/a") is not a cost. Used inside CASE so the cast never sees a non-number.
 */
const CALL_COST = Prisma.sql`CASE WHEN cost ~ '^[+-]?[0-9]+([.][0-9]+)?$' THEN abs(cost::numeric) END`;

const CountSchema = z.number().int();
const everyKey = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, CountSchema])) as Record<K, typeof CountSchema>);
const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

const CostSchema = z.object({ currency: z.string().nullable(), amount: z.number(), calls: CountSchema });

const CampaignOverviewSchema = z
  .object({
    from: z.date(),
    to: z.date(),
    /** Campaigns launched in the period, or created in it when never launched, by status. */
    campaigns: z.object({ total: CountSchema, byStatus: everyKey(CAMPAIGN_STATUSES) }),
    /** Those campaigns' recipients by status, and the finished journeys' outcomes (most first). */
    recipients: z.object({
      total: CountSchema,
      byStatus: everyKey(RECIPIENT_STATUSES),
      byOutcome: z.array(z.object({ outcome: z.string(), count: CountSchema })),
    }),
    /** Calls campaigns placed in the period and what they cost, by currency (magnitudes, not debits). */
    cost: z.array(CostSchema),
  })
  .meta({ id: 'CampaignOverview' });

const OutcomesSchema = z
  .object({
    from: z.date(),
    to: z.date(),
    /** Journeys started in the period, by status. */
    runs: z.object({ total: CountSchema, byStatus: z.record(z.string(), CountSchema) }),
    /** The finished ones by the outcome their end node set (null: ended without one), most first. */
    outcomes: z.array(z.object({ outcome: z.string().nullable(), count: CountSchema })),
  })
  .meta({ id: 'JourneyOutcomes' });

const IntentsSchema = z
  .object({
    from: z.date(),
    to: z.date(),
    /** Customers' messages received in the period, read as a wait-for-reply node reads them. */
    replies: CountSchema,
    byIntent: everyKey(INTENTS),
    /** True when only the most frequent texts were read (very many distinct replies). */
    sampled: z.boolean(),
  })
  .meta({ id: 'ReplyIntents' });

const CallSeriesSchema = z
  .object({
    from: z.date(),
    to: z.date(),
    timeZone: z.string(),
    /** Currencies costs were reported in, the most spent first. */
    currencies: z.array(z.string()),
    /** Every day of the period on the zone's calendar, days without calls included. */
    days: z.array(
      z.object({
        day: z.string().describe('YYYY-MM-DD in the zone'),
        calls: CountSchema,
        answered: CountSchema,
        durationSeconds: CountSchema,
        /** Cost by currency; a currency without cost that day is absent. */
        cost: z.record(z.string(), z.number()),
      }),
    ),
  })
  .meta({ id: 'CallSeries' });

/** A date on a zone's calendar, as YYYY-MM-DD. */
const dayIn = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** Every calendar day from `first` to `last` (YYYY-MM-DD, inclusive). */
function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

const byCountDesc = <T extends { count: number }>(a: T, b: T) => b.count - a.count;

const dashboardRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/analytics/campaigns',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags: ['analytics'],
        summary: "A period's campaigns by status, their recipients by status and outcome, and the calls' cost",
        querystring: RangeQuerySchema,
        response: { 200: CampaignOverviewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const { from, to } = parseRange(request.query);
      const inPeriod = Prisma.sql`c."tenantId" = ${tenantId}::uuid
        AND coalesce(c."launchedAt", c."createdAt") >= ${from} AND coalesce(c."launchedAt", c."createdAt") < ${to}`;
      const [campaigns, recipients, cost] = await Promise.all([
        app.db.$queryRaw<{ status: string; n: number }[]>`
          SELECT c.status, count(*)::int AS n FROM "Campaign" c WHERE ${inPeriod} GROUP BY 1`,
        app.db.$queryRaw<{ status: string; outcome: string | null; n: number }[]>`
          SELECT r.status, r.outcome, count(*)::int AS n
            FROM "Campaign" c JOIN "CampaignRecipient" r ON r."campaignId" = c.id AND r."tenantId" = c."tenantId"
           WHERE ${inPeriod} GROUP BY 1, 2`,
        // A journey's calls carry its campaign in the workflow id (`campaign-<id>-<recipient>-<attempt>`).
        app.db.$queryRaw<{ currency: string | null; amount: number; calls: number }[]>`
          SELECT "costCurrency" AS currency, coalesce(sum(${CALL_COST}), 0)::float8 AS amount, count(*)::int AS calls
            FROM "Call"
           WHERE "tenantId" = ${tenantId}::uuid AND "startedAt" >= ${from} AND "startedAt" < ${to}
             AND "workflowId" LIKE 'campaign-%'
           GROUP BY 1 ORDER BY 2 DESC`,
      ]);
      const byStatus = zeros(CAMPAIGN_STATUSES);
      for (const c of campaigns) if (c.status in byStatus) byStatus[c.status as keyof typeof byStatus] += c.n;
      const recipientsByStatus = zeros(RECIPIENT_STATUSES);
      const outcomes = new Map<string, number>();
      for (const r of recipients) {
        if (r.status in recipientsByStatus) recipientsByStatus[r.status as keyof typeof recipientsByStatus] += r.n;
        if (r.outcome !== null) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + r.n);
      }
      return {
        from,
        to,
        campaigns: { total: campaigns.reduce((a, c) => a + c.n, 0), byStatus },
        recipients: {
          total: recipients.reduce((a, r) => a + r.n, 0),
          byStatus: recipientsByStatus,
          byOutcome: [...outcomes].map(([outcome, count]) => ({ outcome, count })).sort(byCountDesc),
        },
        cost,
      };
    },
  );

  app.get(
    '/analytics/outcomes',
    {
      config: { permission: 'runs.read' },
      schema: {
        tags: ['analytics'],
        summary: "Journeys started in a period by status, and the finished ones' outcomes",
        querystring: RangeQuerySchema.extend({ flowId: z.string().uuid().optional() }),
        response: { 200: OutcomesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { from, to } = parseRange(request.query);
      const { flowId } = request.query;
      const rows = await request.tenantDb.run.groupBy({
        by: ['status', 'outcome'],
        where: { startedAt: { gte: from, lt: to }, ...(flowId ? { flowId } : {}) },
        _count: { _all: true },
      });
      const byStatus: Record<string, number> = {};
      const outcomes = new Map<string | null, number>();
      for (const r of rows) {
        byStatus[r.status] = (byStatus[r.status] ?? 0) + r._count._all;
        if (r.status !== 'running') outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + r._count._all);
      }
      return {
        from,
        to,
        runs: { total: rows.reduce((a, r) => a + r._count._all, 0), byStatus },
        outcomes: [...outcomes].map(([outcome, count]) => ({ outcome, count })).sort(byCountDesc),
      };
    },
  );

  app.get(
    '/analytics/intents',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['analytics'],
        summary: "Customers' messages of a period by intent (stop, yes, no, reschedule, question, other)",
        description:
          'Each inbound message is read by the same keyword rules as the wait-for-reply node (`nodes.<id>.output.intent`).',
        querystring: RangeQuerySchema,
        response: { 200: IntentsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const { from, to } = parseRange(request.query);
      // Grouped by text: the same reply ("Yes", "STOP") arrives many times and is classified once.
      const rows = await app.db.$queryRaw<{ body: string; n: number }[]>`
        SELECT body, count(*)::int AS n FROM "Message"
         WHERE "tenantId" = ${tenantId}::uuid AND direction = 'inbound' AND "createdAt" >= ${from} AND "createdAt" < ${to}
         GROUP BY body ORDER BY 2 DESC LIMIT ${MAX_DISTINCT_REPLIES + 1}`;
      const byIntent = zeros(INTENTS);
      const read = rows.slice(0, MAX_DISTINCT_REPLIES);
      for (const r of read) byIntent[classifyIntent(r.body)] += r.n;
      return {
        from,
        to,
        replies: read.reduce((a, r) => a + r.n, 0),
        byIntent,
        sampled: rows.length > MAX_DISTINCT_REPLIES,
      };
    },
  );

  app.get(
    '/analytics/calls',
    {
      config: { permission: 'calls.read' },
      schema: {
        tags: ['analytics'],
        summary: 'Calls, answered calls, minutes and cost by day of a period, on a time zone’s calendar',
        querystring: RangeQuerySchema.extend({ timeZone: TimeZoneSchema.default('UTC') }),
        response: { 200: CallSeriesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const { from, to } = parseRange(request.query);
      const { timeZone } = request.query;
      const days = daysBetween(dayIn(from, timeZone), dayIn(new Date(to.getTime() - 1), timeZone));
      if (days.length > MAX_DAYS)
        throw new AppError(400, 'range_too_long', `a by-day series covers at most ${MAX_DAYS} days`);
      const rows = await app.db.$queryRaw<
        { day: string; currency: string | null; calls: number; answered: number; seconds: number; cost: number }[]
      >`
        SELECT to_char(("startedAt" AT TIME ZONE 'UTC') AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day,
               "costCurrency" AS currency, count(*)::int AS calls,
               count(*) FILTER (WHERE "answeredAt" IS NOT NULL)::int AS answered,
               coalesce(sum("durationSeconds"), 0)::int AS seconds, coalesce(sum(${CALL_COST}), 0)::float8 AS cost
          FROM "Call"
         WHERE "tenantId" = ${tenantId}::uuid AND "startedAt" >= ${from} AND "startedAt" < ${to}
         GROUP BY 1, 2`;
      const series = new Map(
        days.map((day) => [
          day,
          { day, calls: 0, answered: 0, durationSeconds: 0, cost: {} as Record<string, number> },
        ]),
      );
      const spent = new Map<string, number>();
      for (const r of rows) {
        const day = series.get(r.day);
        if (!day) continue;
        day.calls += r.calls;
        day.answered += r.answered;
        day.durationSeconds += r.seconds;
        if (r.cost > 0) {
          // A provider that reports a price without its unit: kept apart rather than guessed.
          const currency = r.currency ?? 'unknown';
          day.cost[currency] = (day.cost[currency] ?? 0) + r.cost;
          spent.set(currency, (spent.get(currency) ?? 0) + r.cost);
        }
      }
      return {
        from,
        to,
        timeZone,
        currencies: [...spent].sort((a, b) => b[1] - a[1]).map(([c]) => c),
        days: [...series.values()],
      };
    },
  );
};

export default dashboardRoutes;
