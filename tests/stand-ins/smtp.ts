import type { AddressInfo } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server on loopback for adapter tests: it speaks the protocol nodemailer speaks to
 * production relays, records what it accepts, and fails on request the ways relays fail.
 */

export interface SmtpStandInOptions {
  /** Require AUTH (PLAIN or LOGIN) with these credentials. Without it AUTH is not offered. */
  auth?: { user: string; pass: string };
  /** Offer STARTTLS with smtp-server's built-in self-signed certificate. */
  starttls?: boolean;
}

export interface ReceivedEmail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  /** The Message-ID header without angle brackets. */
  messageId: string | undefined;
  parsed: Email;
}

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

const bare = (messageId: string) => messageId.replace(/^<|>$/g, '');

export class SmtpStandIn {
  readonly host = '127.0.0.1';
  /** Messages answered with 250, in arrival order. */
  readonly received: ReceivedEmail[] = [];
  /** Messages received whole but never answered ('accept then hang'). */
  readonly unacknowledged: ReceivedEmail[] = [];
  /** TCP sessions opened so far (proves a send never connected). */
  connections = 0;
  private readonly rejectedRecipients = new Map<string, string>();
  private readonly stalledRecipients = new Set<string>();
  private authFailure = false;
  private temporaryFailures = 0;
  private hangs = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: SmtpStandInOptions = {}): Promise<SmtpStandIn> {
    let standIn: SmtpStandIn | undefined;
    const self = () => {
      if (!standIn) throw new Error('SMTP stand-in used before it started');
      return standIn;
    };
    const disabledCommands = [...(options.auth ? [] : ['AUTH']), ...(options.starttls ? [] : ['STARTTLS'])];
    const server = new SMTPServer({
      logger: false,
      disabledCommands,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: !options.auth,
      // Loopback only: plaintext AUTH exposes nothing.
      allowInsecureAuth: true,
      disableReverseLookup: true,
      // Sessions a test left hanging must not hold stop() up.
      closeTimeout: 200,
      onConnect: (_session, callback) => {
        self().connections += 1;
        callback();
      },
      onAuth: (auth, _session, callback) => {
        const expected = options.auth;
        const ok = expected && auth.username === expected.user && auth.password === expected.pass;
        if (!ok || self().authFailure) return callback(new SmtpReplyError(535, 'Authentication credentials invalid'));
        callback(null, { user: auth.username });
      },
      onRcptTo: (address, _session, callback) => {
        if (self().stalledRecipients.has(address.address.toLowerCase())) return; // never answered
        const reason = self().rejectedRecipients.get(address.address.toLowerCase());
        if (reason) return callback(new SmtpReplyError(550, reason));
        callback();
      },
      onData: (stream, session, callback) => {
        self()
          .receive(stream, session)
          .then(
            (email) => self().answer(email, callback),
            (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
          );
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      const listener = server.listen(0, '127.0.0.1', () => resolve((listener.address() as AddressInfo).port));
    });
    standIn = new SmtpStandIn(server, port);
    return standIn;
  }

  /** Answers RCPT TO for this address with 550. */
  rejectRecipient(address: string, reason = 'Requested action not taken: mailbox unavailable'): void {
    this.rejectedRecipients.set(address.toLowerCase(), reason);
  }

  /** Never answers RCPT TO for this address: the session stalls before any of the message is sent. */
  stallRecipient(address: string): void {
    this.stalledRecipients.add(address.toLowerCase());
  }

  /** Answers every AUTH with 535, even with the right credentials. */
  failAuth(fail = true): void {
    this.authFailure = fail;
  }

  /** Answers the next `count` messages with 451 after receiving them. */
  failNextMessages(count: number): void {
    this.temporaryFailures = count;
  }

  /** Receives the next `count` messages whole and never sends the final reply. */
  hangNextMessages(count = 1): void {
    this.hangs = count;
  }

  /** How many accepted messages carried this Message-ID (with or without angle brackets). */
  countByMessageId(messageId: string): number {
    return this.received.filter((m) => m.messageId === bare(messageId)).length;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<ReceivedEmail> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const parsed = await PostalMime.parse(raw);
    const { mailFrom, rcptTo } = session.envelope;
    return {
      envelope: { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address) },
      raw,
      messageId: parsed.messageId ? bare(parsed.messageId) : undefined,
      parsed,
    };
  }

  private answer(email: ReceivedEmail, callback: (err?: Error | null, message?: string) => void): void {
    if (this.hangs > 0) {
      this.hangs -= 1;
      this.unacknowledged.push(email);
      return; // the client's socket timeout is what ends this session
    }
    if (this.temporaryFailures > 0) {
      this.temporaryFailures -= 1;
      callback(new SmtpReplyError(451, 'Requested action aborted: local error in processing'));
      return;
    }
    this.received.push(email);
    callback(null, `Message queued as ${email.messageId ?? 'unknown'}`);
  }
}
