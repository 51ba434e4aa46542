import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTwilioWebhook } from '../../activities/providers/twilio/inbound';
import { smsSegments } from '../../activities/providers/types';

/**
 * A local stand-in of api.twilio.com speaking the documented 2010-04-01 REST wire format: Basic
 * auth, form-encoded requests, Twilio's resource JSON and paging envelopes, and Twilio's error
 * JSON `{ code, message, more_info, status }`. Tests point the real adapters at it through
 * TwilioConfig.apiBaseUrl, inject faults, and read back what was actually accepted.
 */

const API_VERSION = '2010-04-01';
const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_BODY = 1600;

export type TwilioFault =
  /** Answer HTTP 500 (or the given 5xx) with Twilio's error JSON; nothing is recorded. */
  | { kind: 'server-error'; status?: number }
  /** Answer 429 code 20429 with this Retry-After (seconds or an HTTP date); nothing is recorded. */
  | { kind: 'rate-limited'; retryAfter: string }
  /** Any Twilio error, e.g. { status: 400, code: 30007, message: 'Message filtered' }. */
  | { kind: 'twilio-error'; status: number; code: number; message: string }
  /** Accept and record the resource, then never answer: the client times out. */
  | { kind: 'accept-then-hang' }
  /** Accept and record the resource, then reset the connection instead of answering. */
  | { kind: 'accept-then-reset' };

export type FaultedOperation = 'messages.create' | 'calls.create';

export interface StandInMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  contentSid: string | null;
  contentVariables: string | null;
  mediaUrls: string[];
  numSegments: number;
  status: string;
  errorCode: number | null;
  errorMessage: string | null;
  statusCallback: string | null;
  price: string | null;
  dateCreated: Date;
  dateSent: Date | null;
  dateUpdated: Date;
}

export interface StandInCall {
  sid: string;
  to: string;
  from: string;
  status: string;
  answeredBy: string | null;
  duration: number | null;
  price: string | null;
  priceUnit: string;
  recordingUrl: string | null;
  statusCallback: string | null;
  /** The create request's form, to assert the wire parameters. */
  params: URLSearchParams;
  dateCreated: Date;
  startTime: Date | null;
  endTime: Date | null;
  dateUpdated: Date;
  sequence: number;
}

interface AvailableNumberRecord {
  phoneNumber: string;
  isoCountry: string;
  locality: string;
  region: string;
}

interface IncomingNumberRecord extends AvailableNumberRecord {
  sid: string;
  voiceUrl: string | null;
  smsUrl: string | null;
  statusCallback: string | null;
  dateCreated: Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
}

export interface TwilioStandInOptions {
  accountSid?: string;
  authToken?: string;
  friendlyName?: string;
}

export class TwilioStandIn {
  readonly accountSid: string;
  readonly authToken: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  accountFriendlyName: string;
  accountStatus: 'active' | 'suspended' | 'closed' = 'active';
  /**
   * When true, accepted messages stay `queued` with an empty date_sent, like a Messaging Service
   * queue under load; otherwise they turn `sent` right after Twilio answers.
   */
  holdMessagesQueued = false;
  /** How a WhatsApp freeform message outside the 24-hour window fails: at once, or after acceptance. */
  outsideWindowFailure: 'reject' | 'fail-after-accept' = 'reject';

