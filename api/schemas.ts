import { z } from 'zod';

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const IdParamsSchema = z.object({ id: z.string().uuid() });

/** Standard error responses, for OpenAPI. */
export const errorResponses = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  404: ErrorBodySchema,
} as const;

/**
 * The errors any /v1 route may answer, declared on every route that does not declare them itself,
 * so the OpenAPI document describes each one (and its body is the one error shape).
 */
export const commonErrorResponses = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  413: ErrorBodySchema,
  422: ErrorBodySchema,
  429: ErrorBodySchema,
} as const;
