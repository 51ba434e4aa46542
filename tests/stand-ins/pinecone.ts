import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local, in-memory stand-in for one Pinecone index's data plane (API version 2025-01), as the
 * v5 TypeScript client calls it (its generated `db_data` code): `POST /vectors/upsert`,
 * `POST /query`, `POST /vectors/delete` (ids, deleteAll or filter), `GET /vectors/list` (prefix,
 * limit, paginationToken), `GET /vectors/fetch`, `POST /describe_index_stats`, all scoped by
 * `namespace` (body for POST, query string for GET; absent is the default namespace "").
 *
 * Like Pinecone: an `Api-Key` header is required (401 otherwise); errors are `{code, message,
 * details}` with gRPC codes (3 invalid argument, 16 unauthenticated); vectors of the wrong
 * dimension, all-zero dense vectors and more than 1000 vectors or 2 MB per upsert are refused
 * with 400; the metric is cosine, so scores are cosine similarities; metadata filters support
 * `$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or` (a bare value is `$eq`; a list-of-strings
 * field matches `$eq`/`$in` when any element does; a missing field matches only `$ne`, `$nin` and
 * `$exists: false`). Unlike Pinecone it is immediately consistent.
 */

export interface PineconeStandInOptions {
  apiKey?: string;
  dimension?: number;
  /** false: refuse delete-by-filter like serverless indexes did before it shipped there. */
  deleteByFilter?: boolean;
}

export interface PineconeRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: { apiKey: string | undefined; apiVersion: string | undefined };
  body: unknown;
}

type Metadata = Record<string, string | number | boolean | string[]>;
interface StoredVector {
  id: string;
  values: number[];
  metadata?: Metadata;
}
type Answer = { status: number; body: unknown };

export const PINECONE_STAND_IN_DEFAULTS = {
  apiKey: 'pcsk_stand_in_0000000000000000000000000000',
  dimension: 8,
};

// Pinecone's documented limits.
const MAX_VECTORS_PER_UPSERT = 1000;
const MAX_UPSERT_BYTES = 2 * 1024 * 1024;
const MAX_TOP_K = 10_000;
const MAX_TOP_K_WITH_DATA = 1000;
const MAX_LIST_LIMIT = 100;

/** An error Pinecone would answer with: HTTP status and the gRPC status body. */
class PineconeError extends Error {
  constructor(
    readonly status: number,
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}
const invalid = (message: string) => new PineconeError(400, 3, message);

export class PineconeStandIn {
  readonly apiKey: string;
  readonly dimension: number;
  readonly requests: PineconeRequest[] = [];
  /** namespace → id → vector */
  readonly namespaces = new Map<string, Map<string, StoredVector>>();
  private readonly deleteByFilter: boolean;
  private readonly faults: number[] = [];
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  /** The index host to give the client, e.g. `http://127.0.0.1:41234`. */
  host = '';

