import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGO_DATA_URL_MAX } from '../../api/routes/branding';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

// Tenant branding: name, logo (https URL or a small image data URL) and accent colour; what it
// refuses and why, that it is audited, and that one tenant's brand is not another's.
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let a: Awaited<ReturnType<typeof seedTenant>>;
let b: Awaited<ReturnType<typeof seedTenant>>;

type ErrorBody = { error: { code: string; message: string; details?: Array<{ path: string; message: string }> } };

const call = (method: 'GET' | 'PUT', token: string, payload?: object) =>
  app.inject({ method, url: '/v1/branding', headers: auth(token), ...(payload ? { payload } : {}) });

const PNG_1PX =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  a = await seedTenant(database.db, `brand-a-${randomUUID()}`);
  b = await seedTenant(database.db, `brand-b-${randomUUID()}`);
});
afterAll(() => stopApiTestServer({ app, env, database }));

describe('branding', () => {
  it("starts as the tenant's name with no logo or colour", async () => {
    const res = await call('GET', a.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: a.tenant.name, logoUrl: null, color: null });
  });

  it('saves a name, a data URL logo and a colour (lower-cased), audited, for this tenant only', async () => {
    const res = await call('PUT', a.token, { name: 'Acme Dental', logoUrl: PNG_1PX, color: '#0F766E' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: 'Acme Dental', logoUrl: PNG_1PX, color: '#0f766e' });
    expect((await call('GET', a.token)).json()).toMatchObject({ name: 'Acme Dental', color: '#0f766e' });
    expect((await call('GET', b.token)).json()).toEqual({ name: b.tenant.name, logoUrl: null, color: null });
    const audit = await database.db.auditLog.findFirst({
      where: { tenantId: a.tenant.id, action: 'branding.updated' },
    });
    expect(audit?.details).toMatchObject({ name: { to: 'Acme Dental' }, color: { to: '#0f766e' }, logo: 'uploaded' });
  });

  it('takes an https logo URL and clears logo and colour with null', async () => {
    const url = 'https://cdn.example.com/acme/logo.svg';
    expect((await call('PUT', a.token, { name: 'Acme', logoUrl: url, color: null })).json()).toEqual({
      name: 'Acme',
      logoUrl: url,
      color: null,
    });
    expect((await call('PUT', a.token, { name: 'Acme', logoUrl: null })).json()).toEqual({
      name: 'Acme',
      logoUrl: null,
      color: null,
    });
  });

  it.each([
    ['an empty name', { name: '  ' }, '/name'],
    ['a colour that is not #rrggbb', { name: 'Acme', color: 'teal' }, '/color'],
    ['a plain http logo', { name: 'Acme', logoUrl: 'http://cdn.example.com/logo.png' }, '/logoUrl'],
    ['a data URL that is not an image', { name: 'Acme', logoUrl: 'data:text/html;base64,PGI+aGk8L2I+' }, '/logoUrl'],
    [
      'a data URL logo over the limit',
      { name: 'Acme', logoUrl: `data:image/png;base64,${'A'.repeat(LOGO_DATA_URL_MAX)}` },
      '/logoUrl',
    ],
  ])('refuses %s with validation_failed naming the field', async (_what, body, path) => {
    const res = await call('PUT', a.token, body);
    expect(res.statusCode).toBe(400);
    const err = res.json<ErrorBody>().error;
    expect(err.code).toBe('validation_failed');
    expect(err.details?.map((d) => d.path)).toContain(path);
  });

  it('needs settings.write to change and members.read to read', async () => {
    const keyRes = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: auth(a.token),
      payload: { name: 'reader', scopes: ['members.read'] },
    });
    const reader = keyRes.json<{ token: string }>().token;
    expect((await call('GET', reader)).statusCode).toBe(200);
    const res = await call('PUT', reader, { name: 'Hijacked' });
    expect(res.statusCode).toBe(403);
    expect(res.json<ErrorBody>().error.code).toBe('forbidden');
  });
});
