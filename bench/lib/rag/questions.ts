// The question set (bench/fixtures/rag/questions.json) and what makes a retrieved chunk relevant.
import { readFileSync } from 'node:fs';

export type QuestionStyle = 'lexical' | 'paraphrase';

export interface BenchQuestion {
  question: string;
  /** A short string that appears verbatim in the passage that answers the question. */
  answer: string;
  /** The corpus document's key: `Lincoln 1862`, `Moby Dick ch. 41`. */
  source: string;
  /** lexical: shares its words with the passage; paraphrase: says the same in other words. */
  style: QuestionStyle;
}

/** Case-insensitive, whitespace-normalised form used for every "contains the answer" test. */
export function normalizeForMatch(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function containsAnswer(text: string, answer: string): boolean {
  return normalizeForMatch(text).includes(normalizeForMatch(answer));
}

export function loadQuestions(file: string): BenchQuestion[] {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(raw)) throw new Error(`${file}: expected an array of questions`);
  return raw.map((q, i) => {
    const item = q as Partial<BenchQuestion>;
    for (const field of ['question', 'answer', 'source'] as const) {
      if (typeof item[field] !== 'string' || item[field].trim() === '') {
        throw new Error(`${file}: question #${i + 1} has no ${field}`);
      }
    }
    const style = item.style ?? 'lexical';
    if (style !== 'lexical' && style !== 'paraphrase') throw new Error(`${file}: question #${i + 1}: bad style`);
    return { question: item.question as string, answer: item.answer as string, source: item.source as string, style };
  });
}

/**
 * Every question's source must exist and contain its answer; otherwise the set is wrong and no
 * number computed from it would mean anything. Returns the problems, one line each.
 */
export function questionProblems(questions: BenchQuestion[], textOf: (source: string) => string | undefined): string[] {
  const problems: string[] = [];
  questions.forEach((q, i) => {
    const text = textOf(q.source);
    if (text === undefined) problems.push(`#${i + 1} "${q.question}": no document keyed "${q.source}"`);
    else if (!containsAnswer(text, q.answer)) {
      problems.push(`#${i + 1} "${q.question}": the answer "${q.answer}" is not in ${q.source}`);
    }
  });
  return problems;
}
