import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpAt } from '../../api/auth/totp';
import type { DevInbox } from '../../api/mailer';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
});
afterAll(() => stopApiTestServer({ app, env, database }));

type Tokens = { accessToken: string; refreshToken: string; tenant: { id: string }; user: { id: string }; role: string };
let n = 0;
async function signup(over: Record<string, string> = {}) {
  const email = over.email ?? `owner${++n}@acme.test`;
  const res = await app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    remoteAddress: `10.0.0.${n}`,
    payload: { tenantName: `Acme ${n}`, name: 'Ada', email, password: 'correct horse battery', ...over },
  });
  return { res, tokens: res.json() as Tokens, email };
}
let ipSeq = 0;
// Each sign-in comes from its own address unless a test says otherwise: the limit is per client.
const login = (payload: Record<string, unknown>, ip = `10.2.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`) =>
  app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: ip, payload });

describe('sign-up and sign-in', () => {
  it('creates a tenant with its owner and signs them in', async () => {
    const { res, tokens } = await signup();
    expect(res.statusCode).toBe(201);
    expect(tokens.role).toBe('owner');
    const me = await app.inject({ url: '/v1/auth/me', headers: auth(tokens.accessToken) });
    expect(me.json()).toMatchObject({ role: 'owner', tenantId: tokens.tenant.id });
    // The access token works on tenant routes too.
    expect((await app.inject({ url: '/v1/flows', headers: auth(tokens.accessToken) })).statusCode).toBe(200);
    const hash = (await database.db.user.findUniqueOrThrow({ where: { id: tokens.user.id } })).passwordHash;
    expect(hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses weak passwords with the reasons, and a taken email', async () => {
    const weak = await signup({ password: 'password1' });
    expect(weak.res.statusCode).toBe(400);
    expect(weak.res.json()).toMatchObject({ error: { code: 'weak_password' } });
    const first = await signup();
    const again = await signup({ email: first.email });
    expect(again.res.statusCode).toBe(409);
  });

  it('signs in with the right password only, and says the same for an unknown email', async () => {
    const { email } = await signup();
    expect((await login({ email, password: 'correct horse battery' })).statusCode).toBe(200);
    const wrong = await login({ email, password: 'wrong horse battery' });
    const unknown = await login({ email: 'nobody@acme.test', password: 'correct horse battery' });
    expect(wrong.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
    expect(unknown.json()).toEqual({
      ...unknown.json(),
      error: { ...(unknown.json() as { error: object }).error, code: 'invalid_credentials' },
    });
  });

  it('rate-limits sign-in attempts per client', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await login({ email: 'x@y.test', password: 'nope nope nope' }, '10.9.9.9')).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });
});

describe('sessions', () => {
  it('rotates refresh tokens and signs the whole family out when an old one comes back', async () => {
    const { tokens } = await signup();
    const refresh = (token: string) =>
      app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: token } });
    const second = await refresh(tokens.refreshToken);
    expect(second.statusCode).toBe(200);
    const next = second.json() as Tokens;
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    const reused = await refresh(tokens.refreshToken);
    expect(reused.json()).toMatchObject({ error: { code: 'refresh_token_reused' } });
    // The thief's and the owner's newest tokens are both dead now.
    expect((await refresh(next.refreshToken)).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/auth/me', headers: auth(next.accessToken) })).statusCode).toBe(401);
  });

  it('lists sessions, revokes one, and logs out', async () => {
    const { tokens, email } = await signup();
    const other = (await login({ email, password: 'correct horse battery' })).json() as Tokens;
    const list = (await app.inject({ url: '/v1/auth/sessions', headers: auth(tokens.accessToken) })).json() as {
      items: { id: string; current: boolean }[];
    };
    expect(list.items).toHaveLength(2);
    const notCurrent = list.items.find((s) => !s.current);
    expect(
      (
        await app.inject({
          method: 'DELETE',
          url: `/v1/auth/sessions/${notCurrent?.id}`,
          headers: auth(tokens.accessToken),
        })
      ).statusCode,
    ).toBe(204);
    expect((await app.inject({ url: '/v1/auth/me', headers: auth(other.accessToken) })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth(tokens.accessToken) })).statusCode,
    ).toBe(204);
    expect((await app.inject({ url: '/v1/auth/me', headers: auth(tokens.accessToken) })).statusCode).toBe(401);
  });

  it('changing the password signs out the other sessions', async () => {
    const { tokens, email } = await signup();
    const other = (await login({ email, password: 'correct horse battery' })).json() as Tokens;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/auth/password',
      headers: auth(tokens.accessToken),
      payload: { currentPassword: 'correct horse battery', newPassword: 'an even longer passphrase' },
    });
    expect(res.statusCode).toBe(204);
    expect((await app.inject({ url: '/v1/auth/me', headers: auth(other.accessToken) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/auth/me', headers: auth(tokens.accessToken) })).statusCode).toBe(200);
    expect((await login({ email, password: 'an even longer passphrase' })).statusCode).toBe(200);
  });
});

