import nodemailer, { type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { textToHtml } from '../activities/providers/smtp/messaging';
import { type Mail, MailDeliveryError, type Mailer } from './mailer';

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (implicit TLS). */
  url: string;
  /** The From header, e.g. `Switchboard <no-reply@example.com>`. */
  from: string;
  /**
   * Bounds connecting, the greeting and each wait for a reply; the whole send is also cut off at
   * twice this, so a request never hangs on a stalled mail server. Default 10 s.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Parses `SWITCHBOARD_SMTP_URL`; throws a readable error for anything else. */
export function parseSmtpUrl(raw: string): {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
} {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('SWITCHBOARD_SMTP_URL must be a URL like smtp://user:pass@host:587 or smtps://user:pass@host:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SWITCHBOARD_SMTP_URL must start with smtp:// or smtps:// (got ${url.protocol}//)`);
  }
  if (!url.hostname) throw new Error('SWITCHBOARD_SMTP_URL has no host');
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, secure, ...(user ? { auth: { user, pass } } : {}) };
}

/** The API's own mail (invitations) through an SMTP relay, configured by `SWITCHBOARD_SMTP_URL`. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly from: string;
  private readonly timeoutMs: number;

  constructor(options: SmtpMailerOptions) {
    const parsed = parseSmtpUrl(options.url);
    const sender = addressparser(options.from, { flatten: true })[0];
    if (!sender?.address?.includes('@')) {
      throw new Error('SWITCHBOARD_MAIL_FROM must hold an address, e.g. "Switchboard <no-reply@example.com>"');
    }
    this.from = options.from;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.transport = nodemailer.createTransport({
      host: parsed.host,
      port: parsed.port,
      secure: parsed.secure,
      ...(parsed.auth ? { auth: parsed.auth } : {}),
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
      // Messages are built from our own text only: nothing may make the API read files or fetch URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
  }

  async send(mail: Omit<Mail, 'at'>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new MailDeliveryError('temporary', 'the mail server did not answer in time')),
        this.timeoutMs * 2,
      );
    });
    try {
      await Promise.race([
        this.transport.sendMail({
          from: this.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html ?? textToHtml(mail.text),
        }),
        deadline,
      ]);
    } catch (err) {
      throw toMailDeliveryError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** nodemailer's error, classified; the server's reply text stays in `cause` for the log. */
function toMailDeliveryError(err: unknown): MailDeliveryError {
  if (err instanceof MailDeliveryError) return err;
  const e = err as { responseCode?: number; code?: string };
  const code = e.responseCode;
  if (code !== undefined && code >= 500) {
    const what = e.code === 'EAUTH' ? 'refused our credentials' : 'refused the message';
    return new MailDeliveryError('permanent', `the mail server ${what} (${code})`, { cause: err });
  }
  if (code !== undefined && code >= 400) {
    return new MailDeliveryError('temporary', `the mail server is temporarily refusing mail (${code})`, { cause: err });
  }
  if (e.code === 'ETIMEDOUT') {
    return new MailDeliveryError('temporary', 'the mail server did not answer in time', { cause: err });
  }
  return new MailDeliveryError('temporary', 'the mail server could not be reached', { cause: err });
}
