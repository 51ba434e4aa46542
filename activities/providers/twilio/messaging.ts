import { z } from 'zod';
import type { TwilioConfigSchema, TwilioSecretsSchema } from '../config';
import {
  type MessagingProvider,
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
  type SendResult,
  TransientSendError,
} from '../types';
import { describeTwilioAccount, type TwilioClient, twilioClientPool } from './client';
import { permanentErrorTypeForCode, toTwilioSendError } from './errors';

export type TwilioConfig = z.output<typeof TwilioConfigSchema>;
export type TwilioSecrets = z.output<typeof TwilioSecretsSchema>;

type TwilioChannel = 'sms' | 'whatsapp';

/** A Content API SID: WhatsApp templates are sent by reference to one. */
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

/** Clocks disagree: Twilio's date_created may read slightly before our `since`. */
const CLOCK_SKEW_MS = 5_000;

/** How many of the newest messages to each recipient findSent reads besides the DateSent-filtered ones. */
const RECENT_PAGE = 50;

/** The fields of Twilio's Message resource we rely on (the library hands them back camel-cased). */
const MessageSchema = z.object({
  sid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/),
  status: z.string(),
  body: z.string().nullish(),
  to: z.string().nullish(),
  from: z.string().nullish(),
  direction: z.string().nullish(),
  messagingServiceSid: z.string().nullish(),
  numSegments: z.coerce.number().int().positive().optional().catch(undefined),
  dateCreated: z.coerce.date().nullish().catch(undefined),
  errorCode: z.union([z.number(), z.string()]).nullish(),
  errorMessage: z.string().nullish(),
});
type TwilioMessage = z.infer<typeof MessageSchema>;

/**
 * SMS and WhatsApp through Twilio's Messages API. Our addresses are plain E.164; on the wire,
 * WhatsApp addresses (To and From) carry the `whatsapp:` prefix.
 */
export class TwilioMessagingProvider implements MessagingProvider {
  readonly name = 'twilio' as const;
  private readonly client: (timeoutMs?: number) => TwilioClient;

  constructor(
    private readonly config: TwilioConfig,
    secrets: TwilioSecrets,
  ) {
    this.client = twilioClientPool({
      accountSid: config.accountSid,
      authToken: secrets.authToken,
      apiBaseUrl: config.apiBaseUrl,
    });
  }

  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    const channel = twilioChannel(message.channel);
    const params = {
      to: onWire(channel, message.to),
      ...this.sender(channel),
      ...content(channel, message),
      ...(ctx.statusCallbackUrl ? { statusCallback: ctx.statusCallbackUrl } : {}),
    };
    let created: unknown;
    try {
      created = await this.client(ctx.timeoutMs).messages.create(params);
    } catch (err) {
      throw toTwilioSendError(err);
    }
    const parsed = MessageSchema.safeParse(created);
    if (!parsed.success) {
      // Twilio said 2xx, so the message most likely went out: let the retry look it up.
      throw new TransientSendError(
        `Twilio accepted the message but its answer was unreadable: ${parsed.error.message}`,
        'unknown',
      );
    }
    return sendResult(parsed.data);
  }

  /**
   * Twilio's Messages API takes no idempotency key, so a retry after an unknown outcome asks
   * Twilio whether the earlier attempt's message exists: same recipient and sender, same body,
   * created at or after `since`.
   */
  async findSent(
    message: OutboundMessage,
    ctx: { idempotencyKey: string; since: Date; exclude?: ReadonlySet<string> },
  ): Promise<SendResult | null> {
    const channel = twilioChannel(message.channel);
    const to = onWire(channel, message.to);
    const from = this.config.from ? onWire(channel, this.config.from) : undefined;
    const filter = { to, ...(from ? { from } : {}) };
    const client = this.client();
    let listed: unknown[];
    try {
      const [sentSince, newest] = await Promise.all([
        client.messages.list({ ...filter, dateSentAfter: startOfUtcDay(ctx.since), pageSize: 100, limit: 200 }),
        // DateSent filters leave out messages still queued (date_sent is null until Twilio sends
        // them), which a busy Messaging Service queue can hold for minutes: read the newest too.
        client.messages.list({ ...filter, pageSize: RECENT_PAGE, limit: RECENT_PAGE }),
      ]);
      listed = [...sentSince, ...newest];
    } catch (err) {
      throw toTwilioSendError(err);
    }
    const notBefore = ctx.since.getTime() - CLOCK_SKEW_MS;
    const matches = listed
      .map((m) => MessageSchema.safeParse(m))
      .flatMap((r) => (r.success ? [r.data] : []))
      .filter((m) => (m.direction ?? 'outbound-api').startsWith('outbound'))
      .filter((m) => !ctx.exclude?.has(m.sid))
      .filter((m) => m.dateCreated && m.dateCreated.getTime() >= notBefore)
      .filter(
        (m) => from || !this.config.messagingServiceSid || m.messagingServiceSid === this.config.messagingServiceSid,
      )
      .filter((m) => sameContent(channel, message, m.body ?? ''))
      // The earliest is the first attempt's; a later one would be another send of the same text.
      .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0));
    const found = matches[0];
    return found ? sendResult(found, { failedIsSent: true }) : null;
  }

  async testConnection(): Promise<{ detail: string }> {
    return describeTwilioAccount(this.client());
  }

  private sender(channel: TwilioChannel): { from?: string; messagingServiceSid?: string } {
    return {
      ...(this.config.from ? { from: onWire(channel, this.config.from) } : {}),
      ...(this.config.messagingServiceSid ? { messagingServiceSid: this.config.messagingServiceSid } : {}),
    };
  }
}

