// The words of a question that carry its meaning, for full-text queries and for judging how much
// of a question a passage covers.

const STOP = new Set(
  (
    'a an and are as at be by can could do does did for from has have how i if in is it its me my of on or our ' +
    'please should so that the their them then there these this to us was we were what when where which who ' +
    'why will with would you your'
  ).split(' '),
);

/** Lower-cased letter-and-digit words of two or more characters, stop words removed, in order, unique. */
export function contentWords(text: string): string[] {
  const seen = new Set<string>();
  for (const w of text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .split(' ')) {
    if (w.length > 1 && !STOP.has(w)) seen.add(w);
  }
  return [...seen];
}

/** A crude English stem (refunds, refunded, refunding → refund) for judging coverage, not for search. */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  return word.replace(/(?:ing|ed|es|s)$/u, '');
}

/** The stems of a text's content words. */
export function stems(text: string): Set<string> {
  return new Set(contentWords(text).map(stem));
}
