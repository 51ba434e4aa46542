import { z } from 'zod';
import type { CallOutcomeSchema } from '../../flow/nodes/place-call';
import type { Call, Prisma } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { type CallStatus, CallStatusSchema } from '../providers/types';

/**
 * The Call row's JSON columns and the rules every writer of a Call row follows: the activity that
 * places the call, the provider's status callbacks (which arrive late, twice or out of order) and
 * the TwiML loop. Status only ever moves forward, so whichever writer is late loses nothing.
 */

export const VoiceSettingsSchema = z.object({
  provider: z.string().min(1).max(40).default('twilio'),
  /** A Twilio <Say> voice: `Polly.Joanna`, `Google.en-US-Neural2-F`, `alice`… */
  voiceId: z.string().min(1).max(100).default('Polly.Joanna'),
  language: z.string().min(2).max(20).default('en-US'),
});
export type VoiceSettings = z.infer<typeof VoiceSettingsSchema>;
export const DEFAULT_VOICE: VoiceSettings = { provider: 'twilio', voiceId: 'Polly.Joanna', language: 'en-US' };

/** The voice-agent loop's state, in Call.session: what to say and how far the script has got. */
export const CallSessionSchema = z.object({
  persona: z.string().default(''),
  firstMessage: z.string().default(''),
  script: z.array(z.string()).default([]),
  /** The next script line to say. */
  scriptPosition: z.number().int().min(0).default(0),
  maxTurns: z.number().int().min(1).default(12),
  maxDurationSeconds: z.number().int().positive().default(600),
  voicemailMessage: z.string().optional(),
  bargeIn: z.boolean().default(true),
  language: z.string().default('en-US'),
  voice: VoiceSettingsSchema.default(DEFAULT_VOICE),
  knowledgeSourceIds: z.array(z.string()).default([]),
  /** Consecutive empty utterances: one re-prompt, then the call ends. */
  silences: z.number().int().min(0).default(0),
  /** Set by POST /calls/:id/stop: the loop and the placing activity end the call at their next look. */
  stopRequestedAt: z.string().optional(),
  /** Why compliance refused to dial (DNC, consent, calling hours). */
  blocked: z.object({ type: z.string(), reason: z.string() }).optional(),
});
export type CallSession = z.infer<typeof CallSessionSchema>;

export const CitationSchema = z.object({ sourceId: z.string(), title: z.string(), snippet: z.string() });

