import { describe, expect, it } from 'vitest';
import { parseInboundEmail, stripQuotedReply, verifyInboundEmailToken } from '../../activities/providers/smtp/inbound';
import { type RawWebhook, WebhookRejected } from '../../activities/providers/types';

const crlf = (lines: string[]) => lines.join('\r\n');

/** A Gmail reply: multipart/mixed around multipart/alternative, quoted history, a PDF and an inline image. */
const GMAIL_REPLY = crlf([
  'Return-Path: <jane.doe@example.com>',
  'Delivered-To: support@acme.test',
  'MIME-Version: 1.0',
  'Date: Tue, 1 Jul 2025 10:15:42 +0200',
  'Message-ID: <CAF=Yq9sK3x+reply-1@mail.gmail.com>',
  'In-Reply-To: <3f1c0a5e9b7d4e21a6c8f0d2b4e6a8c0@acme.test>',
  'Subject: Re: Your order #1042 has shipped',
  'From: "Jane Doe" <Jane.Doe@Example.com>',
  'To: Acme Support <support@acme.test>',
  'Content-Type: multipart/mixed; boundary="000000000000mixed"',
  '',
  '--000000000000mixed',
  'Content-Type: multipart/alternative; boundary="000000000000alt"',
  '',
  '--000000000000alt',
  'Content-Type: text/plain; charset="UTF-8"',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Thanks! Can you deliver it to my office instead? =F0=9F=99=8F',
  '',
  'Jane',
  '',
  'On Mon, 30 Jun 2025 at 18:02, Acme Support <support@acme.test>',
  'wrote:',
  '',
  '> Your order #1042 has shipped.',
  '> Track it here: https://acme.test/t/1042',
  '>',
  '',
  '--000000000000alt',
  'Content-Type: text/html; charset="UTF-8"',
  '',
  '<div dir="ltr">Thanks! Can you deliver it to my office instead? &#x1F64F;<br><br>Jane</div>',
  '<div class="gmail_quote">On Mon, 30 Jun 2025 at 18:02, Acme Support wrote:<blockquote>Your order #1042 has shipped.</blockquote></div>',
  '',
  '--000000000000alt--',
  '',
  '--000000000000mixed',
  'Content-Type: application/pdf; name="delivery-note.pdf"',
  'Content-Disposition: attachment; filename="delivery-note.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==',
  '',
  '--000000000000mixed',
  'Content-Type: image/png; name="map.png"',
  'Content-Disposition: inline; filename="map.png"',
  'Content-ID: <ii_mc2x8k1p0>',
  'Content-Transfer-Encoding: base64',
  '',
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  '',
  '--000000000000mixed--',
  '',
]);

