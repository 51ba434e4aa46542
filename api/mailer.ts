import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {} from 'fastify';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  at: string;
}

/** Sends the API's own emails (invitations). Production plugs in the messaging layer's SMTP provider. */
export interface Mailer {
  send(mail: Omit<Mail, 'at'>): Promise<void>;
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