export const TranscriptEntrySchema = z.object({
  role: z.enum(['agent', 'customer']),
  text: z.string(),
  at: z.string(),
  /** The exchange the line belongs to: 0 is the greeting, n the agent's reply to the n-th utterance. */
  turn: z.number().int().min(0).optional(),
  /** The agent's line ended the call (it was followed by <Hangup/>). */
  end: z.boolean().optional(),
  /** voicemail: left on an answering machine. */
  kind: z.enum(['voicemail']).optional(),
  citations: z.array(CitationSchema).optional(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;
export const TranscriptSchema = z.array(TranscriptEntrySchema);

export function sessionOf(call: Pick<Call, 'session'>): CallSession {
  return CallSessionSchema.parse(call.session ?? {});
}

export function transcriptOf(call: Pick<Call, 'transcript'>): TranscriptEntry[] {
  return TranscriptSchema.parse(call.transcript ?? []);
}

/** "Agent: …" / "Customer: …" lines, as the place-call node's `transcript` output. */
export function transcriptText(entries: TranscriptEntry[]): string {
  return entries
    .filter((e) => e.text.length > 0)
    .map(
      (e) => `${e.role === 'agent' ? (e.kind === 'voicemail' ? 'Agent (voicemail)' : 'Agent') : 'Customer'}: ${e.text}`,
    )
    .join('\n');
}

const TERMINAL: ReadonlySet<CallStatus> = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
const RANK: Record<CallStatus, number> = {
  queued: 0,
  ringing: 1,
  'in-progress': 2,
  completed: 3,
  busy: 3,
  'no-answer': 3,
  failed: 3,
  canceled: 3,
};

export function isTerminalStatus(status: string): boolean {
  const parsed = CallStatusSchema.safeParse(status);
  return parsed.success && TERMINAL.has(parsed.data);
}

export type CallOutcome = z.infer<typeof CallOutcomeSchema>;

/** How a finished call maps to the place-call node's outputs. */
export function outcomeOf(
  status: CallStatus,
  answeredBy: string | null | undefined,
  answered: boolean,
): CallOutcome | null {
  switch (status) {
    case 'completed':
      return answeredBy === 'machine' ? 'voicemail' : 'answered';
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'no-answer';
    case 'failed':
      return 'failed';
    case 'canceled':
      // Twilio cancels calls that were never answered; one stopped mid-conversation completed.
      return answered ? (answeredBy === 'machine' ? 'voicemail' : 'answered') : 'no-answer';
    default:
      return null;
  }
}

/** Twilio's AnsweredBy (machine_start, machine_end_beep, fax…) in the three values we keep. */
export function normalizeAnsweredBy(value: string | undefined | null): 'human' | 'machine' | 'unknown' | undefined {
  if (!value) return undefined;
  if (value === 'human') return 'human';
  if (value.startsWith('machine') || value === 'fax') return 'machine';
  return 'unknown';
}

export interface CallStatusUpdate {
  status: CallStatus;
  providerCallId?: string;
  answeredBy?: 'human' | 'machine' | 'unknown';
  durationSeconds?: number;
  price?: string;
  priceUnit?: string;
  recordingUrl?: string;
  at?: Date;
}

/** The columns an update changes on `row`, or null when it says nothing new (a retried callback). */
export function mergeCallStatus(row: Call, update: CallStatusUpdate): Prisma.CallUncheckedUpdateManyInput | null {
  const current = CallStatusSchema.safeParse(row.status);
  const currentRank = current.success ? RANK[current.data] : 0;
  const currentlyTerminal = current.success && TERMINAL.has(current.data);
  const at = update.at ?? new Date();
  const data: Prisma.CallUncheckedUpdateManyInput & { answeredBy?: string; answeredAt?: Date } = {};
  const status = !currentlyTerminal && RANK[update.status] > currentRank ? update.status : null;
  if (status) data.status = status;
  if (update.providerCallId && !row.providerCallId) data.providerCallId = update.providerCallId;
  if (update.answeredBy && (!row.answeredBy || (row.answeredBy === 'unknown' && update.answeredBy !== 'unknown'))) {
    data.answeredBy = update.answeredBy;
  }
  if (update.durationSeconds !== undefined && update.durationSeconds !== row.durationSeconds) {
    data.durationSeconds = update.durationSeconds;
  }
  if (update.price && !row.cost) {
    data.cost = update.price;
    if (update.priceUnit) data.costCurrency = update.priceUnit;
  }
  if (update.recordingUrl && !row.recordingUrl) data.recordingUrl = update.recordingUrl;
  const answered =
    update.status === 'in-progress' ||
    (update.status === 'completed' && (update.durationSeconds ?? row.durationSeconds ?? 0) > 0);
  if (answered && !row.answeredAt) {
    data.answeredAt =
      update.status === 'completed' && update.durationSeconds
        ? new Date(at.getTime() - update.durationSeconds * 1000)
        : at;
  }
  const finalStatus = (status ?? (currentlyTerminal ? current.data : null)) as CallStatus | null;
  if (finalStatus && TERMINAL.has(finalStatus)) {
    if (!row.endedAt) data.endedAt = at;
    const outcome = outcomeOf(
      finalStatus,
      data.answeredBy ?? row.answeredBy,
      Boolean(row.answeredAt ?? data.answeredAt),
    );
    if (outcome && outcome !== row.outcome) data.outcome = outcome;
  }
  return Object.keys(data).length > 0 ? data : null;
}

/**
 * Applies a provider's view of a call to its row, moving status forward only and filling what is
 * missing. A compare-and-set on the status keeps two concurrent callbacks from undoing each other.
 */
export async function applyCallStatus(db: Db, callId: string, update: CallStatusUpdate): Promise<Call | null> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const row = await db.call.findUnique({ where: { id: callId } });
    if (!row) return null;
    const data = mergeCallStatus(row, update);
    if (!data) return row;
    const { count } = await db.call.updateMany({ where: { id: callId, status: row.status }, data });
    if (count === 1) return db.call.findUnique({ where: { id: callId } });
  }
  throw new Error(`call ${callId}: status kept changing under concurrent updates`);
}
