import { PermanentSendError, TransientSendError } from '../types';

/**
 * Turns what nodemailer throws into the provider contract's errors. Nodemailer attaches `code`
 * (its own ECONNECTION/ETIMEDOUT/…, the system code kept in `originalCode`), the SMTP `command` in
 * flight and, when the server answered, `responseCode` and `response`.
 */

/** What the caller knows about how far the attempt got. */
export interface SmtpAttemptProgress {
  /**
   * The server accepted DATA and the message body started streaming to it. Before that the server
   * cannot have the message; after it, a dropped connection may follow a delivered one.
   */
  bodyStarted: boolean;
}

interface SmtpErrorFields {
  message: string;
  code?: string;
  originalCode?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  timeoutType?: string;
}

/** Reads nodemailer's error properties without trusting their presence or types. */
function readFields(err: unknown): SmtpErrorFields {
  if (!(err instanceof Error)) return { message: String(err) };
  const bag = err as Error & Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    message: err.message,
    code: str(bag.code),
    originalCode: str(bag.originalCode),
    command: str(bag.command),
    responseCode: typeof bag.responseCode === 'number' ? bag.responseCode : undefined,
    response: str(bag.response),
    timeoutType: str(bag.timeoutType),
  };
}

// A practical check, not RFC 5322: one @, no whitespace or characters that only appear in
// display names and header syntax, and a dot in the domain. Catches phone numbers, names and
// header-injection attempts before a connection is opened.
const EMAIL_ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/u;

export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL_ADDRESS.test(value);
}

export function invalidRecipient(to: string): PermanentSendError {
  return new PermanentSendError('InvalidRecipient', `${JSON.stringify(to)} is not an email address`);
}

const AUTH_CODES = new Set([530, 534, 535, 538]);
/** RCPT TO refusals that are about the mailbox itself: unknown user, not local, bad syntax. */
const RECIPIENT_CODES = new Set([501, 550, 551, 553]);
/** Message rejected as spam or by policy. */
const BLOCKED_CODES = new Set([552, 554]);
/** Failures that happen before any byte of the message can have reached a server. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EDNS']);
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/** The server's reply on one line, for a message a person reads. */
function replyText(f: SmtpErrorFields): string {
  return (f.response ?? f.message).replace(/\s+/g, ' ').trim();
}

function fromReply(f: SmtpErrorFields, code: number): PermanentSendError | TransientSendError {
  const providerCode = String(code);
  const reply = replyText(f);
  const enhanced = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(f.response ?? '')?.[1];
  const command = f.command ?? 'the SMTP session';
  // 503 is "bad sequence of commands": the session was confused, a new one can succeed.
  if (code < 500 || code === 503) {
    return new TransientSendError(
      `the SMTP server deferred the message (${reply})`,
      'not-sent',
      undefined,
      providerCode,
    );
  }
  if (AUTH_CODES.has(code) || f.code === 'EAUTH') {
    return new PermanentSendError('Unauthorized', `the SMTP server refused the login (${reply})`, providerCode);
  }
  // 5.7.x is the security/policy class whatever the basic code says (e.g. 550 5.7.1 relay denied).
  if (BLOCKED_CODES.has(code) || enhanced?.startsWith('5.7.')) {
    return new PermanentSendError('Blocked', `the SMTP server rejected the message by policy (${reply})`, providerCode);
  }
  if (f.command === 'RCPT TO' && RECIPIENT_CODES.has(code)) {
    return new PermanentSendError('InvalidRecipient', `the SMTP server refused the recipient (${reply})`, providerCode);
  }
  return new PermanentSendError('InvalidRequest', `the SMTP server refused ${command} (${reply})`, providerCode);
}

/**
 * Maps a failed send (or verify) to PermanentSendError or TransientSendError. `progress` decides
 * the outcome of a connection that died without an answer: 'unknown' once the body was streaming.
 */
export function toSendError(err: unknown, progress: SmtpAttemptProgress): PermanentSendError | TransientSendError {
  if (err instanceof PermanentSendError || err instanceof TransientSendError) return err;
  const f = readFields(err);
  if (f.responseCode !== undefined && f.responseCode >= 400 && f.responseCode < 600) {
    return fromReply(f, f.responseCode);
  }
  const systemCode = f.originalCode ?? f.code;
  switch (f.code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return new PermanentSendError('Unauthorized', `SMTP login failed: ${f.message}`, f.code);
    case 'EENVELOPE':
    case 'EMESSAGE':
    case 'EMAXRECIPIENTS':
    case 'ECONFIG':
    case 'EFILEACCESS':
    case 'EURLACCESS':
      return new PermanentSendError('InvalidRequest', `the message could not be sent: ${f.message}`, f.code);
    case 'EMAXLIMIT':
      return new TransientSendError(`SMTP connection pool exhausted: ${f.message}`, 'not-sent', undefined, f.code);
  }
  if (systemCode && CERTIFICATE_ERROR.test(systemCode)) {
    // Retrying cannot fix a certificate; the channel's settings (allowSelfSigned, host) must change.
    return new PermanentSendError(
      'InvalidRequest',
      `the SMTP server's TLS certificate was rejected (${systemCode}): ${f.message}`,
      systemCode,
    );
  }
  if ((systemCode && NEVER_CONNECTED.has(systemCode)) || (f.timeoutType && SETUP_TIMEOUTS.has(f.timeoutType))) {
    return new TransientSendError(`could not reach the SMTP server: ${f.message}`, 'not-sent', undefined, systemCode);
  }
  // Timeouts, resets and closed connections all arrive as command 'CONN', whatever was in flight,
  // so the body's progress (not `command`) tells whether the server may have the message.
  const maybeDelivered = progress.bodyStarted || f.command === 'DATA';
  return new TransientSendError(
    maybeDelivered
      ? `the SMTP connection failed after the message was transmitted, delivery is unknown: ${f.message}`
      : `the SMTP connection failed before the message was transmitted: ${f.message}`,
    maybeDelivered ? 'unknown' : 'not-sent',
    undefined,
    systemCode,
  );
}