  private readonly messages: StandInMessage[] = [];
  private readonly calls: StandInCall[] = [];
  private readonly optedOut = new Set<string>();
  private readonly closedWhatsAppWindows = new Set<string>();
  private readonly contents = new Map<string, string>();
  private readonly faults: Record<FaultedOperation, TwilioFault[]> = { 'messages.create': [], 'calls.create': [] };
  private readonly hanging = new Set<ServerResponse>();
  private readonly inventory: AvailableNumberRecord[] = seedInventory();
  private readonly owned: IncomingNumberRecord[] = [];

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    options: TwilioStandInOptions,
  ) {
    this.accountSid = options.accountSid ?? `AC${'0'.repeat(31)}1`;
    this.authToken = options.authToken ?? 'stand-in-auth-token-0123456789';
    this.accountFriendlyName = options.friendlyName ?? 'Switchboard stand-in';
  }

  static async start(options: TwilioStandInOptions = {}): Promise<TwilioStandIn> {
    let standIn: TwilioStandIn | undefined;
    const server = createServer((req, res) => {
      standIn?.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendError(res, 500, 20500, `stand-in failure: ${String(err)}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    standIn = new TwilioStandIn(server, `http://127.0.0.1:${port}`, options);
    return standIn;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- configuration ------------------------------------------------------------------------

  /** The recipient replied STOP: sends to it fail with 21610. */
  optOut(e164: string): void {
    this.optedOut.add(e164);
  }

  /** No customer message in the last 24 hours: WhatsApp freeform to it fails with 63016. */
  closeWhatsAppWindow(e164: string): void {
    this.closedWhatsAppWindows.add(e164);
  }

  /** A Content API template (HX…) with `{{1}}`-style placeholders. */
  registerContent(contentSid: string, body: string): void {
    this.contents.set(contentSid, body);
  }

  /** The next `count` requests of `operation` meet `fault`. */
  failNext(operation: FaultedOperation, count: number, fault: TwilioFault): void {
    for (let i = 0; i < count; i++) this.faults[operation].push(fault);
  }

  failNextMessageCreates(count: number, fault: TwilioFault): void {
    this.failNext('messages.create', count, fault);
  }

  // ---- what happened ------------------------------------------------------------------------

  /** Messages Twilio accepted (it would send them), optionally to one recipient and/or with one body. */
  acceptedMessages(filter: { to?: string; body?: string } = {}): StandInMessage[] {
    return this.messages.filter(
      (m) =>
        (filter.to === undefined || plainAddress(m.to) === plainAddress(filter.to)) &&
        (filter.body === undefined || m.body === filter.body),
    );
  }

  acceptedCount(filter: { to?: string; body?: string } = {}): number {
    return this.acceptedMessages(filter).length;
  }

  message(sid: string): StandInMessage | undefined {
    return this.messages.find((m) => m.sid === sid);
  }

  call(sid: string): StandInCall | undefined {
    return this.calls.find((c) => c.sid === sid);
  }

  ownedNumbers(): string[] {
    return this.owned.map((n) => n.phoneNumber);
  }

  /** Moves a call along as the network would (ringing, answered, ended, AMD verdict, price). */
  updateCall(
    sid: string,
    patch: Partial<Pick<StandInCall, 'status' | 'answeredBy' | 'duration' | 'price' | 'recordingUrl'>>,
  ): StandInCall {
    const call = this.call(sid);
    if (!call) throw new Error(`no call ${sid}`);
    Object.assign(call, patch);
    const now = new Date();
    if (patch.status && patch.status !== 'queued' && !call.startTime) call.startTime = now;
    if (patch.status && isCallOver(patch.status) && !call.endTime) call.endTime = now;
    call.dateUpdated = now;
    return call;
  }

  // ---- webhooks, signed as Twilio signs them -------------------------------------------------

  /** Posts a message status callback to the message's StatusCallback URL. */
  async fireMessageStatus(
    sid: string,
    status: string,
    extra: { errorCode?: number; errorMessage?: string } = {},
  ): Promise<{ status: number; body: string }> {
    const message = this.message(sid);
    if (!message?.statusCallback) throw new Error(`message ${sid} has no StatusCallback`);
    message.status = status;
    message.dateUpdated = new Date();
    if (extra.errorCode !== undefined) message.errorCode = extra.errorCode;
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: API_VERSION,
      From: message.from ?? '',
      To: message.to,
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: status,
      SmsStatus: status,
      ...(message.messagingServiceSid ? { MessagingServiceSid: message.messagingServiceSid } : {}),
      ...(extra.errorCode !== undefined ? { ErrorCode: String(extra.errorCode) } : {}),
      ...(extra.errorMessage !== undefined ? { ErrorMessage: extra.errorMessage } : {}),
    };
    return this.post(message.statusCallback, params);
  }

  /** Applies `patch`, then posts a call status callback to the call's StatusCallback URL. */
  async fireCallStatus(
    sid: string,
    patch: Parameters<TwilioStandIn['updateCall']>[1] = {},
  ): Promise<{ status: number; body: string }> {
    const call = this.updateCall(sid, patch);
    if (!call.statusCallback) throw new Error(`call ${sid} has no StatusCallback`);
    call.sequence += 1;
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: API_VERSION,
      CallSid: sid,
      CallStatus: call.status,
      Called: call.to,
      Caller: call.from,
      To: call.to,
      From: call.from,
      Direction: 'outbound-api',
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(call.sequence),
      Timestamp: rfc2822(new Date()),
      ...(call.answeredBy ? { AnsweredBy: call.answeredBy } : {}),
      ...(isCallOver(call.status) && call.duration !== null
        ? { CallDuration: String(call.duration), Duration: String(Math.ceil(call.duration / 60)) }
        : {}),
      ...(call.price ? { Price: call.price, PriceUnit: call.priceUnit } : {}),
      ...(call.recordingUrl ? { RecordingUrl: call.recordingUrl } : {}),
    };
    return this.post(call.statusCallback, params);
  }

  /** Posts an incoming SMS/WhatsApp message webhook, as Twilio does to a number's SmsUrl. */
  async fireInboundMessage(
    url: string,
    message: {
      from: string;
      to: string;
      body: string;
      channel?: 'sms' | 'whatsapp';
      profileName?: string;
      media?: Array<{ url: string; contentType: string }>;
    },
  ): Promise<{ status: number; body: string; messageSid: string }> {
    const sid = newSid(message.media?.length ? 'MM' : 'SM');
    const wire = (address: string) => (message.channel === 'whatsapp' ? `whatsapp:${address}` : address);
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: API_VERSION,
      MessageSid: sid,
      SmsMessageSid: sid,
      SmsSid: sid,
      SmsStatus: 'received',
      From: wire(message.from),
      To: wire(message.to),
      Body: message.body,
      NumMedia: String(message.media?.length ?? 0),
      NumSegments: String(smsSegments(message.body).segments),
      ...(message.profileName ? { ProfileName: message.profileName, WaId: message.from.slice(1) } : {}),
    };
    message.media?.forEach((m, i) => {
      params[`MediaUrl${i}`] = m.url;
      params[`MediaContentType${i}`] = m.contentType;
    });
    return { ...(await this.post(url, params)), messageSid: sid };
  }

  private async post(url: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
    const { headers, body } = buildTwilioWebhook(this.authToken, url, params);
    const response = await fetch(url, { method: 'POST', headers, body });
    return { status: response.status, body: await response.text() };
  }

  // ---- the REST API -------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<Answered> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const form = new URLSearchParams(await readBody(req));
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: url.searchParams, form });

    if (!this.authorised(req)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
      return sendError(res, 401, 20003, 'Authenticate');
    }
    const prefix = `/${API_VERSION}/Accounts/${this.accountSid}`;
    const path = url.pathname;
    if (path === `${prefix}.json` && method === 'GET') return sendJson(res, 200, this.accountJson());
    if (!path.startsWith(`${prefix}/`)) return notFound(res, path);
    const rest = path.slice(prefix.length);
    const query = url.searchParams;

    const messageSid = /^\/Messages\/(\w+)\.json$/.exec(rest)?.[1];
    const callSid = /^\/Calls\/(\w+)\.json$/.exec(rest)?.[1];
    const country = /^\/AvailablePhoneNumbers\/([A-Z]{2})\/Local\.json$/.exec(rest)?.[1];
    const numberSid = /^\/IncomingPhoneNumbers\/(\w+)\.json$/.exec(rest)?.[1];
    if (rest === '/Messages.json' && method === 'POST') return this.createMessage(res, form);
    if (rest === '/Messages.json' && method === 'GET') {
      return sendJson(
        res,
        200,
        this.page(this.listMessages(query), query, path, 'messages', (x) => this.messageJson(x)),
      );
    }
    if (messageSid && method === 'GET') {
      const message = this.message(messageSid);
      return message ? sendJson(res, 200, this.messageJson(message)) : notFound(res, path);
    }
    if (rest === '/Calls.json' && method === 'POST') return this.createCall(res, form);
    if (rest === '/Calls.json' && method === 'GET') {
      return sendJson(
        res,
        200,
        this.page(this.listCalls(query), query, path, 'calls', (x) => this.callJson(x)),
      );
    }
    if (callSid) {
      const call = this.call(callSid);
      if (!call) return notFound(res, path);
      if (method === 'GET') return sendJson(res, 200, this.callJson(call));
      if (method === 'POST') return this.updateCallFromApi(res, call, form);
    }
    if (country && method === 'GET') {
      return this.searchNumbers(res, country, query, path);
    }
    if (rest === '/IncomingPhoneNumbers.json' && method === 'POST') return this.buyNumber(res, form);
    if (rest === '/IncomingPhoneNumbers.json' && method === 'GET') {
      return sendJson(
        res,
        200,
        this.page(this.owned, query, path, 'incoming_phone_numbers', (x) => this.incomingJson(x)),
      );
    }
    if (numberSid) {
      const index = this.owned.findIndex((n) => n.sid === numberSid);
      const number = this.owned[index];
      if (!number) return notFound(res, path);
      if (method === 'GET') return sendJson(res, 200, this.incomingJson(number));
      if (method === 'DELETE') {
        this.owned.splice(index, 1);
        this.inventory.push(number);
        res.writeHead(204).end();
        return ANSWERED;
      }
    }
    return notFound(res, path);
  }

  private authorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const [user, ...password] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    return user === this.accountSid && password.join(':') === this.authToken;
  }

  /** Answers with the next queued fault for `operation`, if any; returns whether to hang after accepting. */
  private applyFault(res: ServerResponse, operation: FaultedOperation): 'answered' | 'hang' | 'reset' | 'none' {
    const fault = this.faults[operation].shift();
    if (!fault) return 'none';
    switch (fault.kind) {
      case 'server-error':
        sendError(res, fault.status ?? 500, 20500, 'Internal Server Error');
        return 'answered';
      case 'rate-limited':
        res.setHeader('Retry-After', fault.retryAfter);
        sendError(res, 429, 20429, 'Too Many Requests');
        return 'answered';
      case 'twilio-error':
        sendError(res, fault.status, fault.code, fault.message);
        return 'answered';
      case 'accept-then-hang':
        return 'hang';
      case 'accept-then-reset':
        return 'reset';
    }
  }

  /** A resource was accepted: answer 201, or fail the connection as the pending fault says. */
  private answerCreated(res: ServerResponse, fault: 'hang' | 'reset' | 'none', resource: unknown): Answered {
    if (fault === 'reset') {
      res.socket?.resetAndDestroy();
      return ANSWERED;
    }
    if (fault === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return ANSWERED;
    }
    return sendJson(res, 201, resource);
  }

  private createMessage(res: ServerResponse, form: URLSearchParams): Answered {
    const fault = this.applyFault(res, 'messages.create');
    if (fault === 'answered') return ANSWERED;
    const to = form.get('To');
    const from = form.get('From');
    const messagingServiceSid = form.get('MessagingServiceSid');
    const contentSid = form.get('ContentSid');
    const contentVariables = form.get('ContentVariables');
    const mediaUrls = form.getAll('MediaUrl');
    let body = form.get('Body') ?? '';

    if (!to) return sendError(res, 400, 21604, "A 'To' phone number is required.");
    if (!from && !messagingServiceSid) return sendError(res, 400, 21603, "A 'From' phone number is required.");
    if (!body && !mediaUrls.length && !contentSid) return sendError(res, 400, 21602, 'Message body is required.');
    if (body.length > MAX_BODY) {
      return sendError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    const whatsapp = to.startsWith('whatsapp:');
    if (from && from.startsWith('whatsapp:') !== whatsapp) {
      return sendError(res, 400, 21910, 'Invalid From and To pair. From and To should be of the same channel');
    }
    const recipient = plainAddress(to);
    if (!E164.test(recipient)) return sendError(res, 400, 21211, `Invalid 'To' Phone Number: ${recipient}`);
    if (this.optedOut.has(recipient)) return sendError(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
    if (contentSid) {
      const template = this.contents.get(contentSid);
      if (template === undefined) return sendError(res, 400, 21655, 'The Content SID is Invalid.');
      const variables = parseContentVariables(contentVariables);
      if (!variables) return sendError(res, 400, 21656, 'The ContentVariables Parameter is invalid.');
      body = template.replace(/\{\{(\d+)\}\}/g, (_, n: string) => variables[n] ?? '');
    }
    const outsideWindow = whatsapp && !contentSid && this.closedWhatsAppWindows.has(recipient);
    if (outsideWindow && this.outsideWindowFailure === 'reject') {
      return sendError(
        res,
        400,
        63016,
        'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
      );
    }

    const now = new Date();
    const message: StandInMessage = {
      sid: newSid(mediaUrls.length ? 'MM' : 'SM'),
      to,
      from,
      messagingServiceSid,
      body,
      contentSid,
      contentVariables,
      mediaUrls,
      numSegments: whatsapp ? 1 : smsSegments(body).segments,
      status: messagingServiceSid ? 'accepted' : 'queued',
      errorCode: null,
      errorMessage: null,
      statusCallback: form.get('StatusCallback'),
      price: null,
      dateCreated: now,
      dateSent: null,
      dateUpdated: now,
    };
    this.messages.push(message);
    const answer = this.messageJson(message);
    if (outsideWindow) {
      Object.assign(message, { status: 'failed', errorCode: 63016, errorMessage: 'Outside the allowed window' });
    } else if (!this.holdMessagesQueued) {
      Object.assign(message, { status: 'sent', dateSent: now, price: whatsapp ? '-0.0050' : '-0.0079' });
    }
    return this.answerCreated(res, fault, answer);
  }

  private listMessages(query: URLSearchParams): StandInMessage[] {
    return this.messages
      .filter((m) => !query.has('To') || m.to === query.get('To'))
      .filter((m) => !query.has('From') || m.from === query.get('From'))
      .filter((m) => matchesDateFilters(m.dateSent, query, 'DateSent'))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
  }

  private createCall(res: ServerResponse, form: URLSearchParams): Answered {
    const fault = this.applyFault(res, 'calls.create');
    if (fault === 'answered') return ANSWERED;
    const to = form.get('To');
    const from = form.get('From');
    if (!to) return sendError(res, 400, 21201, "No 'To' number is specified");
    if (!from) return sendError(res, 400, 21213, "No 'From' number is specified");
    if (!form.get('Url') && !form.get('Twiml') && !form.get('ApplicationSid')) {
      return sendError(res, 400, 21205, 'Url parameter is required.');
    }
    if (!E164.test(to)) return sendError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!E164.test(from)) return sendError(res, 400, 21212, `Invalid 'From' Phone Number: ${from}`);
    const now = new Date();
    const call: StandInCall = {
      sid: newSid('CA'),
      to,
      from,
      status: 'queued',
      answeredBy: null,
      duration: null,
      price: null,
      priceUnit: 'USD',
      recordingUrl: null,
      statusCallback: form.get('StatusCallback'),
      params: form,
      dateCreated: now,
      startTime: null,
      endTime: null,
      dateUpdated: now,
      sequence: -1,
    };
    this.calls.push(call);
    return this.answerCreated(res, fault, this.callJson(call));
  }

  /** Status=canceled stops a call not yet answered; Status=completed hangs up any live call. */
  private updateCallFromApi(res: ServerResponse, call: StandInCall, form: URLSearchParams): Answered {
    const status = form.get('Status');
    if (status && status !== 'canceled' && status !== 'completed') {
      return sendError(res, 400, 21218, `Invalid Status: ${status}`);
    }
    const live = !isCallOver(call.status);
    if (status === 'canceled' && (call.status === 'queued' || call.status === 'ringing')) {
      this.updateCall(call.sid, { status: 'canceled' });
    } else if (status === 'completed' && live) {
      const seconds =
        call.startTime && call.status === 'in-progress'
          ? Math.round((Date.now() - call.startTime.getTime()) / 1000)
          : 0;
      this.updateCall(call.sid, { status: 'completed', duration: seconds });
    }
    return sendJson(res, 200, this.callJson(call));
  }

  private listCalls(query: URLSearchParams): StandInCall[] {
    return this.calls
      .filter((c) => !query.has('To') || c.to === query.get('To'))
      .filter((c) => !query.has('From') || c.from === query.get('From'))
      .filter((c) => !query.has('Status') || c.status === query.get('Status'))
      .filter((c) => matchesDateFilters(c.startTime, query, 'StartTime'))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
  }

  private searchNumbers(res: ServerResponse, country: string, query: URLSearchParams, path: string): Answered {
    const inCountry = this.inventory.filter((n) => n.isoCountry === country);
    if (!inCountry.length) return notFound(res, path);
    const areaCode = query.get('AreaCode');
    const contains = query.get('Contains');
    const pattern = contains ? containsPattern(contains) : undefined;
    const found = inCountry
      .filter((n) => !areaCode || (country === 'US' && n.phoneNumber.startsWith(`+1${areaCode}`)))
      .filter((n) => !pattern || pattern.test(n.phoneNumber.slice(1)));
    const pageSize = Math.min(Number(query.get('PageSize') ?? 50) || 50, 1000);
    return sendJson(res, 200, {
      uri: `${path}?${query}`,
      available_phone_numbers: found.slice(0, pageSize).map((n) => ({
        friendly_name: friendlyNumber(n.phoneNumber),
        phone_number: n.phoneNumber,
        lata: null,
        locality: n.locality,
        rate_center: n.locality.toUpperCase(),
        latitude: null,
        longitude: null,
        region: n.region,
        postal_code: null,
        iso_country: n.isoCountry,
        address_requirements: 'none',
        beta: false,
        capabilities: { voice: true, SMS: true, MMS: n.isoCountry === 'US' },
      })),
    });
  }

  private buyNumber(res: ServerResponse, form: URLSearchParams): Answered {
    const phoneNumber = form.get('PhoneNumber');
    if (!phoneNumber || !E164.test(phoneNumber)) {
      return sendError(res, 400, 21421, `PhoneNumber is invalid: ${phoneNumber ?? ''}`);
    }
    const index = this.inventory.findIndex((n) => n.phoneNumber === phoneNumber);
    const available = this.inventory[index];
    if (!available) return sendError(res, 400, 21422, `PhoneNumber ${phoneNumber} is not available.`);
    this.inventory.splice(index, 1);
    const number: IncomingNumberRecord = {
      ...available,
      sid: newSid('PN'),
      voiceUrl: form.get('VoiceUrl'),
      smsUrl: form.get('SmsUrl'),
      statusCallback: form.get('StatusCallback'),
      dateCreated: new Date(),
    };
    this.owned.push(number);
    return sendJson(res, 201, this.incomingJson(number));
  }

  // ---- resource JSON, with Twilio's field names ---------------------------------------------

  private uri(rest: string): string {
    return `/${API_VERSION}/Accounts/${this.accountSid}${rest}`;
  }

  private accountJson(): Record<string, unknown> {
    const created = rfc2822(new Date('2024-01-02T03:04:05Z'));
    return {
      sid: this.accountSid,
      owner_account_sid: this.accountSid,
      friendly_name: this.accountFriendlyName,
      status: this.accountStatus,
      type: 'Full',
      date_created: created,
      date_updated: created,
      uri: this.uri('.json'),
      subresource_uris: {
        calls: this.uri('/Calls.json'),
        messages: this.uri('/Messages.json'),
        incoming_phone_numbers: this.uri('/IncomingPhoneNumbers.json'),
        available_phone_numbers: this.uri('/AvailablePhoneNumbers.json'),
      },
    };
  }

  private messageJson(m: StandInMessage): Record<string, unknown> {
    return {
      account_sid: this.accountSid,
      api_version: API_VERSION,
      body: m.body,
      date_created: rfc2822(m.dateCreated),
      date_sent: m.dateSent ? rfc2822(m.dateSent) : null,
      date_updated: rfc2822(m.dateUpdated),
      direction: 'outbound-api',
      error_code: m.errorCode,
      error_message: m.errorMessage,
      from: m.from,
      messaging_service_sid: m.messagingServiceSid,
      num_media: String(m.mediaUrls.length),
      num_segments: String(m.numSegments),
      price: m.price,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: {
        media: this.uri(`/Messages/${m.sid}/Media.json`),
        feedback: this.uri(`/Messages/${m.sid}/Feedback.json`),
      },
      to: m.to,
      uri: this.uri(`/Messages/${m.sid}.json`),
    };
  }

  private callJson(c: StandInCall): Record<string, unknown> {
    return {
      account_sid: this.accountSid,
      annotation: null,
      answered_by: c.answeredBy,
      api_version: API_VERSION,
      caller_name: null,
      date_created: rfc2822(c.dateCreated),
      date_updated: rfc2822(c.dateUpdated),
      direction: 'outbound-api',
      duration: c.duration === null ? null : String(c.duration),
      end_time: c.endTime ? rfc2822(c.endTime) : null,
      forwarded_from: null,
      from: c.from,
      from_formatted: friendlyNumber(c.from),
      group_sid: null,
      parent_call_sid: null,
      phone_number_sid: null,
      price: c.price,
      price_unit: c.priceUnit,
      queue_time: '0',
      sid: c.sid,
      start_time: c.startTime ? rfc2822(c.startTime) : null,
      status: c.status,
      subresource_uris: {
        recordings: this.uri(`/Calls/${c.sid}/Recordings.json`),
        events: this.uri(`/Calls/${c.sid}/Events.json`),
      },
      to: c.to,
      to_formatted: friendlyNumber(c.to),
      trunk_sid: null,
      uri: this.uri(`/Calls/${c.sid}.json`),
    };
  }

  private incomingJson(n: IncomingNumberRecord): Record<string, unknown> {
    return {
      account_sid: this.accountSid,
      address_requirements: 'none',
      address_sid: null,
      api_version: API_VERSION,
      beta: false,
      bundle_sid: null,
      capabilities: { voice: true, sms: true, mms: n.isoCountry === 'US', fax: false },
      date_created: rfc2822(n.dateCreated),
      date_updated: rfc2822(n.dateCreated),
      emergency_status: 'Inactive',
      friendly_name: friendlyNumber(n.phoneNumber),
      identity_sid: null,
      origin: 'twilio',
      phone_number: n.phoneNumber,
      sid: n.sid,
      sms_application_sid: null,
      sms_fallback_method: 'POST',
      sms_fallback_url: '',
      sms_method: 'POST',
      sms_url: n.smsUrl ?? '',
      status: 'in-use',
      status_callback: n.statusCallback ?? '',
      status_callback_method: 'POST',
      trunk_sid: null,
      uri: this.uri(`/IncomingPhoneNumbers/${n.sid}.json`),
      voice_application_sid: null,
      voice_caller_id_lookup: false,
      voice_fallback_method: 'POST',
      voice_fallback_url: null,
      voice_method: 'POST',
      voice_receive_mode: 'voice',
      voice_url: n.voiceUrl ?? '',
    };
  }

  /** Twilio's 2010-04-01 paging envelope: Page/PageSize in, next_page_uri etc. out. */
  private page<T>(
    items: T[],
    query: URLSearchParams,
    path: string,
    key: string,
    render: (item: T) => Record<string, unknown>,
  ): Record<string, unknown> {
    const pageSize = Math.min(Math.max(Number(query.get('PageSize') ?? 50) || 50, 1), 1000);
    const pageNumber = Math.max(Number(query.get('Page') ?? 0) || 0, 0);
    const start = pageNumber * pageSize;
    const slice = items.slice(start, start + pageSize);
    const pageUri = (n: number) => {
      const q = new URLSearchParams(query);
      q.set('PageSize', String(pageSize));
      q.set('Page', String(n));
      q.delete('PageToken');
      if (n > 0) q.set('PageToken', `PA${newSid('').slice(0, 32)}`);
      return `${path}?${q}`;
    };
    return {
      [key]: slice.map(render),
      end: start + Math.max(slice.length - 1, 0),
      first_page_uri: pageUri(0),
      next_page_uri: start + pageSize < items.length ? pageUri(pageNumber + 1) : null,
      page: pageNumber,
      page_size: pageSize,
      previous_page_uri: pageNumber > 0 ? pageUri(pageNumber - 1) : null,
      start,
      uri: pageUri(pageNumber),
    };
  }
}

