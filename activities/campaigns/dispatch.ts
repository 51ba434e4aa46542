// The campaign dispatcher: one activity call per workflow tick claims the next due recipients,
// applies compliance, caps and each recipient's calling window, records why anyone is skipped or
// deferred, and starts one runFlow journey per ready recipient under a deterministic workflow ID.
import { randomUUID } from 'node:crypto';
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { parseConsent } from '../../api/contacts/model';
import {
  type CampaignSettings,
  CampaignSettingsSchema,
  type CampaignWork,
  CampaignWorkSchema,
  type ContactSnapshot,
  nextOpening,
  type Plan,
  PlanSchema,
  type RecipientReason,
} from '../../flow';
import type { Db } from '../../prisma/client';
import { findSendingChannel } from '../channels/store';
import { recipientZone } from '../messaging/compliance';
import type { DispatchGate } from './dispatch-gate';
import { takeTokens } from './rate-bucket';
import { type JourneyStart, StartPool } from './start-pool';

export interface CampaignStarter {
  client: Client;
  taskQueue: string;
}

/** Recipients claimed per transaction. */
export const SLICE_MAX = 500;
/**
 * At most this many journeys start per dispatch call. Between calls the start pool runs dry while
 * the result goes through the workflow and the next call is claimed, so an unpaced campaign wants
 * few calls. A pause or cancel does not wait for the call to end: the workflow cancels it, and the
 * dispatcher stops claiming at its next slice and starts only what it has claimed.
 */
export const TICK_MAX = 5_000;
/**
 * …and claims for no longer than this, so a call stays far inside its 10-minute start-to-close
 * timeout however slowly the server starts workflows (5,000 at 10 a second would not).
 */
const CLAIM_FOR_MS = 120_000;
/** Journeys started in parallel within a slice. */
const START_CONCURRENCY = 64;
const DAY_MS = 86_400_000;

export const journeyWorkflowId = (campaignId: string, recipientId: string, attempt: number) =>
  `campaign-${campaignId}-${recipientId}-${attempt}`;

export interface DispatchInput {
  tenantId: string;
  campaignId: string;
  /** Unique per workflow tick: a retried call finds the claims it already made. */
  sliceKey: string;
  /** Journeys this tick may start (the pace's budget). */
  budget: number;
  /** The workflow's clock (epoch ms): windows, caps and deferrals are judged at this instant. */
  now: number;
}

export type RecipientCounts = Record<string, number>;

export interface DispatchResult {
  started: number;
  skipped: number;
  deferred: number;
  /** Recipients not final yet: pending, deferred, starting or running. */
  open: number;
  active: number;
  counts: RecipientCounts;
  /** The earliest instant a deferred or retrying recipient is due (epoch ms). */
  nextDueAt: number | null;
  /** True once every recipient is final. */
  done: boolean;
  /** Why this tick started fewer than its budget allowed, when it did. */
  limitedBy: 'concurrency' | 'provider_rate' | null;
}

interface Candidate {
  id: string;
  contactId: string;
  attempts: number;
  seq: number;
  phone: string | null;
  email: string | null;
  timeZone: string | null;
  dnc: boolean;
  consent: unknown;
  deletedAt: Date | null;
  mergedIntoId: string | null;
  firstName: string | null;
  lastName: string | null;
  leadStatus: string | null;
  score: number;
  tags: string[];
  fields: unknown;
}

type Verdict =
  | { kind: 'ready' }
  | { kind: 'skip'; reason: RecipientReason; detail: string }
  | { kind: 'defer'; reason: RecipientReason; detail: string; until: number };

/** The channel a campaign's work reaches people on, for consent and address checks. */
function channelOf(work: CampaignWork): string | null {
  if (work.kind === 'message') return work.channel;
  if (work.kind === 'call') return 'voice';
  return null;
}

function addressFor(channel: string | null, c: Candidate): boolean {
  if (channel === 'email') return c.email !== null;
  if (channel === 'sms' || channel === 'whatsapp' || channel === 'voice') return c.phone !== null;
  return true; // flows and chat channels find their own address
}

/**
 * The journey's view of the contact, mapped by hand: the row comes from our own SQL, and a zod
 * parse per recipient is time the dispatcher spends between start requests.
 */