async function multipart(fields: Record<string, string>, files: Array<[string, string, string, string]> = []) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [name, filename, type, content] of files) form.append(name, new Blob([content], { type }), filename);
  const response = new Response(form);
  return {
    contentType: response.headers.get('content-type') ?? '',
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** What SendGrid Inbound Parse posts in its default (parsed) mode. */
const SENDGRID_FIELDS = {
  headers: crlf([
    'Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn Wed, 02 Jul 2025 09:12:01 +0000 (UTC)',
    'Received: from mail-ot1-f45.google.com (mail-ot1-f45.google.com [209.85.210.45])',
    '\tby mx0047p1mdw1.sendgrid.net (Postfix) with ESMTPS id 2F4D3A0E1A',
    '\tfor <support@parse.acme.test>; Wed, 02 Jul 2025 09:12:01 +0000 (UTC)',
    'MIME-Version: 1.0',
    'From: Bob Smith <BOB@example.org>',
    'Date: Wed, 2 Jul 2025 11:11:58 +0200',
    'Message-ID:',
    ' <CAHdp+sendgrid-7@mail.gmail.com>',
    'Subject: Re: Appointment reminder',
    'To: support@parse.acme.test',
    'Content-Type: multipart/mixed; boundary="000000000000abc"',
  ]),
  dkim: '{@gmail.com : pass}',
  'content-ids': '{}',
  to: 'support@parse.acme.test',
  from: 'Bob Smith <BOB@example.org>',
  text: 'Yes, 3pm works for me.\n\n-----Original Message-----\nFrom: Acme <support@acme.test>\nSent: Tuesday\nSubject: Appointment reminder\n\nCan you make it at 3pm?\n',
  html: '<div>Yes, 3pm works for me.</div>',
  sender_ip: '209.85.210.45',
  spam_report: 'Spam detection software, running on the system "mx0047p1mdw1.sendgrid.net"...',
  envelope: '{"to":["support@parse.acme.test"],"from":"bob@example.org"}',
  attachments: '1',
  subject: 'Re: Appointment reminder',
  spam_score: '0.1',
  'attachment-info':
    '{"attachment1":{"filename":"insurance-card.jpg","name":"insurance-card.jpg","type":"image/jpeg"}}',
  charsets: '{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}',
  SPF: 'pass',
};

/** Postmark's inbound webhook JSON, as in Postmark's documentation (with a Message-ID header). */
const POSTMARK_INBOUND = {
  FromName: 'Postmarkapp Support',
  MessageStream: 'inbound',
  From: 'support@postmarkapp.com',
  FromFull: { Email: 'Support@PostmarkApp.com', Name: 'Postmarkapp Support', MailboxHash: '' },
  To: '"Firstname Lastname" <yourhash+SampleHash@inbound.postmarkapp.com>',
  ToFull: [
    { Email: 'yourhash+SampleHash@inbound.postmarkapp.com', Name: 'Firstname Lastname', MailboxHash: 'SampleHash' },
  ],
  Cc: '"First Cc" <firstcc@postmarkapp.com>, secondCc@postmarkapp.com',
  CcFull: [
    { Email: 'firstcc@postmarkapp.com', Name: 'First Cc', MailboxHash: '' },
    { Email: 'secondCc@postmarkapp.com', Name: '', MailboxHash: '' },
  ],
  Bcc: '"First Bcc" <firstbcc@postmarkapp.com>',
  BccFull: [{ Email: 'firstbcc@postmarkapp.com', Name: 'First Bcc', MailboxHash: '' }],
  OriginalRecipient: 'yourhash+SampleHash@inbound.postmarkapp.com',
  Subject: 'Test subject',
  MessageID: '73e6d360-66eb-11e1-8e72-a8904824019b',
  ReplyTo: 'replyto@example.com',
  MailboxHash: 'SampleHash',
  Date: 'Fri, 1 Aug 2014 16:45:32 -04:00',
  TextBody: 'This is a test text body.\n\nOn Thu, 31 Jul 2014, Acme wrote:\n> previous message',
  HtmlBody: '<html><body><p>This is a test html body.</p></body></html>',
  StrippedTextReply: 'This is the reply text',
  Tag: 'TestTag',
  Headers: [
    { Name: 'X-Header-Test', Value: '' },
    { Name: 'X-Spam-Status', Value: 'No' },
    { Name: 'X-Spam-Score', Value: '-0.1' },
    { Name: 'X-Spam-Tests', Value: 'DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU,SPF_PASS' },
    { Name: 'Message-ID', Value: '<CAKaZ8pm-postmark-1@mail.gmail.com>' },
  ],
  Attachments: [
    {
      Name: 'test.txt',
      Content: 'VGhpcyBpcyBhdHRhY2htZW50IGNvbnRlbnRzLCBiYXNlLTY0IGVuY29kZWQu',
      ContentType: 'text/plain',
      ContentLength: 45,
    },
    { Name: 'logo.png', Content: 'iVBORw0KGgo=', ContentType: 'image/png', ContentLength: 8, ContentID: 'logo@acme' },
  ],
};

/** What a Mailgun route's forward() posts (parsed fields, as the HTTP layer's form parser gives them). */
const MAILGUN_FIELDS = {
  recipient: 'support@mg.acme.test',
  sender: 'carol@example.net',
  from: 'Carol Danvers <Carol@Example.net>',
  subject: 'Re: Invoice 2025-07',
  'body-plain':
    'Paid this morning, thanks.\r\n\r\nOn Wed, Jul 2, 2025 at 9:00 AM Acme <billing@acme.test> wrote:\r\n> Invoice attached.\r\n',
  'stripped-text': 'Paid this morning, thanks.',
  'stripped-signature': '',
  'body-html': '<div>Paid this morning, thanks.</div>',
  'stripped-html': '<div>Paid this morning, thanks.</div>',
  'attachment-count': '0',
  timestamp: '1751446800',
  token: 'f0c1d6b8a2e94c7d9b3a5e1f7c2d8a4b6e0f9c3d1a7b5e2f4c',
  signature: '2b1e0c5b1d4e9f8a7c6b5a4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f',
  'Message-Id': '<20250702083955.1.ABCDEF@mail.example.net>',
  'message-headers': JSON.stringify([
    ['Received', 'by mx.example.net'],
    ['Message-Id', '<20250702083955.1.ABCDEF@mail.example.net>'],
    ['From', 'Carol Danvers <Carol@Example.net>'],
  ]),
};

function rejection(err: unknown): WebhookRejected {
  expect(err).toBeInstanceOf(WebhookRejected);
  return err as WebhookRejected;
}

async function parseFailure(input: Parameters<typeof parseInboundEmail>[0]): Promise<WebhookRejected> {
  try {
    await parseInboundEmail(input);
  } catch (err) {
    return rejection(err);
  }
  throw new Error('expected the webhook to be rejected');
}

describe('parseInboundEmail', () => {
  it('reads a raw MIME reply: the new text only, the sender bare and lowercased, attachments as media', async () => {
    const [event] = await parseInboundEmail({ contentType: 'message/rfc822', body: Buffer.from(GMAIL_REPLY) });

    expect(event).toEqual({
      kind: 'message',
      channel: 'email',
      providerMessageId: 'CAF=Yq9sK3x+reply-1@mail.gmail.com',
      from: 'jane.doe@example.com',
      to: 'support@acme.test',
      subject: 'Re: Your order #1042 has shipped',
      profileName: 'Jane Doe',
      text: 'Thanks! Can you deliver it to my office instead? 🙏\n\nJane',
      media: [
        { url: 'delivery-note.pdf', contentType: 'application/pdf' },
        { url: 'cid:ii_mc2x8k1p0', contentType: 'image/png' },
      ],
      at: new Date('2025-07-01T08:15:42Z'),
    });
  });

  it('reads the raw MIME from SendGrid\'s "email" field and Mailgun\'s "body-mime" field', async () => {
    const sendgridRaw = await multipart({
      to: 'support@acme.test',
      from: 'Jane Doe <jane.doe@example.com>',
      subject: 'Re: Your order #1042 has shipped',
      envelope: '{"to":["support@acme.test"],"from":"jane.doe@example.com"}',
      email: GMAIL_REPLY,
    });
    const [fromSendGrid] = await parseInboundEmail(sendgridRaw);
    const [fromMailgun] = await parseInboundEmail({
      contentType: 'application/x-www-form-urlencoded',
      body: { recipient: 'support@acme.test', sender: 'jane.doe@example.com', 'body-mime': GMAIL_REPLY },
    });

    for (const event of [fromSendGrid, fromMailgun]) {
      expect(event).toMatchObject({
        providerMessageId: 'CAF=Yq9sK3x+reply-1@mail.gmail.com',
        from: 'jane.doe@example.com',
        text: 'Thanks! Can you deliver it to my office instead? 🙏\n\nJane',
      });
    }
  });

  it("reads SendGrid Inbound Parse's parsed fields, taking the Message-ID from the folded headers", async () => {
    const [event] = await parseInboundEmail(
      await multipart(SENDGRID_FIELDS, [['attachment1', 'insurance-card.jpg', 'image/jpeg', 'JPEGDATA']]),
    );

    expect(event).toEqual({
      kind: 'message',
      channel: 'email',
      providerMessageId: 'CAHdp+sendgrid-7@mail.gmail.com',
      from: 'bob@example.org',
      to: 'support@parse.acme.test',
      subject: 'Re: Appointment reminder',
      profileName: 'Bob Smith',
      text: 'Yes, 3pm works for me.',
      media: [{ url: 'insurance-card.jpg', contentType: 'image/jpeg' }],
      at: new Date('2025-07-02T09:11:58Z'),
    });
  });

  it("reads Postmark's inbound JSON, as raw bytes or already parsed", async () => {
    const fromBytes = await parseInboundEmail({
      contentType: 'application/json; charset=utf-8',
      body: Buffer.from(JSON.stringify(POSTMARK_INBOUND)),
    });
    const fromObject = await parseInboundEmail({ contentType: 'application/json', body: POSTMARK_INBOUND });

    expect(fromObject).toEqual(fromBytes);
    expect(fromBytes[0]).toMatchObject({
      kind: 'message',
      channel: 'email',
      providerMessageId: 'CAKaZ8pm-postmark-1@mail.gmail.com',
      from: 'support@postmarkapp.com',
      to: 'yourhash+samplehash@inbound.postmarkapp.com',
      subject: 'Test subject',
      profileName: 'Postmarkapp Support',
      text: 'This is the reply text',
      media: [
        { url: 'test.txt', contentType: 'text/plain' },
        { url: 'cid:logo@acme', contentType: 'image/png' },
      ],
    });
  });

  it("falls back to Postmark's MessageID and strips TextBody itself when there is no stripped reply", async () => {
    const { Headers: _headers, StrippedTextReply: _stripped, ...bare } = POSTMARK_INBOUND;
    const [event] = await parseInboundEmail({ contentType: 'application/json', body: bare });
    expect(event).toMatchObject({
      providerMessageId: '73e6d360-66eb-11e1-8e72-a8904824019b',
      text: 'This is a test text body.',
    });
  });

  it("reads Mailgun's parsed route fields", async () => {
    const [event] = await parseInboundEmail({
      contentType: 'application/x-www-form-urlencoded',
      body: Buffer.from(new URLSearchParams(MAILGUN_FIELDS).toString()),
    });

    expect(event).toEqual({
      kind: 'message',
      channel: 'email',
      providerMessageId: '20250702083955.1.ABCDEF@mail.example.net',
      from: 'carol@example.net',
      to: 'support@mg.acme.test',
      subject: 'Re: Invoice 2025-07',
      profileName: 'Carol Danvers',
      text: 'Paid this morning, thanks.',
      media: [],
      at: new Date(1751446800 * 1000),
    });
  });

  it('strips Mailgun body-plain itself when stripped-text is empty, and takes form arrays', async () => {
    const [event] = await parseInboundEmail({
      contentType: 'multipart/form-data',
      body: { ...MAILGUN_FIELDS, 'stripped-text': '', subject: ['Re: Invoice 2025-07', 'duplicate'] },
    });
    expect(event).toMatchObject({ text: 'Paid this morning, thanks.', subject: 'Re: Invoice 2025-07' });
  });

  it('refuses an email without a sender, naming the field', async () => {
    const noFrom = GMAIL_REPLY.replace(/^From: .*\r\n/m, '').replace(/^Return-Path: .*\r\n/m, '');
    const err = await parseFailure({ contentType: 'message/rfc822', body: Buffer.from(noFrom) });
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('invalid_webhook');
    expect(err.message).toMatch(/From/);

    const { from: _from, ...sendgridWithoutFrom } = SENDGRID_FIELDS;
    const sendgrid = await parseFailure({
      contentType: 'multipart/form-data',
      body: { ...sendgridWithoutFrom, envelope: '{"to":["support@parse.acme.test"]}' },
    });
    expect(sendgrid.message).toMatch(/SendGrid.*From/);
  });

  it('refuses an email without a Message-ID, naming the header', async () => {
    const noId = GMAIL_REPLY.replace(/^Message-ID: .*\r\n/m, '');
    const err = await parseFailure({ contentType: 'message/rfc822', body: Buffer.from(noId) });
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/Message-ID/);
  });

  it('refuses garbage with a readable 400', async () => {
    const garbage = await parseFailure({
      contentType: 'message/rfc822',
      body: Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x0a, 0xde, 0xad]),
    });
    expect(garbage).toMatchObject({ statusCode: 400, code: 'invalid_webhook' });
    expect(garbage.message).toMatch(/raw MIME: the email has no sender address/);

    const json = await parseFailure({ contentType: 'application/json', body: Buffer.from('{"From": ') });
    expect(json).toMatchObject({ statusCode: 400, message: 'the body is not valid JSON' });

    const unknown = await parseFailure({ contentType: 'application/json', body: { hello: 'world' } });
    expect(unknown.message).toMatch(/unrecognised inbound email/);

    const badPostmark = await parseFailure({
      contentType: 'application/json',
      body: { ...POSTMARK_INBOUND, ToFull: 'x' },
    });
    expect(badPostmark.message).toMatch(/Postmark inbound JSON: ToFull/);
  });
});