// ---- helpers ------------------------------------------------------------------------------------

function newSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** Twilio's dates: RFC 2822 in GMT, written "+0000". */
function rfc2822(at: Date): string {
  return at.toUTCString().replace('GMT', '+0000');
}

function plainAddress(address: string): string {
  return address.replace(/^whatsapp:/, '');
}

function isCallOver(status: string): boolean {
  return ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status);
}

function friendlyNumber(e164: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return us ? `(${us[1]}) ${us[2]}-${us[3]}` : e164;
}

/** `Name`, `Name<` and `Name>` (the wire form of Twilio's `Name>=`) accept a date or a date-time. */
function matchesDateFilters(value: Date | null, query: URLSearchParams, name: string): boolean {
  const exact = query.get(name);
  const after = query.get(`${name}>`);
  const before = query.get(`${name}<`);
  if (exact === null && after === null && before === null) return true;
  if (!value) return false;
  const day = value.toISOString().slice(0, 10);
  const compare = (bound: string): number => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(bound)) return day < bound ? -1 : day > bound ? 1 : 0;
    const instant = Date.parse(bound);
    return Math.sign(value.getTime() - instant);
  };
  if (exact !== null && compare(exact) !== 0) return false;
  if (after !== null && compare(after) < 0) return false;
  if (before !== null && compare(before) > 0) return false;
  return true;
}

