import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Graph API's messaging endpoints (WhatsApp Cloud API, Messenger and
 * Instagram Send API), answering in Meta's documented shapes: the success bodies, the
 * `{error:{message,type,code,error_subcode,error_data,fbtrace_id}}` errors with their HTTP
 * statuses, and the node reads testConnection makes. Tests configure per-recipient refusals and
 * inject faults, and read what was accepted per recipient to assert exactly-once delivery.
 */

export interface GraphErrorSpec {
  status: number;
  code: number;
  message: string;
  subcode?: number;
  details?: string;
  type?: string;
}

/** Refusals Meta documents for a recipient; each channel answers with its own code. */
export type MetaRecipientFailure =
  | 'undeliverable'
  | 'not-in-allowed-list'
  | 'outside-window'
  | 'opted-out'
  | 'unavailable'
  | 'no-matching-user';

export type MetaFault =
  /** A JSON Graph error with a 5xx status (131000 "Something went wrong" by default). */
  | { kind: 'server-error'; status?: number; code?: number }
  /** A load balancer's HTML page instead of a Graph error. */
  | { kind: 'gateway-html'; status?: number }
  /** A rate-limit error (130429 by default, HTTP 400 as documented), with Retry-After when given. */
  | { kind: 'rate-limit'; code?: number; status?: number; retryAfterSeconds?: number }
  | ({ kind: 'graph-error' } & GraphErrorSpec)
  /** The message is accepted (counted), then no answer ever comes. */
  | { kind: 'accept-then-hang' }
  /** The message is accepted (counted), then the connection is reset. */
  | { kind: 'accept-then-reset' };

export interface StandInTemplate {
  name: string;
  languages: string[];
  bodyParameters: number;
  status?: 'APPROVED' | 'PAUSED' | 'DISABLED';
}

