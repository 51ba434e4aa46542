import twilio from 'twilio';
import { z } from 'zod';
import { type PermanentErrorType, PermanentSendError, TransientSendError } from '../types';

/**
 * A non-2xx answer from Twilio's REST API, with what the library's own RestException drops: the
 * response headers (Retry-After). Thrown by the client's HTTP layer (client.ts).
 */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
    readonly moreInfo: string | undefined,
    readonly retryAfter: string | undefined,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }
}

/** Twilio's error body: `{ code, message, more_info, status }`. Any of it may be missing on a proxy's error page. */
const TwilioErrorBodySchema = z
  .object({
    code: z.coerce.number().int().optional().catch(undefined),
    message: z.string().optional().catch(undefined),
    more_info: z.string().optional().catch(undefined),
  })
  .catch({});

export function twilioApiErrorFrom(status: number, body: unknown, retryAfter: string | undefined): TwilioApiError {
  const parsed = TwilioErrorBodySchema.parse(typeof body === 'string' ? parseJsonOrUndefined(body) : body);
  const message = parsed.message ?? `Twilio answered HTTP ${status}`;
  return new TwilioApiError(status, parsed.code, message, parsed.more_info, retryAfter);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Twilio error codes (https://www.twilio.com/docs/api/errors) that say retrying cannot help, by what
// they mean for the flow. Codes not listed fall back on the HTTP status.
const PERMANENT_BY_CODE: Record<PermanentErrorType, readonly number[]> = {
  // Invalid 'To' number; not a mobile number; number not valid; invalid number; 'To' required.
  InvalidRecipient: [21211, 21614, 21217, 21401, 21604],
  // The recipient replied STOP.
  OptedOut: [21610],
  // WhatsApp freeform outside the 24-hour customer-service window: a template is needed.
  OutsideWindow: [63016],
  // Content SID invalid, ContentVariables invalid, template missing for the language, parameter
  // count mismatch, Meta's WhatsApp template / marketing-message refusals.
  TemplateRejected: [21655, 21656, 63027, 63028, 63032, 63049],
  // Carrier filtering, geo permissions, unroutable number, unregistered A2P 10DLC traffic.
  Blocked: [30007, 21408, 21612, 30034],
  // Bad credentials.
  Unauthorized: [20003],
  InvalidRequest: [],
};

const TYPE_BY_CODE = new Map<number, PermanentErrorType>(
  Object.entries(PERMANENT_BY_CODE).flatMap(([type, codes]) =>
    codes.map((code) => [code, type as PermanentErrorType] as const),
  ),
);

/**
 * The permanent failure a Twilio error code stands for, if it is one we classify. Also meant for
 * delivery receipts: a status callback's ErrorCode (63016 arrives that way too) uses the same codes.
 */
export function permanentErrorTypeForCode(code: number | string | undefined): PermanentErrorType | undefined {
  if (code === undefined || code === '') return undefined;
  return TYPE_BY_CODE.get(Number(code));
}

const RATE_LIMITED_CODE = 20429;
const NOT_FOUND_CODE = 20404;

/** Where a failure happened: an account fetch whose 20404 means the credentials name no account. */
export interface FailureContext {
  authCheck?: boolean;
}

// Errors raised before the request left, or where nothing could have reached Twilio.
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// The request may have been written and acted on: only Twilio knows whether the message went out.
const UNKNOWN_OUTCOME_NETWORK_CODES = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ECONNRESET',
  'EPIPE',
  'ERR_CANCELED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Turns whatever a Twilio call threw into PermanentSendError / TransientSendError, keeping Twilio's
 * code in providerCode. Anything unrecognised (a bug, not a provider answer) is returned as is.
 */
export function toTwilioSendError(error: unknown, context: FailureContext = {}): Error {
  if (error instanceof PermanentSendError || error instanceof TransientSendError) return error;
  const api = asApiError(error);
  if (api) return fromApiError(api, context);
  const networkCode = networkErrorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (networkCode && NOT_SENT_NETWORK_CODES.has(networkCode)) {
    return new TransientSendError(`Twilio unreachable (${networkCode}): ${detail}`, 'not-sent');
  }
  if (networkCode && UNKNOWN_OUTCOME_NETWORK_CODES.has(networkCode)) {
    return new TransientSendError(`${detail} (${networkCode}); Twilio may have acted on the request`, 'unknown');
  }
  return error instanceof Error ? error : new Error(detail);
}

function fromApiError(api: TwilioApiError, context: FailureContext): Error {
  const providerCode = api.code === undefined ? undefined : String(api.code);
  const described = `${api.message}${providerCode ? ` (Twilio ${providerCode})` : ''}`;
  if (api.status === 429 || api.code === RATE_LIMITED_CODE) {
    return new TransientSendError(
      `Twilio rate limit: ${described}`,
      'not-sent',
      retryAfterMs(api.retryAfter),
      providerCode,
    );
  }
  if (api.status >= 500)
    return new TransientSendError(`Twilio error: ${described}`, 'not-sent', undefined, providerCode);
  const byCode = permanentErrorTypeForCode(api.code);
  if (byCode) return new PermanentSendError(byCode, described, providerCode);
  if (api.status === 401 || (context.authCheck && api.code === NOT_FOUND_CODE)) {
    return new PermanentSendError('Unauthorized', `Twilio refused the credentials: ${described}`, providerCode);
  }
  if (api.status >= 400) return new PermanentSendError('InvalidRequest', described, providerCode);
  // A 1xx/3xx surfacing as an error: odd enough to retry rather than fail the run.
  return new TransientSendError(`unexpected Twilio answer: ${described}`, 'not-sent', undefined, providerCode);
}

/** Our TwilioApiError, or the library's RestException (same facts, minus headers). */
function asApiError(error: unknown): TwilioApiError | undefined {
  if (error instanceof TwilioApiError) return error;
  if (!(error instanceof twilio.RestException)) return undefined;
  return new TwilioApiError(error.status, error.code, error.message, error.moreInfo, undefined);
}

function networkErrorCode(error: unknown): string | undefined {
  const WithCode = z.object({ code: z.string(), cause: z.unknown().optional() });
  const parsed = WithCode.safeParse(error);
  if (parsed.success) return parsed.data.code;
  const cause = z.object({ cause: z.unknown() }).safeParse(error);
  return cause.success && cause.data.cause !== error ? networkErrorCode(cause.data.cause) : undefined;
}

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | undefined, now: Date = new Date()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
