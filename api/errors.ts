import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { Prisma } from '../generated/prisma/client';

/** An error the client can act on: a stable `code`, a readable message, optional details. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

/** Fastify's own errors, mapped to stable codes. */
const fastifyCodes: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
};

/**
 * A value the database refused as data (out of range, wrong format, too long) is the client's
 * mistake, not ours: a 400 naming the problem class, never a 500.
 */
function dataError(err: unknown): string | null {
  if (err instanceof Prisma.PrismaClientValidationError) return 'a value in the request is not valid for this field';
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return null;
  if (['P2000', 'P2005', 'P2006', 'P2007', 'P2009', 'P2012', 'P2019', 'P2020', 'P2023', 'P2033'].includes(err.code)) {
    return 'a value in the request is out of range or malformed';
  }
  const cause = (err.meta?.driverAdapterError as { cause?: { originalCode?: string } } | undefined)?.cause;
  // SQLSTATE class 22: data exception (numeric out of range, invalid text representation…).
  return cause?.originalCode?.startsWith('22') ? 'a value in the request is out of range or malformed' : null;
}

/** One error handler for the whole app: 4xx say what was wrong, 5xx never leak internals. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: { code: 'route_not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` },
    };
    return reply.status(404).send(body);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const requestId = request.id;
    if (err instanceof AppError) {
      const body: ErrorBody = {
        error: {
          code: err.code,
          message: err.message,
          ...(err.details === undefined ? {} : { details: err.details }),
          requestId,
        },
      };
      return reply.status(err.statusCode).send(body);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const body: ErrorBody = {
        error: {
          code: 'validation_failed',
          message: `invalid ${err.validationContext ?? 'request'}`,
          details: err.validation.map((v) => ({ path: v.instancePath, message: v.message })),
          requestId,
        },
      };
      return reply.status(400).send(body);
    }
    const data = dataError(err);
    if (data) {
      return reply.status(400).send({ error: { code: 'invalid_value', message: data, requestId } } satisfies ErrorBody);
    }
    if (err.statusCode === 429) {
      const message = (err as { error?: { message?: string } }).error?.message ?? err.message ?? 'too many requests';
      return reply
        .status(429)
        .send({ error: { code: 'rate_limited', message: String(message), requestId } } satisfies ErrorBody);
    }
    const known = err.code ? fastifyCodes[err.code] : undefined;
    if (known) {
      return reply
        .status(known.status)
        .send({ error: { code: known.code, message: err.message, requestId } } satisfies ErrorBody);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 && !isResponseSerializationError(err)) {
      return reply.status(err.statusCode).send({
        error: { code: 'bad_request', message: err.message || 'the request was refused', requestId },
      } satisfies ErrorBody);
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({
      error: { code: 'internal_error', message: 'internal error; quote the request id to support', requestId },
    } satisfies ErrorBody);
  });
}
