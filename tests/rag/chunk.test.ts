import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Chunk, chunkText } from '../../activities/rag/extract/chunk';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Deterministic prose: `count` distinct sentences, so every chunk's text occurs once. */
function sentences(count: number, offset = 0): string[] {
  const words = ['refund', 'order', 'parcel', 'invoice', 'courier', 'warranty', 'return', 'customer', 'support'];
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    return `Sentence ${n} says the ${words[n % words.length]} and the ${words[(n * 7) % words.length]} are fine.`;
  });
}

/** Paragraphs of `perParagraph` sentences. */
function prose(paragraphs: number, perParagraph: number): string {
  return Array.from({ length: paragraphs }, (_, p) => sentences(perParagraph, p * perParagraph).join(' ')).join('\n\n');
}

function expectWellFormed(text: string, chunks: Chunk[], chunkSize: number) {
  expect(chunks.length).toBeGreaterThan(0);
  chunks.forEach((chunk, i) => {
    expect(chunk.ordinal).toBe(i);
    expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunk.text.trim()).not.toBe('');
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.text.length).toBeLessThanOrEqual(chunkSize);
    expect(chunk.hash).toBe(sha256(chunk.text));
    if (i > 0) expect(chunk.start).toBeGreaterThan((chunks[i - 1] as Chunk).start);
  });
}

