import { z } from 'zod';
import { ChannelSchema } from '../../flow/nodes/send-message';
import { BusinessError } from '../errors';

/**
 * The contracts every provider adapter (activities/providers/<name>/) meets. Adapters speak their
 * provider's documented wire format and nothing else: the send activities, the inbound pipeline
 * and the voice loop only ever see these shapes.
 */

/** Message channels, plus `voice` for call channels. */
export const ChannelKindSchema = z.enum([...ChannelSchema.options, 'voice']);
export type ChannelKind = z.infer<typeof ChannelKindSchema>;

export const ProviderNameSchema = z.enum(['twilio', 'meta', 'smtp', 'telegram', 'webchat', 'sandbox', 'vapi']);
export type ProviderName = z.infer<typeof ProviderNameSchema>;

export const MediaSchema = z.object({ url: z.string(), contentType: z.string().optional() });

export const OutboundMessageSchema = z.object({
  channel: ChannelSchema,
  to: z.string(),
  text: z.string(),
  subject: z.string().optional(),
  template: z.object({ name: z.string(), language: z.string(), variables: z.array(z.string()) }).optional(),
  media: z.array(MediaSchema).optional(),
});
export type OutboundMessage = z.infer<typeof OutboundMessageSchema>;

export interface SendContext {
  /** `workflowId:nodeId:visit` (or an inbox reply's key). Passed to providers that accept one. */
  idempotencyKey: string;
  /** Where the provider should post delivery receipts for this message, when it takes a per-message URL. */
  statusCallbackUrl?: string;
  /** Abort the HTTP call after this long (the activity's own timeout is longer). */
  timeoutMs?: number;
}

export interface SendResult {
  providerMessageId: string;
  status: 'queued' | 'sent';
  /** SMS segments the provider will bill (GSM-7: 160/153 per segment; UCS-2: 70/67). */
  segments?: number;
}

/**
 * One messaging provider. `send` calls the provider once. `findSent` is asked before sending again
 * when an earlier attempt's outcome is unknown (the request may have reached the provider: a
 * timeout, a reset connection, a worker killed mid-call); it looks the message up on the provider
 * where the provider can (Twilio's message list) and returns it, or null when it was not sent.
 * Providers that cannot look messages up omit it; see activities/messaging/index.ts for what the
 * send activity does then.
 */
export interface MessagingProvider {
  readonly name: ProviderName;
  send(message: OutboundMessage, ctx: SendContext): Promise<SendResult>;
  findSent?(
    message: OutboundMessage,
    ctx: {
      idempotencyKey: string;
      since: Date;
      /**
       * Provider ids already recorded for other sends to this recipient: the same text sent twice
       * in a row must not be taken for this attempt's message.
       */
      exclude?: ReadonlySet<string>;
    },
  ): Promise<SendResult | null>;
  /** A cheap authenticated call (account fetch, getMe, SMTP NOOP) proving the credentials work. */
  testConnection(): Promise<{ detail: string }>;
}

export const PermanentErrorTypeSchema = z.enum([
  'InvalidRecipient',
  'OptedOut',
  'TemplateRejected',
  'Blocked',
  'Unauthorized',
  'InvalidRequest',
  'OutsideWindow',
]);
export type PermanentErrorType = z.infer<typeof PermanentErrorTypeSchema>;

/** The provider refused; retrying cannot help. The run takes the node's failure output. */
export class PermanentSendError extends BusinessError {
  constructor(
    type: PermanentErrorType,
    message: string,
    readonly providerCode?: string,
  ) {
    super(type, message);
    this.name = 'PermanentSendError';
  }
}

/**
 * Retrying may help. `outcome` says whether the provider may have acted: `not-sent` when it
 * answered with an error (5xx, 429) or the connection was refused; `unknown` when the request went
 * out and no answer came back (timeout, reset).
 */
export class TransientSendError extends Error {
  constructor(
    message: string,
    readonly outcome: 'not-sent' | 'unknown',
    readonly retryAfterMs?: number,
    readonly providerCode?: string,
  ) {
    super(message);
    this.name = 'TransientSendError';
  }
}

export const DeliveryStatusSchema = z.enum(['queued', 'sent', 'delivered', 'read', 'failed', 'undelivered']);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

export const CallStatusSchema = z.enum([
  'queued',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
]);
export type CallStatus = z.infer<typeof CallStatusSchema>;

/** What a verified provider webhook says, in one shape for every provider. */
export const InboundEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    channel: ChannelSchema,
    providerMessageId: z.string().min(1),
    /** The customer's address: E.164, email, chat id, PSID. */
    from: z.string().min(1),
    /** Our address it was sent to (number, email, page), when the provider says. */
    to: z.string().optional(),
    text: z.string(),
    subject: z.string().optional(),
    /** The customer's display name, when the provider gives one. */
    profileName: z.string().optional(),
    media: z.array(MediaSchema).default([]),
    at: z.date().optional(),
  }),
  z.object({
    kind: z.literal('status'),
    providerMessageId: z.string().min(1),
    status: DeliveryStatusSchema,
    errorCode: z.string().optional(),
    errorMessage: z.string().optional(),
    at: z.date().optional(),
  }),
  z.object({
    kind: z.literal('call-status'),
    providerCallId: z.string().min(1),
    status: CallStatusSchema,
    /** human | machine | unknown, from answering-machine detection. */
    answeredBy: z.enum(['human', 'machine', 'unknown']).optional(),
    durationSeconds: z.number().int().nonnegative().optional(),
    price: z.string().optional(),
    priceUnit: z.string().optional(),
    recordingUrl: z.string().optional(),
    at: z.date().optional(),
  }),
]);
export type InboundEvent = z.infer<typeof InboundEventSchema>;

