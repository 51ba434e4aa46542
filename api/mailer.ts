import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {} from 'fastify';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative; mailers that send real email derive one from `text` when absent. */
  html?: string;
  at: string;
}

/**
 * Sends the API's own emails (invitations): `SmtpMailer` (api/mailer-smtp.ts) when
 * `SWITCHBOARD_SMTP_URL` is set, the development inbox otherwise.
 */
export interface Mailer {
  send(mail: Omit<Mail, 'at'>): Promise<void>;
}

/**
 * Why a mail was not sent, without the mail server's own words (they go to the log, not to clients).
 * `temporary`: try again later (4xx, timeouts, connection refused); `permanent`: a 5xx the same
 * message will get again (bad credentials, refused recipient); `unconfigured`: no mail server set.
 */
export class MailDeliveryError extends Error {
  constructor(
    readonly kind: 'temporary' | 'permanent' | 'unconfigured',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailDeliveryError';
  }
}

/**
 * Production without `SWITCHBOARD_SMTP_URL`: there is no inbox anyone can read, so every send fails
 * loudly instead of the mail vanishing.
 */
export class UnconfiguredMailer implements Mailer {
  async send(): Promise<void> {
    throw new MailDeliveryError(
      'unconfigured',
      'this server sends no email: set SWITCHBOARD_SMTP_URL and SWITCHBOARD_MAIL_FROM to send invitations',
    );
  }
}

/**
 * The development inbox: mail lands in a JSON-lines file (and memory) the developer can read —
 * `GET /dev/inbox` outside production, or `.data/inbox.jsonl`.
 */
export class DevInbox implements Mailer {
  readonly messages: Mail[] = [];
  constructor(private readonly file?: string) {}

  async send(mail: Omit<Mail, 'at'>): Promise<void> {
    const entry = { ...mail, at: new Date().toISOString() };
    this.messages.push(entry);
    if (this.messages.length > 500) this.messages.shift();
    if (this.file) {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    mailer: Mailer;
  }
}