  constructor(options: PineconeStandInOptions = {}) {
    this.apiKey = options.apiKey ?? PINECONE_STAND_IN_DEFAULTS.apiKey;
    this.dimension = options.dimension ?? PINECONE_STAND_IN_DEFAULTS.dimension;
    this.deleteByFilter = options.deleteByFilter ?? true;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.host = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next requests answer with these HTTP statuses (and Pinecone's error body), in order. */
  injectFaults(...statuses: number[]): void {
    this.faults.push(...statuses);
  }

  vectorsIn(namespace: string): StoredVector[] {
    return [...(this.namespaces.get(namespace)?.values() ?? [])];
  }

  requestsTo(path: string): PineconeRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.namespaces.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const query: Record<string, string[]> = {};
    for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
    const apiKey = header(req, 'api-key');
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      return reply(res, errorAnswer(invalid('Invalid JSON in request body')));
    }
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query,
      headers: { apiKey, apiVersion: header(req, 'x-pinecone-api-version') },
      body,
    });
    try {
      const fault = this.faults.shift();
      if (fault !== undefined) throw new PineconeError(fault, fault >= 500 ? 13 : 3, `Injected fault ${fault}`);
      if (apiKey !== this.apiKey) throw new PineconeError(401, 16, 'Invalid API Key');
      if (raw.length > MAX_UPSERT_BYTES && url.pathname === '/vectors/upsert') {
        throw invalid(`Request size ${raw.length} bytes exceeds the maximum supported size of 2MB`);
      }
      return reply(res, { status: 200, body: this.route(req.method ?? '', url.pathname, query, body) });
    } catch (err) {
      if (err instanceof PineconeError) return reply(res, errorAnswer(err));
      throw err;
    }
  }

  private route(method: string, path: string, query: Record<string, string[]>, body: unknown): unknown {
    const route = `${method} ${path}`;
    if (route === 'POST /vectors/upsert') return this.upsert(asObject(body));
    if (route === 'POST /query') return this.query(asObject(body));
    if (route === 'POST /vectors/delete') return this.delete(asObject(body));
    if (route === 'GET /vectors/list') return this.list(query);
    if (route === 'GET /vectors/fetch') return this.fetch(query);
    if (route === 'POST /describe_index_stats')
      return this.describeIndexStats(body === undefined ? {} : asObject(body));
    throw new PineconeError(404, 5, `Not Found: ${route}`);
  }

  private namespace(name: unknown, create: boolean): Map<string, StoredVector> | undefined {
    const key = typeof name === 'string' ? name : '';
    let vectors = this.namespaces.get(key);
    if (!vectors && create) {
      vectors = new Map();
      this.namespaces.set(key, vectors);
    }
    return vectors;
  }

  private upsert(body: Record<string, unknown>): unknown {
    const { vectors } = body;
    if (!Array.isArray(vectors) || vectors.length === 0) throw invalid('No vectors provided');
    if (vectors.length > MAX_VECTORS_PER_UPSERT) {
      throw invalid(`Batch size exceeds ${MAX_VECTORS_PER_UPSERT}. Please reduce your batch size.`);
    }
    // Validate all before writing any: Pinecone refuses the whole request.
    const checked = vectors.map((v) => this.checkedVector(v));
    const namespace = this.namespace(body.namespace, true) as Map<string, StoredVector>;
    for (const vector of checked) namespace.set(vector.id, vector);
    return { upsertedCount: checked.length };
  }

  private checkedVector(raw: unknown): StoredVector {
    const vector = asObject(raw);
    const { id, values, metadata } = vector;
    if (typeof id !== 'string' || id.length === 0) throw invalid('Vector ID must be a non-empty string');
    if (id.length > 512) throw invalid(`Vector ID must be 512 characters or less. Vector ID: ${id}`);
    if (!Array.isArray(values) || !values.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw invalid(`Vector values must be an array of finite numbers. Vector ID: ${id}`);
    }
    if (values.length !== this.dimension) {
      throw invalid(`Vector dimension ${values.length} does not match the dimension of the index ${this.dimension}`);
    }
    if (values.every((x) => x === 0)) {
      throw invalid(`Dense vectors must contain at least one non-zero value. Vector ID '${id}' contains only zeros`);
    }
    if (metadata !== undefined) checkMetadata(id, metadata);
    return { id, values: [...values], ...(metadata === undefined ? {} : { metadata: metadata as Metadata }) };
  }

  private query(body: Record<string, unknown>): unknown {
    const { topK, vector, id, filter, includeValues, includeMetadata, namespace } = body;
    if (!Number.isInteger(topK) || (topK as number) < 1 || (topK as number) > MAX_TOP_K) {
      throw invalid(`topK must be between 1 and ${MAX_TOP_K}`);
    }
    if ((includeValues || includeMetadata) && (topK as number) > MAX_TOP_K_WITH_DATA) {
      throw invalid(`top_k must be at most ${MAX_TOP_K_WITH_DATA} when include_values or include_metadata is true`);
    }
    const stored = this.namespace(namespace, false);
    let queryValues: number[];
    if (Array.isArray(vector)) {
      if (vector.length !== this.dimension) {
        throw invalid(
          `Query vector dimension ${vector.length} does not match the dimension of the index ${this.dimension}`,
        );
      }
      queryValues = vector as number[];
    } else if (typeof id === 'string') {
      queryValues = stored?.get(id)?.values ?? [];
      if (queryValues.length === 0)
        return { results: [], matches: [], namespace: namespace ?? '', usage: { readUnits: 1 } };
    } else {
      throw invalid('Exactly one of vector or id must be provided');
    }
    const matcher = filter === undefined ? () => true : compileFilter(filter);
    const matches = [...(stored?.values() ?? [])]
      .filter((v) => matcher(v.metadata ?? {}))
      .map((v) => ({ vector: v, score: cosine(queryValues, v.values) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK as number)
      .map(({ vector: v, score }) => ({
        id: v.id,
        score,
        values: includeValues ? v.values : [],
        ...(includeMetadata && v.metadata ? { metadata: v.metadata } : {}),
      }));
    return { results: [], matches, namespace: namespace ?? '', usage: { readUnits: 5 } };
  }

  private delete(body: Record<string, unknown>): unknown {
    const { ids, deleteAll, filter, namespace } = body;
    const given = [ids !== undefined, deleteAll === true, filter !== undefined].filter(Boolean).length;
    if (given !== 1) throw invalid('Exactly one of ids, deleteAll or filter must be provided');
    const stored = this.namespace(namespace, false);
    if (deleteAll === true) {
      this.namespaces.delete(typeof namespace === 'string' ? namespace : '');
      return {};
    }
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.length > 1000) throw invalid('ids must be an array of at most 1000 ids');
      for (const id of ids) stored?.delete(String(id));
      return {};
    }
    if (!this.deleteByFilter)
      throw invalid('Serverless and Starter indexes do not support deleting with metadata filtering.');
    const matcher = compileFilter(filter);
    for (const [id, vector] of stored ?? []) if (matcher(vector.metadata ?? {})) stored?.delete(id);
    return {};
  }

  private list(query: Record<string, string[]>): unknown {
    const namespace = query.namespace?.[0] ?? '';
    const prefix = query.prefix?.[0] ?? '';
    const limit = query.limit?.[0] === undefined ? MAX_LIST_LIMIT : Number(query.limit[0]);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw invalid(`limit must be between 1 and ${MAX_LIST_LIMIT}`);
    }
    const after = query.paginationToken?.[0] ? decodeToken(query.paginationToken[0]) : undefined;
    const ids = [...(this.namespace(namespace, false)?.keys() ?? [])]
      .filter((id) => id.startsWith(prefix) && (after === undefined || id > after))
      .sort();
    const page = ids.slice(0, limit);
    const more = ids.length > limit;
    return {
      vectors: page.map((id) => ({ id })),
      ...(more ? { pagination: { next: encodeToken(page[page.length - 1] as string) } } : {}),
      namespace,
      usage: { readUnits: 1 },
    };
  }

  private fetch(query: Record<string, string[]>): unknown {
    const namespace = query.namespace?.[0] ?? '';
    const ids = query.ids ?? [];
    if (ids.length === 0) throw invalid('No IDs provided');
    const stored = this.namespace(namespace, false);
    const vectors: Record<string, StoredVector> = {};
    for (const id of ids) {
      const vector = stored?.get(id);
      if (vector) vectors[id] = vector;
    }
    return { vectors, namespace, usage: { readUnits: 1 } };
  }

  private describeIndexStats(body: Record<string, unknown>): unknown {
    const matcher = body.filter === undefined ? () => true : compileFilter(body.filter);
    const namespaces: Record<string, { vectorCount: number }> = {};
    let total = 0;
    for (const [name, vectors] of this.namespaces) {
      const count = [...vectors.values()].filter((v) => matcher(v.metadata ?? {})).length;
      if (count === 0) continue;
      namespaces[name] = { vectorCount: count };
      total += count;
    }
    return {
      namespaces,
      dimension: this.dimension,
      indexFullness: 0,
      totalVectorCount: total,
      metric: 'cosine',
      vectorType: 'dense',
    };
  }
}