describe('stripQuotedReply', () => {
  it.each([
    ['Sounds good.\n\nOn Tue, Jul 1, 2025 at 10:00 AM Acme <a@acme.test> wrote:\n> old', 'Sounds good.'],
    [
      'Sounds good.\n\nOn Tue, Jul 1, 2025 at 10:00 AM Acme Support <\nsupport@acme.test> wrote:\n> old',
      'Sounds good.',
    ],
    ['Sounds good.\n-----Original Message-----\nFrom: Acme\nold text', 'Sounds good.'],
    ['Sounds good.\n________________________________\nFrom: Acme <a@acme.test>\nSent: Monday\nold', 'Sounds good.'],
    ['Sounds good.\n\nFrom: Acme <a@acme.test>\nSent: Monday, July 1\nSubject: hi', 'Sounds good.'],
    ['> quoted question?\nMy inline answer.\n> another quote\nSecond answer.', 'My inline answer.\nSecond answer.'],
    ['Le mar. 1 juil. 2025 à 10:00, Acme a écrit :\n> vieux', 'Le mar. 1 juil. 2025 à 10:00, Acme a écrit :\n> vieux'],
    ['> everything is quoted\n> nothing new', '> everything is quoted\n> nothing new'],
    ['On my way! I wrote this myself.', 'On my way! I wrote this myself.'],
  ])('%j → %j', (input, expected) => {
    expect(stripQuotedReply(input)).toBe(expected);
  });
});