function contactSnapshot(r: Candidate): ContactSnapshot {
  return {
    id: r.contactId,
    leadStatus: r.leadStatus,
    score: r.score,
    firstName: r.firstName,
    lastName: r.lastName,
    phone: r.phone,
    email: r.email,
    timeZone: r.timeZone,
    tags: r.tags ?? [],
    fields:
      r.fields !== null && typeof r.fields === 'object' && !Array.isArray(r.fields)
        ? (r.fields as Record<string, unknown>)
        : {},
  };
}

/** One recipient's journey: its workflow ID and input. */
function journeyStart(
  r: Candidate & { runId: string; workflowId: string },
  ctx: { tenantId: string; campaignId: string; plan: Plan; flowVersionId: string },
): JourneyStart {
  return {
    recipientId: r.id,
    workflowId: r.workflowId,
    input: {
      tenantId: ctx.tenantId,
      runId: r.runId,
      plan: ctx.plan,
      flowVersionId: ctx.flowVersionId,
      contact: contactSnapshot(r),
      trigger: { source: 'campaign', campaignId: ctx.campaignId, recipientId: r.id, attempt: r.attempts },
    },
  };
}

/** Per recipient: go now, wait (until when, and why), or never (why). */
export function judge(
  c: Candidate,
  ctx: {
    settings: CampaignSettings;
    work: CampaignWork;
    now: number;
    touchesDay: number;
    touchesWeek: number;
    oldestDay: number | null;
    oldestWeek: number | null;
  },
): Verdict {
  const { settings, work, now } = ctx;
  if (c.deletedAt || c.mergedIntoId)
    return { kind: 'skip', reason: 'contact_deleted', detail: 'the contact was deleted or merged after launch' };
  if (c.dnc) return { kind: 'skip', reason: 'dnc', detail: 'the contact is on the do-not-contact list' };
  const channel = channelOf(work);
  if (channel) {
    const consent = parseConsent(c.consent)[channel as keyof ReturnType<typeof parseConsent>];
    if (consent?.status === 'denied')
      return { kind: 'skip', reason: 'no_consent', detail: `the contact withdrew consent for ${channel}` };
    if (!addressFor(channel, c))
      return {
        kind: 'skip',
        reason: 'no_address',
        detail: `the contact has no ${channel === 'email' ? 'email address' : 'phone number'}`,
      };
  }
  const endBy = settings.endBy ? Date.parse(settings.endBy) : null;
  const zone =
    c.timeZone ?? (c.phone ? recipientZone({ timeZone: null, phone: c.phone }) : null) ?? settings.defaultTimeZone;
  const opening = nextOpening(now, settings, zone);
  if (opening === null)
    return { kind: 'skip', reason: 'outside_window', detail: `the calling window never opens in ${zone}` };
  const { perDay, perWeek } = settings.frequencyCap;
  let capUntil = 0;
  if (perDay !== null && ctx.touchesDay >= perDay && ctx.oldestDay !== null) capUntil = ctx.oldestDay + DAY_MS;
  if (perWeek !== null && ctx.touchesWeek >= perWeek && ctx.oldestWeek !== null)
    capUntil = Math.max(capUntil, ctx.oldestWeek + 7 * DAY_MS);
  if (capUntil > now) {
    if (endBy !== null && capUntil >= endBy)
      return {
        kind: 'skip',
        reason: 'frequency_cap',
        detail: 'the frequency cap stays reached until the campaign ends',
      };
    return {
      kind: 'defer',
      reason: 'frequency_cap',
      detail: `contacted ${ctx.touchesDay} times today and ${ctx.touchesWeek} this week across campaigns`,
      until: capUntil,
    };
  }
  if (opening > now) {
    if (endBy !== null && opening >= endBy)
      return {
        kind: 'skip',
        reason: 'campaign_ended',
        detail: `the window opens in ${zone} only after the campaign ends`,
      };
    return {
      kind: 'defer',
      reason: 'outside_window',
      detail: `outside the calling window in ${zone}; next opening ${new Date(opening).toISOString()}`,
      until: opening,
    };
  }
  return { kind: 'ready' };
}

/**
 * A provider's own limit when the campaign sets none: Twilio places one call per second per
 * account unless the account has asked for more (then set `providerRatePerSecond`).
 */
