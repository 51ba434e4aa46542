import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../api/auth/tokens';
import { BUILT_IN_ROLES, ROLE_PERMISSIONS } from '../../api/permissions';
import { auth, startApiTestServer, stopApiTestServer, TEST_JWT_SECRET } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

// Walks every /v1 route the app registered (app.routeAccess), so a new route is covered the
// moment it exists: the role matrix (403 exactly when the role lacks the route's permission) and
// tenant isolation (another tenant's ids answer 404).
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
});
afterAll(() => stopApiTestServer({ app, env, database }));

async function memberToken(tenantId: string, role: string): Promise<string> {
  const user = await database.db.user.create({
    data: { email: `${role}-${randomUUID()}@matrix.test`, name: role, passwordHash: 'x' },
  });
  await database.db.membership.create({ data: { tenantId, userId: user.id, role } });
  const session = await database.db.session.create({
    data: {
      tenantId,
      userId: user.id,
      familyId: randomUUID(),
      refreshHash: randomUUID(),
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  return signAccessToken(TEST_JWT_SECRET, { sub: user.id, tid: tenantId, sid: session.id });
}

const fill = (url: string, ids: Record<string, string> = {}) =>
  url.replace(
    /:(\w+)/g,
    (_m, name: string) => ids[name] ?? (name === 'version' ? '1' : name === 'channel' ? 'sms' : randomUUID()),
  );

describe('access matrix', () => {
  it('every /v1 route declares who may call it', () => {
    const v1 = app.routeAccess.filter((r) => r.url.startsWith('/v1/'));
    expect(v1.length).toBeGreaterThan(40);
    for (const r of v1) expect(Boolean(r.permission || r.public || r.self), `${r.method} ${r.url}`).toBe(true);
  });

  it('answers 403 exactly when the role lacks the permission the route declares', async () => {
    const { tenant } = await seedTenant(database.db, `matrix-${randomUUID()}`);
    const tokens = Object.fromEntries(
      await Promise.all(BUILT_IN_ROLES.map(async (r) => [r, await memberToken(tenant.id, r)] as const)),
    );
    const failures: string[] = [];
    for (const route of app.routeAccess.filter((r) => r.permission)) {
      for (const role of BUILT_IN_ROLES) {
        const allowed = (ROLE_PERMISSIONS[role] as readonly string[]).includes(route.permission as string);
        // An allowed stream never ends; that it is refused to the others is what matters here.
        if (allowed && STREAMING.has(`${route.method} ${route.url}`)) continue;
        const res = await app.inject({
          method: route.method as 'GET',
          url: fill(route.url),
          headers: auth(tokens[role] as string),
          ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {}),
        });
        if (allowed === (res.statusCode === 403))
          failures.push(`${role} ${route.method} ${route.url}: ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('answers 403 to an API key without the scope, whatever the route', async () => {
    const { token } = await seedTenant(database.db, `scoped-${randomUUID()}`);
    const keyRes = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: auth(token),
      payload: { name: 'narrow', scopes: ['flows.read'] },
    });
    const narrow = (keyRes.json() as { token: string }).token;
    const failures: string[] = [];
    for (const route of app.routeAccess.filter((r) => r.permission && r.permission !== 'flows.read')) {
      const res = await app.inject({
        method: route.method as 'GET',
        url: fill(route.url),
        headers: auth(narrow),
        ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {}),
      });
      if (res.statusCode !== 403) failures.push(`${route.method} ${route.url}: ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

/** Valid request bodies for routes that take one, so validation passes and the tenant check answers. */
const BODIES: Record<string, unknown> = {
  'PUT /v1/flows/:id': {
    definition: { nodes: [{ id: 'start', type: 'trigger', params: { source: 'api' } }], edges: [] },
  },
  'POST /v1/flows/:id/simulate': {},
  'POST /v1/runs/:id/signal': { type: 'inbound-message', channel: 'sms', text: 'hi' },
  'POST /v1/runs/:id/cancel': {},
  'PATCH /v1/members/:id': { role: 'agent' },
  'PATCH /v1/contacts/:id': { firstName: 'X' },
  'POST /v1/contacts/:id/notes': { body: 'note' },
  'POST /v1/contacts/:id/merge': { otherId: '00000000-0000-4000-8000-000000000000' },
  'POST /v1/contacts/:id/tags': { tags: ['x'] },
  'PUT /v1/contacts/:id/dnc': { dnc: true },
  'PUT /v1/contacts/:id/consent/:channel': { status: 'granted' },
  'PUT /v1/contacts/:id/owner': { ownerId: null },
  'PATCH /v1/webhooks/:id': { active: false },
  'POST /v1/webhooks/:id/test': {},
  'POST /v1/webhooks/:id/rotate-secret': {},
  'PUT /v1/segments/:id': { name: 'x', filter: { match: 'all', conditions: [] } },
  'PATCH /v1/segments/:id': { name: 'x' },
  'PATCH /v1/lead-stages/:id': { label: 'x' },
  'POST /v1/imports/:id/start': { mapping: { Phone: 'phone' } },
  'POST /v1/imports/:id/check': { mapping: { Phone: 'phone' } },
  'PATCH /v1/channels/:id': { name: 'renamed' },
  'POST /v1/conversations/:id/messages': { text: 'hello' },
  'PATCH /v1/conversations/:id': { status: 'resolved' },
  'PATCH /v1/voice-agents/:id': { maxTurns: 5 },
  'PATCH /v1/phone-numbers/:id': { flowId: null },
  'PUT /v1/business-calendars/:id': { name: 'x', definition: { timeZone: 'UTC', hours: [] } },
  'PUT /v1/sla-policies/:id': { name: 'x', firstResponse: { minutes: 30 } },
  'PUT /v1/escalation-policies/:id': {
    name: 'x',
    levels: [{ targets: [{ type: 'team', team: 'support' }], ackTimeoutMinutes: 10 }],
  },
  'POST /v1/escalations/:id/reassign': { team: 'support' },
};

/** Routes that answer with a stream that stays open: their permission is checked, not their body. */
const STREAMING = new Set([
  'GET /v1/conversations/stream',
  'GET /v1/campaigns/:id/stream',
  'GET /v1/escalations/stream',
]);

describe('tenant isolation', () => {
  it("answers 404 on every route for another tenant's ids, and never returns its data", async () => {
    const a = await seedTenant(database.db, `iso-a-${randomUUID()}`);
    const b = await seedTenant(database.db, `iso-b-${randomUUID()}`);
    const asB = (method: string, url: string, payload?: unknown) =>
      app.inject({
        method: method as 'POST',
        url,
        headers: auth(b.token),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    // One of everything in tenant B.
    const run = (await asB('POST', '/v1/runs', { flowId: b.flow.id, contactId: b.contact.id })).json() as {
      id: string;
    };
    const key = (await asB('POST', '/v1/api-keys', { name: 'b', scopes: ['flows.read'] })).json() as { id: string };
    const role = (await asB('POST', '/v1/roles', { name: 'b-role', permissions: ['flows.read'] })).json() as {
      id: string;
    };
    const invitation = (await asB('POST', '/v1/invitations', { email: 'someone@b.test', role: 'agent' })).json() as {
      id: string;
    };
    const bOwnerId = (
      await database.db.user.create({ data: { email: `owner-${randomUUID()}@b.test`, name: 'B', passwordHash: 'x' } })
    ).id;
    const membership = await database.db.membership.create({
      data: { tenantId: b.tenant.id, userId: bOwnerId, role: 'agent' },
    });
    const session = await database.db.session.create({
      data: {
        tenantId: b.tenant.id,
        userId: bOwnerId,
        familyId: randomUUID(),
        refreshHash: randomUUID(),
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    const extra = await optionalResources(asB, b.contact.id);
    const shift = await asB('POST', '/v1/on-call-shifts', {
      team: 'support',
      userId: bOwnerId,
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    if (shift.statusCode === 201) extra['on-call-shifts'] = (shift.json() as { id: string }).id;
    const importJob = await database.db.importJob.create({
      data: { tenantId: b.tenant.id, status: 'completed', filename: 'b.csv', mapping: {} },
    });
    extra.imports = importJob.id;
    extra.escalations = (
      await database.db.escalation.create({
        data: {
          tenantId: b.tenant.id,
          idempotencyKey: `b-${randomUUID()}`,
          team: 'support',
          priority: 'normal',
          note: 'B',
        },
      })
    ).id;
    extra.campaigns = (
      await database.db.campaign.create({
        data: {
          tenantId: b.tenant.id,
          name: 'B campaign',
          audience: { contactIds: [b.contact.id] },
          work: { kind: 'flow', flowId: b.flow.id },
          settings: {},
        },
      })
    ).id;
    if (extra.webhooks) {
      const delivery = await database.db.webhookDelivery.create({
        data: {
          tenantId: b.tenant.id,
          subscriptionId: extra.webhooks,
          eventId: randomUUID(),
          eventType: 'contact.created',
          payload: {},
          status: 'delivered',
        },
      });
      extra['webhook-deliveries'] = delivery.id;
    }
    const aUser = await memberToken(a.tenant.id, 'owner');
    const ids: Record<string, string> = {
      flows: b.flow.id,
      runs: run.id,
      contacts: b.contact.id,
      'api-keys': key.id,
      roles: role.id.replace(/^custom:/, ''),
      invitations: invitation.id,
      members: membership.id,
      sessions: session.id,
      ...extra,
    };
    const failures: string[] = [];
    // Routes addressed by a resource id (`:step` on the onboarding checklist names no resource).
    for (const route of app.routeAccess.filter((r) => r.url.includes(':id') && !r.public)) {
      const resource = route.url.split('/').filter((p) => p && p !== 'v1' && p !== 'auth')[0] ?? '';
      const id = ids[resource];
      if (!id) {
        failures.push(`${route.method} ${route.url}: no tenant-B fixture for "${resource}"`);
        continue;
      }
      const key = `${route.method} ${route.url}`;
      const query = route.url.endsWith('/diff') ? '?from=1' : '';
      const res = await app.inject({
        method: route.method as 'GET',
        url: `${route.url.replace(':id', id).replace(':version', '1').replace(':channel', 'sms')}${query}`,
        headers: auth(route.self ? aUser : a.token),
        ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: (BODIES[key] ?? {}) as object } : {}),
      });
      if (res.statusCode !== 404) failures.push(`${key}: ${res.statusCode} ${res.body.slice(0, 120)}`);
      else expect(res.body).not.toContain(id);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

/** Resources of routes that other parts of the API add (webhooks, segments, imports…), when present. */
async function optionalResources(
  asB: (method: string, url: string, payload?: unknown) => Promise<{ statusCode: number; json(): unknown }>,
  contactId: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tryCreate = async (name: string, url: string, payload: unknown) => {
    const res = await asB('POST', url, payload);
    const body = res.json() as { id?: string };
    if (res.statusCode < 300 && body.id) out[name] = body.id;
  };
  await tryCreate('webhooks', '/v1/webhooks', { url: 'https://b.test/hook', events: ['contact.*'] });
  await tryCreate('segments', '/v1/segments', { name: 'B segment', filter: { match: 'all', conditions: [] } });
  await tryCreate('contact-fields', '/v1/contact-fields', { key: 'plan', label: 'Plan', type: 'text' });
  await tryCreate('lead-stages', '/v1/lead-stages', { key: 'b-stage', label: 'B stage' });
  await tryCreate('channels', '/v1/channels', { name: 'B sandbox', kind: 'sms', provider: 'sandbox' });
  if (out.channels) {
    const contact = await database.db.contact.findUniqueOrThrow({ where: { id: contactId } });
    const conversation = await database.db.conversation.create({
      data: {
        tenantId: contact.tenantId,
        channelId: out.channels,
        kind: 'sms',
        address: contact.phone ?? '+14155550123',
        contactId,
      },
    });
    out.conversations = conversation.id;
    const { tenantId } = contact;
    out['phone-numbers'] = (
      await database.db.phoneNumber.create({
        data: {
          tenantId,
          channelId: out.channels,
          e164: `+1500${String(Date.now()).slice(-7)}`,
          providerSid: `PN${randomUUID().replace(/-/g, '')}`,
        },
      })
    ).id;
    out.calls = (
      await database.db.call.create({
        data: { tenantId, channelId: out.channels, direction: 'outbound', to: '+14155550123', status: 'in-progress' },
      })
    ).id;
  }
  await tryCreate('voice-agents', '/v1/voice-agents', { template: 'support-line' });
  await tryCreate('business-calendars', '/v1/business-calendars', {
    name: 'B hours',
    definition: { timeZone: 'UTC', hours: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] },
  });
  await tryCreate('sla-policies', '/v1/sla-policies', { name: 'B policy', firstResponse: { minutes: 30 } });
  await tryCreate('knowledge-sources', '/v1/knowledge-sources', { kind: 'text', title: 'B notes', text: 'B only' });
  await tryCreate('escalation-policies', '/v1/escalation-policies', {
    name: 'B ladder',
    levels: [{ targets: [{ type: 'team', team: 'support' }], ackTimeoutMinutes: 10 }],
  });
  if (out.webhooks) {
    const deliveries = (await asB('GET', `/v1/webhooks/${out.webhooks}/deliveries`)) as unknown as {
      json(): { items?: { id: string }[] };
    };
    const first = deliveries.json().items?.[0];
    if (first) out['webhook-deliveries'] = first.id;
  }
  void contactId;
  return out;
}
