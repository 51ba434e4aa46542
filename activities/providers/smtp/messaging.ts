import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { z } from 'zod';
import { SmtpConfigSchema, SmtpSecretsSchema } from '../config';
import {
  type MessagingProvider,
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
  type SendResult,
} from '../types';
import { invalidRecipient, isEmailAddress, type SmtpAttemptProgress, toSendError } from './errors';

export type SmtpConfig = z.output<typeof SmtpConfigSchema>;
export type SmtpSecrets = z.output<typeof SmtpSecretsSchema>;

const DEFAULT_TIMEOUT_MS = 10_000;
/** RFC 5322's recommended line length: a subject that fits one header line. */
const SUBJECT_MAX_CHARS = 78;
export const IDEMPOTENCY_HEADER = 'X-Switchboard-Idempotency-Key';
/**
 * An extra field on the sendMail data: nodemailer copies unknown keys into `mail.data`, which is
 * how the stream plugin finds the attempt whose body it watches (a pooled transport interleaves
 * sends, so a transport-wide flag would not do).
 */
const ATTEMPT_FIELD = 'switchboardAttemptId';

/**
 * The Message-ID (without angle brackets) a send with this idempotency key carries. Derived, not
 * random: a resend after an unknown outcome repeats it, and receiving systems drop the duplicate.
 */
export function messageIdFor(idempotencyKey: string, senderDomain: string): string {
  const digest = createHash('sha256').update(idempotencyKey).digest('hex');
  return `${digest.slice(0, 32)}@${senderDomain}`;
}

/** The first non-empty line of the body, cut to one header line, when the flow gave no subject. */
export function defaultSubject(text: string): string {
  const firstLine = text.split(/\r?\n/).find((line) => line.trim().length > 0) ?? '';
  const chars = Array.from(firstLine.replace(/\s+/g, ' ').trim()); // code points: never split an emoji
  return chars.length <= SUBJECT_MAX_CHARS ? chars.join('') : `${chars.slice(0, SUBJECT_MAX_CHARS - 1).join('')}…`;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A plain HTML alternative: blank lines separate paragraphs, single newlines become <br>. */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

function mediaLinks(media: OutboundMessage['media']): { text: string; html: string } {
  if (!media?.length) return { text: '', html: '' };
  // Linked rather than attached: fetching tenant-supplied URLs from the worker would let a flow
  // make it request internal hosts.
  const text = `\n\n${media.map((m) => m.url).join('\n')}`;
  const html = media
    .map((m) =>
      /^https?:\/\//i.test(m.url)
        ? `<p><a href="${escapeHtml(m.url)}">${escapeHtml(m.url)}</a></p>`
        : `<p>${escapeHtml(m.url)}</p>`,
    )
    .join('\n');
  return { text, html: `\n${html}` };
}

/** One recipient, as a bare address; anything else is refused before a connection is opened. */
function parseRecipient(to: string): string {
  const candidate = to.trim();
  // addressparser reads "x@y.com\r\nBcc: z@w.com" as z@w.com: refuse control characters first.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(candidate)) throw invalidRecipient(to);
  const parsed = addressparser(candidate, { flatten: true });
  const address = parsed.length === 1 ? parsed[0]?.address : undefined;
  if (!address || !isEmailAddress(address)) throw invalidRecipient(to);
  return address;
}

/**
 * Hands the message body on unchanged, noting when the connection first reads it. Nodemailer pipes
 * the body only after the server answered DATA with 354: before that the server cannot have the
 * message, after it a lost connection leaves delivery unknown.
 */
function announceFirstRead(body: Readable, onFirstRead: () => void): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    onFirstRead();
    yield* body;
  }
  return Readable.from(chunks(), { objectMode: false });
}