describe('two-factor', () => {
  it('turns on with an authenticator code, then asks for it at sign-in; backup codes work once', async () => {
    const { tokens, email } = await signup();
    const setup = (
      await app.inject({ method: 'POST', url: '/v1/auth/2fa/setup', headers: auth(tokens.accessToken) })
    ).json() as { secret: string; otpauthUrl: string };
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const stored = await database.db.user.findFirstOrThrow({ where: { email } });
    expect(stored.totpSecret).not.toContain(setup.secret); // sealed at rest
    const enable = await app.inject({
      method: 'POST',
      url: '/v1/auth/2fa/enable',
      headers: auth(tokens.accessToken),
      payload: { code: totpAt(setup.secret, Date.now()) },
    });
    const { backupCodes } = enable.json() as { backupCodes: string[] };
    expect(backupCodes).toHaveLength(10);

    expect((await login({ email, password: 'correct horse battery' })).json()).toMatchObject({
      error: { code: 'totp_required' },
    });
    expect((await login({ email, password: 'correct horse battery', totpCode: '000000' })).statusCode).toBe(401);
    expect(
      (await login({ email, password: 'correct horse battery', totpCode: totpAt(setup.secret, Date.now()) }))
        .statusCode,
    ).toBe(200);
    expect((await login({ email, password: 'correct horse battery', backupCode: backupCodes[0] })).statusCode).toBe(
      200,
    );
    expect((await login({ email, password: 'correct horse battery', backupCode: backupCodes[0] })).statusCode).toBe(
      401,
    );
  });
});

