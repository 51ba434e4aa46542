import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for OpenAI's REST API, as the official SDK (and so LangChain) calls it:
 *
 * - `POST /v1/embeddings`: `{input: string | string[], model, encoding_format?, dimensions?}` →
 *   `{object:'list', data:[{object:'embedding', index, embedding}], model, usage}`. The SDK asks
 *   for `encoding_format: 'base64'` unless told otherwise (little-endian float32 bytes), and the
 *   stand-in answers in the format asked. Vectors are deterministic per (text, dimensions) and unit
 *   length; `embeddingFor` gives the same vector to tests.
 * - `POST /v1/chat/completions`, non-streaming: answers `{object:'chat.completion', choices:[{
 *   message:{role:'assistant', content}, finish_reason:'stop'}], usage}` with a configurable reply.
 *
 * Requests need `Authorization: Bearer <apiKey>`; errors use OpenAI's `{error:{message, type,
 * param, code}}`. Tests inject failures and read every request.
 */

export interface OpenAiRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface OpenAiFault {
  status: number;
  message?: string;
  /** How many requests in a row fail; 1 unless given. */
  times?: number;
}

export interface ChatCompletionRequest {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  [key: string]: unknown;
}

type ChatReply = string | ((request: ChatCompletionRequest) => string);
type Answer = { status: number; body: unknown };

export const OPENAI_STAND_IN_DEFAULTS = {
  apiKey: 'sk-test-stand-in-0000000000000000',
  /** Output size for models the stand-in does not know and requests without `dimensions`. */
  dimensions: 1536,
};

const MODEL_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
// OpenAI's documented limit on inputs per embeddings request.
const MAX_INPUTS = 2048;

/** The unit vector the stand-in returns for `text` at `dimensions`: a pseudo-random direction seeded by the text. */
export function embeddingFor(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 4 <= digest.length && values.length < dimensions; i += 4) {
      values.push(digest.readUInt32LE(i) / 0xffffffff - 0.5);
    }
  }
  const norm = Math.sqrt(values.reduce((sum, x) => sum + x * x, 0));
  // Through float32, as the wire format (and the real API) carries them.
  return Array.from(new Float32Array(values.map((x) => x / norm)));
}

const openAiError = (status: number, message: string, type: string, code: string | null = null): Answer => ({
  status,
  body: { error: { message, type, param: null, code } },
});
const invalidRequest = (message: string) => openAiError(400, message, 'invalid_request_error');

// A rough count, like a tokenizer would give for English: usage numbers only need to be plausible.
const roughTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export class OpenAiStandIn {
  readonly apiKey: string;
  readonly requests: OpenAiRequest[] = [];
  private chatReply: ChatReply = 'This is the stand-in reply.';
  private readonly faults: OpenAiFault[] = [];
  private completionCount = 0;
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  /** The origin, e.g. `http://127.0.0.1:41234`. */
  origin = '';

  constructor(options: { apiKey?: string } = {}) {
    this.apiKey = options.apiKey ?? OPENAI_STAND_IN_DEFAULTS.apiKey;
  }

  /** What to give the SDK as `baseURL`: the origin and `/v1`, as `https://api.openai.com/v1`. */
  get baseUrl(): string {
    return `${this.origin}/v1`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The assistant's text for the next chat completions: fixed, or computed from the request. */
  replyWith(reply: ChatReply): void {
    this.chatReply = reply;
  }

  /** The next requests (any endpoint) fail with these statuses, in order. */
  injectFaults(...faults: OpenAiFault[]): void {
    for (const fault of faults) {
      for (let i = 0; i < (fault.times ?? 1); i++) this.faults.push({ ...fault, times: 1 });
    }
  }

  requestsTo(path: string): OpenAiRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.chatReply = 'This is the stand-in reply.';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return reply(res, invalidRequest('We could not parse the JSON body of your request.'));
    }
    this.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });

    const fault = this.faults.shift();
    if (fault) {
      const type = fault.status >= 500 ? 'server_error' : 'invalid_request_error';
      return reply(
        res,
        openAiError(fault.status, fault.message ?? 'The server had an error processing your request.', type),
      );
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      const shown = (req.headers.authorization ?? '').replace(/^Bearer /, '').slice(-4);
      return reply(
        res,
        openAiError(401, `Incorrect API key provided: ****${shown}.`, 'invalid_request_error', 'invalid_api_key'),
      );
    }
    if (req.method === 'POST' && path === '/v1/embeddings') return reply(res, this.embeddings(body));
    if (req.method === 'POST' && path === '/v1/chat/completions') return reply(res, this.chatCompletion(body));
    return reply(res, openAiError(404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error'));
  }

  private embeddings(body: unknown): Answer {
    if (!isObject(body)) return invalidRequest('The body must be a JSON object.');
    const { input, model, encoding_format: format = 'float', dimensions } = body;
    if (typeof model !== 'string' || !model) return invalidRequest('you must provide a model parameter');
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string' && t.length > 0)) {
      return invalidRequest(
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      );
    }
    if (texts.length > MAX_INPUTS) return invalidRequest(`'$.input' must have at most ${MAX_INPUTS} items.`);
    if (format !== 'float' && format !== 'base64') {
      return invalidRequest(`'${String(format)}' is not one of ['float', 'base64'] - 'encoding_format'`);
    }
    if (dimensions !== undefined && (!Number.isInteger(dimensions) || (dimensions as number) < 1)) {
      return invalidRequest("Invalid value for 'dimensions': must be a positive integer.");
    }
    const size = (dimensions as number | undefined) ?? MODEL_DIMENSIONS[model] ?? OPENAI_STAND_IN_DEFAULTS.dimensions;
    const tokens = texts.reduce((sum, t) => sum + roughTokens(t), 0);
    return {
      status: 200,
      body: {
        object: 'list',
        data: texts.map((text, index) => {
          const vector = embeddingFor(text, size);
          return {
            object: 'embedding',
            index,
            embedding: format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
          };
        }),
        model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    };
  }

  private chatCompletion(body: unknown): Answer {
    if (!isObject(body)) return invalidRequest('The body must be a JSON object.');
    const { model, messages, stream } = body;
    if (typeof model !== 'string' || !model) return invalidRequest('you must provide a model parameter');
    if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isObject)) {
      return invalidRequest("Invalid type for 'messages': expected an array of objects.");
    }
    // Streaming (server-sent events) is not implemented: refuse rather than answer in the wrong format.
    if (stream === true) return invalidRequest('The stand-in does not stream: call with stream false.');
    const request = body as ChatCompletionRequest;
    const content = typeof this.chatReply === 'function' ? this.chatReply(request) : this.chatReply;
    const promptTokens = messages.reduce((sum, m) => sum + roughTokens(JSON.stringify(m.content ?? '')), 0);
    const completionTokens = roughTokens(content);
    this.completionCount += 1;
    return {
      status: 200,
      body: {
        id: `chatcmpl-standin${String(this.completionCount).padStart(6, '0')}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
        system_fingerprint: 'fp_stand_in',
      },
    };
  }
}

export async function startOpenAiStandIn(options: { apiKey?: string } = {}): Promise<OpenAiStandIn> {
  return new OpenAiStandIn(options).start();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reply(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer.body));
}