/** Twilio's Contains: digits, keypad letters and `*` for any digit, matched anywhere in the number. */
function containsPattern(contains: string): RegExp {
  const keypad: Record<string, string> = {
    abc: '2',
    def: '3',
    ghi: '4',
    jkl: '5',
    mno: '6',
    pqrs: '7',
    tuv: '8',
    wxyz: '9',
  };
  const digit = (ch: string) => {
    const lower = ch.toLowerCase();
    for (const [letters, d] of Object.entries(keypad)) if (letters.includes(lower)) return d;
    return ch;
  };
  const source = [...contains.replace(/^\+/, '')]
    .map((ch) => (ch === '*' ? '\\d' : /[0-9a-z]/i.test(ch) ? digit(ch) : ''))
    .join('');
  return new RegExp(source);
}

function parseContentVariables(raw: string | null): Record<string, string> | undefined {
  if (raw === null) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed);
    if (!entries.every(([, v]) => typeof v === 'string')) return undefined;
    return Object.fromEntries(entries) as Record<string, string>;
  } catch {
    return undefined;
  }
}

function seedInventory(): AvailableNumberRecord[] {
  const us = [
    { areaCode: '415', locality: 'San Francisco', region: 'CA' },
    { areaCode: '212', locality: 'New York', region: 'NY' },
  ].flatMap(({ areaCode, locality, region }) =>
    Array.from({ length: 10 }, (_, i) => ({
      phoneNumber: `+1${areaCode}55501${String(i).padStart(2, '0')}`,
      isoCountry: 'US',
      locality,
      region,
    })),
  );
  const gb = Array.from({ length: 5 }, (_, i) => ({
    phoneNumber: `+4420794600${String(i).padStart(2, '0')}`,
    isoCountry: 'GB',
    locality: 'London',
    region: 'ENG',
  }));
  return [...us, ...gb];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Handlers return it once the response is dealt with (sent, or deliberately left hanging). */
const ANSWERED = Symbol('answered');
type Answered = typeof ANSWERED;

function sendJson(res: ServerResponse, status: number, body: unknown): Answered {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  return ANSWERED;
}

function sendError(res: ServerResponse, status: number, code: number, message: string): Answered {
  return sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function notFound(res: ServerResponse, path: string): Answered {
  return sendError(res, 404, 20404, `The requested resource ${path} was not found`);
}
