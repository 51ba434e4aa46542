import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Vapi's API (https://api.vapi.ai): POST /call (201 with the Call object),
 * GET /call (the list, filtered by id, phoneNumberId, assistantId and createdAt{Gt,Lt,Ge,Le},
 * `limit` ≤ 1000), GET /call/:id and GET /phone-number/:id, behind `Authorization: Bearer <private
 * key>`. Errors have Vapi's NestJS shape `{ message, error, statusCode }`, with the messages Vapi
 * sends where they are known (the invalid key's "Hot tip", the E.164 one, the missing phone number).
 *
 * Like Vapi's validation, unknown properties are refused ("property X should not exist"), which
 * keeps the adapter to the documented CreateCallDTO (no top-level `metadata`) and Server schema
 * (no inline `secret`). Tests inject faults, read the calls created, and end a call: the stand-in
 * then posts an end-of-call report to the call's `assistant.server.url` with the call's
 * `assistant.server.headers`, in the current `artifact` shape or the older flat one.
 */

export const VAPI_STAND_IN_DEFAULTS = {
  // Vapi private keys and resource ids are UUIDs.
  apiKey: '2f4b6d8e-1a3c-4e5f-9a7b-0c1d2e3f4a5b',
  orgId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
  phoneNumberId: '8c2e4a6b-0d1f-4a3b-b5c7-d9e1f3a5b7c9',
  phoneNumber: '+14155550100',
};

export type VapiFault =
  /** `times` answers in a row (default one). */
  | { kind: 'server-error'; status?: number; times?: number }
  | { kind: 'gateway-html'; status?: number }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'api-error'; status: number; message: string | string[]; error?: string }
  | { kind: 'accept-then-hang' }
  | { kind: 'accept-then-reset' };

export interface TranscriptLine {
  role: 'bot' | 'assistant' | 'user' | 'system';
  message: string;
}

export interface EndCallOptions {
  endedReason: string;
  messages?: TranscriptLine[];
  recordingUrl?: string;
  cost?: number;
  durationSeconds?: number;
  summary?: string;
  /** `artifact` (current docs) or `flat` (older docs: transcript, messages, recordingUrl on the message). */
  shape?: 'artifact' | 'flat';
  /** Replaces the headers the call's server config sends, to drop or forge the secret. */
  headers?: Record<string, string>;
}

export type VapiCallObject = Record<string, unknown> & {
  id: string;
  createdAt: string;
  status: string;
  phoneNumberId: string;
  customer: { number: string };
  assistant?: Record<string, unknown> & {
    server?: { url?: string; headers?: Record<string, string> };
    metadata?: Record<string, unknown>;
  };
};

type Answer = { status: number; body: unknown; contentType?: string; headers?: Record<string, string> };

const vapiError = (statusCode: number, message: string | string[], error: string): Answer => ({
  status: statusCode,
  body: { message, error, statusCode },
});
const badRequest = (message: string | string[]) => vapiError(400, message, 'Bad Request');

const INVALID_KEY = 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.';
const E164_MESSAGE =
  'customer.number must be a valid phone number in the E.164 format. Hot tip, you may be missing the country code (Eg. US: +1).';

/** CreateCallDTO's properties (https://docs.vapi.ai/api-reference/calls/create). */
const CREATE_CALL_PROPERTIES = new Set([
  'assistantVersion',
  'squadVersion',
  'transport',
  'customers',
  'name',
  'schedulePlan',
  'assistantId',
  'assistant',
  'assistantOverrides',
  'squadId',
  'squad',
  'squadOverrides',
  'workflowId',
  'workflow',
  'workflowOverrides',
  'phoneNumberId',
  'phoneNumber',
  'customerId',
  'customer',
]);
/** The Server schema's properties. */
const SERVER_PROPERTIES = new Set(['timeoutSeconds', 'credentialId', 'url', 'headers', 'backoffPlan']);

export class VapiStandIn {
  readonly apiKey: string;
  readonly phoneNumberId: string;
  readonly phoneNumber: string;
  /** Every call created, oldest first. */
  readonly calls: VapiCallObject[] = [];
  readonly requests: Array<{ method: string; path: string; query: Record<string, string>; body: unknown }> = [];
  /** What the server URLs answered to the reports and updates posted to them. */
  readonly deliveries: Array<{ url: string; status: number; payload: unknown }> = [];
  /** GET /call's order; Vapi does not document it. */
  listOrder: 'newest-first' | 'oldest-first' = 'newest-first';
  private readonly faults: VapiFault[] = [];
  private readonly refusedNumbers = new Set<string>();
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  baseUrl = '';

