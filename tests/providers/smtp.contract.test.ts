import { afterEach, describe, expect, it } from 'vitest';
import { toSendError } from '../../activities/providers/smtp/errors';
import { IDEMPOTENCY_HEADER, SmtpMessagingProvider } from '../../activities/providers/smtp/messaging';
import { type OutboundMessage, PermanentSendError, TransientSendError } from '../../activities/providers/types';
import { closedPort, failure } from '../helpers/providers';
import { SmtpStandIn, type SmtpStandInOptions } from '../stand-ins/smtp';

const INBOUND_TOKEN = 'inbound-token-0123456789';
const CREDENTIALS = { user: 'relay-user', pass: 'relay-pass-123' };

const started: Array<{ close(): unknown } | { stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of started.splice(0).reverse()) {
    if ('stop' in item) await item.stop();
    else item.close();
  }
});

async function standIn(options?: SmtpStandInOptions): Promise<SmtpStandIn> {
  const server = await SmtpStandIn.start(options);
  started.push(server);
  return server;
}

function providerFor(
  server: { host: string; port: number },
  overrides: { user?: string; pass?: string; allowSelfSigned?: boolean; from?: string } = {},
): SmtpMessagingProvider {
  const provider = new SmtpMessagingProvider(
    {
      host: server.host,
      port: server.port,
      from: overrides.from ?? 'Acme Support <support@acme.test>',
      allowSelfSigned: overrides.allowSelfSigned ?? false,
    },
    { user: overrides.user, pass: overrides.pass, inboundToken: INBOUND_TOKEN },
  );
  started.push(provider);
  return provider;
}

const email = (text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  channel: 'email',
  to: 'jane@example.com',
  text,
  ...extra,
});

