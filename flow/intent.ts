/**
 * A small, deterministic intent reading of a reply, so a flow can branch on
 * `nodes.<id>.output.intent` without a model. Keyword lists, not guesses.
 */
export const INTENTS = ['stop', 'yes', 'no', 'reschedule', 'question', 'other'] as const;
export type Intent = (typeof INTENTS)[number];

const WORDS: Array<[Intent, RegExp]> = [
  ['stop', /^(stop|stopall|unsubscribe|cancel|end|quit|opt[- ]?out)\b/],
  ['reschedule', /\b(reschedule|another time|change (the )?(time|date)|later|postpone)\b/],
  ['no', /^(no|nope|nah|not (now|interested)|n)\b|\b(not interested|no thanks)\b/],
  ['yes', /^(yes|yeah|yep|yup|sure|ok|okay|confirm(ed)?|y|absolutely|definitely|sounds good|si|oui)\b/],
];

export function classifyIntent(text: string): Intent {
  const t = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t) return 'other';
  for (const [intent, re] of WORDS) if (re.test(t)) return intent;
  if (text.includes('?') || /^(what|when|where|how|why|who|can|do|does|is|are)\b/.test(t)) return 'question';
  return 'other';
}