describe('chunkText', () => {
  it('gives offsets that point at each chunk in the input', async () => {
    const text = prose(30, 8);
    const chunks = await chunkText(text);
    expectWellFormed(text, chunks, 1000);
    expect(chunks.length).toBeGreaterThan(text.length / 1000);
    // Together the chunks cover every word of the input.
    expect(chunks[0]?.start).toBe(0);
    expect(chunks.at(-1)?.end).toBe(text.length);
  });

  it('overlaps consecutive chunks of a long paragraph by at most `overlap` characters', async () => {
    const text = sentences(60).join(' ');
    const chunks = await chunkText(text, { chunkSize: 300, overlap: 80 });
    expectWellFormed(text, chunks, 300);
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1] as Chunk;
      const chunk = chunks[i] as Chunk;
      const shared = previous.end - chunk.start;
      expect(shared).toBeGreaterThan(0);
      expect(shared).toBeLessThanOrEqual(80);
      expect(previous.text.endsWith(text.slice(chunk.start, previous.end))).toBe(true);
    }
  });

  it('does not overlap when asked not to', async () => {
    const text = sentences(60).join(' ');
    const chunks = await chunkText(text, { chunkSize: 300, overlap: 0 });
    expectWellFormed(text, chunks, 300);
    for (let i = 1; i < chunks.length; i++) {
      expect((chunks[i] as Chunk).start).toBeGreaterThanOrEqual((chunks[i - 1] as Chunk).end);
    }
  });

  it('cuts Markdown at section headings first', async () => {
    const sections = ['Returns', 'Refunds', 'Shipping', 'Warranty', 'Contact'];
    const section = (name: string, i: number) => `## ${name}\n\n${sentences(8, i * 8).join(' ')}`;
    // Sections of ~500 characters: two never fit in one 800-character chunk, one always does.
    const text = [`# Help centre\n\n${sentences(8, 100).join(' ')}`, ...sections.map(section)].join('\n\n');
    const chunks = await chunkText(text, { format: 'markdown', chunkSize: 800, overlap: 100 });
    expectWellFormed(text, chunks, 800);
    expect(chunks.map((c) => c.text.split('\n')[0])).toEqual(['# Help centre', ...sections.map((s) => `## ${s}`)]);
    // Each chunk is one whole section: no heading buried inside, nothing cut off.
    for (const chunk of chunks) expect(chunk.text).not.toContain('\n## ');
    expect(chunks.slice(1).map((c) => c.text)).toEqual(sections.map(section));
  });

  it('keeps small Markdown sections whole, several to a chunk', async () => {
    const sections = Array.from({ length: 12 }, (_, i) => `## Topic ${i}\n\n${sentences(3, i * 3).join(' ')}`);
    const text = sections.join('\n\n');
    const chunks = await chunkText(text, { format: 'markdown', chunkSize: 800, overlap: 100 });
    expectWellFormed(text, chunks, 800);
    expect(chunks.length).toBeLessThan(sections.length);
    for (const chunk of chunks) {
      expect(chunk.text.startsWith('## ')).toBe(true);
      // Whole sections only: the chunk is exactly a run of consecutive sections.
      const first = sections.findIndex((s) => chunk.text.startsWith(s));
      const count = chunk.text.split('\n\n## ').length;
      expect(chunk.text).toBe(sections.slice(first, first + count).join('\n\n'));
    }
  });

  it('is deterministic, and an edit changes only the hashes of the chunks it touches', async () => {
    const text = prose(20, 6);
    const first = await chunkText(text, { chunkSize: 500, overlap: 50 });
    expect(await chunkText(text, { chunkSize: 500, overlap: 50 })).toEqual(first);

    const edited = `${text}\n\nA new closing paragraph about gift cards.`;
    const after = await chunkText(edited, { chunkSize: 500, overlap: 50 });
    const before = new Set(first.map((c) => c.hash));
    const kept = after.filter((c) => before.has(c.hash));
    expect(kept.length).toBeGreaterThanOrEqual(first.length - 1);
    expect(after.at(-1)?.text).toContain('gift cards');
  });

  it('returns no chunks for blank text and never an empty chunk', async () => {
    expect(await chunkText('')).toEqual([]);
    expect(await chunkText(' \n\n \t \n')).toEqual([]);
    const spaced = `\n\n   Hello.   \n\n\n\n   \n\nWorld.   \n\n`;
    const chunks = await chunkText(spaced, { chunkSize: 10, overlap: 2 });
    expect(chunks.map((c) => c.text)).toEqual(['Hello.', 'World.']);
    expectWellFormed(spaced, chunks, 10);
  });

  it('keeps multilingual text intact and never splits an emoji in half', async () => {
    // Long runs without spaces force character-level cuts.
    const japanese = '返金期間は三十日です😀お問い合わせはサポートまで👩‍👩‍👧‍👦'.repeat(12);
    const text = `English and español: ¿qué tal? مرحبا بكم\n\n${japanese}`;
    const chunks = await chunkText(text, { chunkSize: 40, overlap: 8 });
    expectWellFormed(text, chunks, 41);
    for (const chunk of chunks) {
      expect(chunk.text).not.toMatch(/\p{Cs}/u);
      expect(Buffer.from(chunk.text, 'utf8').toString('utf8')).toBe(chunk.text);
    }
    expect(chunks[0]?.text).toBe('English and español: ¿qué tal? مرحبا بكم');
    expect(chunks.at(-1)?.end).toBe(text.length);
  });

  it('passes the format through: anything but markdown uses the recursive splitter', async () => {
    const text = prose(6, 5);
    expect(await chunkText(text, { format: 'pdf', chunkSize: 400 })).toEqual(await chunkText(text, { chunkSize: 400 }));
  });

  it('refuses impossible sizes', async () => {
    await expect(chunkText('text', { chunkSize: 0 })).rejects.toThrow(RangeError);
    await expect(chunkText('text', { chunkSize: 100, overlap: 100 })).rejects.toThrow(RangeError);
    await expect(chunkText('text', { chunkSize: 100, overlap: -1 })).rejects.toThrow(RangeError);
  });

  it('scales the default overlap to the chunk size, so a small size alone is valid', async () => {
    const text = prose(6, 5);
    const small = await chunkText(text, { chunkSize: 100 });
    expect(small.length).toBeGreaterThan(1);
    for (const c of small) expect(c.text.length).toBeLessThanOrEqual(101);
    // 15 of 100: consecutive chunks share at most that much text.
    for (const [i, c] of small.entries())
      if (i > 0) expect(c.start).toBeGreaterThanOrEqual((small[i - 1]?.end ?? 0) - 15);
    expect(await chunkText(text)).toEqual(await chunkText(text, { chunkSize: 1000, overlap: 150 }));
  });

  it('chunks 1 MB of text in memory proportional to it', async () => {
    const text = prose(2000, 10);
    expect(text.length).toBeGreaterThan(1_000_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const chunks = await chunkText(text);
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expectWellFormed(text, chunks, 1000);
    // The overlap repeats at most 150 of every ~850 new characters.
    const total = chunks.reduce((sum, c) => sum + c.text.length, 0);
    expect(total).toBeLessThan(text.length * 1.25);
    expect(chunks.length).toBeLessThan(text.length / 500);
    // Generous: the chunks themselves are ~2.5 MB of UTF-16; anything near a copy per chunk would be GBs.
    expect(heapGrowth).toBeLessThan(256 * 1024 * 1024);
  });
});
