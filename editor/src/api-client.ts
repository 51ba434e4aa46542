import { z } from 'zod';
import { FlowSchema, PlanSchema, RunStateSchema } from '../../flow';
import { authorizedFetch, type Credentials, keyCredentials } from './auth';

const IssueSchema = z.object({
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  path: z.array(z.union([z.string(), z.number()])),
  code: z.string(),
  message: z.string(),
});

export const FlowSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['draft', 'published']),
  publishedVersion: z.number().nullable(),
  revision: z.number(),
  runs: z.number(),
  updatedAt: z.string(),
});
export type FlowSummary = z.infer<typeof FlowSummarySchema>;

export const FlowRecordSchema = FlowSummarySchema.extend({
  definition: FlowSchema,
  issues: z.array(IssueSchema),
  hasUnpublishedChanges: z.boolean(),
});
export type FlowRecord = z.infer<typeof FlowRecordSchema>;

const VersionSchema = z.object({ id: z.string(), version: z.number(), checksum: z.string(), publishedAt: z.string() });
export type FlowVersion = z.infer<typeof VersionSchema>;
const VersionDetailSchema = VersionSchema.extend({ definition: FlowSchema, plan: PlanSchema });

const ChangeSchema = z.object({ path: z.string(), before: z.unknown(), after: z.unknown() });
export const DiffSchema = z.object({
  nodes: z.object({
    added: z.array(z.object({ id: z.string(), type: z.string() })),
    removed: z.array(z.object({ id: z.string(), type: z.string() })),
    changed: z.array(z.object({ id: z.string(), type: z.string(), changes: z.array(ChangeSchema) })),
  }),
  edges: z.object({
    added: z.array(z.object({ source: z.string(), sourceHandle: z.string(), target: z.string() })),
    removed: z.array(z.object({ source: z.string(), sourceHandle: z.string(), target: z.string() })),
  }),
  nameChanged: z.boolean(),
  identical: z.boolean(),
});
export type FlowDiff = z.infer<typeof DiffSchema>;

const PathStepSchema = z.object({
  nodeId: z.string(),
  type: z.string(),
  visit: z.number(),
  output: z.string().optional(),
  enteredAt: z.string(),
  leftAt: z.string().optional(),
});
export const SimulationSchema = z.object({
  status: z.string(),
  outcome: z.string().nullable(),
  path: z.array(PathStepSchema),
  effects: z.array(
    z.object({ at: z.string(), nodeId: z.string(), kind: z.string(), detail: z.record(z.string(), z.unknown()) }),
  ),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number(),
});
export type Simulation = z.infer<typeof SimulationSchema>;

export const RunSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  flowId: z.string(),
  flowVersionId: z.string().nullable(),
  contactId: z.string(),
  status: z.string(),
  outcome: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Run = z.infer<typeof RunSchema>;
const RunDetailSchema = z.object({
  run: RunSchema,
  state: RunStateSchema.nullable(),
  actions: z.array(
    z.object({
      kind: z.string(),
      status: z.string(),
      request: z.unknown(),
      response: z.unknown(),
      createdAt: z.string(),
    }),
  ),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

const FunnelSchema = z.object({
  version: z.number(),
  runs: z.record(z.string(), z.number()),
  nodes: z.record(z.string(), z.object({ through: z.number(), at: z.number() })),
  sampledRunning: z.number(),
});
export type Funnel = z.infer<typeof FunnelSchema>;

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Throws the API's error envelope (`{ error: { code, message } }`) as an ApiError. */
export async function ensureOk(res: Response): Promise<Response> {
  if (res.ok) return res;
  const json: unknown = await res.json().catch(() => null);
  const parsed = ErrorSchema.safeParse(json);
  throw new ApiError(
    res.status,
    parsed.success ? parsed.data.error.code : 'http_error',
    parsed.success ? parsed.data.error.message : res.statusText || `HTTP ${res.status}`,
    parsed.success ? parsed.data.error.details : undefined,
  );
}

/** A JSON request with the key, its response parsed by `schema` (never cast). */
export type Request = <T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown) => Promise<T>;

/** Credentials, or a bare API key or access token. */
export type Auth = Credentials | string;
const credentialsOf = (auth: Auth): Credentials => (typeof auth === 'string' ? keyCredentials(auth) : auth);

export function createRequest(auth: Auth): Request {
  const credentials = credentialsOf(auth);
  return async (method, path, schema, body) => {
    const res = await ensureOk(
      await authorizedFetch(credentials, path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const json: unknown = res.status === 204 ? null : await res.json().catch(() => null);
    return schema.parse(json);
  };
}

/** A typed client of the API, bound to one key. Every response is parsed, never cast. */
export function createApi(auth: Auth) {
  const request = createRequest(auth);
  const id = encodeURIComponent;
  return {
    listFlows: (search = '') =>
      request(
        'GET',
        `/v1/flows?limit=200${search ? `&search=${id(search)}` : ''}`,
        z.object({ items: z.array(FlowSummarySchema) }),
      ),
    getFlow: (flowId: string) => request('GET', `/v1/flows/${id(flowId)}`, FlowRecordSchema),
    createFlow: (name: string, definition?: unknown) =>
      request('POST', '/v1/flows', FlowRecordSchema, { name, definition }),
    saveFlow: (flowId: string, body: { name: string; definition: unknown; revision: number }) =>
      request('PUT', `/v1/flows/${id(flowId)}`, FlowRecordSchema, body),
    deleteFlow: (flowId: string) => request('DELETE', `/v1/flows/${id(flowId)}`, z.null()),
    publish: (flowId: string) =>
      request('POST', `/v1/flows/${id(flowId)}/publish`, VersionSchema.extend({ flowId: z.string() })),
    versions: (flowId: string) =>
      request('GET', `/v1/flows/${id(flowId)}/versions`, z.object({ items: z.array(VersionSchema) })),
    version: (flowId: string, version: number) =>
      request('GET', `/v1/flows/${id(flowId)}/versions/${version}`, VersionDetailSchema),
    diff: (flowId: string, from: number | 'draft', to: number | 'draft' = 'draft') =>
      request('GET', `/v1/flows/${id(flowId)}/diff?from=${from}&to=${to}`, DiffSchema),
    simulate: (definition: unknown, script: unknown) =>
      request('POST', '/v1/flows/simulate', SimulationSchema, { definition, script }),
    funnel: (flowId: string, version: number) =>
      request('GET', `/v1/flows/${id(flowId)}/versions/${version}/funnel`, FunnelSchema),
    listContacts: (search = '') =>
      request(
        'GET',
        `/v1/contacts?limit=50${search ? `&search=${id(search)}` : ''}`,
        z.object({
          items: z.array(
            z.object({
              id: z.string(),
              firstName: z.string().nullable(),
              lastName: z.string().nullable(),
              phone: z.string().nullable(),
            }),
          ),
        }),
      ),
    listRuns: (flowId: string) =>
      request('GET', `/v1/runs?flowId=${id(flowId)}&limit=50`, z.object({ items: z.array(RunSchema) })),
    getRun: (runId: string) => request('GET', `/v1/runs/${id(runId)}`, RunDetailSchema),
    startRun: (flowId: string, contactId: string) => request('POST', '/v1/runs', RunSchema, { flowId, contactId }),
    signalRun: (runId: string, body: unknown) =>
      request('POST', `/v1/runs/${id(runId)}/signal`, z.object({ accepted: z.literal(true) }), body),
  };
}
export type Api = ReturnType<typeof createApi>;
