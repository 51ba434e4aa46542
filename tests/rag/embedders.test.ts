import net from 'node:net';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ZodError } from 'zod';
import {
  EmbedderConfigSchema,
  embedderFromConfig,
  OpenAiCompatibleEmbedder,
  USE_LITE_EMBEDDER_ID,
  UseLiteEmbedder,
} from '../../activities/rag/embedders';
import { failure } from '../helpers/providers';
import { embeddingFor, type OpenAiStandIn, startOpenAiStandIn } from '../stand-ins/openai';

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
const cosine = (a: number[], b: number[]) => dot(a, b) / (norm(a) * norm(b));
const maxDifference = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number))));

describe('USE lite embedder', () => {
  const embedder = new UseLiteEmbedder();

  // First in the file: the model loads here, in a process (vitest forks one per file) that has
  // made no connection yet. Every TCP connection, whatever the HTTP client, goes through
  // net.Socket#connect.
  it('loads the model and embeds without opening a connection', async () => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    try {
      await embedder.warmUp();
      const [vector] = await embedder.embed(['Is the shop open on Saturday?']);
      expect(vector).toHaveLength(512);
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });

  it('names the model and its size', () => {
    expect(embedder.id).toBe(USE_LITE_EMBEDDER_ID);
    expect(embedder.id).toBe('use-lite-512@energetic-ai-0.2.0');
    expect(embedder.dimensions).toBe(512);
  });

  it('puts a related pair clearly closer than an unrelated one', async () => {
    const [question, answer, unrelated] = (await embedder.embed([
      'How do I get a refund?',
      'You can request your money back within 30 days',
      'The Eiffel Tower is in Paris',
    ])) as [number[], number[], number[]];
    const related = cosine(question, answer);
    const far = cosine(question, unrelated);
    expect(related).toBeGreaterThan(far + 0.25);
    expect(related).toBeGreaterThan(0.35);
  });

  it('returns unit vectors, one per text, in order', async () => {
    const texts = ['Opening hours', 'Refund policy', 'Plans and pricing'];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) expect(norm(v)).toBeCloseTo(1, 6);
    // Order: each text's vector is its own one-text embedding.
    for (const [i, text] of texts.entries()) {
      const [alone] = (await embedder.embed([text])) as [number[]];
      expect(maxDifference(alone, vectors[i] as number[])).toBeLessThan(1e-5);
    }
  });

  it('gives the same vectors batched as one by one', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `Customer question number ${i} about delivery ${i % 7}`);
    const batched = await new UseLiteEmbedder({ batchSize: 32 }).embed(texts);
    const smallBatches = await new UseLiteEmbedder({ batchSize: 3 }).embed(texts);
    const oneByOne: number[][] = [];
    for (const text of texts) oneByOne.push(...(await embedder.embed([text])));
    for (let i = 0; i < texts.length; i++) {
      expect(maxDifference(batched[i] as number[], oneByOne[i] as number[])).toBeLessThan(1e-5);
      expect(maxDifference(smallBatches[i] as number[], oneByOne[i] as number[])).toBeLessThan(1e-5);
    }
  });

  it('gives texts without tokens the zero vector, wherever they are in the batch', async () => {
    // The model alone drops trailing empty texts and fails on a batch of only empty texts.
    const vectors = await embedder.embed(['', 'hello', '', '']);
    expect(vectors).toHaveLength(4);
    expect(vectors.map((v) => v.length)).toEqual([512, 512, 512, 512]);
    expect(vectors.map((v) => v.every((x) => x === 0))).toEqual([true, false, true, true]);
    expect(await embedder.embed([''])).toEqual([new Array(512).fill(0)]);
    expect(await embedder.embed([])).toEqual([]);
  });

  it('frees every tensor it allocates, so memory stays flat across calls', async () => {
    // @energetic-ai/core re-exports tfjs-core at runtime; its typings point at a package that is
    // not installed, so the one function needed is typed here.
    const tf = (await import('@energetic-ai/core')) as unknown as {
      memory(): { numTensors: number; numBytes: number };
    };
    await embedder.embed(['warm']);
    const before = tf.memory();
    await embedder.embed(Array.from({ length: 100 }, (_, i) => `Message ${i}: where is my parcel?`));
    expect(tf.memory()).toMatchObject({ numTensors: before.numTensors, numBytes: before.numBytes });
  });

  it('embeds concurrent calls correctly with one shared model', async () => {
    const texts = ['alpha beta', 'gamma delta', 'epsilon'];
    const [a, b] = await Promise.all([embedder.embed(texts), new UseLiteEmbedder().embed([...texts].reverse())]);
    for (let i = 0; i < texts.length; i++) {
      expect(maxDifference(a?.[i] as number[], b?.[texts.length - 1 - i] as number[])).toBeLessThan(1e-5);
    }
  });
});

