import { z } from 'zod';
import { FlowSchema } from '../../flow/schema';

const KEY_STORAGE = 'switchboard.apiKey';

/** The API key: from `#key=` in the URL (what `npm start` prints), else from local storage. */
export function loadApiKey(): string | null {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('key');
  if (fromHash) {
    localStorage.setItem(KEY_STORAGE, fromHash);
    history.replaceState(null, '', window.location.pathname);
    return fromHash;
  }
  return localStorage.getItem(KEY_STORAGE);
}

export function saveApiKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

export const FlowSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['draft', 'published']),
  publishedVersion: z.number().nullable(),
  runs: z.number(),
  updatedAt: z.string(),
});
export type FlowSummary = z.infer<typeof FlowSummarySchema>;

export const FlowRecordSchema = FlowSummarySchema.extend({ definition: FlowSchema });
export type FlowRecord = z.infer<typeof FlowRecordSchema>;

const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(apiKey: string, path: string, schema: z.ZodType<T>): Promise<T> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${apiKey}` } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const parsed = ErrorSchema.safeParse(body);
    throw new ApiError(
      res.status,
      parsed.success ? parsed.data.error.code : 'http_error',
      parsed.success ? parsed.data.error.message : res.statusText,
    );
  }
  return schema.parse(body);
}

export const api = {
  listFlows: (key: string) => request(key, '/v1/flows', z.object({ items: z.array(FlowSummarySchema) })),
  getFlow: (key: string, id: string) => request(key, `/v1/flows/${encodeURIComponent(id)}`, FlowRecordSchema),
};
