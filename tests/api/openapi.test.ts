import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';

// The OpenAPI document is the API's contract for integrators (and what the fuzzer reads): every
// /v1 operation is described, every request body shows an example, and every example is valid.
type Json = Record<string, unknown>;
interface Media {
  schema?: Json;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  summary?: string;
  tags?: string[];
  requestBody?: { content: Record<string, Media> };
  parameters?: { in: string; name: string; schema?: Json; example?: unknown }[];
  responses?: Record<string, { content?: Record<string, Media> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
}

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let doc: Doc;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  const res = await app.inject('/docs/json');
  expect(res.statusCode).toBe(200);
  doc = res.json() as Doc;
});
afterAll(() => stopApiTestServer({ app, env, database }));

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);
function v1Operations(): [string, Operation][] {
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => METHODS.has(method))
        .map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
    );
}

const componentOf = (schema: Json | undefined): Json | undefined =>
  typeof schema?.$ref === 'string' ? doc.components.schemas[schema.$ref.split('/').pop() as string] : undefined;

/** The examples a media object carries: its own, its schema's, or those of the component it refers to. */
function mediaExamples(media: Media): unknown[] {
  const own = [
    ...(media.example === undefined ? [] : [media.example]),
    ...Object.values(media.examples ?? {}).map((e) => e.value),
  ];
  if (own.length) return own;
  for (const s of [media.schema, componentOf(media.schema)]) {
    if (s?.example !== undefined) return [s.example];
    if (Array.isArray(s?.examples)) return s.examples;
  }
  return [];
}

/** OpenAPI 3.0's `nullable` as JSON Schema: `type: [t, 'null']`, or a union with null. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const { nullable, example: _example, ...rest } = node as Json;
  const out: Json = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, toJsonSchema(v)]));
  // OpenAPI 3.0 (draft 4): a boolean exclusiveMinimum/Maximum qualifies minimum/maximum.
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive] === true) out[exclusive] = out[bound];
    else delete out[exclusive];
    if (out[exclusive] !== undefined) delete out[bound];
  }
  if (nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

describe('the OpenAPI document', () => {
  it('describes every /v1 operation: a summary, a tag and a success response', () => {
    const ops = v1Operations();
    expect(ops.length).toBeGreaterThan(100);
    const problems: string[] = [];
    for (const [name, op] of ops) {
      if (!op.summary?.trim()) problems.push(`${name}: no summary`);
      if (!op.tags?.length) problems.push(`${name}: no tag`);
      if (!Object.keys(op.responses ?? {}).some((code) => /^2\d\d$/.test(code))) problems.push(`${name}: no 2xx`);
    }
    expect(problems).toEqual([]);
  });

  it('shows an example for every request body', () => {
    const problems: string[] = [];
    for (const [name, op] of v1Operations()) {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {}))
        if (!mediaExamples(media).length) problems.push(`${name} (${type}): no example`);
    }
    expect(problems).toEqual([]);
  });

  it('answers its errors in the one error shape', () => {
    const problems: string[] = [];
    for (const [name, op] of v1Operations()) {
      for (const [code, response] of Object.entries(op.responses ?? {})) {
        if (!/^[45]\d\d$/.test(code)) continue;
        for (const [type, media] of Object.entries(response.content ?? {}))
          if (media.schema?.$ref !== '#/components/schemas/Error') problems.push(`${name} ${code} (${type})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has only examples that are valid against their schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    const components = toJsonSchema(doc.components);
    const check = (where: string, schema: Json | undefined, example: unknown, problems: string[]) => {
      if (!schema) return;
      const validate = ajv.compile({ ...(toJsonSchema(schema) as Json), components });
      if (!validate(example))
        problems.push(`${where}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(example)}`);
    };
    const problems: string[] = [];
    let checked = 0;
    const media = (where: string, m: Media) => {
      for (const example of mediaExamples(m)) {
        check(where, m.schema, example, problems);
        checked++;
      }
    };
    for (const [name, op] of v1Operations()) {
      for (const [type, m] of Object.entries(op.requestBody?.content ?? {})) media(`${name} body (${type})`, m);
      for (const p of op.parameters ?? []) {
        const example = p.example ?? p.schema?.example;
        if (example !== undefined) {
          check(`${name} ${p.in} ${p.name}`, p.schema, example, problems);
          checked++;
        }
      }
      for (const [code, response] of Object.entries(op.responses ?? {}))
        for (const [type, m] of Object.entries(response.content ?? {})) media(`${name} ${code} (${type})`, m);
    }
    for (const [id, schema] of Object.entries(doc.components.schemas)) {
      const examples =
        schema.example === undefined ? (Array.isArray(schema.examples) ? schema.examples : []) : [schema.example];
      for (const example of examples) {
        check(`component ${id}`, schema, example, problems);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });
});