describe('OpenAI-compatible embedder against the stand-in', () => {
  let openai: OpenAiStandIn;
  beforeAll(async () => {
    openai = await startOpenAiStandIn();
  });
  afterAll(async () => {
    await openai.close();
  });
  beforeEach(() => openai.reset());

  const embedderFor = (options: Partial<ConstructorParameters<typeof OpenAiCompatibleEmbedder>[0]> = {}) =>
    new OpenAiCompatibleEmbedder({
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
      model: 'text-embedding-3-small',
      maxRetries: 0,
      ...options,
    });

  it('embeds through POST /v1/embeddings with the key, the model and the wire format the SDK chose', async () => {
    const embedder = embedderFor();
    expect(embedder.id).toBe('openai:text-embedding-3-small');
    expect(embedder.dimensions).toBe(1536);
    const vectors = await embedder.embed(['first text', 'second text']);
    expect(vectors).toHaveLength(2);
    expect(maxDifference(vectors[0] as number[], embeddingFor('first text', 1536))).toBe(0);
    expect(maxDifference(vectors[1] as number[], embeddingFor('second text', 1536))).toBe(0);
    const [request] = openai.requestsTo('/v1/embeddings');
    expect(request?.method).toBe('POST');
    expect(request?.authorization).toBe(`Bearer ${openai.apiKey}`);
    // The OpenAI SDK asks for base64 unless told otherwise, and decodes it back to numbers.
    expect(request?.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['first text', 'second text'],
      encoding_format: 'base64',
    });
  });

  it('requests and checks the configured dimensions', async () => {
    const embedder = embedderFor({ dimensions: 256 });
    expect(embedder.dimensions).toBe(256);
    const [vector] = (await embedder.embed(['short'])) as [number[]];
    expect(vector).toHaveLength(256);
    expect(openai.requestsTo('/v1/embeddings')[0]?.body).toMatchObject({ dimensions: 256 });
  });

  it('splits large inputs into requests of batchSize texts and keeps the order', async () => {
    const texts = ['a one', 'b two', 'c three', 'd four', 'e five'];
    const vectors = await embedderFor({ batchSize: 2 }).embed(texts);
    expect(openai.requestsTo('/v1/embeddings').map((r) => (r.body as { input: string[] }).input)).toEqual([
      ['a one', 'b two'],
      ['c three', 'd four'],
      ['e five'],
    ]);
    texts.forEach((text, i) => {
      expect(maxDifference(vectors[i] as number[], embeddingFor(text, 1536))).toBe(0);
    });
  });

  it('gives blank texts the zero vector without sending them', async () => {
    const vectors = await embedderFor().embed(['', 'words', '  ']);
    expect(vectors.map((v) => v.every((x) => x === 0))).toEqual([true, false, true]);
    expect(openai.requestsTo('/v1/embeddings').map((r) => (r.body as { input: string[] }).input)).toEqual([['words']]);
    expect(await embedderFor().embed([' '])).toEqual([new Array(1536).fill(0)]);
    expect(openai.requestsTo('/v1/embeddings')).toHaveLength(1);
  });

  it('surfaces a 500 from the server as an error', async () => {
    openai.injectFaults({ status: 500, message: 'The server had an error while processing your request.' });
    const err = await failure(embedderFor().embed(['anything']));
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/500/);
    expect(openai.requestsTo('/v1/embeddings')).toHaveLength(1);
  });

  it('retries a transient 500 when retries are allowed', async () => {
    openai.injectFaults({ status: 500 });
    const [vector] = (await embedderFor({ maxRetries: 1 }).embed(['retried'])) as [number[]];
    expect(maxDifference(vector, embeddingFor('retried', 1536))).toBe(0);
    expect(openai.requestsTo('/v1/embeddings')).toHaveLength(2);
  });

  it('fails at once on a wrong key, without retrying', async () => {
    const err = await failure(embedderFor({ apiKey: 'sk-wrong', maxRetries: 3 }).embed(['anything']));
    expect(String((err as Error).message)).toMatch(/401|Incorrect API key/);
    expect(openai.requestsTo('/v1/embeddings')).toHaveLength(1);
  });

  it('needs dimensions for a model whose size it does not know', () => {
    expect(() => embedderFor({ model: 'nomic-embed-text' })).toThrow(ZodError);
    expect(embedderFor({ model: 'nomic-embed-text', dimensions: 768 }).dimensions).toBe(768);
  });
});

