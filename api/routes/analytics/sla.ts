// SLA analytics from what the clocks recorded (SlaRecord): compliance by policy, team, agent or
// channel; response and resolution times as percentiles, never averages; an hour-by-weekday heatmap
// in a chosen zone; the breaches with their reasons, as JSON or CSV.
import { stringify } from 'csv-stringify/sync';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TimeZoneSchema } from '../../../flow/calendar';
import { Prisma } from '../../../generated/prisma/client';
import { csvCell } from '../../csv';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { parseRange, RangeQuerySchema } from './range';

const METRICS = ['first_response', 'next_response', 'resolution'] as const;
const GROUPS = { policy: '"policyId"::text', team: 'team', agent: '"assigneeId"::text', channel: 'channel' } as const;

const PercentilesSchema = z.object({
  count: z.number().int(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});
const TimesSchema = z.object(
  Object.fromEntries(METRICS.map((m) => [m, PercentilesSchema])) as Record<
    (typeof METRICS)[number],
    typeof PercentilesSchema
  >,
);

const ReportSchema = z
  .object({
    from: z.date(),
    to: z.date(),
    groupBy: z.enum(['policy', 'team', 'agent', 'channel']),
    /** Each target met on time, met late, or breached and not (yet) met. Times are in seconds of the target's own clock. */
    groups: z.array(
      z.object({
        key: z.string().nullable(),
        label: z.string(),
        onTime: z.number().int(),
        late: z.number().int(),
        breachedOpen: z.number().int(),
        compliance: z.number().nullable(),
        times: TimesSchema,
      }),
    ),
    overall: z.object({
      onTime: z.number().int(),
      breaches: z.number().int(),
      compliance: z.number().nullable(),
      times: TimesSchema,
    }),
    heatmap: z.object({
      timeZone: z.string(),
      /** weekday 1 = Monday … 7 = Sunday; hour 0–23 on that zone's clock. */
      cells: z.array(
        z.object({
          weekday: z.number().int(),
          hour: z.number().int(),
          breaches: z.number().int(),
          met: z.number().int(),
        }),
      ),
    }),
  })
  .meta({ id: 'SlaReport' });

const BreachSchema = z.object({
  id: z.string().uuid(),
  conversationId: z.string().uuid(),
  policy: z.string().nullable(),
  metric: z.enum(METRICS),
  dueAt: z.date().nullable(),
  at: z.date(),
  team: z.string().nullable(),
  assigneeId: z.string().uuid().nullable(),
  channel: z.string(),
  /** Met after the breach (late), when, or still not met. */
  metLateAt: z.date().nullable(),
  reason: z.string(),
});

const pct = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

const slaAnalyticsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/analytics/sla',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['analytics'],
        summary: 'SLA compliance by policy, team, agent or channel; p50/p95/p99 response and resolution times; heatmap',
        querystring: z.object({
          from: z.string().optional(),
          to: z.string().optional(),
          groupBy: z.enum(['policy', 'team', 'agent', 'channel']).default('policy'),
          timeZone: TimeZoneSchema.default('UTC'),
        }),
        response: { 200: ReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const { from, to } = parseRange(request.query);
      const { groupBy, timeZone } = request.query;
      const groupCol = Prisma.raw(GROUPS[groupBy]);
      const where = Prisma.sql`"tenantId" = ${tenantId}::uuid AND at >= ${from} AND at < ${to}`;

      const counts = await app.db.$queryRaw<{ key: string | null; kind: string; late: boolean; n: bigint }[]>`
        SELECT ${groupCol} AS key, kind, late, count(*) AS n FROM "SlaRecord"
         WHERE ${where} AND kind IN ('met', 'breach') GROUP BY 1, 2, 3`;
      const times = await app.db.$queryRaw<
        { key: string | null; metric: string; n: bigint; p: number[] | null }[]
      >`SELECT ${groupCol} AS key, metric, count(*) AS n,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY "elapsedSeconds") AS p
          FROM "SlaRecord" WHERE ${where} AND kind = 'met' AND "elapsedSeconds" IS NOT NULL GROUP BY 1, 2`;
      const overallTimes = await app.db.$queryRaw<{ metric: string; n: bigint; p: number[] | null }[]>`
        SELECT metric, count(*) AS n, percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY "elapsedSeconds") AS p
          FROM "SlaRecord" WHERE ${where} AND kind = 'met' AND "elapsedSeconds" IS NOT NULL GROUP BY 1`;
      const heat = await app.db.$queryRaw<{ weekday: number; hour: number; breaches: bigint; met: bigint }[]>`
        SELECT extract(isodow FROM (at AT TIME ZONE 'UTC') AT TIME ZONE ${timeZone})::int AS weekday,
               extract(hour FROM (at AT TIME ZONE 'UTC') AT TIME ZONE ${timeZone})::int AS hour,
               count(*) FILTER (WHERE kind = 'breach') AS breaches, count(*) FILTER (WHERE kind = 'met') AS met
          FROM "SlaRecord" WHERE ${where} AND kind IN ('met', 'breach') GROUP BY 1, 2 ORDER BY 1, 2`;

      const timesOf = (rows: { metric: string; n: bigint; p: number[] | null }[]) =>
        Object.fromEntries(
          METRICS.map((m) => {
            const r = rows.find((x) => x.metric === m);
            return [
              m,
              {
                count: Number(r?.n ?? 0),
                p50: pct(r?.p?.[0] ?? null),
                p95: pct(r?.p?.[1] ?? null),
                p99: pct(r?.p?.[2] ?? null),
              },
            ];
          }),
        ) as z.infer<typeof TimesSchema>;

      const keys = [...new Set([...counts.map((c) => c.key), ...times.map((t) => t.key)])];
      const labels = new Map<string | null, string>();
      if (groupBy === 'policy') {
        const rows = await request.tenantDb.slaPolicy.findMany({
          where: { id: { in: keys.filter((k): k is string => !!k) } },
        });
        for (const r of rows) labels.set(r.id, r.name);
      } else if (groupBy === 'agent') {
        const rows = await app.db.user.findMany({
          where: { id: { in: keys.filter((k): k is string => !!k) }, memberships: { some: { tenantId } } },
          select: { id: true, name: true },
        });
        for (const r of rows) labels.set(r.id, r.name);
      }
      const tally = (rows: typeof counts) => {
        const onTime = Number(rows.filter((r) => r.kind === 'met' && !r.late).reduce((a, r) => a + r.n, 0n));
        const late = Number(rows.filter((r) => r.kind === 'met' && r.late).reduce((a, r) => a + r.n, 0n));
        const breaches = Number(rows.filter((r) => r.kind === 'breach').reduce((a, r) => a + r.n, 0n));
        // Every late answer was a breach first: the breaches not (yet) answered are the rest.
        const breachedOpen = Math.max(0, breaches - late);
        const compliance = onTime + breaches === 0 ? null : pct((onTime / (onTime + breaches)) * 100);
        return { onTime, late, breaches, breachedOpen, compliance };
      };
      const groups = keys
        .map((key) => {
          const t = tally(counts.filter((c) => c.key === key));
          return {
            key,
            label:
              labels.get(key) ??
              key ??
              (groupBy === 'agent' ? 'unassigned' : groupBy === 'team' ? 'no team' : 'unknown'),
            onTime: t.onTime,
            late: t.late,
            breachedOpen: t.breachedOpen,
            compliance: t.compliance,
            times: timesOf(times.filter((x) => x.key === key)),
          };
        })
        .sort((a, b) => (a.compliance ?? 101) - (b.compliance ?? 101));
      const all = tally(counts);
      return {
        from,
        to,
        groupBy,
        groups,
        overall: {
          onTime: all.onTime,
          breaches: all.breaches,
          compliance: all.compliance,
          times: timesOf(overallTimes),
        },
        heatmap: {
          timeZone,
          cells: heat.map((h) => ({
            weekday: h.weekday,
            hour: h.hour,
            breaches: Number(h.breaches),
            met: Number(h.met),
          })),
        },
      };
    },
  );

  const BREACH_COLUMNS = [
    'id',
    'conversationId',
    'policy',
    'metric',
    'dueAt',
    'at',
    'team',
    'assigneeId',
    'channel',
    'metLateAt',
    'reason',
  ] as const;

  /** The breaches of a period, each with why and whether it was answered late. */
  const breachesOf = async (request: FastifyRequest, query: { from?: string; to?: string }) => {
    const { from, to } = parseRange(query);
    const breaches = await request.tenantDb.slaRecord.findMany({
      where: { kind: 'breach', at: { gte: from, lt: to } },
      orderBy: { at: 'desc' },
      take: 10_000,
      include: { policy: { select: { name: true, definition: true } } },
    });
    const late = await request.tenantDb.slaRecord.findMany({
      where: { kind: 'met', late: true, conversationId: { in: breaches.map((b) => b.conversationId) } },
      select: { conversationId: true, metric: true, at: true },
      orderBy: { at: 'asc' },
    });
    return breaches.map((b) => {
      const metLate = late.find((m) => m.conversationId === b.conversationId && m.metric === b.metric && m.at >= b.at);
      const target = (
        b.policy?.definition as Record<string, { minutes?: number; clock?: string } | null> | undefined
      )?.[
        b.metric === 'first_response' ? 'firstResponse' : b.metric === 'next_response' ? 'nextResponse' : 'resolution'
      ];
      const what =
        b.metric === 'resolution'
          ? 'not resolved'
          : b.metric === 'first_response'
            ? 'no first reply'
            : 'no reply to the customer';
      const within = target?.minutes
        ? ` within ${target.minutes} ${target.clock === 'calendar' ? '' : 'business '}minutes`
        : ' in time';
      return {
        id: b.id,
        conversationId: b.conversationId,
        policy: b.policy?.name ?? null,
        metric: b.metric as (typeof METRICS)[number],
        dueAt: b.dueAt,
        at: b.at,
        team: b.team,
        assigneeId: b.assigneeId,
        channel: b.channel,
        metLateAt: metLate?.at ?? null,
        reason: `${what}${within}${b.team ? ` (team ${b.team})` : ''}`,
      };
    });
  };
  app.get(
    '/analytics/sla/breaches',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['analytics'],
        summary: 'The breaches of a period (newest first), with the reason and whether they were answered late',
        querystring: RangeQuerySchema,
        response: { 200: z.object({ items: z.array(BreachSchema) }).meta({ id: 'SlaBreaches' }), ...errorResponses },
      },
    },
    async (request) => ({ items: await breachesOf(request, request.query) }),
  );

  app.get(
    '/analytics/sla/breaches.csv',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['analytics'],
        summary: 'The breaches of a period as CSV',
        querystring: RangeQuerySchema,
        produces: ['text/csv'],
        response: {
          200: {
            description: `One breach per line with a header row: ${BREACH_COLUMNS.join(', ')}`,
            content: { 'text/csv': { schema: z.string() } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const items = await breachesOf(request, request.query);
      const csv = stringify(
        items.map((i) => BREACH_COLUMNS.map((c) => csvCell(i[c]))),
        { header: true, columns: [...BREACH_COLUMNS] },
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="sla-breaches.csv"')
        .send(csv);
    },
  );
};

export default slaAnalyticsRoutes;
