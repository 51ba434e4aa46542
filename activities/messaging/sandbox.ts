import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { sandboxAddressProblem } from '../../flow/simulate';
import { pickWeighted } from '../../flow/weighted';
import type { SandboxConfigSchema } from '../providers/config';
import { buildTwilioWebhook } from '../providers/twilio/inbound';
import {
  type MessagingProvider,
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
  type SendResult,
  smsSegments,
} from '../providers/types';

type SandboxConfig = z.output<typeof SandboxConfigSchema>;

/** Where the simulated network posts its events: our own webhook routes, signed as Twilio signs. */
export interface SandboxNetwork {
  channelId: string;
  publicUrl: string;
  authToken: string;
  config: SandboxConfig;
  fetchImpl?: typeof fetch;
  log?: (message: string) => void;
}

export type SimulatedBehaviour = 'reply' | 'ignore' | 'stop';

/**
 * The simulated phone network every channel can use, and the default of `npm start`. It behaves
 * like a provider: it validates addresses, dedupes on the idempotency key, keeps an outbox. With a
 * `network`, it also behaves like the world behind a provider: delivery receipts and simulated
 * customers (reply, ignore, STOP — by configurable odds and scripts) arrive through the same
 * webhook route and signature check as Twilio's, so the inbound code path is the real one.
 */
export class SandboxMessagingProvider implements MessagingProvider {
  readonly name = 'sandbox' as const;
  readonly outbox: Array<OutboundMessage & { providerMessageId: string; idempotencyKey: string; at: Date }> = [];
  private readonly byKey = new Map<string, SendResult>();

  constructor(private readonly network?: SandboxNetwork) {}

  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    const existing = this.byKey.get(ctx.idempotencyKey);
    if (existing) return existing;
    const problem = sandboxAddressProblem(message.channel, message.to);
    if (problem) throw new PermanentSendError('InvalidRecipient', problem);
    if (message.template && !/^[\w.-]{1,100}$/.test(message.template.name)) {
      throw new PermanentSendError('TemplateRejected', `template "${message.template.name}" does not exist`);
    }
    const providerMessageId = `SM${digest(ctx.idempotencyKey).slice(0, 32)}`;
    const result: SendResult = {
      providerMessageId,
      status: 'queued',
      ...(message.channel === 'sms' ? { segments: smsSegments(message.text).segments } : {}),
    };
    this.byKey.set(ctx.idempotencyKey, result);
    this.outbox.push({ ...message, providerMessageId, idempotencyKey: ctx.idempotencyKey, at: new Date() });
    if (this.network) this.simulate(this.network, message, providerMessageId, ctx);
    return result;
  }

  async findSent(_message: OutboundMessage, ctx: { idempotencyKey: string }): Promise<SendResult | null> {
    return this.byKey.get(ctx.idempotencyKey) ?? null;
  }

  async testConnection() {
    return { detail: 'the sandbox network is always reachable' };
  }

  /** What the simulated customer does with this message: scripts first, then the odds. */
  static behaviour(config: SandboxConfig, text: string, key: string): { act: SimulatedBehaviour; reply?: string } {
    for (const rule of config.scripts) {
      if (safeRegex(rule.when)?.test(text)) return { act: 'reply', reply: rule.reply };
    }
    const act =
      pickWeighted(
        (['reply', 'ignore', 'stop'] as const).map((a) => [a, config.odds[a]] as const),
        Number.parseInt(digest(`${key}:behaviour`).slice(0, 8), 16) / 2 ** 32,
      ) ?? 'ignore';
    return act === 'reply' ? { act, reply: cannedReply(text, key) } : { act };
  }

  private simulate(network: SandboxNetwork, message: OutboundMessage, sid: string, ctx: SendContext) {
    const base = network.publicUrl.replace(/\/$/, '');
    const delay = network.config.replyDelayMs;
    const customer = message.channel === 'whatsapp' ? `whatsapp:${message.to}` : message.to;
    const ours = message.channel === 'whatsapp' ? `whatsapp:${network.config.from}` : network.config.from;
    const post = (url: string, params: Record<string, string>) => this.post(network, url, params);
    const receipts = async () => {
      if (!ctx.statusCallbackUrl) return;
      for (const status of ['sent', 'delivered']) {
        await post(ctx.statusCallbackUrl, {
          MessageSid: sid,
          SmsSid: sid,
          MessageStatus: status,
          AccountSid: 'ACsandbox',
          From: ours,
          To: customer,
        });
      }
    };
    const { act, reply } = SandboxMessagingProvider.behaviour(network.config, message.text, ctx.idempotencyKey);
    const answer = async () => {
      if (act === 'ignore') return;
      await post(`${base}/hooks/twilio/${network.channelId}/messages`, {
        MessageSid: `SM${digest(`${ctx.idempotencyKey}:reply`).slice(0, 32)}`,
        AccountSid: 'ACsandbox',
        From: customer,
        To: ours,
        Body: act === 'stop' ? 'STOP' : (reply ?? 'OK'),
        NumMedia: '0',
        ProfileName: 'Sandbox customer',
      });
    };
    setTimeout(() => void receipts().then(answer), Math.min(delay, 250));
  }

  private async post(network: SandboxNetwork, url: string, params: Record<string, string>) {
    const fetchImpl = network.fetchImpl ?? fetch;
    const { headers, body } = buildTwilioWebhook(network.authToken, url, params);
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const res = await fetchImpl(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
        if (res.ok) return;
        network.log?.(`sandbox webhook ${url} answered ${res.status}`);
        if (res.status < 500) return;
      } catch (err) {
        network.log?.(`sandbox webhook ${url} failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function safeRegex(source: string): RegExp | null {
  try {
    return new RegExp(source, 'i');
  } catch {
    return null;
  }
}

const REPLIES = ['Yes, that works for me', 'Sounds good, thanks!', 'Can you tell me more?', 'No thanks'];

function cannedReply(text: string, key: string): string {
  if (/\b(yes|no)\b|\?/i.test(text)) {
    return Number.parseInt(digest(`${key}:yn`).slice(0, 2), 16) % 4 === 3 ? 'No' : 'Yes';
  }
  return REPLIES[Number.parseInt(digest(`${key}:reply`).slice(0, 2), 16) % REPLIES.length] ?? 'OK';
}
