// Answers from a real knowledge base (PostgreSQL full-text, the offline embedder, the embedded
// vector store, chunks written by the ingestion activities): a chat model's answer must cite the
// passages it was given or it is not an answer; UNSURE is unsure; with no model the answer is the
// passage's own sentences; and the ai-reply activity sends only what clears its threshold.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxMessagingProvider } from '../../activities/messaging/sandbox';
import { createRagActivities } from '../../activities/rag';
import { UseLiteEmbedder } from '../../activities/rag/embedders';
import { KnowledgeBase } from '../../activities/rag/knowledge-base';
import { LanceVectorStore } from '../../activities/rag/stores/lancedb';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { ingestTexts } from '../helpers/knowledge';
import { type OpenAiStandIn, startOpenAiStandIn } from '../stand-ins/openai';

let database: TestDatabase;
let dir: string;
let store: LanceVectorStore;
let openai: OpenAiStandIn;
const embedder = new UseLiteEmbedder();
let tenantId = '';
let contactId = '';
let sourceId = '';

const HOURS =
  'Opening hours. Our support team answers Monday to Friday from 9:00 to 18:00 and on Saturday from 10:00 to 14:00. ' +
  'We are closed on Sundays and public holidays.';
const RETURNS = 'Returns. Unused items can be sent back within 30 days; the return label is free for members.';

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'sb-kb-'));
  store = new LanceVectorStore(dir);
  openai = await startOpenAiStandIn();
  const seeded = await seedTenant(database.db, `kb-unit-${Date.now()}`);
  tenantId = seeded.tenant.id;
  contactId = seeded.contact.id;
  [sourceId = ''] = await ingestTexts({ db: database.db, embedder, store }, tenantId, [
    ['Opening hours', HOURS],
    ['Returns', RETURNS],
  ]);
}, 120_000);
afterAll(async () => {
  await openai?.close();
  await store?.close?.();
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
});

describe('KnowledgeBase', () => {
  it('extractive without a model: the passage’s own relevant sentences, cited', async () => {
    const kb = new KnowledgeBase({ db: database.db, embedder, store });
    const found = await kb.ask({ tenantId, question: 'When are you open on Saturday?' });
    expect(found.answeredBy).toBe('extractive');
    expect(found.answer).toMatch(/Saturday from 10:00 to 14:00/);
    expect(found.answer).not.toMatch(/Returns/);
    expect(found.citations).toEqual([expect.objectContaining({ sourceId, title: 'Opening hours' })]);
    expect(found.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it('a selection of sources narrows the answer; ids that name no source select nothing', async () => {
    const kb = new KnowledgeBase({ db: database.db, embedder, store });
    const only = await kb.ask({ tenantId, question: 'When are you open on Saturday?', sourceIds: [sourceId] });
    expect(only.passages.every((p) => p.sourceId === sourceId)).toBe(true);
    const legacy = await kb.ask({ tenantId, question: 'When are you open on Saturday?', sourceIds: ['demo-hours'] });
    expect(legacy).toMatchObject({ answer: '', confidence: 0, citations: [] });
  });

  it('a chat model’s cited answer is kept with the passages it cites; UNSURE and uncited answers are unsure', async () => {
    const cited = new KnowledgeBase({
      db: database.db,
      embedder,
      store,
      chat: new FakeListChatModel({ responses: ['We open on Saturdays from 10:00 to 14:00 [1].'] }),
    });
    const yes = await cited.ask({ tenantId, question: 'Are you open on Saturdays?' });
    expect(yes.answer).toBe('We open on Saturdays from 10:00 to 14:00 [1].');
    expect(yes.citations[0]).toMatchObject({ title: yes.passages[0]?.title });
    expect(yes.confidence).toBeGreaterThan(0);

    for (const reply of ['UNSURE', 'Probably around noon, I think.', 'See [7].']) {
      const kb = new KnowledgeBase({
        db: database.db,
        embedder,
        store,
        chat: new FakeListChatModel({ responses: [reply] }),
      });
      const no = await kb.ask({ tenantId, question: 'Are you open on Saturdays?' });
      expect(no, reply).toMatchObject({ answer: '', confidence: 0, citations: [] });
    }
  });

  it('asks an OpenAI-compatible server with the numbered passages, and reads its citations', async () => {
    openai.replyWith((request) => {
      const system = String(request.messages[0]?.content ?? '');
      const n = system.split('\n').findIndex((l) => l.includes('(Returns)'));
      return n >= 0 ? 'Yes: within 30 days, and members get a free label [2].' : 'UNSURE';
    });
    const chat = new ChatOpenAI({
      model: 'gpt-4o-mini',
      apiKey: openai.apiKey,
      temperature: 0,
      configuration: { baseURL: openai.baseUrl },
    });
    const kb = new KnowledgeBase({ db: database.db, embedder, store, chat });
    const found = await kb.ask({ tenantId, question: 'Can I send an item back?' });
    const sent = openai.requestsTo('/v1/chat/completions').at(-1)?.body as { messages: { content: string }[] };
    expect(sent.messages[0]?.content).toMatch(/\[1\] \(/);
    expect(sent.messages[1]?.content).toBe('Can I send an item back?');
    const cited = found.passages[1];
    expect(found.answer).toMatch(/within 30 days/);
    expect(found.citations).toEqual([expect.objectContaining({ title: cited?.title })]);
  });

  it('ai-reply: a confident answer is sent once; a question the knowledge cannot answer takes unsure and sends nothing', async () => {
    const sandbox = new SandboxMessagingProvider();
    const kb = new KnowledgeBase({ db: database.db, embedder, store });
    const { aiReply } = createRagActivities({ db: database.db, fallback: { sms: sandbox }, answerer: kb });
    const base = {
      tenantId,
      runId: 'run-1',
      workflowId: 'wf-kb-1',
      contactId,
      channel: 'sms' as const,
      to: '+14155550123',
      sourceIds: [],
      minConfidence: 0.5,
      send: true,
    };
    const answered = await aiReply({
      ...base,
      idempotencyKey: 'kb-1',
      question: 'What are your opening hours on Saturday?',
    });
    expect(answered).toMatchObject({ sent: true });
    expect(answered.citations[0]).toMatchObject({ sourceId });
    const again = await aiReply({
      ...base,
      idempotencyKey: 'kb-1',
      question: 'What are your opening hours on Saturday?',
    });
    expect(again.providerMessageId).toBe(answered.providerMessageId);
    expect(sandbox.outbox).toHaveLength(1);

    const unsure = await aiReply({ ...base, idempotencyKey: 'kb-2', question: 'Who won the 1954 football world cup?' });
    expect(unsure).toMatchObject({ sent: false });
    expect(unsure.confidence).toBeLessThan(0.5);
    expect(sandbox.outbox).toHaveLength(1);
  });
});