export async function startPineconeStandIn(options: PineconeStandInOptions = {}): Promise<PineconeStandIn> {
  return new PineconeStandIn(options).start();
}

function checkMetadata(id: string, metadata: unknown): void {
  const fields = asObject(metadata);
  for (const [key, value] of Object.entries(fields)) {
    const ok =
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) {
      throw invalid(
        `Metadata value must be a string, number, boolean or list of strings, got '${JSON.stringify(value)}' for field '${key}' of vector ${id}`,
      );
    }
  }
}

type Matcher = (metadata: Metadata) => boolean;
type FieldValue = Metadata[string] | undefined;

/** A metadata filter as Pinecone evaluates it; malformed filters are refused with 400. */
function compileFilter(raw: unknown): Matcher {
  const filter = asObject(raw, 'filter');
  const parts: Matcher[] = Object.entries(filter).map(([key, condition]) => {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition) || condition.length === 0) throw invalid(`${key} must be a non-empty array`);
      const inner = condition.map(compileFilter);
      return key === '$and' ? (m) => inner.every((f) => f(m)) : (m) => inner.some((f) => f(m));
    }
    if (key.startsWith('$')) throw invalid(`Unknown operator ${key} at the top level of the filter`);
    return compileField(key, condition);
  });
  return (metadata) => parts.every((part) => part(metadata));
}

