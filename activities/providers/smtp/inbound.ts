import { createHash, timingSafeEqual } from 'node:crypto';
import PostalMime, { addressParser, type Mailbox } from 'postal-mime';
import { z } from 'zod';
import { type InboundEvent, InboundEventSchema, type MediaSchema, type RawWebhook, WebhookRejected } from '../types';

/**
 * Inbound email arrives through an inbound-parse webhook (SendGrid Inbound Parse, Postmark inbound,
 * Mailgun routes, or anything that posts the raw message). Three shapes are read, chosen by what
 * the body contains rather than by who sent it:
 *   1. the raw MIME message: a message/rfc822 body, or a field `email` (SendGrid "POST the raw,
 *      full MIME message"), `raw`, or `body-mime` (Mailgun's MIME route);
 *   2. SendGrid Inbound Parse's parsed fields (from, to, subject, text, html, headers, envelope);
 *   3. Postmark's inbound JSON (From, FromFull, TextBody, StrippedTextReply, Headers[]…) and
 *      Mailgun's parsed fields (sender, recipient, body-plain, stripped-text, Message-Id…).
 */

type Media = z.infer<typeof MediaSchema>;

/** What every format is reduced to before it becomes an InboundEvent. */
interface ReceivedEmail {
  format: string;
  /** The From header (or the envelope sender), as given. */
  from?: string;
  to?: string;
  subject?: string;
  /** The reply as the customer wrote it, quoted history removed. */
  text: string;
  messageId?: string;
  media: Media[];
  at?: Date;
}

interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
}

const invalid = (message: string) => new WebhookRejected(400, 'invalid_webhook', message);

// ---------------------------------------------------------------------------------------------
// Quoted history

const ATTRIBUTION_START = /^\s*(On|Le|Am|El|Il|Op)\s/i;
const ATTRIBUTION_END = /(wrote|a écrit|schrieb|escribió|ha scritto|schreef)\s?:\s*$/i;
const SEPARATOR =
  /^\s*-{2,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}\s*$/i;
/** Outlook's rule line above the quoted message's From:/Sent: block. */
const OUTLOOK_RULE = /^\s*_{10,}\s*$/;

/** Where the quoted history starts: an attribution line (possibly wrapped), a separator, Outlook's header block. */
function startsHistory(line: string, next: string | undefined): boolean {
  if (ATTRIBUTION_START.test(line)) {
    if (ATTRIBUTION_END.test(line)) return true;
    // Gmail wraps long attributions: "On Tue, 1 Jul 2025 at 10:00, Jane Doe <\njane@example.com> wrote:"
    if (next !== undefined && ATTRIBUTION_END.test(next) && !/^\s*>/.test(next)) return true;
  }
  if (SEPARATOR.test(line) || OUTLOOK_RULE.test(line)) return true;
  return /^\s*From:\s.+/.test(line) && next !== undefined && /^\s*(Sent|Date):\s/.test(next);
}

