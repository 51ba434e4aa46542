import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Bot API (`/bot<token>/<method>`): getMe, sendMessage, sendPhoto and
 * sendDocument answer `{ok:true,result:Message}`; errors are `{ok:false,error_code,description}`
 * with the descriptions Telegram sends. Tests configure per-chat refusals and inject faults, and
 * read what was accepted per chat to assert exactly-once delivery.
 */

/** Refusals Telegram gives for a chat. */
export type TelegramChatFailure = 'chat-not-found' | 'peer-id-invalid' | 'blocked-bot' | 'user-deactivated';

export type TelegramFault =
  | { kind: 'server-error'; status?: number }
  /** nginx's HTML page in front of the Bot API. */
  | { kind: 'gateway-html'; status?: number }
  | { kind: 'flood'; retryAfterSeconds: number }
  | { kind: 'bot-api-error'; errorCode: number; description: string }
  | { kind: 'accept-then-hang' }
  | { kind: 'accept-then-reset' };

export interface AcceptedTelegramMessage {
  chatId: number;
  messageId: number;
  method: string;
  payload: Record<string, unknown>;
}

export const TELEGRAM_STAND_IN_DEFAULTS = {
  // The shape of the token in the Bot API documentation.
  botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
  bot: { id: 123456789, is_bot: true, first_name: 'Switchboard', username: 'switchboard_test_bot' },
};

