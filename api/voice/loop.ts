import {
  applyCallStatus,
  type CallSession,
  normalizeAnsweredBy,
  sessionOf,
  type TranscriptEntry,
  transcriptOf,
} from '../../activities/calls/records';
import type { KnowledgeAnswerer } from '../../activities/rag/answerer';
import type { Call } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import { decideNextTurn, LINES } from './agent';
import { closingTwiml, promptTwiml, type SpeechSettings } from './twiml';

/**
 * The voice-agent loop over the Call row: the answer webhook greets (or leaves the voicemail), each
 * gather webhook records the caller's words and the agent's reply. Every line is stored with the
 * turn it belongs to, so a webhook the provider repeats gets the same TwiML back instead of a
 * second reply, and the row is locked while a turn is appended so concurrent webhooks lose nothing.
 */

export interface LoopUrls {
  /** Where the caller's answer to turn `turn` is posted. */
  gather(turn: number): string;
}

const speechOf = (session: CallSession): SpeechSettings => ({
  voice: session.voice.voiceId,
  language: session.language,
});

/** The TwiML that said `entry` the first time, rebuilt for a repeated webhook. */
function replay(entry: TranscriptEntry, session: CallSession, urls: LoopUrls): string {
  if (entry.end) return closingTwiml(entry.text || undefined, speechOf(session));
  return promptTwiml(entry.text, {
    ...speechOf(session),
    action: urls.gather((entry.turn ?? 0) + 1),
    bargeIn: session.bargeIn,
  });
}

const agentLineFor = (transcript: TranscriptEntry[], turn: number) =>
  transcript.find((e) => e.role === 'agent' && e.turn === turn);

/** Runs `fn` on the row under a row lock; what it returns is written back in the same transaction. */
async function withLockedCall<T>(
  db: Db,
  callId: string,
  fn: (row: Call) => { result: T; append?: TranscriptEntry[]; session?: CallSession; countTurn?: boolean },
): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM "Call" WHERE "id" = ${callId}::uuid FOR UPDATE`;
    const row = await tx.call.findUniqueOrThrow({ where: { id: callId } });
    const { result, append, session, countTurn } = fn(row);
    if (append?.length || session || countTurn) {
      await tx.call.update({
        where: { id: callId },
        data: {
          ...(append?.length ? { transcript: toJson([...transcriptOf(row), ...append]) } : {}),
          ...(session ? { session: toJson(session) } : {}),
          ...(countTurn ? { turns: { increment: 1 } } : {}),
        },
      });
    }
    return result;
  });
}

/**
 * The call connected: greet a person with the first message and listen, or leave the voicemail
 * message on a machine (hang up when there is none).
 */
export async function answerCall(
  db: Db,
  call: Call,
  params: { answeredBy?: string; providerCallId?: string },
  urls: LoopUrls,
): Promise<string> {
  const answeredBy = normalizeAnsweredBy(params.answeredBy);
  await applyCallStatus(db, call.id, {
    status: 'in-progress',
    ...(answeredBy ? { answeredBy } : {}),
    ...(params.providerCallId ? { providerCallId: params.providerCallId } : {}),
  });
  return withLockedCall(db, call.id, (row) => {
    const session = sessionOf(row);
    const speech = speechOf(session);
    const earlier = agentLineFor(transcriptOf(row), 0);
    if (earlier) return { result: replay(earlier, session, urls) };
    const at = new Date().toISOString();
    if (session.stopRequestedAt) {
      return {
        result: closingTwiml(LINES.stopped, speech),
        append: [{ role: 'agent', text: LINES.stopped, at, turn: 0, end: true }],
      };
    }
    if (answeredBy === 'machine') {
      if (!session.voicemailMessage) {
        return {
          result: closingTwiml(undefined, speech),
          append: [{ role: 'agent', text: '', at, turn: 0, end: true }],
        };
      }
      const text = session.voicemailMessage;
      return {
        result: closingTwiml(text, speech),
        append: [{ role: 'agent', text, at, turn: 0, end: true, kind: 'voicemail' }],
      };
    }
    const greeting: TranscriptEntry = { role: 'agent', text: session.firstMessage, at, turn: 0 };
    return { result: replay(greeting, session, urls), append: [greeting] };
  });
}

/** The caller said something (or nothing): record it, decide the reply, and say it. */
export async function continueCall(
  db: Db,
  call: Call,
  params: { speech: string; turn?: number },
  answerer: KnowledgeAnswerer,
  urls: LoopUrls,
): Promise<string> {
  const session = sessionOf(call);
  const transcript = transcriptOf(call);
  const turn = params.turn ?? call.turns + 1;
  const earlier = agentLineFor(transcript, turn);
  if (earlier) return replay(earlier, session, urls);
  // A gather after the agent already said goodbye (a delayed retry): nothing more to say.
  if (transcript.some((e) => e.role === 'agent' && e.end)) return closingTwiml(undefined, speechOf(session));
  const startedAt = call.answeredAt ?? call.startedAt;
  const decision = await decideNextTurn({
    tenantId: call.tenantId,
    session,
    turnsSoFar: call.turns,
    elapsedSeconds: (Date.now() - startedAt.getTime()) / 1000,
    utterance: params.speech,
    answerer,
  });
  return withLockedCall(db, call.id, (row) => {
    const current = sessionOf(row);
    const already = agentLineFor(transcriptOf(row), turn);
    // A concurrent copy of this webhook got the lock first: answer as it did.
    if (already) return { result: replay(already, current, urls) };
    const at = new Date().toISOString();
    const speech = params.speech.trim();
    const reply: TranscriptEntry = {
      role: 'agent',
      text: decision.say,
      at,
      turn,
      ...(decision.end ? { end: true } : {}),
      ...(decision.citations?.length ? { citations: decision.citations } : {}),
    };
    return {
      result: replay(reply, current, urls),
      append: [...(speech ? [{ role: 'customer' as const, text: speech, at, turn }] : []), reply],
      session: { ...current, scriptPosition: decision.scriptPosition, silences: decision.silences },
      countTurn: true,
    };
  });
}