describe('embedderFromConfig', () => {
  it('defaults to the in-process USE lite model', () => {
    expect(embedderFromConfig()).toBeInstanceOf(UseLiteEmbedder);
    expect(embedderFromConfig({ kind: 'use-lite' }).id).toBe(USE_LITE_EMBEDDER_ID);
  });

  it('builds the OpenAI-compatible embedder from its settings', () => {
    const embedder = embedderFromConfig({
      kind: 'openai',
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKey: 'sk-test',
      model: 'text-embedding-3-large',
      dimensions: 1024,
    });
    expect(embedder).toBeInstanceOf(OpenAiCompatibleEmbedder);
    expect(embedder.id).toBe('openai:text-embedding-3-large');
    expect(embedder.dimensions).toBe(1024);
  });

  it('refuses incomplete or unknown configurations', () => {
    const openaiWithout = (omit: string) => {
      const full: Record<string, unknown> = {
        kind: 'openai',
        baseUrl: 'http://127.0.0.1:9/v1',
        apiKey: 'sk-test',
        model: 'text-embedding-3-small',
      };
      delete full[omit];
      return full;
    };
    for (const missing of ['baseUrl', 'apiKey', 'model']) {
      expect(EmbedderConfigSchema.safeParse(openaiWithout(missing)).success).toBe(false);
    }
    expect(EmbedderConfigSchema.safeParse({ ...openaiWithout('x'), model: 'my-local-model' }).success).toBe(false);
    expect(EmbedderConfigSchema.safeParse({ kind: 'word2vec' }).success).toBe(false);
    expect(() => embedderFromConfig({ kind: 'openai', baseUrl: 'not a url', apiKey: 'k', model: 'm' })).toThrow(
      ZodError,
    );
  });
});

describe('OpenAI stand-in chat completions', () => {
  let openai: OpenAiStandIn;
  beforeAll(async () => {
    openai = await startOpenAiStandIn();
  });
  afterAll(async () => {
    await openai.close();
  });

  it('answers LangChain ChatOpenAI with the configured reply and records the request', async () => {
    openai.replyWith((request) => `You said: ${String(request.messages.at(-1)?.content)}`);
    const chat = new ChatOpenAI({
      model: 'gpt-4o-mini',
      apiKey: openai.apiKey,
      maxRetries: 0,
      configuration: { baseURL: openai.baseUrl },
    });
    const answer = await chat.invoke('When are you open?');
    expect(answer.content).toBe('You said: When are you open?');
    const [request] = openai.requestsTo('/v1/chat/completions');
    expect(request?.authorization).toBe(`Bearer ${openai.apiKey}`);
    expect(request?.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'When are you open?' }],
    });
    expect(answer.usage_metadata?.total_tokens).toBeGreaterThan(0);
  });

  it('speaks the documented response format', async () => {
    openai.replyWith('Monday to Friday, 9 to 18.');
    const response = await fetch(`${openai.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${openai.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hours?' }] }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Monday to Friday, 9 to 18.' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
  });

  it('answers errors in OpenAI error format', async () => {
    const wrongKey = await fetch(`${openai.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hours?' }] }),
    });
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
    openai.injectFaults({ status: 503 });
    const unavailable = await fetch(`${openai.baseUrl}/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${openai.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'float' }),
    });
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toMatchObject({ error: { type: 'server_error' } });
  });
});
