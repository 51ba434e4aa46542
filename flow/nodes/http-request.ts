import { z } from 'zod';
import { defineNode } from './descriptor';

export const HttpRequestParamsSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  /** May contain expressions; must be http(s). */
  url: z
    .string()
    .min(1)
    .max(2000)
    .regex(/^https?:\/\//, 'an http:// or https:// URL'),
  headers: z.record(z.string().min(1).max(100), z.string().max(2000)).default({}),
  /** JSON body; string values may be expressions. */
  body: z.unknown().optional(),
  timeoutSeconds: z.number().int().min(1).max(120).default(15),
});

export const httpRequestNode = defineNode({
  type: 'http-request',
  version: 1,
  label: 'HTTP request',
  description: 'Call an external URL with an Idempotency-Key header; 2xx takes “ok”, anything else “error”.',
  category: 'data',
  params: HttpRequestParamsSchema,
  outputs: ['ok', 'error'],
  activity: 'httpRequest',
  outputFields: ['status', 'body'],
  waits: false,
});
