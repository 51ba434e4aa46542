import { z } from 'zod';
import { retryAfterMs } from '../../notify/webhooks';
import { type PermanentErrorType, PermanentSendError, TransientSendError } from '../types';

/**
 * Graph API errors, mapped by the codes Meta documents for the WhatsApp Cloud API and the
 * Messenger/Instagram Send API. The code decides; the HTTP status is only the fallback for
 * answers that are not Graph errors (a gateway's HTML page, an empty 502).
 */

export const GraphErrorBodySchema = z.object({
  error: z.object({
    message: z.string().default(''),
    type: z.string().optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    fbtrace_id: z.string().optional(),
    is_transient: z.boolean().optional(),
    // An object with `details` on WhatsApp, sometimes a bare string elsewhere: read defensively below.
    error_data: z.unknown().optional(),
  }),
});
export type GraphError = z.infer<typeof GraphErrorBodySchema>['error'];

export type GraphErrorVerdict =
  | { kind: 'permanent'; type: PermanentErrorType }
  | { kind: 'transient'; defaultRetryAfterMs?: number };

const INVALID_RECIPIENT = new Set([131026, 131030, 131021, 551]);
const TEMPLATE_REJECTED = new Set([132000, 132001, 132005, 132007, 132012, 132015, 132016]);
const BLOCKED = new Set([368, 131031]);
const UNAUTHORIZED = new Set([0, 10, 190]);
/** 4 app, 17/32/613 Messenger user/page/API, 80007 WABA, 130429 throughput, 131048 spam, 131056 pair rate limits. */
const RATE_LIMITED = new Set([4, 17, 32, 613, 80007, 130429, 131048, 131056]);
/** 1 unknown, 2 service, 131000 something went wrong, 131016 service unavailable, 131057 maintenance, 1200 Messenger temporary failure. */
const TRANSIENT = new Set([1, 2, 131000, 131016, 131057, 1200]);

/** Messenger: code 10 with this subcode is a send outside the 24-hour standard messaging window. */
const MESSENGER_OUTSIDE_WINDOW_SUBCODE = 2018278;
/** Messenger: code 100 with this subcode is "No matching user found". */
const MESSENGER_NO_USER_SUBCODE = 2018001;

/** Throughput limits clear within the minute Meta documents; the other limits after a short pause. */
const THROUGHPUT_RETRY_AFTER_MS = 60_000;
const OTHER_LIMIT_RETRY_AFTER_MS = 5_000;

export function graphErrorDetails(error: GraphError): string | undefined {
  const data = error.error_data;
  if (typeof data === 'string') return data;
  if (data && typeof data === 'object' && 'details' in data && typeof data.details === 'string') return data.details;
  return undefined;
}

/** Whether an invalid-parameter error (100) names the recipient rather than some other field. */
function namesRecipient(error: GraphError): boolean {
  const text = `${error.message} ${graphErrorDetails(error) ?? ''}`;
  return /['"`(]to['"`)]|\bfield to\b|\brecipient\b|phone number/i.test(text);
}

/** What a Graph error code means for the send, or undefined when Meta's documentation does not say. */
export function classifyGraphError(error: GraphError): GraphErrorVerdict | undefined {
  const { code, error_subcode: subcode } = error;
  if (code === 10 && subcode === MESSENGER_OUTSIDE_WINDOW_SUBCODE) return { kind: 'permanent', type: 'OutsideWindow' };
  if (INVALID_RECIPIENT.has(code)) return { kind: 'permanent', type: 'InvalidRecipient' };
  if (code === 100) {
    const recipient = subcode === MESSENGER_NO_USER_SUBCODE || namesRecipient(error);
    return { kind: 'permanent', type: recipient ? 'InvalidRecipient' : 'InvalidRequest' };
  }
  if (code === 131047) return { kind: 'permanent', type: 'OutsideWindow' };
  if (TEMPLATE_REJECTED.has(code)) return { kind: 'permanent', type: 'TemplateRejected' };
  if (code === 131050) return { kind: 'permanent', type: 'OptedOut' };
  if (BLOCKED.has(code)) return { kind: 'permanent', type: 'Blocked' };
  if (UNAUTHORIZED.has(code) || (code >= 200 && code <= 299)) return { kind: 'permanent', type: 'Unauthorized' };
  if (RATE_LIMITED.has(code)) {
    const defaultRetryAfterMs = code === 130429 ? THROUGHPUT_RETRY_AFTER_MS : OTHER_LIMIT_RETRY_AFTER_MS;
    return { kind: 'transient', defaultRetryAfterMs };
  }
  if (TRANSIENT.has(code) || error.is_transient) return { kind: 'transient' };
  return undefined;
}

function describe(error: GraphError): string {
  const details = graphErrorDetails(error);
  const subcode = error.error_subcode === undefined ? '' : `, subcode ${error.error_subcode}`;
  return `Meta Graph API error ${error.code}${subcode}: ${error.message}${details ? ` (${details})` : ''}`;
}

function parseGraphError(bodyText: string): GraphError | undefined {
  try {
    const parsed = GraphErrorBodySchema.safeParse(JSON.parse(bodyText));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

/** The error for a Graph answer that was not 2xx. */
export function graphResponseError(
  status: number,
  headers: Headers,
  bodyText: string,
): PermanentSendError | TransientSendError {
  const headerRetryAfterMs = retryAfterMs(headers.get('retry-after'));
  const error = parseGraphError(bodyText);
  if (error) {
    const verdict = classifyGraphError(error);
    const providerCode = String(error.code);
    if (verdict?.kind === 'permanent') return new PermanentSendError(verdict.type, describe(error), providerCode);
    if (verdict?.kind === 'transient') {
      const wait = headerRetryAfterMs ?? verdict.defaultRetryAfterMs;
      return new TransientSendError(describe(error), 'not-sent', wait, providerCode);
    }
    return fallbackByStatus(status, describe(error), headerRetryAfterMs, providerCode);
  }
  const snippet = bodyText.slice(0, 200).trim();
  return fallbackByStatus(
    status,
    `Meta Graph API answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`,
    headerRetryAfterMs,
  );
}

function fallbackByStatus(
  status: number,
  message: string,
  retryAfter: number | undefined,
  providerCode?: string,
): PermanentSendError | TransientSendError {
  if (status >= 500 || status === 429) return new TransientSendError(message, 'not-sent', retryAfter, providerCode);
  if (status === 401 || status === 403) return new PermanentSendError('Unauthorized', message, providerCode);
  return new PermanentSendError('InvalidRequest', message, providerCode);
}

/** Failures where the connection was never made, so the request cannot have reached the provider. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCode(err: unknown): string | undefined {
  let current: unknown = err;
  // undici wraps the socket error (TypeError('fetch failed') → cause → maybe another cause).
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

/**
 * A fetch that threw: refused or unresolvable means nothing went out; a timeout or a reset after
 * connecting means the provider may have acted on the request.
 */
export function transportError(err: unknown, provider: string, timeoutMs: number): TransientSendError {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return new TransientSendError(`${provider} did not answer within ${timeoutMs} ms`, 'unknown');
  }
  const code = causeCode(err);
  const reason = code ?? (err instanceof Error ? err.message : String(err));
  if (code && NOT_CONNECTED_CODES.has(code)) {
    return new TransientSendError(`could not connect to ${provider}: ${reason}`, 'not-sent');
  }
  return new TransientSendError(`${provider} connection failed after the request went out: ${reason}`, 'unknown');
}
