// What a cosine similarity between a question and a passage means, on a 0..1 scale shared by
// retrieval (hybrid scores) and answers (confidence).

/** USE Lite's cosine of a clearly related question and passage is ~0.45–0.8; unrelated ~0–0.2. */
const COSINE_FLOOR = 0.2;
const COSINE_CONFIDENT = 0.6;

/** A cosine rescaled so an unrelated pair is 0 and a close one 1. */
export function semanticScore(cosine: number): number {
  return Math.min(1, Math.max(0, (cosine - COSINE_FLOOR) / (COSINE_CONFIDENT - COSINE_FLOOR)));
}
