// Campaign settings and the pure rules the dispatcher applies: shared by the API (validation at
// create and launch), the dispatch activity and the campaign workflow. No I/O here.
import { z } from 'zod';
import { nextInWindow, TimeZoneSchema, type Window, WindowSchema } from './calendar';
import { SendMessageParamsSchema } from './nodes/send-message';
import { type Flow, FlowSchema } from './schema';

/** `cancelling`: asked to cancel, while the workflow cancels what is pending and stops running journeys. */
export const CAMPAIGN_STATUSES = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'cancelling',
  'completed',
  'cancelled',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const RECIPIENT_STATUSES = [
  'pending',
  'deferred',
  'starting',
  'running',
  'completed',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];
/** Statuses a recipient never leaves. */
export const FINAL_RECIPIENT_STATUSES: readonly RecipientStatus[] = ['completed', 'failed', 'skipped', 'cancelled'];

/** Why a recipient was skipped, deferred or failed: stable codes, each with words in `detail`. */
export const RECIPIENT_REASONS = [
  'dnc',
  'no_consent',
  'contact_deleted',
  'no_address',
  'outside_window',
  'frequency_cap',
  'provider_rate',
  'campaign_ended',
  'campaign_cancelled',
  'missed_during_pause',
  'journey_failed',
  'retries_exhausted',
] as const;
export type RecipientReason = (typeof RECIPIENT_REASONS)[number];

export const CampaignAudienceSchema = z.union([
  z.object({ segmentId: z.string().uuid() }).strict(),
  z.object({ importId: z.string().uuid() }).strict(),
  z.object({ contactIds: z.array(z.string().uuid()).min(1).max(10_000) }).strict(),
]);
export type CampaignAudience = z.infer<typeof CampaignAudienceSchema>;

export const CampaignWorkSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('flow'),
    flowId: z.string().uuid(),
    /** A published version; the latest published one at launch when absent. */
    version: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal('message'),
    channel: z.enum(['sms', 'whatsapp', 'email', 'telegram', 'messenger', 'instagram']),
    text: z.string().min(1).max(4096),
    subject: z.string().max(200).optional(),
    template: SendMessageParamsSchema.shape.template,
  }),
  z.object({
    kind: z.literal('call'),
    voiceAgentId: z.string().uuid().optional(),
    firstMessage: z.string().min(1).max(1000),
    script: z.array(z.string().min(1).max(1000)).max(50).default([]),
    voicemailMessage: z.string().max(1000).optional(),
  }),
]);
export type CampaignWork = z.infer<typeof CampaignWorkSchema>;

const ClockSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time like "09:00"');

export const CampaignSettingsSchema = z
  .object({
    /** Not before this instant (ISO 8601); at launch when absent. */
    startAt: z.iso.datetime({ offset: true }).nullable().default(null),
    /** Recipients not started by then are skipped (`campaign_ended`). */
    endBy: z.iso.datetime({ offset: true }).nullable().default(null),
    /** Days and hours to reach people, on each recipient's own clock; any time when absent. */
    window: WindowSchema.nullable().default(null),
    /** Never outside these hours on the recipient's clock, whatever the window says (8:00–21:00). */
    guard: z.object({ start: ClockSchema, end: ClockSchema }).default({ start: '08:00', end: '21:00' }),
    /** For recipients with no zone of their own and none inferable from the number. */
    defaultTimeZone: TimeZoneSchema.default('UTC'),
    /** Journey starts per minute; no limit when absent. */
    pacePerMinute: z.number().positive('a pace of zero never starts anyone').max(1_000_000).nullable().default(null),
    /** Journeys of this campaign running at once; no limit when absent. */
    maxConcurrent: z.number().int().positive().max(1_000_000).nullable().default(null),
    /** Touches per contact across every campaign of the tenant. */
    frequencyCap: z
      .object({
        perDay: z.number().int().positive().nullable().default(null),
        perWeek: z.number().int().positive().nullable().default(null),
      })
      .default({ perDay: null, perWeek: null }),
    retry: z
      .object({
        /** Journey outcomes that try again (e.g. no-answer, busy, voicemail, failed). */
        outcomes: z.array(z.string().min(1).max(100)).max(20).default([]),
        afterMinutes: z.number().int().min(1).max(10_080).default(240),
        /** Attempts in all, the first included. */
        maxAttempts: z.number().int().min(1).max(10).default(1),
      })
      .default({ outcomes: [], afterMinutes: 240, maxAttempts: 1 }),
    /**
     * Starts per second across all the tenant's campaigns on one provider account. When absent, call
     * campaigns on a Twilio voice channel keep Twilio's default of one call per second.
     */
    providerRatePerSecond: z.number().positive().max(1000).nullable().default(null),
  })
  .superRefine((s, ctx) => {
    if (s.startAt && s.endBy && Date.parse(s.endBy) <= Date.parse(s.startAt))
      ctx.addIssue({ code: 'custom', path: ['endBy'], message: 'endBy must be after startAt' });
    if (s.guard.start >= s.guard.end && s.guard.end !== '24:00')
      ctx.addIssue({ code: 'custom', path: ['guard'], message: 'the guard must end after it starts' });
  });