function twilioChannel(channel: OutboundMessage['channel']): TwilioChannel {
  if (channel === 'sms' || channel === 'whatsapp') return channel;
  throw new PermanentSendError('InvalidRequest', `Twilio sends SMS and WhatsApp messages, not ${channel}`);
}

/** `whatsapp:+14155550100` on the wire for WhatsApp; SMS numbers go as they are. */
function onWire(channel: TwilioChannel, address: string): string {
  const plain = address.replace(/^whatsapp:/, '');
  return channel === 'whatsapp' ? `whatsapp:${plain}` : plain;
}

/**
 * The message's content parameters. A WhatsApp template goes by Content SID with numbered
 * variables; SMS has no templates, so an SMS with one sends its text.
 */
function content(
  channel: TwilioChannel,
  message: OutboundMessage,
): { body?: string; mediaUrl?: string[]; contentSid?: string; contentVariables?: string } {
  if (channel === 'whatsapp' && message.template) {
    const { name, variables } = message.template;
    if (!CONTENT_SID.test(name)) {
      throw new PermanentSendError(
        'TemplateRejected',
        `Twilio sends WhatsApp templates by Content SID (HX followed by 32 hex digits); "${name}" is not one. ` +
          'Create the template in Twilio Content Template Builder and use its SID as the template name.',
      );
    }
    const numbered = Object.fromEntries(variables.map((value, i) => [String(i + 1), value]));
    return { contentSid: name, contentVariables: JSON.stringify(numbered) };
  }
  const mediaUrl = message.media?.map((m) => m.url) ?? [];
  return { body: message.text, ...(mediaUrl.length ? { mediaUrl } : {}) };
}

function sameContent(channel: TwilioChannel, message: OutboundMessage, body: string): boolean {
  if (channel === 'whatsapp' && message.template) {
    // Twilio renders the template into `body`; we only know the variables that went into it.
    return message.template.variables.every((v) => v === '' || body.includes(v));
  }
  return body.trimEnd() === message.text.trimEnd();
}

function sendResult(message: TwilioMessage, options: { failedIsSent?: boolean } = {}): SendResult {
  const segments = message.numSegments;
  const result = (status: SendResult['status']): SendResult => ({
    providerMessageId: message.sid,
    status,
    ...(segments !== undefined ? { segments } : {}),
  });
  switch (message.status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return result('queued');
    case 'sent':
    case 'delivered':
    case 'read':
    case 'partially_delivered':
      return result('sent');
    case 'failed':
    case 'undelivered': {
      // Found on a retry: the send happened; its failure arrives as a delivery receipt.
      if (options.failedIsSent) return result('sent');
      const code = message.errorCode == null ? undefined : String(message.errorCode);
      const type = permanentErrorTypeForCode(code) ?? 'InvalidRequest';
      throw new PermanentSendError(type, message.errorMessage ?? `Twilio reported the message ${message.status}`, code);
    }
    default:
      return result('queued');
  }
}

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}
