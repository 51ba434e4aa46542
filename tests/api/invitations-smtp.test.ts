import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { ApiConfigSchema } from '../../api/config';
import { SmtpMailer } from '../../api/mailer-smtp';
import { auth, TASK_QUEUE, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { createTestDatabase } from '../helpers/db';
import { createDevServerEnv } from '../helpers/temporal';
import { SmtpStandIn } from '../stand-ins/smtp';

const MAIL_FROM = 'Switchboard <no-reply@switchboard.test>';
const SMTP_AUTH = { user: 'mailer', pass: 's3cret pass' };

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let smtp: SmtpStandIn;
let app: FastifyInstance;

beforeAll(async () => {
  [env, database, smtp] = await Promise.all([
    createDevServerEnv(),
    createTestDatabase(),
    SmtpStandIn.start({ auth: SMTP_AUTH }),
  ]);
  // Configured the way server.ts configures it: from the environment, through the config schema.
  const config = ApiConfigSchema.parse({
    DATABASE_URL: database.url,
    SWITCHBOARD_JWT_SECRET: TEST_JWT_SECRET,
    SWITCHBOARD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
    SWITCHBOARD_SMTP_URL: `smtp://${SMTP_AUTH.user}:${encodeURIComponent(SMTP_AUTH.pass)}@${smtp.host}:${smtp.port}`,
    SWITCHBOARD_MAIL_FROM: MAIL_FROM,
  });
  app = await buildApp({
    db: database.db,
    temporal: env.client,
    taskQueue: TASK_QUEUE,
    logLevel: process.env.TEST_API_LOG ?? 'silent',
    jwtSecret: TEST_JWT_SECRET,
    encryptionKeys: [TEST_ENCRYPTION_KEY],
    databaseUrl: database.url,
    mailer: new SmtpMailer({
      url: config.SWITCHBOARD_SMTP_URL ?? '',
      from: config.SWITCHBOARD_MAIL_FROM ?? '',
      timeoutMs: 1_000,
    }),
  });
});
afterAll(async () => {
  await app?.close();
  await smtp?.stop();
  await env?.teardown();
  await database?.drop();
});

let n = 0;
async function owner() {
  n += 1;
  const res = await app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    remoteAddress: `10.7.0.${n}`,
    payload: { tenantName: `Mail ${n}`, name: 'Ada', email: `owner${n}@mail.test`, password: 'correct horse battery' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { accessToken: string }).accessToken;
}
const invite = (token: string, email: string) =>
  app.inject({ method: 'POST', url: '/v1/invitations', headers: auth(token), payload: { email, role: 'agent' } });
const pending = async (token: string) =>
  ((await app.inject({ url: '/v1/invitations', headers: auth(token) })).json() as { items: { email: string }[] }).items;

describe('invitations through SMTP', () => {
  it('mails the invitee the token from SWITCHBOARD_MAIL_FROM, and the token lets them join', async () => {
    const token = await owner();
    const before = smtp.received.length;
    const res = await invite(token, 'Grace@Mail.test');
    expect(res.statusCode, res.body).toBe(201);
    const mails = smtp.received.slice(before);
    expect(mails).toHaveLength(1);
    const mail = mails[0];
    expect(mail?.envelope.to).toEqual(['grace@mail.test']);
    expect(mail?.envelope.from).toBe('no-reply@switchboard.test');
    expect(mail?.parsed.from).toEqual({ name: 'Switchboard', address: 'no-reply@switchboard.test' });
    expect(mail?.parsed.subject).toMatch(/invited to Mail \d+/);
    const invitationToken = /token: (\S+)/.exec(mail?.parsed.text ?? '')?.[1] ?? '';
    expect(invitationToken.length).toBeGreaterThan(10);
    expect(mail?.parsed.html).toContain(invitationToken);

    const joined = await app.inject({
      method: 'POST',
      url: '/v1/invitations/accept',
      payload: { token: invitationToken, name: 'Grace', password: 'hopper cobol nineteen 59' },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    expect((joined.json() as { role: string }).role).toBe('agent');
  });

  // On a failed email the invitation is not created (its token would reach no one and cannot be
  // resent): the API says why without the mail server's internals, and the owner invites again.
  it('answers 503 on a temporary refusal (451) and keeps no invitation; a retry then works', async () => {
    const token = await owner();
    smtp.failNextMessages(1);
    const before = smtp.received.length;
    const res = await invite(token, 'linus@mail.test');
    expect(res.statusCode, res.body).toBe(503);
    const body = res.json() as { error: { code: string; message: string; details: unknown } };
    expect(body.error).toMatchObject({ code: 'mail_not_sent', details: { retryable: true } });
    expect(body.error.message).toMatch(/temporarily.*451.*no invitation was created/);
    expect(body.error.message).not.toMatch(/local error in processing/);
    expect(await pending(token)).toEqual([]);
    expect(await database.db.invitation.count({ where: { email: 'linus@mail.test' } })).toBe(0);

    const again = await invite(token, 'linus@mail.test');
    expect(again.statusCode, again.body).toBe(201);
    expect(smtp.received.slice(before).map((m) => m.envelope.to)).toEqual([['linus@mail.test']]);
    expect((await pending(token)).map((i) => i.email)).toEqual(['linus@mail.test']);
  });

  it('answers 502 when the mail server refuses our credentials (535), and keeps no invitation', async () => {
    const token = await owner();
    smtp.failAuth();
    try {
      const res = await invite(token, 'ken@mail.test');
      expect(res.statusCode, res.body).toBe(502);
      const body = res.json() as { error: { code: string; message: string } };
      expect(body.error).toMatchObject({ code: 'mail_not_sent', details: { retryable: false } });
      expect(body.error.message).toMatch(/refused our credentials \(535\)/);
      expect(body.error.message).not.toMatch(/Authentication credentials invalid|s3cret/);
      expect(await pending(token)).toEqual([]);
    } finally {
      smtp.failAuth(false);
    }
  });

  it('does not hang the request on a mail server that never answers', async () => {
    const token = await owner();
    smtp.hangNextMessages(1);
    const started = Date.now();
    const res = await invite(token, 'barbara@mail.test');
    expect(res.statusCode, res.body).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await pending(token)).toEqual([]);
  });
});

describe('production without SMTP', () => {
  it('refuses invitations with mail_not_configured instead of dropping the email', async () => {
    const token = await owner();
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    let prod: FastifyInstance | undefined;
    try {
      prod = await buildApp({
        db: database.db,
        temporal: env.client,
        taskQueue: TASK_QUEUE,
        logLevel: 'silent',
        jwtSecret: TEST_JWT_SECRET,
        encryptionKeys: [TEST_ENCRYPTION_KEY],
      });
    } finally {
      process.env.NODE_ENV = previous;
    }
    try {
      const res = await prod.inject({
        method: 'POST',
        url: '/v1/invitations',
        headers: auth(token),
        payload: { email: 'margaret@mail.test', role: 'agent' },
      });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json()).toMatchObject({ error: { code: 'mail_not_configured' } });
      expect((res.json() as { error: { message: string } }).error.message).toMatch(/SWITCHBOARD_SMTP_URL/);
      expect(await pending(token)).toEqual([]);
      expect((await prod.inject('/dev/inbox')).statusCode).toBe(404);
    } finally {
      await prod.close();
    }
  });
});

describe('SWITCHBOARD_SMTP_URL', () => {
  it('is optional, treats empty as unset, and accepts smtp:// and smtps:// only', () => {
    const base = {
      DATABASE_URL: 'postgres://localhost/x',
      SWITCHBOARD_JWT_SECRET: TEST_JWT_SECRET,
      SWITCHBOARD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
    };
    expect(ApiConfigSchema.parse(base).SWITCHBOARD_SMTP_URL).toBeUndefined();
    expect(ApiConfigSchema.parse({ ...base, SWITCHBOARD_SMTP_URL: '' }).SWITCHBOARD_SMTP_URL).toBeUndefined();
    expect(ApiConfigSchema.parse({ ...base, SWITCHBOARD_SMTP_URL: 'smtps://u:p@mail.example.com' })).toMatchObject({
      SWITCHBOARD_SMTP_URL: 'smtps://u:p@mail.example.com',
    });
    expect(() => ApiConfigSchema.parse({ ...base, SWITCHBOARD_SMTP_URL: 'https://mail.example.com' })).toThrow(
      /smtp:\/\//,
    );
    expect(() => new SmtpMailer({ url: 'smtp://mail.example.com', from: 'nobody' })).toThrow(/SWITCHBOARD_MAIL_FROM/);
  });
});
