// A JSON request to a provider's HTTP API, for the adapters that speak it with fetch (Meta's Graph
// API, Telegram's Bot API): the deadline, the body read, the transport errors and the JSON reading
// they share. What an answer means (its error codes, its success shape) stays with each adapter,
// passed in as the error for a status and the error for a body that is not JSON.
import { transportError } from './meta/errors';

export interface JsonRequestOptions {
  /** The provider as error messages name it ("Meta Graph API"). */
  provider: string;
  /** The request's JSON body; without one the request is a GET. */
  body?: unknown;
  /** Headers besides accept and content-type (authorization). */
  headers?: Record<string, string>;
  /** The deadline for the whole exchange, the answer's body included. */
  timeoutMs: number;
  fetchImpl?: typeof fetch;
}

/** A provider's answer, read whole. */
export interface HttpAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The body; empty for an error status whose body could not be read. */
  text: string;
}

/**
 * Sends `body` as JSON (POST), or GETs without one, and reads the answer. A failure to connect, the
 * deadline passing, or a 2xx answer whose body broke off throws `transportError` (a
 * TransientSendError whose outcome says whether the request can have been acted on); any answer
 * that arrived is returned for the adapter to judge.
 */
export async function requestJson(url: string, options: JsonRequestOptions): Promise<HttpAnswer> {
  const { body, provider, timeoutMs } = options;
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...options.headers,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw transportError(err, provider, timeoutMs);
  }
  const answer = { status: response.status, ok: response.ok, headers: response.headers };
  try {
    return { ...answer, text: await response.text() };
  } catch (err) {
    // An error status already says nothing was done; a 2xx whose body broke off may have sent.
    if (!response.ok) return { ...answer, text: '' };
    throw transportError(err, provider, timeoutMs);
  }
}

/**
 * The parsed JSON of a 2xx answer. Any other status throws the adapter's `responseError` for it; a
 * 2xx body that is not JSON throws `notJson` (the provider took the request, so it may have acted).
 */
export function jsonAnswer(
  answer: HttpAnswer,
  responseError: (status: number, headers: Headers, bodyText: string) => Error,
  notJson: (bodyText: string) => Error,
): unknown {
  if (!answer.ok) throw responseError(answer.status, answer.headers, answer.text);
  try {
    return JSON.parse(answer.text);
  } catch {
    throw notJson(answer.text);
  }
}