function compileField(field: string, condition: unknown): Matcher {
  const operators =
    typeof condition === 'object' && condition !== null && !Array.isArray(condition)
      ? Object.entries(condition)
      : [['$eq', condition] as const];
  if (operators.length === 0) throw invalid(`Empty condition for field ${field}`);
  const tests = operators.map(([op, operand]) => compileOperator(field, op, operand));
  return (metadata) => tests.every((test) => test(metadata[field]));
}

function compileOperator(field: string, op: string, operand: unknown): (value: FieldValue) => boolean {
  const scalar = (x: unknown): x is string | number | boolean =>
    typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
  const anyElement = (value: FieldValue, test: (x: string | number | boolean) => boolean) =>
    value !== undefined && (Array.isArray(value) ? value.some(test) : test(value));
  switch (op) {
    case '$eq':
    case '$ne': {
      if (!scalar(operand)) throw invalid(`${op} on ${field} needs a string, number or boolean`);
      return op === '$eq'
        ? (value) => anyElement(value, (x) => x === operand)
        : (value) => !anyElement(value, (x) => x === operand);
    }
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand) || !operand.every(scalar)) throw invalid(`${op} on ${field} needs an array`);
      const set = new Set<unknown>(operand);
      return op === '$in'
        ? (value) => anyElement(value, (x) => set.has(x))
        : (value) => !anyElement(value, (x) => set.has(x));
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (typeof operand !== 'number') throw invalid(`${op} on ${field} needs a number`);
      const compare = {
        $gt: (x: number) => x > operand,
        $gte: (x: number) => x >= operand,
        $lt: (x: number) => x < operand,
        $lte: (x: number) => x <= operand,
      }[op];
      return (value) => typeof value === 'number' && compare(value);
    }
    case '$exists':
      if (typeof operand !== 'boolean') throw invalid(`$exists on ${field} needs a boolean`);
      return (value) => (value !== undefined) === operand;
    default:
      throw invalid(`Unknown operator ${op} for field ${field}`);
  }
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

const encodeToken = (lastId: string) => Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // falls through to the refusal below
  }
  throw invalid('Invalid pagination token');
}

function asObject(value: unknown, what = 'request body'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`The ${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function errorAnswer(err: PineconeError): Answer {
  return { status: err.status, body: { code: err.grpcCode, message: err.message, details: [] } };
}

function reply(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer.body));
}