/**
 * The new text of a reply: everything before the quoted history, without '>' lines. When that
 * leaves nothing (a forward, a reply typed inside the quote) the full text is kept.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (startsHistory(line, lines[i + 1])) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  const reply = kept.join('\n').trim();
  return reply.length > 0 ? reply : text.trim();
}

/** Enough HTML-to-text for a message that came without a text part. */
export function htmlToText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return html
    .replace(/<(style|script|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X'))
        return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
      return entities[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Small readers shared by the formats

/** The bare, lowercased address and the display name of the first mailbox in an address header. */
function mailbox(header: string | undefined): { address: string; name?: string } | undefined {
  if (!header?.trim()) return undefined;
  const first = addressParser(header, { flatten: true }).find((m): m is Mailbox => !!m.address?.includes('@'));
  if (!first) return undefined;
  return { address: first.address.trim().toLowerCase(), ...(first.name ? { name: first.name } : {}) };
}

/** A Message-ID without its angle brackets (or whatever id-like text the provider gave). */
function bareMessageId(value: string | undefined | null): string | undefined {
  if (!value?.trim()) return undefined;
  return (/<([^<>\s]+)>/.exec(value)?.[1] ?? value.trim()).trim() || undefined;
}

function parseDate(value: string | undefined | null): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseJsonField<T>(value: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (!value) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** One value per field: form parsers give repeated fields as arrays, JSON may nest. */
function flatFields(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[name] = first;
  }
  return out;
}

/** The body text a provider gave, quoted history removed, falling back to its HTML. */
function replyText(text: string | undefined | null, html: string | undefined | null): string {
  if (text?.trim()) return stripQuotedReply(text);
  if (html?.trim()) return stripQuotedReply(htmlToText(html));
  return '';
}

// ---------------------------------------------------------------------------------------------
// 1. Raw MIME

async function fromMime(raw: Buffer | string, format: string): Promise<ReceivedEmail> {
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(raw);
  } catch (err) {
    throw invalid(`${format}: the MIME message could not be parsed (${(err as Error).message})`);
  }
  const from = email.from?.address ? email.from : email.from?.group?.[0];
  const to =
    email.deliveredTo ?? email.to?.flatMap((a) => (a.address ? [a.address] : (a.group ?? []).map((m) => m.address)))[0];
  return {
    format,
    from: from?.address ? (from.name ? `"${from.name.replace(/"/g, '')}" <${from.address}>` : from.address) : undefined,
    to,
    subject: email.subject,
    text: replyText(email.text, email.html),
    messageId: bareMessageId(email.messageId),
    media: email.attachments.map((a, i) => ({
      url: a.contentId ? `cid:${bareMessageId(a.contentId)}` : (a.filename ?? `attachment-${i + 1}`),
      contentType: a.mimeType,
    })),
    at: parseDate(email.date),
  };
}

// ---------------------------------------------------------------------------------------------
// 2. SendGrid Inbound Parse (parsed mode)

const SendGridEnvelopeSchema = z.object({ to: z.array(z.string()).optional(), from: z.string().nullish() });
const SendGridAttachmentInfoSchema = z.record(
  z.string(),
  z.object({
    filename: z.string().optional(),
    name: z.string().optional(),
    type: z.string().optional(),
    'content-id': z.string().optional(),
  }),
);

/** A header's value from a raw header block (SendGrid's `headers` field), folded lines joined. */
function headerFromBlock(block: string | undefined, name: string): string | undefined {
  if (!block) return undefined;
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

function fromSendGrid(fields: Record<string, string>, files: UploadedFile[]): ReceivedEmail {
  const envelope = parseJsonField(fields.envelope, SendGridEnvelopeSchema);
  const info = parseJsonField(fields['attachment-info'], SendGridAttachmentInfoSchema);
  const media: Media[] = info
    ? Object.entries(info).map(([field, a]) => ({
        url: a['content-id'] ? `cid:${bareMessageId(a['content-id'])}` : (a.filename ?? a.name ?? field),
        ...(a.type ? { contentType: a.type } : {}),
      }))
    : files.map((f) => ({ url: f.filename, contentType: f.contentType }));
  return {
    format: 'SendGrid Inbound Parse',
    from: fields.from ?? envelope?.from ?? undefined,
    to: envelope?.to?.[0] ?? fields.to,
    subject: fields.subject,
    text: replyText(fields.text, fields.html),
    messageId: bareMessageId(headerFromBlock(fields.headers, 'Message-ID')),
    media,
    at: parseDate(headerFromBlock(fields.headers, 'Date')),
  };
}

// ---------------------------------------------------------------------------------------------
// 3a. Postmark inbound JSON

const PostmarkAddressSchema = z.object({ Email: z.string(), Name: z.string().nullish() });
const PostmarkInboundSchema = z.object({
  From: z.string().nullish(),
  FromName: z.string().nullish(),
  FromFull: PostmarkAddressSchema.nullish(),
  To: z.string().nullish(),
  ToFull: z.array(PostmarkAddressSchema).nullish(),
  OriginalRecipient: z.string().nullish(),
  Subject: z.string().nullish(),
  /** Postmark's own id for the inbound message; the Message-ID header is in Headers. */
  MessageID: z.string().nullish(),
  Date: z.string().nullish(),
  TextBody: z.string().nullish(),
  HtmlBody: z.string().nullish(),
  StrippedTextReply: z.string().nullish(),
  Headers: z.array(z.object({ Name: z.string(), Value: z.string() })).nullish(),
  Attachments: z
    .array(z.object({ Name: z.string().nullish(), ContentType: z.string().nullish(), ContentID: z.string().nullish() }))
    .nullish(),
});

function fromPostmark(body: Record<string, unknown>): ReceivedEmail {
  const parsed = PostmarkInboundSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`Postmark inbound JSON: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}`);
  }
  const p = parsed.data;
  const header = (name: string) => p.Headers?.find((h) => h.Name.toLowerCase() === name.toLowerCase())?.Value;
  const fromFull = p.FromFull?.Email
    ? `"${(p.FromFull.Name ?? '').replace(/"/g, '')}" <${p.FromFull.Email}>`
    : undefined;
  return {
    format: 'Postmark inbound',
    from: fromFull ?? p.From ?? undefined,
    to: p.OriginalRecipient ?? p.ToFull?.[0]?.Email ?? p.To ?? undefined,
    subject: p.Subject ?? undefined,
    // Postmark already cut the quoted history; its own stripping knows more clients than ours.
    text: p.StrippedTextReply?.trim() ? p.StrippedTextReply.trim() : replyText(p.TextBody, p.HtmlBody),
    messageId: bareMessageId(header('Message-ID')) ?? bareMessageId(p.MessageID),
    media: (p.Attachments ?? []).map((a, i) => ({
      url: a.ContentID ? `cid:${bareMessageId(a.ContentID)}` : (a.Name ?? `attachment-${i + 1}`),
      ...(a.ContentType ? { contentType: a.ContentType } : {}),
    })),
    at: parseDate(p.Date ?? header('Date')),
  };
}

// ---------------------------------------------------------------------------------------------
// 3b. Mailgun routes (parsed fields)

const MailgunHeadersSchema = z.array(z.tuple([z.string(), z.string()]));
const MailgunStoredAttachmentsSchema = z.array(
  z.object({ url: z.string(), 'content-type': z.string().optional(), name: z.string().optional() }),
);

function fromMailgun(fields: Record<string, string>, files: UploadedFile[]): ReceivedEmail {
  const headers = parseJsonField(fields['message-headers'], MailgunHeadersSchema) ?? [];
  const header = (name: string) => headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  const stored = parseJsonField(fields.attachments, MailgunStoredAttachmentsSchema);
  const media: Media[] = stored
    ? stored.map((a) => ({ url: a.url, ...(a['content-type'] ? { contentType: a['content-type'] } : {}) }))
    : files.map((f) => ({ url: f.filename, contentType: f.contentType }));
  const timestamp = Number(fields.timestamp);
  return {
    format: 'Mailgun',
    from: fields.from ?? fields.From ?? fields.sender,
    to: fields.recipient ?? fields.To,
    subject: fields.subject ?? fields.Subject,
    text: fields['stripped-text']?.trim()
      ? fields['stripped-text'].trim()
      : replyText(fields['body-plain'], fields['body-html']),
    messageId: bareMessageId(fields['Message-Id'] ?? fields['message-id'] ?? header('Message-Id')),
    media,
    at:
      Number.isFinite(timestamp) && timestamp > 0
        ? new Date(timestamp * 1000)
        : parseDate(fields.Date ?? header('Date')),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the HTTP body and choosing the format

const RAW_MIME_FIELDS = ['email', 'raw', 'body-mime'] as const;

async function fromFields(body: Record<string, unknown>, files: UploadedFile[]): Promise<ReceivedEmail> {
  const fields = flatFields(body);
  for (const name of RAW_MIME_FIELDS) {
    const raw = fields[name];
    if (raw?.trim()) return fromMime(raw, `raw MIME in the "${name}" field`);
  }
  if (
    'FromFull' in body ||
    'StrippedTextReply' in body ||
    ('From' in body && ('MessageID' in body || 'TextBody' in body))
  ) {
    return fromPostmark(body);
  }
  if ('body-plain' in fields || 'stripped-text' in fields || ('sender' in fields && 'recipient' in fields)) {
    return fromMailgun(fields, files);
  }
  if ('headers' in fields || 'envelope' in fields || ('from' in fields && ('text' in fields || 'html' in fields))) {
    return fromSendGrid(fields, files);
  }
  throw invalid(
    'unrecognised inbound email: expected raw MIME (message/rfc822, or an email/raw/body-mime field), ' +
      'SendGrid Inbound Parse fields, Postmark inbound JSON or Mailgun route fields',
  );
}

async function readMultipart(
  body: Buffer,
  contentType: string,
): Promise<{ fields: Record<string, string>; files: UploadedFile[] }> {
  let form: FormData;
  try {
    // undici's multipart parser (Node's fetch) spares a dependency for a body that is already in memory.
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch (err) {
    throw invalid(`the multipart/form-data body could not be read (${(err as Error).message})`);
  }
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  for (const [name, value] of form) {
    if (typeof value === 'string') fields[name] ??= value;
    else
      files.push({ field: name, filename: value.name || name, contentType: value.type || 'application/octet-stream' });
  }
  return { fields, files };
}

function readJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('the JSON body is not an object');
  return value as Record<string, unknown>;
}

async function readEmail(contentType: string, body: Buffer | Record<string, unknown>): Promise<ReceivedEmail> {
  if (!Buffer.isBuffer(body)) return fromFields(body, []);
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  switch (mediaType) {
    case 'application/json':
      return fromFields(readJsonObject(body), []);
    case 'multipart/form-data': {
      const { fields, files } = await readMultipart(body, contentType);
      return fromFields(fields, files);
    }
    case 'application/x-www-form-urlencoded':
      return fromFields(Object.fromEntries(new URLSearchParams(body.toString('utf8'))), []);
    default:
      // message/rfc822, text/plain, application/octet-stream…: only the raw message comes unstructured.
      return fromMime(body, 'raw MIME');
  }
}

/**
 * Reads an inbound-email webhook body into one `message` event. `body` is the raw bytes (any
 * content type) or fields the HTTP layer already parsed (form fields, a JSON object).
 */
export async function parseInboundEmail(input: {
  contentType: string;
  body: Buffer | Record<string, unknown>;
}): Promise<InboundEvent[]> {
  const email = await readEmail(input.contentType, input.body);
  const sender = mailbox(email.from);
  if (!sender) {
    throw invalid(`${email.format}: the email has no sender address (the From field is missing or not an address)`);
  }
  if (!email.messageId) throw invalid(`${email.format}: the email has no Message-ID header`);
  const recipient = mailbox(email.to);
  const event = InboundEventSchema.parse({
    kind: 'message',
    channel: 'email',
    providerMessageId: email.messageId,
    from: sender.address,
    ...(recipient ? { to: recipient.address } : {}),
    text: email.text,
    ...(email.subject ? { subject: email.subject } : {}),
    ...(sender.name ? { profileName: sender.name } : {}),
    media: email.media,
    ...(email.at ? { at: email.at } : {}),
  });
  return [event];
}

// ---------------------------------------------------------------------------------------------
// Authenticating the webhook

function headerValue(headers: RawWebhook['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Every token the request presents: Bearer, Basic (password, or user when no password), ?token=. */
function presentedTokens(raw: RawWebhook): string[] {
  const tokens: string[] = [];
  const authorization = headerValue(raw.headers, 'authorization')?.trim();
  if (authorization) {
    const [scheme, credentials = ''] = authorization.split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer' && credentials) tokens.push(credentials);
    if (scheme?.toLowerCase() === 'basic' && credentials) {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      const pass = colon < 0 ? '' : decoded.slice(colon + 1);
      if (pass || user) tokens.push(pass || user);
    }
  }
  let url: URL | undefined;
  try {
    url = new URL(raw.url, 'http://localhost');
  } catch {
    url = undefined;
  }
  for (const token of url?.searchParams.getAll('token') ?? []) if (token) tokens.push(token);
  return tokens;
}

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Inbound-parse services cannot sign with our secret, but all of them let the URL carry one: as
 * Basic credentials (https://user:token@host/…), a Bearer header, or a `token` query parameter.
 */
export function verifyInboundEmailToken(inboundToken: string, raw: RawWebhook): void {
  const presented = presentedTokens(raw);
  if (presented.length === 0) {
    throw new WebhookRejected(
      401,
      'signature_missing',
      'the inbound email webhook carries no token: send Authorization: Bearer <token>, Basic credentials with the token as password, or ?token=<token>',
    );
  }
  // Check every presented token, so the time taken does not say which one was wrong.
  const matches = presented.map((token) => sameSecret(token, inboundToken));
  if (!matches.includes(true)) {
    throw new WebhookRejected(
      403,
      'signature_invalid',
      "the inbound email webhook's token does not match the channel's",
    );
  }
}