export type CampaignSettings = z.infer<typeof CampaignSettingsSchema>;

const guardWindow = (s: Pick<CampaignSettings, 'guard'>): Window => ({
  days: [1, 2, 3, 4, 5, 6, 7],
  start: s.guard.start,
  end: s.guard.end,
});

/**
 * The first instant at or after `at` when both the campaign's window and the guard are open on
 * the recipient's clock, or null when they never are within two weeks (they do not overlap).
 */
export function nextOpening(at: number, s: Pick<CampaignSettings, 'window' | 'guard'>, zone: string): number | null {
  const guard = guardWindow(s);
  let t = at;
  for (let i = 0; i < 40; i++) {
    try {
      const inGuard = nextInWindow(t, guard, zone);
      const inBoth = s.window ? nextInWindow(inGuard, s.window, zone) : inGuard;
      if (inBoth === t) return t;
      if (inBoth - at > 15 * 86_400_000) return null;
      t = inBoth;
    } catch {
      return null; // a window that never opens
    }
  }
  return null;
}

/** Launch refuses a window that never overlaps the guard: such a campaign would reach no one. */
export function windowEverOpens(s: Pick<CampaignSettings, 'window' | 'guard'>): boolean {
  // Wall-clock overlap does not depend on the zone; UTC has no DST to muddy it.
  return nextOpening(Date.UTC(2026, 0, 5), s, 'UTC') !== null;
}

/** The flow a single-action campaign runs, generated at launch and published like any other. */
export function singleActionFlow(name: string, work: Exclude<CampaignWork, { kind: 'flow' }>): Flow {
  const trigger = { id: 'start', type: 'trigger', params: { source: 'campaign' } };
  if (work.kind === 'message') {
    return FlowSchema.parse({
      name,
      nodes: [
        trigger,
        {
          id: 'send',
          type: 'send-message',
          params: {
            channel: work.channel,
            text: work.text,
            purpose: 'marketing',
            ...(work.subject ? { subject: work.subject } : {}),
            ...(work.template ? { template: work.template } : {}),
          },
        },
        { id: 'sent', type: 'end', params: { outcome: 'sent' } },
        { id: 'failed', type: 'end', params: { outcome: 'failed' } },
      ],
      edges: [
        { id: 'e-start', source: 'start', sourceHandle: 'next', target: 'send' },
        { id: 'e-sent', source: 'send', sourceHandle: 'sent', target: 'sent' },
        { id: 'e-failed', source: 'send', sourceHandle: 'failed', target: 'failed' },
      ],
    });
  }
  const outcomes = ['answered', 'voicemail', 'no-answer', 'busy', 'failed'];
  return FlowSchema.parse({
    name,
    nodes: [
      trigger,
      {
        id: 'call',
        type: 'place-call',
        params: {
          firstMessage: work.firstMessage,
          script: work.script,
          ...(work.voiceAgentId ? { voiceAgentId: work.voiceAgentId } : {}),
          ...(work.voicemailMessage ? { voicemailMessage: work.voicemailMessage } : {}),
        },
      },
      ...outcomes.map((o) => ({ id: o, type: 'end', params: { outcome: o } })),
    ],
    edges: [
      { id: 'e-start', source: 'start', sourceHandle: 'next', target: 'call' },
      ...outcomes.map((o) => ({ id: `e-${o}`, source: 'call', sourceHandle: o, target: o })),
    ],
  });
}

export { paceBudget } from './pacing';