  constructor(options: { apiKey?: string; phoneNumberId?: string; phoneNumber?: string } = {}) {
    this.apiKey = options.apiKey ?? VAPI_STAND_IN_DEFAULTS.apiKey;
    this.phoneNumberId = options.phoneNumberId ?? VAPI_STAND_IN_DEFAULTS.phoneNumberId;
    this.phoneNumber = options.phoneNumber ?? VAPI_STAND_IN_DEFAULTS.phoneNumber;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Faults apply to the next requests, one each (a `server-error` with `times` to that many). */
  injectFaults(...faults: VapiFault[]): void {
    for (const fault of faults) {
      const times = fault.kind === 'server-error' ? (fault.times ?? 1) : 1;
      for (let i = 0; i < times; i++) this.faults.push(fault);
    }
  }

  /** Vapi refuses this (well-formed) number with its E.164 validation message. */
  refuseNumber(number: string): void {
    this.refusedNumbers.add(number);
  }

  get callsCreated(): number {
    return this.calls.length;
  }

  callsTo(number: string): VapiCallObject[] {
    return this.calls.filter((call) => call.customer.number === number);
  }

  reset(): void {
    this.calls.length = 0;
    this.requests.length = 0;
    this.deliveries.length = 0;
    this.faults.length = 0;
    this.refusedNumbers.clear();
    this.listOrder = 'newest-first';
  }

  /**
   * Ends a call as Vapi does: the Call becomes `ended` with the reason, cost and artifact, and an
   * end-of-call report goes to the call's server URL with its server headers.
   */
  async endCall(callId: string, options: EndCallOptions): Promise<{ status: number; payload: unknown }> {
    const call = this.requireCall(callId);
    const payload = this.endOfCallReport(call, options);
    return this.deliver(call, payload, options.headers);
  }

  /** A status-update server message for the call. */
  async sendStatusUpdate(
    callId: string,
    status: 'queued' | 'ringing' | 'in-progress' | 'forwarding' | 'ended',
    endedReason?: string,
  ): Promise<{ status: number; payload: unknown }> {
    const call = this.requireCall(callId);
    call.status = status;
    if (endedReason) call.endedReason = endedReason;
    const payload = {
      message: {
        type: 'status-update',
        status,
        ...(endedReason ? { endedReason } : {}),
        timestamp: Date.now(),
        call: { ...call },
        phoneNumber: this.phoneNumberObject(),
        customer: call.customer,
      },
    };
    return this.deliver(call, payload);
  }

  /** The end-of-call report Vapi would post for the call (also marks the call ended). */
  endOfCallReport(call: VapiCallObject, options: EndCallOptions): unknown {
    const messages = options.messages ?? [];
    const endedAt = new Date();
    const durationSeconds = options.durationSeconds ?? 0;
    const startedAt = new Date(endedAt.getTime() - durationSeconds * 1000);
    const transcript = messages
      .filter((m) => m.role !== 'system')
      .map((m) => `${m.role === 'user' ? 'User' : 'AI'}: ${m.message}`)
      .join('\n');
    const timed = messages.map((m, i) => ({
      role: m.role,
      message: m.message,
      time: startedAt.getTime() + i * 1000,
      secondsFromStart: i,
    }));
    const artifact = {
      messages: timed,
      transcript,
      ...(options.recordingUrl
        ? {
            recordingUrl: options.recordingUrl,
            recording: { mono: { combinedUrl: options.recordingUrl } },
          }
        : {}),
    };
    Object.assign(call, {
      status: 'ended',
      endedReason: options.endedReason,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      updatedAt: endedAt.toISOString(),
      ...(options.cost === undefined ? {} : { cost: options.cost }),
      artifact,
    });
    const common = {
      type: 'end-of-call-report',
      endedReason: options.endedReason,
      timestamp: endedAt.getTime(),
      call: { ...call },
      phoneNumber: this.phoneNumberObject(),
      customer: call.customer,
      ...(options.cost === undefined ? {} : { cost: options.cost }),
      durationSeconds,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
    };
    if (options.shape === 'flat') {
      return {
        message: {
          ...common,
          transcript,
          messages: timed,
          ...(options.recordingUrl ? { recordingUrl: options.recordingUrl } : {}),
          ...(options.summary ? { summary: options.summary } : {}),
        },
      };
    }
    return {
      message: {
        ...common,
        artifact,
        analysis: options.summary ? { summary: options.summary } : {},
      },
    };
  }

  private requireCall(callId: string): VapiCallObject {
    const call = this.calls.find((c) => c.id === callId);
    if (!call) throw new Error(`no call ${callId} on the Vapi stand-in`);
    return call;
  }

  private async deliver(
    call: VapiCallObject,
    payload: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; payload: unknown }> {
    const url = call.assistant?.server?.url;
    if (!url) throw new Error(`call ${call.id} has no assistant.server.url`);
    const response = await fetch(url, {
      method: 'POST',
      headers: headers ?? { 'content-type': 'application/json', ...(call.assistant?.server?.headers ?? {}) },
      body: JSON.stringify(payload),
    });
    await response.arrayBuffer();
    this.deliveries.push({ url, status: response.status, payload });
    return { status: response.status, payload };
  }

  private phoneNumberObject(): Record<string, unknown> {
    return {
      id: this.phoneNumberId,
      orgId: VAPI_STAND_IN_DEFAULTS.orgId,
      number: this.phoneNumber,
      provider: 'twilio',
      status: 'active',
      name: 'Switchboard outbound',
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stand-in');
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return reply(res, badRequest('Unexpected token in JSON'));
      }
    }
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
    });

    const fault = this.faults.shift();
    const early = fault ? faultAnswer(fault) : undefined;
    if (early) return reply(res, early);

    const answer =
      req.headers.authorization === `Bearer ${this.apiKey}`
        ? this.route(req.method ?? 'GET', url, body)
        : vapiError(401, INVALID_KEY, 'Unauthorized');
    const accepted = answer.status >= 200 && answer.status < 300;
    if (accepted && fault?.kind === 'accept-then-hang') return;
    if (accepted && fault?.kind === 'accept-then-reset') {
      req.socket.destroy();
      return;
    }
    reply(res, answer);
  }

  private route(method: string, url: URL, body: unknown): Answer {
    const path = url.pathname.replace(/\/+$/, '');
    if (method === 'POST' && path === '/call') return this.createCall(body);
    if (method === 'GET' && path === '/call') return this.listCalls(url.searchParams);
    const callMatch = path.match(/^\/call\/([^/]+)$/);
    if (method === 'GET' && callMatch) {
      const call = this.calls.find((c) => c.id === decodeURIComponent(callMatch[1] ?? ''));
      return call ? { status: 200, body: call } : vapiError(404, 'Not Found', 'Not Found');
    }
    const numberMatch = path.match(/^\/phone-number\/([^/]+)$/);
    if (method === 'GET' && numberMatch) {
      return decodeURIComponent(numberMatch[1] ?? '') === this.phoneNumberId
        ? { status: 200, body: this.phoneNumberObject() }
        : vapiError(404, 'Not Found', 'Not Found');
    }
    return vapiError(404, `Cannot ${method} ${url.pathname}`, 'Not Found');
  }

  private createCall(body: unknown): Answer {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return badRequest('body must be an object');
    const dto = body as Record<string, unknown>;
    const unknown = Object.keys(dto).filter((key) => !CREATE_CALL_PROPERTIES.has(key));
    if (unknown.length) return badRequest(unknown.map((key) => `property ${key} should not exist`));

    const assistant = dto.assistant as VapiCallObject['assistant'] | undefined;
    if (!assistant && typeof dto.assistantId !== 'string') {
      return badRequest("Couldn't Get Assistant. Need Either `assistant` Or `assistantId`.");
    }
    if (assistant) {
      const problems: string[] = [];
      const server = assistant.server as Record<string, unknown> | undefined;
      for (const key of Object.keys(server ?? {})) {
        if (!SERVER_PROPERTIES.has(key)) problems.push(`assistant.server.property ${key} should not exist`);
      }
      const max = assistant.maxDurationSeconds;
      if (max !== undefined && (typeof max !== 'number' || max < 10 || max > 43200)) {
        problems.push('assistant.maxDurationSeconds must not be less than 10 or greater than 43200');
      }
      if (problems.length) return badRequest(problems);
    }

    if (typeof dto.phoneNumberId !== 'string' && !dto.phoneNumber) {
      return badRequest("Couldn't Get Phone Number. Need Either `phoneNumberId` Or `phoneNumber`.");
    }
    if (dto.phoneNumberId !== this.phoneNumberId) {
      return badRequest(`Couldn't Get Phone Number. Phone number ${String(dto.phoneNumberId)} was not found.`);
    }
    const customer = dto.customer as { number?: unknown } | undefined;
    const number = customer?.number;
    if (typeof number !== 'string' || !/^\+[1-9]\d{6,14}$/.test(number) || this.refusedNumbers.has(number)) {
      return badRequest([E164_MESSAGE]);
    }

    const now = new Date().toISOString();
    const call: VapiCallObject = {
      id: randomUUID(),
      orgId: VAPI_STAND_IN_DEFAULTS.orgId,
      createdAt: now,
      updatedAt: now,
      type: 'outboundPhoneCall',
      status: 'queued',
      phoneCallProvider: 'twilio',
      phoneCallTransport: 'pstn',
      phoneNumberId: this.phoneNumberId,
      customer: { number },
      ...(assistant ? { assistant } : { assistantId: dto.assistantId }),
      monitor: { listenUrl: 'wss://stand-in/listen', controlUrl: 'https://stand-in/control' },
    };
    this.calls.push(call);
    return { status: 201, body: call };
  }

  private listCalls(query: URLSearchParams): Answer {
    const limitText = query.get('limit');
    const limit = limitText === null ? 100 : Number(limitText);
    if (!Number.isFinite(limit) || limit < 0 || limit > 1000) {
      return badRequest(['limit must not be greater than 1000', 'limit must not be less than 0']);
    }
    const bounds: Array<[string, (created: number, bound: number) => boolean]> = [
      ['createdAtGt', (c, b) => c > b],
      ['createdAtLt', (c, b) => c < b],
      ['createdAtGe', (c, b) => c >= b],
      ['createdAtLe', (c, b) => c <= b],
    ];
    for (const [name] of bounds) {
      const value = query.get(name);
      if (value !== null && Number.isNaN(Date.parse(value)))
        return badRequest([`${name} must be a valid ISO 8601 date string`]);
    }
    const matching = this.calls.filter((call) => {
      for (const key of ['id', 'phoneNumberId', 'assistantId'] as const) {
        const wanted = query.get(key);
        if (wanted !== null && call[key] !== wanted) return false;
      }
      const created = Date.parse(call.createdAt);
      return bounds.every(([name, test]) => {
        const value = query.get(name);
        return value === null || test(created, Date.parse(value));
      });
    });
    const ordered = this.listOrder === 'newest-first' ? [...matching].reverse() : matching;
    return { status: 200, body: ordered.slice(0, limit) };
  }
}

export async function startVapiStandIn(
  options: { apiKey?: string; phoneNumberId?: string; phoneNumber?: string } = {},
): Promise<VapiStandIn> {
  return new VapiStandIn(options).start();
}

function faultAnswer(fault: VapiFault): Answer | undefined {
  switch (fault.kind) {
    case 'server-error':
      return vapiError(fault.status ?? 500, 'Internal server error', 'Internal Server Error');
    case 'gateway-html':
      return {
        status: fault.status ?? 502,
        body: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
        contentType: 'text/html',
      };
    case 'rate-limited':
      return {
        ...vapiError(429, 'ThrottlerException: Too Many Requests', 'Too Many Requests'),
        headers: { 'retry-after': String(fault.retryAfterSeconds) },
      };
    case 'api-error':
      return vapiError(fault.status, fault.message, fault.error ?? 'Bad Request');
    default:
      return undefined;
  }
}

function reply(res: ServerResponse, answer: Answer): void {
  const isText = typeof answer.body === 'string';
  res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json', ...(answer.headers ?? {}) });
  res.end(isText ? answer.body : JSON.stringify(answer.body));
}