describe('SmtpMessagingProvider against a real SMTP server', () => {
  it('sends a plain message with the sender, recipient, subject, body and idempotency headers', async () => {
    const server = await standIn();
    const provider = providerFor(server);

    const result = await provider.send(email('Your order has shipped.', { subject: 'Order #1042' }), {
      idempotencyKey: 'wf-1:node-a:1',
    });

    expect(result.status).toBe('sent');
    expect(server.received).toHaveLength(1);
    const [got] = server.received;
    expect(got?.envelope).toEqual({ from: 'support@acme.test', to: ['jane@example.com'] });
    expect(got?.parsed.from).toEqual({ name: 'Acme Support', address: 'support@acme.test' });
    expect(got?.parsed.subject).toBe('Order #1042');
    expect(got?.parsed.text?.trim()).toBe('Your order has shipped.');
    expect(got?.parsed.messageId).toBe(`<${result.providerMessageId}>`);
    expect(result.providerMessageId).toMatch(/^[0-9a-f]{32}@acme\.test$/);
    const header = got?.parsed.headers.find((h) => h.key === IDEMPOTENCY_HEADER.toLowerCase());
    expect(header?.value).toBe('wf-1:node-a:1');
  });

  it('logs in with AUTH when credentials are configured', async () => {
    const server = await standIn({ auth: CREDENTIALS });
    const provider = providerFor(server, CREDENTIALS);

    await provider.send(email('Hello with auth'), { idempotencyKey: 'auth-1' });

    expect(server.received).toHaveLength(1);
    await expect(provider.testConnection()).resolves.toEqual({
      detail: `SMTP 127.0.0.1:${server.port} accepted the login`,
    });
  });

  it('maps a refused login (535) to Unauthorized, for sends and for testConnection', async () => {
    const server = await standIn({ auth: CREDENTIALS });
    const provider = providerFor(server, { user: CREDENTIALS.user, pass: 'wrong-password' });

    const err = await failure(provider.send(email('Hello'), { idempotencyKey: 'auth-bad' }));
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type: 'Unauthorized', providerCode: '535' });

    const checked = await failure(provider.testConnection());
    expect(checked).toMatchObject({ type: 'Unauthorized', providerCode: '535' });
    expect(server.received).toHaveLength(0);
  });

  it('refuses with 535 on request even with the right password', async () => {
    const server = await standIn({ auth: CREDENTIALS });
    server.failAuth();
    const err = await failure(providerFor(server, CREDENTIALS).send(email('Hi'), { idempotencyKey: 'auth-forced' }));
    expect(err).toMatchObject({ type: 'Unauthorized', providerCode: '535' });
  });

  it('defaults the subject to the first line of the text, cut to 78 characters', async () => {
    const server = await standIn();
    const provider = providerFor(server);
    const longLine = `${'Your appointment with Dr. Okafor is confirmed for Tuesday '.repeat(3)}at 10:00`;

    await provider.send(email('\nHi Jane,\n\nSee you soon.'), { idempotencyKey: 'subject-1' });
    await provider.send(email(`${longLine}\nSecond line`), { idempotencyKey: 'subject-2' });

    expect(server.received[0]?.parsed.subject).toBe('Hi Jane,');
    const cut = server.received[1]?.parsed.subject ?? '';
    expect(Array.from(cut)).toHaveLength(78);
    expect(cut.endsWith('…')).toBe(true);
    expect(longLine.startsWith(cut.slice(0, -1))).toBe(true);
  });

  it('adds an HTML alternative with the text escaped and split into paragraphs', async () => {
    const server = await standIn();
    const provider = providerFor(server);
    const text = 'Tom & Jerry said <script>alert("hi")</script>\nsecond line\n\nNew paragraph';

    await provider.send(email(text, { subject: 'HTML' }), { idempotencyKey: 'html-1' });

    const html = server.received[0]?.parsed.html ?? '';
    expect(html).toContain('<p>Tom &amp; Jerry said &lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;<br>');
    expect(html).toContain('second line</p>');
    expect(html).toContain('<p>New paragraph</p>');
    expect(html).not.toContain('<script>');
    expect(server.received[0]?.parsed.text?.trim()).toBe(text);
  });

  it('keeps the Message-ID stable across sends with the same idempotency key', async () => {
    const server = await standIn();
    const provider = providerFor(server);

    const first = await provider.send(email('Reminder'), { idempotencyKey: 'wf-9:remind:1' });
    const again = await provider.send(email('Reminder'), { idempotencyKey: 'wf-9:remind:1' });
    const other = await provider.send(email('Reminder'), { idempotencyKey: 'wf-9:remind:2' });

    expect(again.providerMessageId).toBe(first.providerMessageId);
    expect(other.providerMessageId).not.toBe(first.providerMessageId);
    expect(server.countByMessageId(first.providerMessageId)).toBe(2);
    expect(server.countByMessageId(other.providerMessageId)).toBe(1);
  });

  it('maps a refused recipient (550) to InvalidRecipient', async () => {
    const server = await standIn();
    server.rejectRecipient('gone@example.com');

    const err = await failure(
      providerFor(server).send(email('Hi', { to: 'gone@example.com' }), { idempotencyKey: 'r' }),
    );

    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type: 'InvalidRecipient', providerCode: '550' });
    expect(server.received).toHaveLength(0);
  });

  it('refuses an address that is not an email without connecting', async () => {
    const server = await standIn();
    const provider = providerFor(server);

    for (const to of ['+14155550100', 'jane', 'jane@', 'jane@example', 'a@b.com, c@d.com', 'x@y.com\r\nBcc: z@w.com']) {
      const err = await failure(provider.send(email('Hi', { to }), { idempotencyKey: `bad-${to}` }));
      expect(err).toMatchObject({ type: 'InvalidRecipient' });
    }
    expect(server.connections).toBe(0);
  });

  it('rejects templates without connecting: email has none', async () => {
    const server = await standIn();
    const err = await failure(
      providerFor(server).send(email('Hi', { template: { name: 'welcome', language: 'en', variables: [] } }), {
        idempotencyKey: 'tpl',
      }),
    );
    expect(err).toMatchObject({ type: 'TemplateRejected' });
    expect((err as Error).message).toContain('welcome');
    expect(server.connections).toBe(0);
  });

  it('maps a temporary failure (451) to a transient error that was not sent, and the retry goes through', async () => {
    const server = await standIn();
    server.failNextMessages(1);
    const provider = providerFor(server);

    const err = await failure(provider.send(email('Retry me'), { idempotencyKey: 'tmp-1' }));
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent', providerCode: '451' });

    const retried = await provider.send(email('Retry me'), { idempotencyKey: 'tmp-1' });
    expect(server.countByMessageId(retried.providerMessageId)).toBe(1);
  });

  it("reports 'unknown' when the server took the whole message and never answered", async () => {
    const server = await standIn();
    server.hangNextMessages(1);
    const provider = providerFor(server);

    const err = await failure(provider.send(email('Did this arrive?'), { idempotencyKey: 'hang-1', timeoutMs: 400 }));

    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'unknown' });
    // Why 'unknown' is the honest answer: the server does have the message.
    expect(server.unacknowledged).toHaveLength(1);

    const resent = await provider.send(email('Did this arrive?'), { idempotencyKey: 'hang-1', timeoutMs: 400 });
    expect(server.unacknowledged[0]?.messageId).toBe(resent.providerMessageId);
  });

  it("reports 'not-sent' when the connection dies before the body was sent", async () => {
    const server = await standIn();
    server.stallRecipient('slow@example.com');

    const err = await failure(
      providerFor(server).send(email('Hi', { to: 'slow@example.com' }), { idempotencyKey: 'stall', timeoutMs: 400 }),
    );

    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent' });
    expect(server.received).toHaveLength(0);
    expect(server.unacknowledged).toHaveLength(0);
  });

  it("reports 'not-sent' when nothing listens on the port", async () => {
    const port = await closedPort();
    const err = await failure(
      providerFor({ host: '127.0.0.1', port }).send(email('Hi'), { idempotencyKey: 'refused', timeoutMs: 2000 }),
    );
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent', providerCode: 'ECONNREFUSED' });
  });

  it('testConnection succeeds without auth and fails with a readable error when the server is down', async () => {
    const server = await standIn();
    await expect(providerFor(server).testConnection()).resolves.toEqual({
      detail: `SMTP 127.0.0.1:${server.port} accepted the connection`,
    });

    const port = await closedPort();
    const err = await failure(providerFor({ host: '127.0.0.1', port }).testConnection());
    expect(err).toBeInstanceOf(TransientSendError);
    expect((err as Error).message).toMatch(/could not reach the SMTP server/);
  });

  it('trusts a self-signed STARTTLS certificate only when allowSelfSigned is set', async () => {
    const server = await standIn({ starttls: true });

    const err = await failure(providerFor(server, { allowSelfSigned: false }).testConnection());
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type: 'InvalidRequest' });
    expect((err as Error).message).toMatch(/certificate/);

    const trusting = providerFor(server, { allowSelfSigned: true });
    await trusting.send(email('Over TLS'), { idempotencyKey: 'tls-1' });
    expect(server.received).toHaveLength(1);
  });

  it('delivers a 2,000-character body and an emoji-heavy body intact', async () => {
    const server = await standIn();
    const provider = providerFor(server);
    const words = 'The quick brown fox jumps over the lazy dog; ';
    const long = words.repeat(Math.ceil(2000 / words.length)).slice(0, 2000);
    const emoji = '🎉 Congrats Jane! 🥳🎂🍾 Your order 📦 ships today 🚚💨\n\nThanks 🙏 — Ünïcödé ✓ 中文 👨‍👩‍👧‍👦';

    await provider.send(email(long), { idempotencyKey: 'long' });
    await provider.send(email(emoji, { subject: 'Party 🎉' }), { idempotencyKey: 'emoji' });

    expect(long).toHaveLength(2000);
    expect(server.received[0]?.parsed.text?.replace(/\n$/, '')).toBe(long);
    expect(server.received[1]?.parsed.text?.replace(/\n$/, '')).toBe(emoji);
    expect(server.received[1]?.parsed.subject).toBe('Party 🎉');
  });

  it('refuses a channel whose from address is not an email', async () => {
    const server = await standIn();
    const err = await failure(providerFor(server, { from: 'Acme Support' }).send(email('Hi'), { idempotencyKey: 'f' }));
    expect(err).toMatchObject({ type: 'InvalidRequest' });
    expect(server.connections).toBe(0);
  });
});

