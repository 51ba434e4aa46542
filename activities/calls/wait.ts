import { CancelledFailure, Context } from '@temporalio/activity';
import type { Call } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { CallStatusSchema, PermanentSendError, type VoiceProvider } from '../providers/types';
import type { CallResult } from './provider';
import { applyCallStatus, isTerminalStatus, outcomeOf, sessionOf, transcriptOf, transcriptText } from './records';

export interface CallWaitTimings {
  /** How often the Call row (kept current by the status webhook) is read. */
  pollMs: number;
  /** How often the provider is asked directly, since its callbacks can be lost. */
  providerCheckMs: number;
  /** A row that has not changed for this long is checked with the provider at once. */
  quietMs: number;
}

export const DEFAULT_WAIT_TIMINGS: CallWaitTimings = { pollMs: 1000, providerCheckMs: 15_000, quietMs: 10_000 };

/** Past its deadline a call is hung up; this long after that, it is given up on. */
const GIVE_UP_AFTER_DEADLINE_MS = 5 * 60_000;

export interface WaitForCall {
  db: Db;
  provider: VoiceProvider;
  callId: string;
  providerCallId: string;
  /** When the call must be over (ringing + the session's duration limit + a margin). */
  deadline: Date;
  timings: CallWaitTimings;
}

/** The node's outputs from a finished Call row. */
export function callResultOf(row: Call): CallResult {
  const status = CallStatusSchema.parse(row.status);
  const outcome = row.outcome ?? outcomeOf(status, row.answeredBy, row.answeredAt !== null) ?? 'failed';
  const transcript = transcriptText(transcriptOf(row));
  return {
    callId: row.id,
    outcome: outcome as CallResult['outcome'],
    durationSeconds: row.durationSeconds ?? 0,
    ...(transcript ? { transcript } : {}),
  };
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Outside an activity (a unit test): nothing to report to.
  }
}

/** Sleeps, or throws CancelledFailure as soon as the activity is cancelled. */
async function pause(ms: number): Promise<void> {
  let context: Context | null = null;
  try {
    context = Context.current();
  } catch {
    context = null;
  }
  if (context) return context.sleep(ms);
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Waits for a placed call to end, heartbeating. The Call row is the primary source (the status
 * webhook writes it); the provider is asked every `providerCheckMs`, and whenever the row has been
 * quiet for long, because a callback can be lost. A stop request on the row (POST /calls/:id/stop,
 * possibly from another process) and a cancelled activity both hang the call up.
 */
export async function waitForCallEnd(w: WaitForCall): Promise<CallResult> {
  const { db, provider, callId, providerCallId, timings } = w;
  let lastCheck = Date.now();
  let lastChange = Date.now();
  let lastStatus = '';
  let hungUp = false;
  const hangUp = async (why: string) => {
    if (hungUp) return;
    hungUp = true;
    try {
      await provider.hangup(providerCallId);
    } catch (err) {
      heartbeat({ callId, hangupFailed: `${why}: ${(err as Error).message}` });
    }
  };
  for (;;) {
    const row = await db.call.findUniqueOrThrow({ where: { id: callId } });
    if (isTerminalStatus(row.status)) return callResultOf(row);
    heartbeat({ callId, status: row.status, turns: row.turns });
    const now = Date.now();
    if (row.status !== lastStatus) {
      lastStatus = row.status;
      lastChange = now;
    }
    if (sessionOf(row).stopRequestedAt) await hangUp('stop requested');
    if (now > w.deadline.getTime()) await hangUp('past its deadline');
    const due = now - lastCheck >= timings.providerCheckMs || now - lastChange >= timings.quietMs;
    if (due || now > w.deadline.getTime() + GIVE_UP_AFTER_DEADLINE_MS) {
      lastCheck = now;
      const finished = await checkWithProvider(w, row, now > w.deadline.getTime() + GIVE_UP_AFTER_DEADLINE_MS);
      if (finished) return callResultOf(finished);
      lastChange = now;
    }
    try {
      await pause(timings.pollMs);
    } catch (err) {
      if (err instanceof CancelledFailure) await hangUp('the activity was cancelled');
      throw err;
    }
  }
}

/** Asks the provider; returns the row when that shows the call over. */
async function checkWithProvider(w: WaitForCall, row: Call, givingUp: boolean): Promise<Call | null> {
  try {
    const snapshot = await w.provider.fetchCall(w.providerCallId);
    const updated = await applyCallStatus(w.db, w.callId, {
      status: snapshot.status,
      providerCallId: snapshot.providerCallId,
      ...(snapshot.answeredBy ? { answeredBy: snapshot.answeredBy } : {}),
      ...(snapshot.durationSeconds !== undefined ? { durationSeconds: snapshot.durationSeconds } : {}),
      ...(snapshot.price ? { price: snapshot.price } : {}),
      ...(snapshot.priceUnit ? { priceUnit: snapshot.priceUnit } : {}),
    });
    if (updated && isTerminalStatus(updated.status)) return updated;
  } catch (err) {
    // The provider does not know the call (a sandbox network restarted with the worker): it is gone.
    if (err instanceof PermanentSendError) return applyCallStatus(w.db, w.callId, { status: 'failed' });
    if (!givingUp) return null;
  }
  if (!givingUp) return null;
  // Hung up long ago and still no word: settle with what we know rather than wait forever.
  return applyCallStatus(w.db, w.callId, { status: row.answeredAt ? 'completed' : 'canceled' });
}