async function defaultProviderRate(db: Db, tenantId: string, work: CampaignWork): Promise<number | null> {
  if (work.kind !== 'call') return null;
  const channel = await findSendingChannel(db, tenantId, 'voice');
  return channel?.provider === 'twilio' ? TWILIO_CALLS_PER_SECOND : null;
}
const TWILIO_CALLS_PER_SECOND = 1;

export function createCampaignActivities({
  db,
  starter,
  gate,
}: {
  db: Db;
  starter?: CampaignStarter;
  gate?: DispatchGate;
}) {
  const requireStarter = () => {
    if (!starter) throw new Error('campaign activities need a Temporal client to start journeys');
    return starter;
  };

  async function counts(campaignId: string): Promise<{ counts: RecipientCounts; nextDueAt: number | null }> {
    const rows = await db.$queryRaw<{ status: string; n: bigint; due: Date | null }[]>`
      SELECT status, count(*) AS n, min("nextAttemptAt") AS due FROM "CampaignRecipient"
       WHERE "campaignId" = ${campaignId}::uuid GROUP BY status`;
    const out: RecipientCounts = {};
    let nextDueAt: number | null = null;
    for (const r of rows) {
      out[r.status] = Number(r.n);
      if ((r.status === 'pending' || r.status === 'deferred') && r.due) {
        nextDueAt = nextDueAt === null ? r.due.getTime() : Math.min(nextDueAt, r.due.getTime());
      }
      if (r.status === 'pending' && !r.due) nextDueAt = 0;
    }
    return { counts: out, nextDueAt };
  }

  /** The journeys' start requests, recorded as running (in batches) once sent. */
  function startPool(bulk: () => boolean): StartPool {
    const { client, taskQueue } = requireStarter();
    return new StartPool({
      client,
      taskQueue,
      concurrency: START_CONCURRENCY,
      onProgress: () => heartbeat(),
      // Only a bulk tick asks the worker to hold new workflows back: when pace or concurrency
      // limits a campaign, its starts are few and the journeys it waits on must not be slowed.
      ...(gate ? { onStart: () => bulk() && gate.started() } : {}),
      // A journey that already finished has settled its recipient: leave that alone.
      onStarted: async (ids) => {
        await db.$executeRaw`UPDATE "CampaignRecipient" SET status = 'running', "updatedAt" = now()
          WHERE id = ANY(${ids}::uuid[]) AND status = 'starting'`;
      },
    });
  }

  /** Recipients claimed but never started (a crashed or retried dispatch's): the first work of a tick. */
  async function claimedUnstarted(campaignId: string) {
    return db.$queryRaw<(Candidate & { runId: string; workflowId: string })[]>`
      SELECT r.id, r."contactId", r.attempts, r.seq, r."runId", r."workflowId",
             c.phone, c.email, c."timeZone", c.dnc, c.consent, c."deletedAt", c."mergedIntoId",
             c."firstName", c."lastName", c."leadStatus", c.score, c.tags, c.fields
        FROM "CampaignRecipient" r JOIN "Contact" c ON c.id = r."contactId"
       WHERE r."campaignId" = ${campaignId}::uuid AND r.status = 'starting'
       ORDER BY r.seq LIMIT ${TICK_MAX * 2}`;
  }

  async function dispatch(input: DispatchInput): Promise<DispatchResult> {
    const { tenantId, campaignId, now } = input;
    const campaign = await db.campaign.findFirst({ where: { id: campaignId, tenantId } });
    if (!campaign?.flowVersionId) throw new Error(`campaign ${campaignId} is not launched`);
    const version = await db.flowVersion.findFirstOrThrow({ where: { id: campaign.flowVersionId, tenantId } });
    const settings = CampaignSettingsSchema.parse(campaign.settings);
    const work = CampaignWorkSchema.parse(campaign.work);

    const journey = { tenantId, campaignId, plan: PlanSchema.parse(version.plan), flowVersionId: version.id };
    let bulk = false;
    const pool = startPool(() => bulk);
    // Claims a crashed or retried dispatch left unstarted go first.
    pool.push((await claimedUnstarted(campaignId)).map((r) => journeyStart(r, journey)));
    let skipped = 0;
    let deferred = 0;
    let limitedBy: DispatchResult['limitedBy'] = null;

    if (settings.endBy && now >= Date.parse(settings.endBy)) {
      skipped += await db.$executeRaw`UPDATE "CampaignRecipient"
          SET status = 'skipped', reason = 'campaign_ended', detail = 'not reached before the campaign''s end',
              "nextAttemptAt" = NULL, "finishedAt" = ${new Date(now)}, "updatedAt" = now()
          WHERE "campaignId" = ${campaignId}::uuid AND status IN ('pending', 'deferred')`;
    }

    const alreadyClaimed = await db.campaignRecipient.count({ where: { campaignId, sliceKey: input.sliceKey } });
    let limit = alreadyClaimed > 0 ? 0 : Math.min(Math.floor(input.budget), TICK_MAX);
    if (limit > 0 && settings.maxConcurrent !== null) {
      const active = await db.campaignRecipient.count({
        where: { campaignId, status: { in: ['starting', 'running'] } },
      });
      const room = Math.max(0, settings.maxConcurrent - active);
      if (room < limit) limitedBy = 'concurrency';
      limit = Math.min(limit, room);
    }
    const providerRate = settings.providerRatePerSecond ?? (await defaultProviderRate(db, tenantId, work));
    if (limit > 0 && providerRate !== null) {
      const key = `provider:${work.kind === 'message' ? work.channel : work.kind === 'call' ? 'voice' : 'flow'}`;
      const granted = await takeTokens(db, tenantId, key, limit, providerRate);
      if (granted < limit) limitedBy = 'provider_rate';
      limit = granted;
    }

    // More than a slice to start at once: the server's start rate is what this tick waits on.
    bulk = limit >= SLICE_MAX;
    // Cancelled (the campaign paused or was cancelled): claim nothing more. What is claimed still
    // starts, so no recipient is left 'starting' with no journey behind it.
    const halted = cancellationSignal();
    const claimUntil = Date.now() + CLAIM_FOR_MS;
    let claimedThisTick = 0;
    while (claimedThisTick < limit && !halted.aborted && Date.now() < claimUntil) {
      // The next slice is claimed while the last one's journeys are still being started.
      await pool.waitingBelow(SLICE_MAX);
      if (halted.aborted) break;
      const want = limit - claimedThisTick;
      const outcome = await db.$transaction(async (tx) => {
        const candidates = await tx.$queryRaw<Candidate[]>`
            SELECT r.id, r."contactId", r.attempts, r.seq,
                   c.phone, c.email, c."timeZone", c.dnc, c.consent, c."deletedAt", c."mergedIntoId",
                   c."firstName", c."lastName", c."leadStatus", c.score, c.tags, c.fields
              FROM "CampaignRecipient" r JOIN "Contact" c ON c.id = r."contactId"
             WHERE r."campaignId" = ${campaignId}::uuid AND r.status IN ('pending', 'deferred')
               AND (r."nextAttemptAt" IS NULL OR r."nextAttemptAt" <= ${new Date(now)})
             ORDER BY r.seq LIMIT ${Math.min(SLICE_MAX, want * 2)}
             FOR UPDATE OF r SKIP LOCKED`;
        if (candidates.length === 0) return null;
        const contactIds = candidates.map((c) => c.contactId);
        if (settings.frequencyCap.perDay !== null || settings.frequencyCap.perWeek !== null) {
          // Two campaigns reaching the same contact at once must not both pass its cap: each holds
          // the contact's lock until its touches commit (in id order, so they never deadlock).
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${tenantId} || c, 0))
              FROM unnest(${[...contactIds].sort()}::text[]) AS c`;
        }
        const touches = await tx.$queryRaw<
          { contactId: string; day: bigint; week: bigint; oldestDay: Date | null; oldestWeek: Date | null }[]
        >`SELECT "contactId",
                   count(*) FILTER (WHERE at > ${new Date(now - DAY_MS)}) AS day,
                   count(*) AS week,
                   min(at) FILTER (WHERE at > ${new Date(now - DAY_MS)}) AS "oldestDay",
                   min(at) AS "oldestWeek"
              FROM "CampaignTouch"
             WHERE "tenantId" = ${tenantId}::uuid AND "contactId" = ANY(${contactIds}::uuid[])
               AND at > ${new Date(now - 7 * DAY_MS)} AND at <= ${new Date(now)}
             GROUP BY "contactId"`;
        const touchesOf = new Map(touches.map((t) => [t.contactId, t]));
        const ready: Candidate[] = [];
        const verdicts: { id: string; status: string; reason: string; detail: string; until: Date | null }[] = [];
        for (const c of candidates) {
          if (ready.length >= want) break;
          const t = touchesOf.get(c.contactId);
          const v = judge(c, {
            settings,
            work,
            now,
            touchesDay: Number(t?.day ?? 0),
            touchesWeek: Number(t?.week ?? 0),
            oldestDay: t?.oldestDay?.getTime() ?? null,
            oldestWeek: t?.oldestWeek?.getTime() ?? null,
          });
          if (v.kind === 'ready') ready.push(c);
          else
            verdicts.push({
              id: c.id,
              status: v.kind === 'skip' ? 'skipped' : 'deferred',
              reason: v.reason,
              detail: v.detail,
              until: v.kind === 'defer' ? new Date(v.until) : null,
            });
        }
        if (verdicts.length) {
          await tx.$executeRaw`UPDATE "CampaignRecipient" r
              SET status = v.status, reason = v.reason, detail = v.detail, "nextAttemptAt" = v.until,
                  "finishedAt" = CASE WHEN v.status = 'skipped' THEN ${new Date(now)}::timestamp ELSE NULL END, "updatedAt" = now()
              FROM unnest(${verdicts.map((v) => v.id)}::uuid[], ${verdicts.map((v) => v.status)}::text[],
                          ${verdicts.map((v) => v.reason)}::text[], ${verdicts.map((v) => v.detail)}::text[],
                          ${verdicts.map((v) => v.until)}::timestamp[]) AS v(id, status, reason, detail, until)
              WHERE r.id = v.id`;
        }
        const runIds = ready.map(() => randomUUID());
        // One place builds a journey's workflow ID: the run row, the recipient and the start share it.
        const workflowIds = ready.map((c) => journeyWorkflowId(campaignId, c.id, c.attempts + 1));
        if (ready.length) {
          await tx.run.createMany({
            data: ready.map((c, i) => ({
              id: runIds[i] as string,
              tenantId,
              flowId: version.flowId,
              flowVersionId: version.id,
              contactId: c.contactId,
              workflowId: workflowIds[i] as string,
              status: 'running',
              startedAt: new Date(now),
            })),
          });
          await tx.$executeRaw`UPDATE "CampaignRecipient" r
              SET status = 'starting', attempts = r.attempts + 1, "runId" = v.run, "sliceKey" = ${input.sliceKey},
                  "workflowId" = v.wf,
                  reason = NULL, detail = NULL, "nextAttemptAt" = NULL, "startedAt" = ${new Date(now)}, "updatedAt" = now()
              FROM unnest(${ready.map((c) => c.id)}::uuid[], ${runIds}::uuid[], ${workflowIds}::text[]) AS v(id, run, wf)
              WHERE r.id = v.id`;
          await tx.campaignTouch.createMany({
            data: ready.map((c) => ({
              tenantId,
              contactId: c.contactId,
              campaignId,
              recipientId: c.id,
              attempt: c.attempts + 1,
              at: new Date(now),
            })),
            skipDuplicates: true,
          });
        }
        const skippedCount = verdicts.filter((v) => v.status === 'skipped').length;
        return {
          ready: ready.length,
          starts: ready.map((c, i) =>
            journeyStart(
              {
                ...c,
                attempts: c.attempts + 1,
                runId: runIds[i] as string,
                workflowId: workflowIds[i] as string,
              },
              journey,
            ),
          ),
          skipped: skippedCount,
          deferred: verdicts.length - skippedCount,
        };
      });
      if (outcome === null) break;
      claimedThisTick += outcome.ready;
      skipped += outcome.skipped;
      deferred += outcome.deferred;
      heartbeat();
      pool.push(outcome.starts);
    }
    const started = await pool.drain();

    const { counts: byStatus, nextDueAt } = await counts(campaignId);
    const open =
      (byStatus.pending ?? 0) + (byStatus.deferred ?? 0) + (byStatus.starting ?? 0) + (byStatus.running ?? 0);
    return {
      started,
      skipped,
      deferred,
      open,
      active: (byStatus.starting ?? 0) + (byStatus.running ?? 0),
      counts: byStatus,
      nextDueAt,
      done: open === 0,
      limitedBy,
    };
  }

  return {
    dispatchCampaign: dispatch,
  };
}