export interface AcceptedMessage {
  id: string;
  senderId: string;
  channel: 'whatsapp' | 'messenger' | 'instagram';
  /** WhatsApp digits, or the PSID/IGSID. */
  to: string;
  payload: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface MetaGraphStandInOptions {
  accessToken?: string;
  whatsapp?: { phoneNumberId: string; displayPhoneNumber: string; verifiedName: string };
  page?: { id: string; name: string };
  instagram?: { id: string; username: string };
  templates?: StandInTemplate[];
}

export const META_STAND_IN_DEFAULTS = {
  accessToken: 'EAAJstandinTOKEN0123456789',
  whatsapp: {
    phoneNumberId: '106540352242922',
    displayPhoneNumber: '+1 555-010-0199',
    verifiedName: 'Switchboard Test',
  },
  page: { id: '103847265011234', name: 'Switchboard Page' },
  instagram: { id: '17841400000000001', username: 'switchboard.test' },
  templates: [
    { name: 'hello_world', languages: ['en_US'], bodyParameters: 0 },
    { name: 'order_update', languages: ['en', 'en_US', 'es'], bodyParameters: 2 },
    { name: 'paused_promo', languages: ['en'], bodyParameters: 0, status: 'PAUSED' },
    { name: 'disabled_promo', languages: ['en'], bodyParameters: 0, status: 'DISABLED' },
  ] satisfies StandInTemplate[],
};

const RECIPIENT_FAILURES: Record<'whatsapp' | 'send-api', Partial<Record<MetaRecipientFailure, GraphErrorSpec>>> = {
  whatsapp: {
    undeliverable: {
      status: 400,
      code: 131026,
      message: '(#131026) Message undeliverable',
      details: 'Message Undeliverable.',
    },
    'not-in-allowed-list': {
      status: 400,
      code: 131030,
      message: '(#131030) Recipient phone number not in allowed list',
      details:
        'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.',
      subcode: 2655007,
    },
    'outside-window': {
      status: 400,
      code: 131047,
      message: '(#131047) Re-engagement message',
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    },
    'opted-out': {
      status: 400,
      code: 131050,
      message: '(#131050) Unable to deliver the message',
      details: 'This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
    },
  },
  'send-api': {
    unavailable: { status: 400, code: 551, subcode: 1545041, message: "This person isn't available right now." },
    'outside-window': {
      status: 400,
      code: 10,
      subcode: 2018278,
      message: '(#10) This message is sent outside of allowed window.',
    },
    'no-matching-user': { status: 400, code: 100, subcode: 2018001, message: '(#100) No matching user found' },
  },
};

type Sender =
  | { kind: 'whatsapp'; node: Record<string, string> }
  | { kind: 'page'; node: Record<string, string> }
  | { kind: 'instagram'; node: Record<string, string> };

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export class MetaGraphStandIn {
  readonly accessToken: string;
  readonly whatsapp: { phoneNumberId: string; displayPhoneNumber: string; verifiedName: string };
  readonly page: { id: string; name: string };
  readonly instagram: { id: string; username: string };
  readonly accepted: AcceptedMessage[] = [];
  readonly requests: RecordedRequest[] = [];
  private readonly templates: StandInTemplate[];
  private readonly senders = new Map<string, Sender>();
  private readonly recipientFailures = new Map<string, MetaRecipientFailure | GraphErrorSpec>();
  private readonly faults: MetaFault[] = [];
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  baseUrl = '';

  constructor(options: MetaGraphStandInOptions = {}) {
    this.accessToken = options.accessToken ?? META_STAND_IN_DEFAULTS.accessToken;
    this.whatsapp = options.whatsapp ?? META_STAND_IN_DEFAULTS.whatsapp;
    this.page = options.page ?? META_STAND_IN_DEFAULTS.page;
    this.instagram = options.instagram ?? META_STAND_IN_DEFAULTS.instagram;
    this.templates = options.templates ?? META_STAND_IN_DEFAULTS.templates;
    this.senders.set(this.whatsapp.phoneNumberId, {
      kind: 'whatsapp',
      node: {
        id: this.whatsapp.phoneNumberId,
        display_phone_number: this.whatsapp.displayPhoneNumber,
        verified_name: this.whatsapp.verifiedName,
        quality_rating: 'GREEN',
      },
    });
    this.senders.set(this.page.id, { kind: 'page', node: { id: this.page.id, name: this.page.name } });
    this.senders.set(this.instagram.id, {
      kind: 'instagram',
      node: { id: this.instagram.id, username: this.instagram.username, name: 'Switchboard' },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    // Hung requests keep their sockets open; close them so the server can stop.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next requests meet these faults, one each, in order. */
  injectFaults(...faults: MetaFault[]): void {
    this.faults.push(...faults);
  }

  failRecipient(to: string, failure: MetaRecipientFailure | GraphErrorSpec): void {
    this.recipientFailures.set(to.replace(/^\+/, ''), failure);
  }

  acceptedFor(to: string): AcceptedMessage[] {
    const key = to.replace(/^\+/, '');
    return this.accepted.filter((m) => m.to === key);
  }

  acceptedCount(to: string): number {
    return this.acceptedFor(to).length;
  }

  /** Clears recorded traffic, failures and pending faults between tests. */
  reset(): void {
    this.accepted.length = 0;
    this.requests.length = 0;
    this.faults.length = 0;
    this.recipientFailures.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      body = raw.toString('utf8');
    }
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      authorization: req.headers.authorization,
      body,
    });

    const fault = this.faults.shift();
    const early = fault ? faultReply(fault) : undefined;
    if (early) return send(res, early);

    const reply = this.route(req.method ?? 'GET', url, req.headers.authorization, body);
    if (reply.status < 300 && fault?.kind === 'accept-then-hang') return;
    if (reply.status < 300 && fault?.kind === 'accept-then-reset') {
      req.socket.destroy();
      return;
    }
    send(res, reply);
  }

  private route(method: string, url: URL, authorization: string | undefined, body: unknown): Reply {
    const parts = url.pathname.split('/').filter(Boolean);
    const [version, nodeId, edge, ...rest] = parts;
    if (!version || !/^v\d+\.\d+$/.test(version) || !nodeId || rest.length > 0) {
      return graphError({ status: 400, code: 2500, message: `Unknown path components: ${url.pathname}` });
    }
    const token = authorization?.match(/^Bearer (.+)$/)?.[1] ?? url.searchParams.get('access_token');
    if (token !== this.accessToken) {
      return graphError(
        { status: 401, code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
        { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"' },
      );
    }
    const sender = this.senders.get(nodeId);
    if (!sender) {
      return graphError({
        status: 400,
        code: 100,
        subcode: 33,
        message: `Unsupported ${method.toLowerCase()} request. Object with ID '${nodeId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      });
    }
    if (method === 'GET' && edge === undefined) return readNode(sender, url.searchParams.get('fields'));
    if (method === 'POST' && edge === 'messages') {
      if (!isRecord(body)) return graphError({ status: 400, code: 100, message: '(#100) Invalid JSON body' });
      return sender.kind === 'whatsapp' ? this.sendWhatsApp(nodeId, body) : this.sendSendApi(sender, nodeId, body);
    }
    return graphError({ status: 400, code: 2500, message: `Unknown path components: /${edge ?? ''}` });
  }

  private sendWhatsApp(senderId: string, body: Record<string, unknown>): Reply {
    if (body.messaging_product !== 'whatsapp') {
      return invalidParameter('(#100) The parameter messaging_product is required.');
    }
    const to = body.to;
    if (typeof to !== 'string' || !/^\d{8,15}$/.test(to)) {
      return invalidParameter('(#100) Invalid parameter', "Parameter 'to' is not a valid WhatsApp phone number");
    }
    const opaque = body.biz_opaque_callback_data;
    if (opaque !== undefined && (typeof opaque !== 'string' || opaque.length > 512)) {
      return invalidParameter('(#100) Invalid parameter', 'biz_opaque_callback_data must be a string of at most 512');
    }
    const refused = this.recipientRefusal(to, 'whatsapp');
    if (refused) return refused;
    const contentProblem = this.whatsappContentProblem(body);
    if (contentProblem) return contentProblem;
    const id = `wamid.${randomBytes(24).toString('base64url')}`;
    this.accepted.push({ id, senderId, channel: 'whatsapp', to, payload: body });
    return new Reply(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to }],
      messages: [{ id, ...(body.type === 'template' ? { message_status: 'accepted' } : {}) }],
    });
  }

  private whatsappContentProblem(body: Record<string, unknown>): Reply | undefined {
    const type = body.type ?? 'text';
    const content = typeof type === 'string' ? body[type] : undefined;
    if (!isRecord(content)) return invalidParameter(`(#100) The parameter ${String(type)} is required.`);
    switch (type) {
      case 'text':
        if (typeof content.body !== 'string' || !content.body) {
          return invalidParameter("(#100) Param text['body'] is required");
        }
        if (content.body.length > 4096)
          return invalidParameter("(#100) Param text['body'] must be at most 4096 characters long.");
        return undefined;
      case 'image':
      case 'document':
      case 'video':
      case 'audio':
        return typeof content.link === 'string' || typeof content.id === 'string'
          ? undefined
          : invalidParameter(`(#100) Param ${type}['link'] is required`);
      case 'template':
        return this.templateProblem(content);
      default:
        return graphError({ status: 400, code: 131051, message: '(#131051) Unsupported message type' });
    }
  }

  private templateProblem(template: Record<string, unknown>): Reply | undefined {
    const name = template.name;
    const language = isRecord(template.language) ? template.language.code : undefined;
    if (typeof name !== 'string' || typeof language !== 'string') {
      return invalidParameter("(#100) Param template['name'] and template['language']['code'] are required");
    }
    const known = this.templates.find((t) => t.name === name && t.languages.includes(language));
    if (!known) {
      return graphError({
        status: 404,
        code: 132001,
        message: '(#132001) Template name does not exist in the translation',
        details: `template name (${name}) does not exist in ${language}`,
      });
    }
    if (known.status === 'PAUSED')
      return graphError({ status: 400, code: 132015, message: '(#132015) Template is paused' });
    if (known.status === 'DISABLED') {
      return graphError({ status: 400, code: 132016, message: '(#132016) Template is disabled' });
    }
    const components = Array.isArray(template.components) ? template.components.filter(isRecord) : [];
    const bodyComponent = components.find((c) => c.type === 'body');
    const given = Array.isArray(bodyComponent?.parameters) ? bodyComponent.parameters.length : 0;
    if (given !== known.bodyParameters) {
      return graphError({
        status: 400,
        code: 132000,
        message: '(#132000) Number of parameters does not match the expected number of params',
        details: `body: number of localizable_params (${given}) does not match the expected number of params (${known.bodyParameters})`,
      });
    }
    return undefined;
  }

  private sendSendApi(sender: Sender, senderId: string, body: Record<string, unknown>): Reply {
    const recipient = isRecord(body.recipient) ? body.recipient.id : undefined;
    if (typeof recipient !== 'string' || !/^\d+$/.test(recipient)) {
      return invalidParameter('(#100) The parameter recipient is required');
    }
    if (!['RESPONSE', 'UPDATE', 'MESSAGE_TAG'].includes(String(body.messaging_type))) {
      return invalidParameter('(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
    }
    const refused = this.recipientRefusal(recipient, 'send-api');
    if (refused) return refused;
    const message = isRecord(body.message) ? body.message : undefined;
    const text = message?.text;
    const attachment = message?.attachment;
    if ((text === undefined) === (attachment === undefined)) {
      return invalidParameter('(#100) Exactly one of message[text] or message[attachment] must be set');
    }
    const limit = sender.kind === 'page' ? 2000 : 1000;
    if (typeof text === 'string' && text.length > limit) {
      return invalidParameter(`(#100) Length of param message[text] must be less than or equal to ${limit}`);
    }
    const channel = sender.kind === 'page' ? 'messenger' : 'instagram';
    const id =
      channel === 'messenger' ? `m_${randomBytes(24).toString('base64url')}` : randomBytes(48).toString('base64url');
    this.accepted.push({ id, senderId, channel, to: recipient, payload: body });
    return new Reply(200, { recipient_id: recipient, message_id: id });
  }

  private recipientRefusal(to: string, family: 'whatsapp' | 'send-api'): Reply | undefined {
    const failure = this.recipientFailures.get(to);
    if (!failure) return undefined;
    if (typeof failure !== 'string') return graphError(failure);
    const spec = RECIPIENT_FAILURES[family][failure];
    if (!spec) throw new Error(`the stand-in has no ${family} answer for "${failure}"`);
    return graphError(spec);
  }
}

export async function startMetaGraphStandIn(options: MetaGraphStandInOptions = {}): Promise<MetaGraphStandIn> {
  return new MetaGraphStandIn(options).start();
}

function readNode(sender: Sender, fields: string | null): Reply {
  const wanted = (fields ?? 'id').split(',').map((f) => f.trim());
  const out: Record<string, string> = {};
  for (const field of wanted) {
    const value = sender.node[field];
    if (value === undefined) {
      const nodeType = { whatsapp: 'WhatsAppBusinessPhoneNumber', page: 'Page', instagram: 'IGUser' }[sender.kind];
      return invalidParameter(`(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`);
    }
    out[field] = value;
  }
  return new Reply(200, out);
}

function faultReply(fault: MetaFault): Reply | undefined {
  switch (fault.kind) {
    case 'server-error':
      return graphError({
        status: fault.status ?? 500,
        code: fault.code ?? 131000,
        message: '(#131000) Something went wrong',
        type: 'OAuthException',
      });
    case 'gateway-html':
      return new Reply(fault.status ?? 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', {
        'content-type': 'text/html',
      });
    case 'rate-limit':
      return graphError(
        { status: fault.status ?? 400, code: fault.code ?? 130429, message: '(#130429) Rate limit hit' },
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
      );
    case 'graph-error':
      return graphError(fault);
    default:
      return undefined;
  }
}

function graphError(spec: GraphErrorSpec, headers: Record<string, string> = {}): Reply {
  return new Reply(
    spec.status,
    {
      error: {
        message: spec.message,
        type: spec.type ?? 'OAuthException',
        code: spec.code,
        ...(spec.details ? { error_data: { messaging_product: 'whatsapp', details: spec.details } } : {}),
        ...(spec.subcode === undefined ? {} : { error_subcode: spec.subcode }),
        fbtrace_id: randomBytes(8).toString('base64url'),
      },
    },
    headers,
  );
}

function invalidParameter(message: string, details?: string): Reply {
  return graphError({ status: 400, code: 100, message, ...(details ? { details } : {}) });
}

function send(res: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  res.writeHead(reply.status, {
    'content-type': isText ? 'text/html' : 'application/json; charset=UTF-8',
    'x-fb-trace-id': randomBytes(8).toString('base64url'),
    ...reply.headers,
  });
  res.end(isText ? reply.body : JSON.stringify(reply.body));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