const CHAT_FAILURES: Record<TelegramChatFailure, { error_code: number; description: string }> = {
  'chat-not-found': { error_code: 400, description: 'Bad Request: chat not found' },
  'peer-id-invalid': { error_code: 400, description: 'Bad Request: PEER_ID_INVALID' },
  'blocked-bot': { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
  'user-deactivated': { error_code: 403, description: 'Forbidden: user is deactivated' },
};

type Answer = { status: number; body: unknown; contentType?: string };

const ok = (result: unknown): Answer => ({ status: 200, body: { ok: true, result } });
const fail = (error_code: number, description: string, parameters?: Record<string, number>): Answer => ({
  status: error_code,
  body: { ok: false, error_code, description, ...(parameters ? { parameters } : {}) },
});

export class TelegramStandIn {
  readonly botToken: string;
  readonly accepted: AcceptedTelegramMessage[] = [];
  readonly requests: Array<{ method: string; path: string; body: unknown }> = [];
  /** Public channels the bot may post to, by @username. */
  readonly channels = new Map<string, number>();
  private readonly chatFailures = new Map<number, TelegramChatFailure>();
  private readonly faults: TelegramFault[] = [];
  private readonly nextMessageId = new Map<number, number>();
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  baseUrl = '';

  constructor(options: { botToken?: string } = {}) {
    this.botToken = options.botToken ?? TELEGRAM_STAND_IN_DEFAULTS.botToken;
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

  injectFaults(...faults: TelegramFault[]): void {
    this.faults.push(...faults);
  }

  failChat(chatId: number, failure: TelegramChatFailure): void {
    this.chatFailures.set(chatId, failure);
  }

  acceptedCount(chatId: number): number {
    return this.accepted.filter((m) => m.chatId === chatId).length;
  }

  reset(): void {
    this.accepted.length = 0;
    this.requests.length = 0;
    this.faults.length = 0;
    this.chatFailures.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stand-in');
    let body: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (raw) {
      try {
        body = { ...body, ...JSON.parse(raw) };
      } catch {
        return reply(res, fail(400, "Bad Request: can't parse JSON"));
      }
    }
    this.requests.push({ method: req.method ?? '', path: url.pathname.replace(this.botToken, '<token>'), body });

    const fault = this.faults.shift();
    const early = fault ? faultAnswer(fault) : undefined;
    if (early) return reply(res, early);

    const answer = this.route(url.pathname, body);
    if (answer.status === 200 && fault?.kind === 'accept-then-hang') return;
    if (answer.status === 200 && fault?.kind === 'accept-then-reset') {
      req.socket.destroy();
      return;
    }
    reply(res, answer);
  }

  private route(path: string, body: Record<string, unknown>): Answer {
    const match = path.match(/^\/bot([^/]+)\/([A-Za-z]+)$/);
    if (!match) return fail(404, 'Not Found');
    const [, token, method] = match;
    if (token !== this.botToken) return fail(401, 'Unauthorized');
    switch (method) {
      case 'getMe':
        return ok({ ...TELEGRAM_STAND_IN_DEFAULTS.bot, can_join_groups: true, supports_inline_queries: false });
      case 'sendMessage':
        return this.sendMessage('sendMessage', body, 'text', 4096);
      case 'sendPhoto':
        return this.sendMessage('sendPhoto', body, 'caption', 1024, 'photo');
      case 'sendDocument':
        return this.sendMessage('sendDocument', body, 'caption', 1024, 'document');
      default:
        return fail(404, 'Not Found');
    }
  }

  private sendMessage(
    method: string,
    body: Record<string, unknown>,
    textField: 'text' | 'caption',
    limit: number,
    fileField?: 'photo' | 'document',
  ): Answer {
    const chatId = this.resolveChat(body.chat_id);
    if (chatId === 'empty') return fail(400, 'Bad Request: chat_id is empty');
    if (chatId === 'unknown') return fail(400, 'Bad Request: chat not found');
    const failure = this.chatFailures.get(chatId);
    if (failure) return fail(CHAT_FAILURES[failure].error_code, CHAT_FAILURES[failure].description);
    const text = body[textField];
    if (fileField && typeof body[fileField] !== 'string')
      return fail(400, `Bad Request: there is no ${fileField} in the request`);
    if (!fileField && (typeof text !== 'string' || text.length === 0))
      return fail(400, 'Bad Request: message text is empty');
    if (typeof text === 'string' && text.length > limit) {
      return fail(
        400,
        textField === 'text' ? 'Bad Request: message is too long' : 'Bad Request: message caption is too long',
      );
    }
    const messageId = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, messageId);
    this.accepted.push({ chatId, messageId, method, payload: body });
    return ok({
      message_id: messageId,
      from: TELEGRAM_STAND_IN_DEFAULTS.bot,
      chat:
        chatId > 0
          ? { id: chatId, first_name: 'Customer', type: 'private' }
          : { id: chatId, title: 'Group', type: 'supergroup' },
      date: Math.floor(Date.now() / 1000),
      ...(typeof text === 'string' ? { [textField]: text } : {}),
    });
  }

  /** chat_id is "Integer or String": a number, its decimal string, or a channel's @username. */
  private resolveChat(value: unknown): number | 'empty' | 'unknown' {
    if (value === undefined || value === '') return 'empty';
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
    if (typeof value === 'string' && value.startsWith('@')) return this.channels.get(value) ?? 'unknown';
    return 'unknown';
  }
}

export async function startTelegramStandIn(options: { botToken?: string } = {}): Promise<TelegramStandIn> {
  return new TelegramStandIn(options).start();
}

function faultAnswer(fault: TelegramFault): Answer | undefined {
  switch (fault.kind) {
    case 'server-error':
      return fail(fault.status ?? 500, 'Internal Server Error');
    case 'gateway-html':
      return {
        status: fault.status ?? 502,
        body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
        contentType: 'text/html',
      };
    case 'flood':
      return fail(429, `Too Many Requests: retry after ${fault.retryAfterSeconds}`, {
        retry_after: fault.retryAfterSeconds,
      });
    case 'bot-api-error':
      return fail(fault.errorCode, fault.description);
    default:
      return undefined;
  }
}

function reply(res: ServerResponse, answer: Answer): void {
  const isText = typeof answer.body === 'string';
  res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
  res.end(isText ? answer.body : JSON.stringify(answer.body));
}