describe('invitations, members and roles', () => {
  it('invites by email into the development inbox, and the invitee joins with the role', async () => {
    const { tokens } = await signup();
    const invited = await app.inject({
      method: 'POST',
      url: '/v1/invitations',
      headers: auth(tokens.accessToken),
      payload: { email: 'Grace@Acme.test', role: 'agent' },
    });
    expect(invited.statusCode).toBe(201);
    const mail = (app.mailer as DevInbox).messages.find((m) => m.to === 'grace@acme.test');
    const token = /token: (\S+)/.exec(mail?.text ?? '')?.[1] ?? '';
    const inbox = (await app.inject('/dev/inbox?to=grace@acme.test')).json() as { items: unknown[] };
    expect(inbox.items.length).toBeGreaterThan(0);
    const joined = await app.inject({
      method: 'POST',
      url: '/v1/invitations/accept',
      payload: { token, name: 'Grace', password: 'hopper cobol nineteen 59' },
    });
    expect(joined.statusCode, joined.body).toBe(200);
    const grace = joined.json() as Tokens;
    expect(grace.role).toBe('agent');
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/invitations/accept',
          payload: { token, password: 'hopper cobol nineteen 59' },
        })
      ).statusCode,
    ).toBe(400);
    // An agent cannot manage members or publish flows.
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/invitations',
          headers: auth(grace.accessToken),
          payload: { email: 'x@y.test', role: 'agent' },
        })
      ).statusCode,
    ).toBe(403);
    const members = (await app.inject({ url: '/v1/members', headers: auth(grace.accessToken) })).json() as {
      items: { role: string }[];
    };
    expect(members.items.map((m) => m.role).sort()).toEqual(['agent', 'owner']);
  });

  it('keeps the last owner, and lets only owners make owners', async () => {
    const { tokens } = await signup();
    const members = (await app.inject({ url: '/v1/members', headers: auth(tokens.accessToken) })).json() as {
      items: { id: string }[];
    };
    const self = members.items[0]?.id;
    const demote = await app.inject({
      method: 'PATCH',
      url: `/v1/members/${self}`,
      headers: auth(tokens.accessToken),
      payload: { role: 'admin' },
    });
    expect(demote.json()).toMatchObject({ error: { code: 'last_owner' } });
  });

  it('sets a member’s teams and escalation phone, refusing a bad number and an empty change', async () => {
    const { tokens } = await signup();
    const members = (await app.inject({ url: '/v1/members', headers: auth(tokens.accessToken) })).json() as {
      items: { id: string }[];
    };
    const self = members.items[0]?.id;
    const patch = (payload: object) =>
      app.inject({ method: 'PATCH', url: `/v1/members/${self}`, headers: auth(tokens.accessToken), payload });
    const set = await patch({ teams: ['billing', ' vip ', 'billing'], notifyPhone: '+44 20 7946 0958' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ role: 'owner', teams: ['billing', 'vip'], notifyPhone: '+442079460958' });
    const listed = (await app.inject({ url: '/v1/members', headers: auth(tokens.accessToken) })).json();
    expect(listed.items[0]).toMatchObject({ teams: ['billing', 'vip'], notifyPhone: '+442079460958' });

    const bad = await patch({ notifyPhone: '555-0100' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid_phone' });
    expect(bad.json().error.message).toMatch(/international format/);
    expect((await patch({ teams: [''] })).statusCode).toBe(400);
    expect((await patch({})).statusCode).toBe(400);
    const cleared = await patch({ notifyPhone: null, teams: [] });
    expect(cleared.json()).toMatchObject({ teams: [], notifyPhone: null });
  });

  it('creates custom roles only from permissions the creator holds, and applies them', async () => {
    const { tokens } = await signup();
    const role = await app.inject({
      method: 'POST',
      url: '/v1/roles',
      headers: auth(tokens.accessToken),
      payload: { name: 'Reader', permissions: ['flows.read'] },
    });
    expect(role.statusCode).toBe(201);
    const roleId = (role.json() as { id: string }).id;
    await app.inject({
      method: 'POST',
      url: '/v1/invitations',
      headers: auth(tokens.accessToken),
      payload: { email: `reader${n}@acme.test`, role: roleId },
    });
    const mail = (app.mailer as DevInbox).messages.at(-1);
    const token = /token: (\S+)/.exec(mail?.text ?? '')?.[1] ?? '';
    const reader = (
      await app.inject({
        method: 'POST',
        url: '/v1/invitations/accept',
        payload: { token, password: 'reader reads books' },
      })
    ).json() as Tokens;
    expect((await app.inject({ url: '/v1/flows', headers: auth(reader.accessToken) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/runs', headers: auth(reader.accessToken) })).statusCode).toBe(403);
  });
});

describe('API keys and the audit log', () => {
  it('shows a key once, limits it to its scopes, records use, and revokes it', async () => {
    const { tokens } = await signup();
    const created = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: auth(tokens.accessToken),
      payload: { name: 'sync', scopes: ['flows.read'] },
    });
    const key = created.json() as { id: string; token: string };
    expect(key.token).toMatch(/^sbk_/);
    const listed = (await app.inject({ url: '/v1/api-keys', headers: auth(tokens.accessToken) })).json() as {
      items: object[];
    };
    expect(JSON.stringify(listed)).not.toContain(key.token);
    expect((await app.inject({ url: '/v1/flows', headers: auth(key.token) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/runs', headers: auth(key.token) })).json()).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect((await app.inject({ url: '/v1/auth/me', headers: auth(key.token) })).statusCode).toBe(403);
    await app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: auth(tokens.accessToken) });
    expect((await app.inject({ url: '/v1/flows', headers: auth(key.token) })).statusCode).toBe(401);
  });

  it('records sensitive actions, filters them and exports them as CSV', async () => {
    const { tokens } = await signup();
    await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: auth(tokens.accessToken),
      payload: { name: 'k', scopes: ['*'] },
    });
    const log = (await app.inject({ url: '/v1/audit?action=api_key.*', headers: auth(tokens.accessToken) })).json() as {
      items: { action: string }[];
    };
    expect(log.items.map((e) => e.action)).toEqual(['api_key.created']);
    const all = (await app.inject({ url: '/v1/audit', headers: auth(tokens.accessToken) })).json() as {
      items: { action: string }[];
    };
    expect(all.items.map((e) => e.action)).toEqual(expect.arrayContaining(['tenant.created', 'api_key.created']));
    const csv = await app.inject({ url: '/v1/audit/export.csv', headers: auth(tokens.accessToken) });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('createdAt,actorType,actorId,action,targetType,targetId,ip,details');
    expect(csv.body).toContain('api_key.created');
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and request, and refuses a different request', async () => {
    const { tokens } = await signup();
    const create = (name: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: { ...auth(tokens.accessToken), 'idempotency-key': 'import-42' },
        payload: { firstName: name },
      });
    const first = await create('Lin');
    expect(first.statusCode, first.body).toBe(201);
    const again = await create('Lin');
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.json() as { id: string }).id).toBe((first.json() as { id: string }).id);
    expect((await create('Someone else')).json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
  });
});