/** nodemailer's error shape, as its SMTP connection builds it. */
function smtpError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.response ?? fields.code ?? 'failure')), fields);
}

describe('SMTP error mapping', () => {
  const before = { bodyStarted: false };
  const after = { bodyStarted: true };

  it.each([
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 No such user' }, 'InvalidRecipient'],
    [
      { code: 'EENVELOPE', command: 'RCPT TO', responseCode: 553, response: '553 Mailbox name invalid' },
      'InvalidRecipient',
    ],
    [
      { code: 'EENVELOPE', command: 'RCPT TO', responseCode: 501, response: '501 Bad address syntax' },
      'InvalidRecipient',
    ],
    [{ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535, response: '535 Invalid login' }, 'Unauthorized'],
    [
      { code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 530, response: '530 Authentication required' },
      'Unauthorized',
    ],
    [{ code: 'EAUTH', command: 'AUTH XOAUTH2', responseCode: 534, response: '534 Web login required' }, 'Unauthorized'],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 554, response: '554 Message looks like spam' }, 'Blocked'],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 552, response: '552 Policy rejection' }, 'Blocked'],
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 5.7.1 Relaying denied' }, 'Blocked'],
    [
      { code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 501, response: '501 Bad sender syntax' },
      'InvalidRequest',
    ],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 500, response: '500 Line too long' }, 'InvalidRequest'],
  ])('%o → %s', (fields, type) => {
    const err = toSendError(smtpError(fields), after);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toMatchObject({ type, providerCode: String(fields.responseCode) });
  });

  it.each([421, 450, 451, 452, 503])('%i → transient, not sent (the server answered)', (code) => {
    const err = toSendError(
      smtpError({ code: 'EMESSAGE', command: 'DATA', responseCode: code, response: `${code} try later` }),
      after,
    );
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome: 'not-sent', providerCode: String(code) });
  });

  it.each([
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }, after, 'not-sent'],
    [{ code: 'EDNS', originalCode: 'ENOTFOUND', command: 'CONN' }, after, 'not-sent'],
    [{ code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT', command: 'CONN' }, after, 'not-sent'],
    [{ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }, before, 'not-sent'],
    [{ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }, after, 'unknown'],
    [{ code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN' }, before, 'not-sent'],
    [{ code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN' }, after, 'unknown'],
    [{ code: 'ECONNECTION', command: 'CONN' }, after, 'unknown'],
  ] as const)('%o with %o → %s', (fields, progress, outcome) => {
    const err = toSendError(smtpError(fields), progress);
    expect(err).toBeInstanceOf(TransientSendError);
    expect(err).toMatchObject({ outcome });
  });
});
