// Retrieval's ranking on a real knowledge base (PostgreSQL full text, the offline embedder, the
// embedded vector store): full-text search weighs a question's words by how rare they are in the
// tenant's chunks, a word no chunk holds counts against every chunk, and hybrid results carry the
// question's similarity for every passage, ranked by vector search or not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UseLiteEmbedder } from '../../activities/rag/embedders';
import { Retriever } from '../../activities/rag/retrieve';
import { LanceVectorStore } from '../../activities/rag/stores/lancedb';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { ingestTexts } from '../helpers/knowledge';

let database: TestDatabase;
let dir: string;
let store: LanceVectorStore;
let retriever: Retriever;
const embedder = new UseLiteEmbedder();
let tenantId = '';
let otherTenantId = '';
let ids: string[] = [];

// "order", "delivery" and "days" are in nearly every passage; "Iceland" in one.
const COMMON = [
  [
    'Standard delivery',
    'Every order ships within two days; delivery takes three to five working days after the order.',
  ],
  [
    'Express delivery',
    'An express order placed before noon arrives the next day; express delivery days are Monday to Friday.',
  ],
  ['Order tracking', 'Each order gets a tracking link the day it ships; delivery days appear on the link.'],
  ['Changing an order', 'An order can be changed until it ships, usually for two days; delivery dates move with it.'],
  ['Delivery to islands', 'Island delivery can take a few more days, whatever the order.'],
] as const;
const RARE = ['Nordic shipping', 'Parcels to Iceland travel by sea freight from Rotterdam.'] as const;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'sb-retrieve-'));
  store = new LanceVectorStore(dir);
  const deps = { db: database.db, embedder, store };
  retriever = new Retriever(deps);
  tenantId = (await seedTenant(database.db, `retrieve-${Date.now()}`)).tenant.id;
  otherTenantId = (await seedTenant(database.db, `retrieve-other-${Date.now()}`)).tenant.id;
  ids = await ingestTexts(deps, tenantId, [...COMMON, RARE]);
  // Another tenant full of the rare word: its chunks must neither answer nor make the word common.
  await ingestTexts(deps, otherTenantId, [
    ['Iceland tours', 'Iceland in winter: Iceland tours, Iceland hotels and Iceland car hire.'],
    ['Iceland food', 'Iceland is known for fish; Iceland bakeries open early.'],
  ]);
}, 180_000);
afterAll(async () => {
  await store?.close?.();
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
});

describe('Retriever', () => {
  it('ranks the passage with the rare word above passages with several common ones', async () => {
    const found = await retriever.search({ tenantId, query: 'order delivery days Iceland', mode: 'lexical', topK: 10 });
    expect(found[0]?.sourceId).toBe(ids[COMMON.length]);
    // The common words alone still find the rest, below it.
    expect(found.map((c) => c.sourceId)).toEqual(expect.arrayContaining(ids.slice(0, COMMON.length)));
    for (const c of found.slice(1)) expect(c.score).toBeLessThan(found[0]?.score ?? 0);
  });

  it('scores the share of the question a passage holds; a word no passage holds counts against all', async () => {
    const [all] = await retriever.search({ tenantId, query: 'parcels Iceland sea freight', mode: 'lexical' });
    expect(all?.sourceId).toBe(ids[COMMON.length]);
    expect(all?.lexicalScore).toBeGreaterThan(0.95);
    // "Mongolia" is in no chunk of this tenant: "delivery" alone is not most of the answer.
    const partial = await retriever.search({ tenantId, query: 'delivery to Mongolia', mode: 'lexical' });
    expect(partial.length).toBeGreaterThan(0);
    for (const c of partial) expect(c.lexicalScore).toBeLessThan(0.5);
  });

  it('is tenant-scoped in its word statistics as well as its results', async () => {
    const mine = await retriever.search({ tenantId, query: 'Iceland', mode: 'lexical', topK: 10 });
    expect(mine.map((c) => c.sourceId)).toEqual([ids[COMMON.length]]);
    const theirs = await retriever.search({ tenantId: otherTenantId, query: 'Iceland', mode: 'lexical', topK: 10 });
    expect(theirs).toHaveLength(2);
    expect(theirs.every((c) => !ids.includes(c.sourceId))).toBe(true);
  });

  it('gives every hybrid passage its similarity to the question, ranked by vector search or not', async () => {
    const found = await retriever.search({ tenantId, query: 'order delivery days Iceland', mode: 'hybrid', topK: 6 });
    expect(found).toHaveLength(6);
    for (const c of found) {
      expect(c.vectorScore).not.toBeNull();
      expect(c.vectorScore).toBeGreaterThan(-1);
      expect(c.vectorScore).toBeLessThanOrEqual(1);
    }
    // Lexical mode embeds nothing, so it has no similarity to report.
    const lexical = await retriever.search({ tenantId, query: 'order delivery days Iceland', mode: 'lexical' });
    expect(lexical.every((c) => c.vectorScore === null)).toBe(true);
  });
});
