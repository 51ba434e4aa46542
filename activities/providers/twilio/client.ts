import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { z } from 'zod';
import { allowedBaseUrl } from '../config';
import { PermanentSendError } from '../types';
import { toTwilioSendError, twilioApiErrorFrom } from './errors';

export type TwilioClient = twilio.Twilio;

/** What every Twilio adapter needs to authenticate, and where (a stand-in) to send its requests. */
export interface TwilioAccount {
  accountSid: string;
  authToken: string;
  /** A local stand-in of api.twilio.com; honoured only where config.ts's allowedBaseUrl allows. */
  apiBaseUrl?: string;
}

export const DEFAULT_TWILIO_TIMEOUT_MS = 10_000;

/**
 * A Twilio REST client whose every request is bounded by `timeoutMs` and, when the account names a
 * stand-in, goes there instead of *.twilio.com. Non-2xx answers throw TwilioApiError (errors.ts),
 * which keeps the headers (Retry-After) the library's own exception drops.
 */
export function createTwilioClient(account: TwilioAccount, timeoutMs = DEFAULT_TWILIO_TIMEOUT_MS): TwilioClient {
  const baseUrl = allowedBaseUrl(account.apiBaseUrl);
  const httpClient = new BoundedRequestClient(baseUrl ? routeToStandIn(baseUrl) : (uri) => uri, timeoutMs);
  return twilio(account.accountSid, account.authToken, { httpClient, autoRetry: false });
}

/**
 * Clients keyed by timeout: the library takes no per-call timeout, and a client per call would
 * throw away its keep-alive connections. Senders pass SendContext.timeoutMs, which rarely varies.
 */
export function twilioClientPool(account: TwilioAccount): (timeoutMs?: number) => TwilioClient {
  const clients = new Map<number, TwilioClient>();
  return (timeoutMs = DEFAULT_TWILIO_TIMEOUT_MS) => {
    let client = clients.get(timeoutMs);
    if (!client) {
      client = createTwilioClient(account, timeoutMs);
      clients.set(timeoutMs, client);
    }
    return client;
  };
}

type RequestOptions<TData> = RequestClient.RequestOptions<TData>;

class BoundedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly route: (uri: string) => string,
    private readonly timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true });
    // axios's `timeout` is a socket-idle timer: a server dribbling bytes would never trip it. The
    // abort signal is the hard deadline for the whole exchange.
    this.axios.interceptors.request.use((config) => {
      config.signal ??= AbortSignal.timeout(timeoutMs);
      return config;
    });
  }

  override async request<TData>(opts: RequestOptions<TData>): Promise<Response<TData>> {
    let response: Response<TData>;
    try {
      response = await super.request({ ...opts, uri: this.route(opts.uri), timeout: this.timeoutMs });
    } catch (err) {
      throw deadlineError(err, this.timeoutMs);
    }
    if (response.statusCode >= 400) {
      throw twilioApiErrorFrom(response.statusCode, response.body, headerValue(response.headers, 'retry-after'));
    }
    return response;
  }
}

/** axios reports our deadline as a cancellation or ECONNABORTED; say what happened instead. */
function deadlineError(err: unknown, timeoutMs: number): unknown {
  const code = z.object({ code: z.string() }).safeParse(err).data?.code;
  if (code !== 'ERR_CANCELED' && code !== 'ECONNABORTED') return err;
  return Object.assign(new Error(`Twilio did not answer within ${timeoutMs} ms`, { cause: err }), {
    code: 'ETIMEDOUT',
  });
}

/** https://api.twilio.com/2010-04-01/…?q → <base>/2010-04-01/…?q, for any *.twilio.com host (edges, regions). */
export function routeToStandIn(baseUrl: string): (uri: string) => string {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  return (uri) => {
    const target = new URL(uri);
    if (target.hostname !== 'twilio.com' && !target.hostname.endsWith('.twilio.com')) {
      throw new Error(`refusing to send a Twilio request to ${target.host} while a stand-in base URL is configured`);
    }
    return `${base.origin}${basePath}${target.pathname}${target.search}`;
  };
}

function headerValue(headers: unknown, name: string): string | undefined {
  // axios hands back an AxiosHeaders instance; as a plain record its keys are lower-case.
  const parsed = z.record(z.string(), z.unknown()).safeParse(headers ? { ...headers } : {});
  if (!parsed.success) return undefined;
  const value = parsed.data[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** The cheap authenticated call every Twilio adapter's testConnection makes: fetch the Account. */
export async function describeTwilioAccount(client: TwilioClient): Promise<{ detail: string }> {
  const AccountSchema = z.object({ friendlyName: z.string(), status: z.string() });
  let account: z.infer<typeof AccountSchema>;
  try {
    account = AccountSchema.parse(await client.api.v2010.account.fetch());
  } catch (err) {
    throw toTwilioSendError(err, { authCheck: true });
  }
  if (account.status !== 'active') {
    throw new PermanentSendError('Unauthorized', `Twilio account "${account.friendlyName}" is ${account.status}`);
  }
  return { detail: `account "${account.friendlyName}" is active` };
}