function createPool(config: SmtpConfig, secrets: SmtpSecrets, timeoutMs: number) {
  return nodemailer.createTransport({
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: secrets.user ? { user: secrets.user, pass: secrets.pass ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    tls: { rejectUnauthorized: !config.allowSelfSigned },
    // Messages are built from text only; nothing may make the worker read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
}
type SmtpPool = ReturnType<typeof createPool>;

interface AttemptWatch extends SmtpAttemptProgress {
  /** The stream plugin found this attempt and is watching its body. */
  watched: boolean;
}

/** Email through the channel's own SMTP server (its relay, SES/Postmark/SendGrid SMTP, a mailbox). */
export class SmtpMessagingProvider implements MessagingProvider {
  readonly name = 'smtp' as const;
  readonly channel = 'email' as const;
  private readonly config: SmtpConfig;
  private readonly secrets: SmtpSecrets;
  /** One pool per timeout: nodemailer fixes timeouts per connection, the caller sets them per send. */
  private readonly pools = new Map<number, SmtpPool>();
  private readonly attempts = new Map<string, AttemptWatch>();

  constructor(config: z.input<typeof SmtpConfigSchema>, secrets: z.input<typeof SmtpSecretsSchema>) {
    this.config = SmtpConfigSchema.parse(config);
    this.secrets = SmtpSecretsSchema.parse(secrets);
  }

  // No findSent: SMTP has no way to look a message up. A resend after an unknown outcome carries
  // the same Message-ID (messageIdFor), which is what receiving systems deduplicate on.

  async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    if (message.template) {
      throw new PermanentSendError(
        'TemplateRejected',
        `email has no provider templates ("${message.template.name}"): send the text and a subject instead`,
      );
    }
    const to = parseRecipient(message.to);
    const sender = this.sender();
    const messageId = messageIdFor(ctx.idempotencyKey, sender.domain);
    const links = mediaLinks(message.media);
    const attemptId = randomUUID();
    const watch: AttemptWatch = { watched: false, bodyStarted: false };
    const mail: SendMailOptions & { [ATTEMPT_FIELD]: string } = {
      from: sender.name ? { name: sender.name, address: sender.address } : sender.address,
      to,
      subject: message.subject?.trim() ? message.subject.replace(/\s+/g, ' ').trim() : defaultSubject(message.text),
      text: message.text + links.text,
      html: textToHtml(message.text) + links.html,
      messageId: `<${messageId}>`,
      headers: { [IDEMPOTENCY_HEADER]: ctx.idempotencyKey.replace(/[\r\n]+/g, ' ') },
      [ATTEMPT_FIELD]: attemptId,
    };
    this.attempts.set(attemptId, watch);
    try {
      await this.pool(ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS).sendMail(mail);
    } catch (err) {
      // An unwatched body could have gone out unseen: never call that 'not-sent'.
      throw toSendError(err, { bodyStarted: watch.bodyStarted || !watch.watched });
    } finally {
      this.attempts.delete(attemptId);
    }
    return { providerMessageId: messageId, status: 'sent' };
  }

  async testConnection(): Promise<{ detail: string }> {
    try {
      await this.pool(DEFAULT_TIMEOUT_MS).verify();
    } catch (err) {
      throw toSendError(err, { bodyStarted: false });
    }
    const what = this.secrets.user ? 'accepted the login' : 'accepted the connection';
    return { detail: `SMTP ${this.config.host}:${this.config.port} ${what}` };
  }

  /** Closes the pooled connections (the worker on shutdown, tests after each case). */
  close(): void {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }

  private sender(): { address: string; name: string; domain: string } {
    const parsed = addressparser(this.config.from, { flatten: true })[0];
    const address = parsed?.address ?? '';
    const domain = address.split('@')[1]?.toLowerCase();
    if (!domain || !isEmailAddress(address)) {
      throw new PermanentSendError(
        'InvalidRequest',
        `the channel's from address "${this.config.from}" is not an email address`,
      );
    }
    return { address, name: parsed?.name ?? '', domain };
  }

  private pool(timeoutMs: number): SmtpPool {
    const existing = this.pools.get(timeoutMs);
    if (existing) return existing;
    const pool = createPool(this.config, this.secrets, timeoutMs);
    pool.use('stream', (mail, done) => {
      const attemptId: unknown = (mail.data as Record<string, unknown>)[ATTEMPT_FIELD];
      const watch = typeof attemptId === 'string' ? this.attempts.get(attemptId) : undefined;
      if (watch) {
        watch.watched = true;
        mail.message.processFunc((body) =>
          announceFirstRead(body, () => {
            watch.bodyStarted = true;
          }),
        );
      }
      done();
    });
    this.pools.set(timeoutMs, pool);
    return pool;
  }
}