/** A webhook as the HTTP layer received it: what signature checks need. */
export interface RawWebhook {
  /** The full public URL the provider posted to, with its query string (Twilio signs it). */
  url: string;
  method: string;
  headers: Record<string, string | undefined>;
  /** The exact bytes received (Meta signs them). */
  rawBody: Buffer;
}

/** Why a webhook was refused before anything was recorded. */
export class WebhookRejected extends Error {
  constructor(
    readonly statusCode: 401 | 403 | 400,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRejected';
  }
}

/** SMS segments: GSM-7 text fits 160 characters (153 per part when split), anything else 70 (67). */
export function smsSegments(text: string): { segments: number; encoding: 'GSM-7' | 'UCS-2' } {
  const gsmBasic =
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
  const gsmExtended = '^{}\\[~]|€\f';
  let units = 0;
  for (const ch of text) {
    if (gsmBasic.includes(ch)) units += 1;
    else if (gsmExtended.includes(ch)) units += 2;
    else {
      // UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two.
      const ucs = text.length;
      return { segments: ucs <= 70 ? 1 : Math.ceil(ucs / 67), encoding: 'UCS-2' };
    }
  }
  return { segments: units <= 160 ? 1 : Math.ceil(units / 153), encoding: 'GSM-7' };
}

export interface CallSnapshot {
  providerCallId: string;
  status: CallStatus;
  answeredBy?: 'human' | 'machine' | 'unknown';
  durationSeconds?: number;
  price?: string;
  priceUnit?: string;
}

export interface CreateCallRequest {
  to: string;
  from: string;
  /** Fetched by the provider when the call connects: returns the first TwiML of the agent loop. */
  answerUrl: string;
  /** Receives initiated/ringing/answered/completed events and the answering-machine verdict. */
  statusCallbackUrl: string;
  /** Answering-machine detection; with a voicemail message, wait for the beep (DetectMessageEnd). */
  machineDetection: 'Enable' | 'DetectMessageEnd' | 'off';
  /** How long to ring before giving up. */
  ringTimeoutSeconds: number;
  /** Hard cap on the call's length. */
  timeLimitSeconds: number;
  record: boolean;
  /**
   * What a hosted voice-AI platform (Vapi), which runs the conversation itself, needs: the Call
   * row, the agent, and where it reports. Providers that fetch TwiML from `answerUrl` ignore it.
   */
  hosted?: HostedCallSpec;
}

export interface HostedCallSpec {
  /** Our Call row's id. */
  callId: string;
  /** Where the platform posts its server messages (status updates, the end-of-call report). */
  webhookUrl: string;
  agent: { persona: string; firstMessage: string; voice: { provider: string; voiceId: string; language: string } };
  maxDurationSeconds: number;
}

/** Places and steers calls (Twilio Programmable Voice, the sandbox network). */
export interface VoiceProvider {
  readonly name: ProviderName;
  createCall(request: CreateCallRequest, ctx: { idempotencyKey: string }): Promise<CallSnapshot>;
  fetchCall(providerCallId: string): Promise<CallSnapshot>;
  /** Ends a call in progress (or cancels one still ringing). */
  hangup(providerCallId: string): Promise<void>;
  /**
   * A call placed to `to` from `from` since `since`, if an attempt whose outcome is unknown placed
   * one. Providers that store the attempt's idempotency key with the call (Vapi) match on it.
   */
  findCall?(
    request: Pick<CreateCallRequest, 'to' | 'from'> & { idempotencyKey?: string },
    since: Date,
  ): Promise<CallSnapshot | null>;
  testConnection(): Promise<{ detail: string }>;
}

export interface AvailableNumber {
  e164: string;
  locality?: string;
  region?: string;
  capabilities: { voice: boolean; sms: boolean; mms: boolean };
}
export interface OwnedNumber extends AvailableNumber {
  providerSid: string;
}

/** Buys, lists and releases phone numbers, pointing their webhooks at us. */
export interface NumberProvider {
  searchAvailable(query: {
    country: string;
    areaCode?: string;
    contains?: string;
    limit?: number;
  }): Promise<AvailableNumber[]>;
  buy(e164: string, hooks: { voiceUrl: string; smsUrl: string; statusCallbackUrl: string }): Promise<OwnedNumber>;
  release(providerSid: string): Promise<void>;
  list(): Promise<OwnedNumber[]>;
}

/**
 * Hosted voice-AI platforms (Bolna, Vapi, Retell): we start a call over HTTP with the agent's
 * settings and a webhook URL; the platform runs the conversation and posts one completion event.
 */
export interface HostedVoiceProvider {
  readonly name: string;
  startCall(
    request: {
      to: string;
      from?: string;
      agent: { persona: string; firstMessage: string; voice: { provider: string; voiceId: string; language: string } };
      maxDurationSeconds: number;
      webhookUrl: string;
      metadata: Record<string, string>;
    },
    ctx: { idempotencyKey: string },
  ): Promise<{ providerCallId: string }>;
  /** Verifies and reads the platform's completion webhook. */
  parseCompletion(webhook: RawWebhook): {
    providerCallId: string;
    status: CallStatus;
    answeredBy?: 'human' | 'machine' | 'unknown';
    durationSeconds?: number;
    transcript: Array<{ role: 'agent' | 'customer'; text: string }>;
    recordingUrl?: string;
    cost?: string;
  };
}
