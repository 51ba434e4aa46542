import { z } from 'zod';

/**
 * What each provider needs to connect, split into what may be shown (`config`, stored as JSON) and
 * what must not (`secrets`, sealed with AES-256-GCM in Channel.credentials). The API validates a
 * channel against these before storing it; the worker parses them again on read.
 *
 * `apiBaseUrl` points an adapter at a local stand-in of the provider's API. It is honoured only
 * outside production (see `allowedBaseUrl`), so a tenant cannot aim the worker at an internal host.
 */
const BaseUrl = z.url({ protocol: /^https?$/ }).optional();

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +14155550100');

export const TwilioConfigSchema = z
  .object({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio Account SID (AC followed by 32 hex digits)'),
    /** Sender: a number (E.164) or a Messaging Service SID (MG…). WhatsApp senders are E.164 too. */
    from: E164.optional(),
    messagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/)
      .optional(),
    apiBaseUrl: BaseUrl,
  })
  .refine((c) => c.from || c.messagingServiceSid, { message: 'from or messagingServiceSid is required' });
export const TwilioSecretsSchema = z.object({ authToken: z.string().min(16).max(128) });

export const MetaConfigSchema = z.object({
  /** WhatsApp: the business phone number's ID. Messenger/Instagram: the page or IG user ID. */
  senderId: z
    .string()
    .regex(/^\d{5,30}$/, 'the Graph API sender ID (the phone number ID, page ID or Instagram user ID)'),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default('v21.0'),
  apiBaseUrl: BaseUrl,
});
export const MetaSecretsSchema = z.object({
  accessToken: z.string().min(10),
  /** Signs webhooks (X-Hub-Signature-256). */
  appSecret: z.string().min(8),
  /** Echoed in the hub.challenge handshake. */
  verifyToken: z.string().min(8),
});

export const SmtpConfigSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** true for implicit TLS (465); STARTTLS is used when the server offers it otherwise. */
  secure: z.boolean().default(false),
  from: z.string().min(3),
  /** Development stand-ins use self-signed certificates. */
  allowSelfSigned: z.boolean().default(false),
});
export const SmtpSecretsSchema = z.object({
  user: z.string().optional(),
  pass: z.string().optional(),
  /** Inbound email webhooks must carry it (Authorization: Bearer, or ?token=). */
  inboundToken: z.string().min(16),
});

export const TelegramConfigSchema = z.object({ botUsername: z.string().optional(), apiBaseUrl: BaseUrl });
export const TelegramSecretsSchema = z.object({
  botToken: z.string().regex(/^\d+:[\w-]{20,}$/, 'a Bot API token such as 123456:ABC-DEF…'),
  /** setWebhook's secret_token, echoed in X-Telegram-Bot-Api-Secret-Token. */
  secretToken: z.string().regex(/^[\w-]{16,256}$/),
});

export const WebchatConfigSchema = z.object({
  /** Origins allowed to embed the widget; empty allows any (development). */
  allowedOrigins: z.array(z.string()).default([]),
  greeting: z.string().max(500).optional(),
  title: z.string().max(100).default('Chat with us'),
});
export const WebchatSecretsSchema = z.object({});

export const SandboxConfigSchema = z.object({
  /**
   * How simulated customers behave, as relative odds. A reply is "Yes"-like text; scripts take
   * precedence: the first matching rule's reply is sent.
   */
  odds: z
    .object({
      reply: z.number().min(0).default(6),
      ignore: z.number().min(0).default(3),
      stop: z.number().min(0).default(1),
    })
    .default({ reply: 6, ignore: 3, stop: 1 }),
  callOdds: z
    .object({
      answered: z.number().min(0).default(6),
      voicemail: z.number().min(0).default(2),
      'no-answer': z.number().min(0).default(1),
      busy: z.number().min(0).default(1),
      failed: z.number().min(0).default(0),
    })
    .default({ answered: 6, voicemail: 2, 'no-answer': 1, busy: 1, failed: 0 }),
  /** [{ when: regex on our message, reply: text }] */
  scripts: z.array(z.object({ when: z.string(), reply: z.string() })).default([]),
  /** Simulated customers answer after this many milliseconds. */
  replyDelayMs: z.number().int().min(0).max(600_000).default(1500),
  /** Sender address shown for sandbox messages. */
  from: z.string().default('+15005550006'),
});
export const SandboxSecretsSchema = z.object({
  /** Signs the sandbox network's webhooks, exactly as Twilio's auth token signs Twilio's. */
  authToken: z.string().min(16),
});

export const VapiConfigSchema = z.object({
  /** The Vapi phone number (its id, not the E.164) calls are placed from. */
  phoneNumberId: z.string().trim().min(1).max(100),
  apiBaseUrl: BaseUrl,
  /** The assistant's LLM; Vapi's default (openai gpt-4o) when absent. */
  model: z.object({ provider: z.string().min(1).max(40), model: z.string().min(1).max(100) }).optional(),
});
export const VapiSecretsSchema = z.object({
  /** The organisation's private API key. */
  apiKey: z.string().min(1),
  /** Sent back by Vapi in X-Vapi-Secret on every server message. */
  webhookSecret: z.string().min(16).max(256),
});

export const PROVIDER_SCHEMAS = {
  twilio: { config: TwilioConfigSchema, secrets: TwilioSecretsSchema, kinds: ['sms', 'whatsapp', 'voice'] },
  meta: { config: MetaConfigSchema, secrets: MetaSecretsSchema, kinds: ['whatsapp', 'messenger', 'instagram'] },
  smtp: { config: SmtpConfigSchema, secrets: SmtpSecretsSchema, kinds: ['email'] },
  telegram: { config: TelegramConfigSchema, secrets: TelegramSecretsSchema, kinds: ['telegram'] },
  webchat: { config: WebchatConfigSchema, secrets: WebchatSecretsSchema, kinds: ['webchat'] },
  sandbox: {
    config: SandboxConfigSchema,
    secrets: SandboxSecretsSchema,
    kinds: ['sms', 'whatsapp', 'voice', 'email', 'telegram', 'webchat', 'messenger', 'instagram'],
  },
  vapi: { config: VapiConfigSchema, secrets: VapiSecretsSchema, kinds: ['voice'] },
} as const;

/** A stand-in base URL is honoured outside production only, and only on loopback there too. */
export function allowedBaseUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  if (process.env.NODE_ENV === 'production') return undefined;
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]' ? url : undefined;
}
