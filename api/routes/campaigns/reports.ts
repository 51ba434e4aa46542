import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CAMPAIGN_STATUSES,
  FINAL_RECIPIENT_STATUSES,
  RECIPIENT_REASONS,
  RECIPIENT_STATUSES,
  type RecipientStatus,
} from '../../../flow';
import type { Campaign } from '../../../generated/prisma/client';
import { csvCell as cell } from '../../csv';
import { AppError, notFound } from '../../errors';
import { openEventStream } from '../../live/sse';
import { PageQuerySchema } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';
import type { TenantDb } from '../../tenant-scope';

/** Recipients of a campaign by status. */
export async function recipientCounts(db: TenantDb, campaignId: string): Promise<Record<string, number>> {
  const rows = await db.campaignRecipient.groupBy({ by: ['status'], where: { campaignId }, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

/** Starts over this many minutes make the current rate (and the ETA from it). */
const RATE_WINDOW_MINUTES = 5;
/** Rows per query of the results export: the download is streamed page by page, never held whole. */
const EXPORT_BATCH = 1000;
/** How often the live stream reads the campaign's progress. */
const STREAM_POLL_MS = 1000;
/** Recipients not started yet: what the ETA waits for. */
const OPEN_STATUSES: readonly RecipientStatus[] = ['pending', 'deferred'];

// ---------------------------------------------------------------------------------------------
// Schemas

const EXAMPLE_CAMPAIGN_ID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';

const StatusCountsSchema = z
  .object({
    pending: z.number().int(),
    deferred: z.number().int(),
    starting: z.number().int(),
    running: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    cancelled: z.number().int(),
  })
  .describe('Recipients by status, every status present');

const EXAMPLE_TOTALS = {
  pending: 1040,
  deferred: 40,
  starting: 0,
  running: 20,
  completed: 1180,
  failed: 0,
  skipped: 20,
  cancelled: 0,
};

const CampaignStatsSchema = z
  .object({
    campaignId: z.string().uuid(),
    status: z.enum(CAMPAIGN_STATUSES),
    /** Recipients in the audience snapshot. */
    recipients: z.number().int(),
    totals: StatusCountsSchema,
    /** Recipients with at least one journey started. */
    started: z.number().int(),
    /** Recipients still to start (pending or deferred, retries included). */
    open: z.number().int(),
    /** Recipients by their latest journey's outcome (a recipient waiting to retry counts too). */
    byOutcome: z.record(z.string(), z.number().int()),
    /** Skipped, deferred, failed and cancelled recipients by status and reason code. */
    byReason: z.array(z.object({ status: z.enum(RECIPIENT_STATUSES), reason: z.string(), count: z.number().int() })),
    /** Journeys started per hour (every attempt), oldest first; hours with none are left out. */
    byHour: z.array(z.object({ hour: z.iso.datetime(), started: z.number().int() })),
    funnel: z.object({
      audience: z.number().int(),
      /** At least one journey started. */
      started: z.number().int(),
      /** Started, and settled for good (completed, failed, skipped or cancelled after a journey). */
      finished: z.number().int(),
      /** Finished recipients by their last journey's outcome. */
      outcomes: z.record(z.string(), z.number().int()),
    }),
    /** Journeys started in all, retries included. */
    attempts: z.number().int(),
    /** What the campaign's calls cost, per currency, as the providers report it (a decimal string). */
    cost: z.array(z.object({ currency: z.string().nullable(), amount: z.string(), calls: z.number().int() })),
    rate: z.object({
      windowMinutes: z.number().int(),
      /** Journeys started in the window. */
      started: z.number().int(),
      /** Journeys started per minute over the window. */
      perMinute: z.number(),
    }),
    /** When the open recipients will all have started at the current rate; null when unknown (not running, or no rate yet). */
    eta: z.object({ seconds: z.number().int(), at: z.date() }).nullable(),
    generatedAt: z.date(),
  })
  .meta({
    id: 'CampaignStats',
    examples: [
      {
        campaignId: EXAMPLE_CAMPAIGN_ID,
        status: 'running',
        recipients: 2300,
        totals: EXAMPLE_TOTALS,
        started: 1220,
        open: 1080,
        byOutcome: { answered: 830, voicemail: 250, 'no-answer': 140 },
        byReason: [
          { status: 'deferred', reason: 'outside_window', count: 30 },
          { status: 'deferred', reason: 'frequency_cap', count: 10 },
          { status: 'skipped', reason: 'dnc', count: 12 },
          { status: 'skipped', reason: 'no_consent', count: 8 },
        ],
        byHour: [
          { hour: '2026-11-21T09:00:00.000Z', started: 610 },
          { hour: '2026-11-21T10:00:00.000Z', started: 640 },
        ],
        funnel: {
          audience: 2300,
          started: 1220,
          finished: 1180,
          outcomes: { answered: 830, voicemail: 250, 'no-answer': 100 },
        },
        attempts: 1250,
        cost: [{ currency: 'USD', amount: '16.2400', calls: 1250 }],
        rate: { windowMinutes: 5, started: 300, perMinute: 60 },
        eta: { seconds: 1080, at: '2026-11-21T10:48:00.000Z' },
        generatedAt: '2026-11-21T10:30:00.000Z',
      },
    ],
  });

const RecipientContactSchema = z.object({
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
});

const CampaignRecipientSchema = z
  .object({
    id: z.string().uuid(),
    contactId: z.string().uuid(),
    /** The contact as it is now; null when it no longer exists. */
    contact: RecipientContactSchema.nullable(),
    /** Position in the audience snapshot: recipients start in this order. */
    seq: z.number().int(),
    status: z.enum(RECIPIENT_STATUSES),
    /** Why it is skipped, deferred or failed: a stable code. */
    reason: z.string().nullable(),
    /** The reason in words. */
    detail: z.string().nullable(),
    attempts: z.number().int(),
    /** The latest journey's outcome. */
    outcome: z.string().nullable(),
    nextAttemptAt: z.date().nullable(),
    /** The latest journey: GET /runs/{runId}. */
    runId: z.string().uuid().nullable(),
    workflowId: z.string().nullable(),
    /** The latest journey's state. */
    run: z
      .object({
        status: z.string(),
        outcome: z.string().nullable(),
        startedAt: z.date(),
        finishedAt: z.date().nullable(),
      })
      .nullable(),
    startedAt: z.date().nullable(),
    finishedAt: z.date().nullable(),
  })
  .meta({
    id: 'CampaignRecipient',
    examples: [
      {
        id: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
        contactId: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        contact: { name: 'Ada Lovelace', phone: '+14155550100', email: 'ada@example.com' },
        seq: 41,
        status: 'completed',
        reason: null,
        detail: null,
        attempts: 2,
        outcome: 'answered',
        nextAttemptAt: null,
        runId: '8d9e0f1a-2b3c-4d4e-9f5a-6b7c8d9e0f1a',
        workflowId: `campaign-${EXAMPLE_CAMPAIGN_ID}-7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f-2`,
        run: {
          status: 'completed',
          outcome: 'answered',
          startedAt: '2026-11-21T13:00:04.000Z',
          finishedAt: '2026-11-21T13:03:10.000Z',
        },
        startedAt: '2026-11-21T13:00:04.000Z',
        finishedAt: '2026-11-21T13:03:10.000Z',
      },
      {
        id: '9e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b',
        contactId: '0f1a2b3c-4d5e-4f6a-9b7c-8d9e0f1a2b3c',
        contact: { name: 'Charles Babbage', phone: '+14155550101', email: null },
        seq: 42,
        status: 'skipped',
        reason: 'dnc',
        detail: 'the contact is on the do-not-contact list',
        attempts: 0,
        outcome: null,
        nextAttemptAt: null,
        runId: null,
        workflowId: null,
        run: null,
        startedAt: null,
        finishedAt: '2026-11-21T09:00:02.000Z',
      },
    ],
  });

const RecipientQuerySchema = PageQuerySchema.extend({
  status: z.enum(RECIPIENT_STATUSES).optional(),
  reason: z.enum(RECIPIENT_REASONS).optional(),
  outcome: z.string().trim().min(1).max(100).optional(),
});

const PROGRESS_DESCRIPTION =
  'Server-Sent Events: `event: progress` right away and then every second, with `data` ' +
  '`{ campaignId, status, recipients, totals (recipients by status), started, open, at }`; then, once the ' +
  'campaign is completed or cancelled, one `event: finished` with `{ campaignId, status, finishedAt }` and ' +
  'the stream ends. Comment lines keep idle connections alive.';

// ---------------------------------------------------------------------------------------------
// Reading

/** The campaign of the principal's tenant, or 404 (here, not from ./index, which imports this file). */
async function loadCampaign(request: FastifyRequest, id: string): Promise<Campaign> {
  const { tenantId } = requirePrincipal(request);
  const row = await request.tenantDb.campaign.findFirst({ where: { id, tenantId } });
  if (!row) throw notFound('campaign');
  return row;
}

const emptyTotals = (): Record<RecipientStatus, number> =>
  Object.fromEntries(RECIPIENT_STATUSES.map((s) => [s, 0])) as Record<RecipientStatus, number>;

const isRecipientStatus = (s: string): s is RecipientStatus => (RECIPIENT_STATUSES as readonly string[]).includes(s);

/** Recipients by status, how many have started and how many are still to start. */
async function progressCounts(db: TenantDb, tenantId: string, campaignId: string) {
  const rows = await db.$queryRaw<{ status: string; n: number; started: number }[]>`
    SELECT status, count(*)::int AS n, count(*) FILTER (WHERE attempts > 0)::int AS started
      FROM "CampaignRecipient"
     WHERE "campaignId" = ${campaignId}::uuid AND "tenantId" = ${tenantId}::uuid
     GROUP BY status`;
  const totals = emptyTotals();
  let recipients = 0;
  let started = 0;
  for (const r of rows) {
    if (isRecipientStatus(r.status)) totals[r.status] = r.n;
    recipients += r.n;
    started += r.started;
  }
  const open = OPEN_STATUSES.reduce((sum, s) => sum + totals[s], 0);
  return { recipients, totals, started, open };
}

async function campaignStats(db: TenantDb, tenantId: string, campaign: Campaign) {
  const now = new Date();
  const since = new Date(now.getTime() - RATE_WINDOW_MINUTES * 60_000);
  const [groups, hours, cost] = await Promise.all([
    db.$queryRaw<
      { status: string; reason: string | null; outcome: string | null; n: number; started: number; attempts: bigint }[]
    >`
      SELECT status, reason, outcome, count(*)::int AS n,
             count(*) FILTER (WHERE attempts > 0)::int AS started, coalesce(sum(attempts), 0)::bigint AS attempts
        FROM "CampaignRecipient"
       WHERE "campaignId" = ${campaign.id}::uuid AND "tenantId" = ${tenantId}::uuid
       GROUP BY status, reason, outcome`,
    // Touches by way of the campaign's recipients: CampaignTouch is indexed by recipient, not campaign.
    db.$queryRaw<{ hour: string; n: number; recent: number }[]>`
      SELECT to_char(date_trunc('hour', t.at), 'YYYY-MM-DD"T"HH24":00:00.000Z"') AS hour, count(*)::int AS n,
             count(*) FILTER (WHERE t.at >= ${since})::int AS recent
        FROM "CampaignRecipient" r
        JOIN "CampaignTouch" t ON t."recipientId" = r.id
       WHERE r."campaignId" = ${campaign.id}::uuid AND r."tenantId" = ${tenantId}::uuid
         AND t."campaignId" = ${campaign.id}::uuid AND t."tenantId" = ${tenantId}::uuid
       GROUP BY 1 ORDER BY 1`,
    // A journey's calls carry its workflow id (`campaign-<id>-<recipient>-<attempt>`, child flows'
    // ids extend it), for every attempt; none starts before the launch.
    campaign.launchedAt
      ? db.$queryRaw<{ currency: string | null; amount: string; calls: number }[]>`
          -- Twilio reports a call's price as a negative number (a debit): a cost is its magnitude.
          SELECT "costCurrency" AS currency, sum(abs(cost::numeric))::text AS amount, count(*)::int AS calls
            FROM "Call"
           WHERE "tenantId" = ${tenantId}::uuid AND "startedAt" >= ${campaign.launchedAt}
             AND "workflowId" LIKE ${`campaign-${campaign.id}-%`}
             AND cost ~ '^[+-]?[0-9]+([.][0-9]+)?$'
           GROUP BY "costCurrency" ORDER BY "costCurrency" NULLS LAST`
      : Promise.resolve([]),
  ]);

  const totals = emptyTotals();
  const byOutcome: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const reasons = new Map<string, { status: RecipientStatus; reason: string; count: number }>();
  let recipients = 0;
  let started = 0;
  let finished = 0;
  let attempts = 0;
  for (const g of groups) {
    recipients += g.n;
    started += g.started;
    attempts += Number(g.attempts);
    if (!isRecipientStatus(g.status)) continue;
    totals[g.status] += g.n;
    if (g.outcome !== null) byOutcome[g.outcome] = (byOutcome[g.outcome] ?? 0) + g.n;
    if (FINAL_RECIPIENT_STATUSES.includes(g.status) && g.started > 0) {
      finished += g.started;
      if (g.outcome !== null) outcomes[g.outcome] = (outcomes[g.outcome] ?? 0) + g.started;
    }
    if (g.reason !== null) {
      const key = `${g.status}\u0000${g.reason}`;
      const entry = reasons.get(key) ?? { status: g.status, reason: g.reason, count: 0 };
      entry.count += g.n;
      reasons.set(key, entry);
    }
  }
  const open = OPEN_STATUSES.reduce((sum, s) => sum + totals[s], 0);
  const recent = hours.reduce((sum, h) => sum + h.recent, 0);
  const perMinute = recent / RATE_WINDOW_MINUTES;
  let eta: { seconds: number; at: Date } | null = null;
  if (campaign.status === 'running' && (open === 0 || perMinute > 0)) {
    const seconds = open === 0 ? 0 : Math.ceil((open / perMinute) * 60);
    eta = { seconds, at: new Date(now.getTime() + seconds * 1000) };
  }
  const statusOrder = (s: RecipientStatus) => RECIPIENT_STATUSES.indexOf(s);
  return {
    campaignId: campaign.id,
    status: z.enum(CAMPAIGN_STATUSES).parse(campaign.status),
    recipients,
    totals,
    started,
    open,
    byOutcome,
    byReason: [...reasons.values()].sort(
      (a, b) => statusOrder(a.status) - statusOrder(b.status) || b.count - a.count || a.reason.localeCompare(b.reason),
    ),
    byHour: hours.map((h) => ({ hour: h.hour, started: h.n })),
    funnel: { audience: recipients, started, finished, outcomes },
    attempts,
    cost,
    rate: { windowMinutes: RATE_WINDOW_MINUTES, started: recent, perMinute },
    eta,
    generatedAt: now,
  };
}

const contactName = (c: { firstName: string | null; lastName: string | null }) =>
  [c.firstName, c.lastName].filter(Boolean).join(' ') || null;

/** The recipients' contacts, by id (a contact removed for good is simply absent). */
async function contactsOf(db: TenantDb, tenantId: string, ids: string[]) {
  if (!ids.length) return new Map<string, { name: string | null; phone: string | null; email: string | null }>();
  const rows = await db.contact.findMany({
    where: { tenantId, id: { in: ids } },
    select: { id: true, firstName: true, lastName: true, phone: true, email: true },
  });
  return new Map(rows.map((c) => [c.id, { name: contactName(c), phone: c.phone, email: c.email }]));
}

/** Recipients are paged by their position in the snapshot: the cursor is the last seq seen. */
const encodeSeqCursor = (seq: number) => Buffer.from(`seq:${seq}`).toString('base64url');

function decodeSeqCursor(cursor: string): number {
  const match = /^seq:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const seq = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(seq) || seq > 2_147_483_647)
    throw new AppError(400, 'invalid_cursor', 'the cursor is not one this API returned');
  return seq;
}

const RESULT_COLUMNS = [
  'contactId',
  'name',
  'phone',
  'email',
  'status',
  'reason',
  'detail',
  'attempts',
  'outcome',
  'startedAt',
  'finishedAt',
] as const;

// ---------------------------------------------------------------------------------------------
// Routes

/** Stats, recipients, results export and live progress of campaigns. */
export const campaignReportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/campaigns/:id/stats',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags: ['campaigns'],
        summary: "A campaign's numbers: recipients by status, outcome and reason, starts per hour, funnel, cost, rate",
        params: IdParamsSchema,
        response: { 200: CampaignStatsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const campaign = await loadCampaign(request, request.params.id);
      return campaignStats(request.tenantDb, tenantId, campaign);
    },
  );

  app.get(
    '/campaigns/:id/recipients',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags: ['campaigns'],
        summary: "A campaign's recipients in snapshot order, with where each journey stands",
        params: IdParamsSchema,
        querystring: RecipientQuerySchema,
        response: {
          200: z.object({ items: z.array(CampaignRecipientSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const campaign = await loadCampaign(request, request.params.id);
      const { limit, cursor, status, reason, outcome } = request.query;
      const db = request.tenantDb;
      const rows = await db.campaignRecipient.findMany({
        where: {
          campaignId: campaign.id,
          tenantId,
          ...(status ? { status } : {}),
          ...(reason ? { reason } : {}),
          ...(outcome ? { outcome } : {}),
          ...(cursor ? { seq: { gt: decodeSeqCursor(cursor) } } : {}),
        },
        orderBy: { seq: 'asc' },
        take: limit + 1,
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const runIds = items.flatMap((r) => (r.runId ? [r.runId] : []));
      const [contacts, runs] = await Promise.all([
        contactsOf(
          db,
          tenantId,
          items.map((r) => r.contactId),
        ),
        runIds.length
          ? db.run.findMany({
              where: { tenantId, id: { in: runIds } },
              select: { id: true, status: true, outcome: true, startedAt: true, finishedAt: true },
            })
          : Promise.resolve([]),
      ]);
      const runById = new Map(runs.map(({ id, ...run }) => [id, run]));
      return {
        items: items.map((r) => ({
          id: r.id,
          contactId: r.contactId,
          contact: contacts.get(r.contactId) ?? null,
          seq: r.seq,
          status: z.enum(RECIPIENT_STATUSES).parse(r.status),
          reason: r.reason,
          detail: r.detail,
          attempts: r.attempts,
          outcome: r.outcome,
          nextAttemptAt: r.nextAttemptAt,
          runId: r.runId,
          workflowId: r.workflowId,
          run: (r.runId && runById.get(r.runId)) || null,
          startedAt: r.startedAt,
          finishedAt: r.finishedAt,
        })),
        nextCursor: rows.length > limit && last ? encodeSeqCursor(last.seq) : null,
      };
    },
  );

  app.get(
    '/campaigns/:id/results.csv',
    {
      // It carries contacts' phone numbers and emails: the contacts export's permission.
      config: { permission: 'contacts.export' },
      schema: {
        tags: ['campaigns'],
        summary: "Download every recipient's result as CSV (streamed)",
        params: IdParamsSchema,
        produces: ['text/csv'],
        response: {
          200: {
            description: `One recipient per line, in snapshot order, with a header row: ${RESULT_COLUMNS.join(', ')}`,
            content: { 'text/csv': { schema: z.string() } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const campaign = await loadCampaign(request, request.params.id);
      const db = request.tenantDb;
      await request.audit('campaign.exported', {
        targetType: 'campaign',
        targetId: campaign.id,
        details: { name: campaign.name },
      });

      async function* rows() {
        let after = -1;
        for (;;) {
          const batch = await db.campaignRecipient.findMany({
            where: { campaignId: campaign.id, tenantId, seq: { gt: after } },
            orderBy: { seq: 'asc' },
            take: EXPORT_BATCH,
          });
          const contacts = await contactsOf(
            db,
            tenantId,
            batch.map((r) => r.contactId),
          );
          for (const r of batch) {
            const c = contacts.get(r.contactId);
            yield [
              r.contactId,
              cell(c?.name ?? null),
              c?.phone ?? '',
              cell(c?.email ?? null),
              r.status,
              r.reason ?? '',
              cell(r.detail),
              String(r.attempts),
              cell(r.outcome),
              r.startedAt?.toISOString() ?? '',
              r.finishedAt?.toISOString() ?? '',
            ];
          }
          const last = batch[batch.length - 1];
          if (!last || batch.length < EXPORT_BATCH) return;
          after = last.seq;
        }
      }
      const source = Readable.from(rows());
      const csv = source.pipe(stringify({ header: true, columns: [...RESULT_COLUMNS] }));
      // A database error mid-stream ends the download early rather than hanging it.
      source.on('error', (err) => {
        request.log.error({ err }, 'campaign results export failed');
        csv.destroy(err);
      });
      const stamp = new Date().toISOString().slice(0, 10);
      return (
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="campaign-${campaign.id}-results-${stamp}.csv"`)
          // The response schemas describe the error bodies; a stream is sent as it is, never serialized.
          .send(csv as never)
      );
    },
  );

  /** Streams open right now: ended before the server closes, which would otherwise wait on them. */
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
  });

  app.get(
    '/campaigns/:id/stream',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags: ['campaigns'],
        summary: "A campaign's live progress as Server-Sent Events (progress every second, then finished)",
        description: PROGRESS_DESCRIPTION,
        params: IdParamsSchema,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: PROGRESS_DESCRIPTION,
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      // Another tenant's campaign (or none) answers 404 like any route, before the stream opens.
      const campaign = await loadCampaign(request, request.params.id);
      const db = request.tenantDb;
      let busy = false;
      const stream = openEventStream(request, reply, () => {
        clearInterval(poll);
        openStreams.delete(end);
      });
      const end = () => stream.end();
      const send = stream.send;
      const tick = async () => {
        if (busy || stream.closed) return;
        busy = true;
        try {
          const [row, counts] = await Promise.all([
            db.campaign.findFirst({
              where: { id: campaign.id, tenantId },
              select: { status: true, finishedAt: true },
            }),
            progressCounts(db, tenantId, campaign.id),
          ]);
          if (!row) return end(); // a draft deleted meanwhile
          send('progress', { campaignId: campaign.id, status: row.status, ...counts, at: new Date() });
          if (row.status === 'completed' || row.status === 'cancelled') {
            send('finished', { campaignId: campaign.id, status: row.status, finishedAt: row.finishedAt });
            end();
          }
        } catch (err) {
          // The next poll tries again; the client keeps its connection.
          request.log.warn({ err, campaignId: campaign.id }, 'campaign progress poll failed');
        } finally {
          busy = false;
        }
      };
      const poll = setInterval(() => void tick(), STREAM_POLL_MS);
      openStreams.add(end);
      await tick();
    },
  );
};