describe('verifyInboundEmailToken', () => {
  const TOKEN = 'inbound-token-0123456789abcdef';
  const hook = (url: string, headers: Record<string, string | undefined> = {}): RawWebhook => ({
    url,
    method: 'POST',
    headers,
    rawBody: Buffer.from('{}'),
  });
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  const refusal = (raw: RawWebhook) => {
    try {
      verifyInboundEmailToken(TOKEN, raw);
    } catch (err) {
      return rejection(err);
    }
    throw new Error('expected the token check to fail');
  };

  it('accepts the token as Bearer, as the Basic password, or as ?token=', () => {
    const url = 'https://switchboard.example/hooks/email/ch_1';
    expect(() => verifyInboundEmailToken(TOKEN, hook(url, { authorization: `Bearer ${TOKEN}` }))).not.toThrow();
    expect(() => verifyInboundEmailToken(TOKEN, hook(url, { Authorization: basic('postmark', TOKEN) }))).not.toThrow();
    expect(() => verifyInboundEmailToken(TOKEN, hook(`${url}?token=${TOKEN}`))).not.toThrow();
    expect(() => verifyInboundEmailToken(TOKEN, hook(`/hooks/email/ch_1?x=1&token=${TOKEN}`))).not.toThrow();
  });

  it('answers 401 when no token is presented', () => {
    const err = refusal(hook('https://switchboard.example/hooks/email/ch_1', { 'content-type': 'application/json' }));
    expect(err).toMatchObject({ statusCode: 401, code: 'signature_missing' });
  });

  it('answers 403 for a wrong token, however it is presented', () => {
    const url = 'https://switchboard.example/hooks/email/ch_1';
    for (const raw of [
      hook(url, { authorization: `Bearer ${TOKEN}x` }),
      hook(url, { authorization: basic(TOKEN, 'wrong') }),
      hook(`${url}?token=short`),
      hook(`${url}?token=${TOKEN.toUpperCase()}`),
    ]) {
      expect(refusal(raw)).toMatchObject({ statusCode: 403, code: 'signature_invalid' });
    }
  });
});
