import type { CallSession, TranscriptEntry } from '../../activities/calls/records';
import type { KnowledgeAnswerer } from '../../activities/rag/answerer';

/**
 * The voice agent's conversation policy: given what the caller just said, what the agent says
 * next and whether the call ends. No I/O but the knowledge answerer; loop.ts stores the result.
 */

export type UtteranceKind = 'silence' | 'goodbye' | 'question' | 'statement';

const QUESTION_WORDS =
  /^(what|when|where|why|who|whom|whose|which|how|can|could|do|does|did|is|are|was|were|will|would|should|shall|may|might|have|has|am)\b/i;
const GOODBYE =
  /\b(bye|goodbye|good bye|no thanks|no thank you|not interested|stop calling|don'?t call|do not call|hang up|that'?s all|that is all)\b/i;

export function classifyUtterance(text: string): UtteranceKind {
  const t = text.trim();
  if (!t) return 'silence';
  if (GOODBYE.test(t)) return 'goodbye';
  if (t.endsWith('?') || QUESTION_WORDS.test(t)) return 'question';
  return 'statement';
}

export const LINES = {
  reprompt: "Sorry, I didn't catch that. Could you say it again?",
  silentGoodbye: "I'm sorry, I can't hear you. We'll try again another time. Goodbye.",
  goodbye: 'Thank you for your time. Goodbye!',
  closing: "Thank you for your time today. We'll follow up if there's anything else. Goodbye!",
  stopped: 'I have to end the call now. Thank you, goodbye.',
  followUp: "I'll have someone from our team follow up with you on that.",
  anythingElse: 'Is there anything else I can help you with?',
} as const;

/** Below this, the answerer's best passage is not trusted to be read out. */
export const MIN_ANSWER_CONFIDENCE = 0.5;

export interface TurnInput {
  tenantId: string;
  session: CallSession;
  /** Exchanges completed before this one. */
  turnsSoFar: number;
  /** Since the call was answered. */
  elapsedSeconds: number;
  utterance: string;
  answerer: KnowledgeAnswerer;
}

export interface TurnDecision {
  say: string;
  end: boolean;
  citations?: TranscriptEntry['citations'];
  /** The session after this turn. */
  scriptPosition: number;
  silences: number;
}

/** What the agent says next: its script in order, answers to questions, and when to stop. */
export async function decideNextTurn(input: TurnInput): Promise<TurnDecision> {
  const { session } = input;
  const kind = classifyUtterance(input.utterance);
  const keep = { scriptPosition: session.scriptPosition, silences: kind === 'silence' ? session.silences + 1 : 0 };
  if (session.stopRequestedAt) return { say: LINES.stopped, end: true, ...keep };
  if (kind === 'goodbye') return { say: LINES.goodbye, end: true, ...keep };
  // This exchange is the last one allowed, or the call has run its course: close politely.
  if (input.turnsSoFar + 1 >= session.maxTurns || input.elapsedSeconds >= session.maxDurationSeconds) {
    return { say: LINES.closing, end: true, ...keep };
  }
  if (kind === 'silence') {
    return session.silences >= 1
      ? { say: LINES.silentGoodbye, end: true, ...keep }
      : { say: LINES.reprompt, end: false, ...keep };
  }
  const nextLine = session.script[session.scriptPosition];
  if (kind === 'statement' && nextLine !== undefined) {
    return { say: nextLine, end: false, ...keep, scriptPosition: session.scriptPosition + 1 };
  }
  const found = await input.answerer.answer({
    tenantId: input.tenantId,
    question: input.utterance,
    sourceIds: session.knowledgeSourceIds,
  });
  const confident = found.answer.length > 0 && found.confidence >= MIN_ANSWER_CONFIDENCE;
  const reply = confident ? found.answer : LINES.followUp;
  const then = nextLine ?? LINES.anythingElse;
  return {
    say: `${reply} ${then}`,
    end: false,
    ...(confident ? { citations: found.citations } : {}),
    ...keep,
    scriptPosition: nextLine === undefined ? session.scriptPosition : session.scriptPosition + 1,
  };
}
