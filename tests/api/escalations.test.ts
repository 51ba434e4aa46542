// The agent inbox's escalations through the API, on a Temporal dev server with a real worker: open
// by hand, list mine / my team's / all, acknowledge, reassign, resolve, a late request refused with
// 409 escalation_closed, the history, live updates over SSE, and a journey's handoff resolved from the inbox.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../api/api-keys';
import { signAccessToken } from '../../api/auth/tokens';
import type { Flow } from '../../flow';
import { toJson } from '../../prisma/json';
import { type ApiTestServer, auth, startApiTestServer, stopApiTestServer, TEST_JWT_SECRET } from '../helpers/app';
import { publish, seedTenant } from '../helpers/fixtures';
import { waitFor } from '../helpers/processes';
import { startTestWorker, type TestWorker } from '../helpers/worker';

let s: ApiTestServer;
let worker: TestWorker;

beforeAll(async () => {
  s = await startApiTestServer();
  worker = await startTestWorker(s.env, s.database.db);
});
afterAll(async () => {
  await worker?.stop();
  await stopApiTestServer(s);
});

async function member(tenantId: string, name: string, role: string, teams: string[]) {
  const db = s.database.db;
  const user = await db.user.create({ data: { email: `${name}-${randomUUID()}@inbox.test`, name, passwordHash: 'x' } });
  await db.membership.create({ data: { tenantId, userId: user.id, role, teams } });
  const session = await db.session.create({
    data: {
      tenantId,
      userId: user.id,
      familyId: randomUUID(),
      refreshHash: randomUUID(),
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  return { id: user.id, token: signAccessToken(TEST_JWT_SECRET, { sub: user.id, tid: tenantId, sid: session.id }) };
}

describe('escalations API', () => {
  it('opens, lists by scope, acknowledges, reassigns and resolves, refusing what comes after', async () => {
    const { tenant } = await seedTenant(s.database.db, `inbox-${randomUUID()}`);
    const ada = await member(tenant.id, 'ada', 'agent', ['billing']);
    const bob = await member(tenant.id, 'bob', 'agent', ['billing']);
    const cy = await member(tenant.id, 'cy', 'agent', ['sales']);
    const policy = await s.database.db.escalationPolicy.create({
      data: {
        tenantId: tenant.id,
        name: 'billing ladder',
        definition: toJson({
          name: 'billing ladder',
          levels: [{ targets: [{ type: 'team', team: 'billing' }], channels: ['in_app'], ackTimeoutMinutes: 30 }],
          repeat: 0,
        }),
      },
    });
    const api = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
      s.app.inject({ method, url: `/v1${url}`, headers: auth(token), ...(payload ? { payload } : {}) });

    const opened = await api(ada.token, 'POST', '/escalations', {
      team: 'billing',
      note: 'VIP asks for a refund',
      priority: 'high',
      policyId: policy.id,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const id = opened.json().id as string;
    // The ladder starts at once and notifies the billing team in-app.
    const notified = await waitFor(async () => {
      const r = (await api(ada.token, 'GET', `/escalations/${id}`)).json();
      return r.history.filter((h: { kind: string }) => h.kind === 'notified').length === 2 ? r : undefined;
    }, 'the billing team notified');
    expect(notified.live).toMatchObject({ level: 0, levels: 1, exhausted: false });
    expect(
      notified.history
        .map((h: { detail: { userId?: string } }) => h.detail.userId)
        .filter(Boolean)
        .sort(),
    ).toEqual([ada.id, bob.id].sort());

    // Scopes: billing members see it in "team", cy (sales) does not; nobody has it as "mine" yet.
    const ids = async (token: string, scope: string) =>
      (await api(token, 'GET', `/escalations?scope=${scope}`)).json().items.map((e: { id: string }) => e.id);
    expect(await ids(bob.token, 'team')).toEqual([id]);
    expect(await ids(cy.token, 'team')).toEqual([]);
    expect(await ids(cy.token, 'all')).toEqual([id]);
    expect(await ids(bob.token, 'mine')).toEqual([]);

    const acked = await api(bob.token, 'POST', `/escalations/${id}/acknowledge`);
    expect(acked.statusCode, acked.body).toBe(200);
    expect(acked.json()).toMatchObject({ status: 'acknowledged', assigneeId: bob.id, acknowledgedBy: bob.id });
    expect(await ids(bob.token, 'mine')).toEqual([id]);

    const reassigned = await api(bob.token, 'POST', `/escalations/${id}/reassign`, {
      userId: cy.id,
      note: 'sales promised it',
    });
    expect(reassigned.statusCode, reassigned.body).toBe(200);
    expect(reassigned.json()).toMatchObject({ status: 'open', assigneeId: cy.id });
    expect(await ids(cy.token, 'mine')).toEqual([id]);
    const stranger = await api(bob.token, 'POST', `/escalations/${id}/reassign`, { userId: randomUUID() });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().error.code).toBe('not_a_member');
    const empty = await api(bob.token, 'POST', `/escalations/${id}/reassign`, {});
    expect(empty.statusCode).toBe(400);

    const resolved = await api(cy.token, 'POST', `/escalations/${id}/resolve`, { note: 'refund issued' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toMatchObject({
      status: 'resolved',
      outcome: 'resolved',
      resolutionNote: 'refund issued',
      live: null,
    });
    expect(resolved.json().history.map((h: { kind: string }) => h.kind)).toEqual([
      'opened',
      'notified',
      'notified',
      'acknowledged',
      'reassigned',
      'notified',
      'resolved',
    ]);

    // After the end: a clear refusal that changes nothing.
    for (const [url, body] of [
      [`/escalations/${id}/acknowledge`, undefined],
      [`/escalations/${id}/resolve`, { resolution: 'unresolved' }],
      [`/escalations/${id}/reassign`, { userId: ada.id }],
    ] as const) {
      const late = await api(ada.token, 'POST', url, body);
      expect(late.statusCode, url).toBe(409);
      expect(late.json().error).toMatchObject({ code: 'escalation_closed' });
      expect(late.json().error.message).toMatch(/already resolved/);
    }
    expect((await api(ada.token, 'GET', `/escalations/${id}`)).json()).toMatchObject({
      status: 'resolved',
      outcome: 'resolved',
    });
    expect((await api(ada.token, 'GET', `/escalations?status=resolved`)).json().items).toHaveLength(1);
    expect((await api(ada.token, 'GET', `/escalations?status=open`)).json().items).toHaveLength(0);
  });

  it('an API key acts as the member who created it; a key nobody created names who acknowledges', async () => {
    const db = s.database.db;
    const { tenant, token: bootstrapKey } = await seedTenant(db, `inbox-${randomUUID()}`);
    const ada = await member(tenant.id, 'ada', 'agent', ['billing']);
    const bob = await member(tenant.id, 'bob', 'agent', ['sales']);
    const made = generateApiKey();
    await db.apiKey.create({
      data: {
        tenantId: tenant.id,
        name: 'ada console',
        prefix: made.prefix,
        hash: made.hash,
        scopes: ['*'],
        createdById: ada.id,
      },
    });
    const adaKey = made.token;
    const api = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
      s.app.inject({ method, url: `/v1${url}`, headers: auth(token), ...(payload ? { payload } : {}) });
    const ids = async (token: string, url: string) => {
      const res = await api(token, 'GET', url);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items.map((e: { id: string }) => e.id);
    };

    const channel = await db.channel.create({
      data: { tenantId: tenant.id, kind: 'sms', provider: 'sandbox', name: 'Sandbox SMS', status: 'connected' },
    });
    const theirs = await db.conversation.create({
      data: { tenantId: tenant.id, channelId: channel.id, kind: 'sms', address: '+14155550111', team: 'billing' },
    });
    const billing = await api(adaKey, 'POST', '/escalations', {
      team: 'billing',
      note: 'refund',
      conversationId: theirs.id,
    });
    expect(billing.statusCode, billing.body).toBe(201);
    const id = billing.json().id as string;
    // The list names the contact and carries the conversation's channel and SLA for the inbox row.
    expect(billing.json().conversation).toMatchObject({ channel: 'sms', address: '+14155550111', slaDueAt: null });

    // Ada's key sees her team's; the bootstrap key has no "me" and says so.
    expect(await ids(adaKey, '/escalations?scope=team')).toEqual([id]);
    expect(await ids(adaKey, '/escalations?scope=mine')).toEqual([]);
    expect(await ids(adaKey, '/conversations?scope=team')).toEqual([theirs.id]);
    expect(await ids(adaKey, '/conversations?scope=mine')).toEqual([]);
    for (const url of ['/escalations?scope=mine', '/conversations?scope=team', '/conversations?assignee=me']) {
      const refused = await api(bootstrapKey, 'GET', url);
      expect(refused.statusCode, url).toBe(400);
      expect(refused.json().error.code).toBe('no_user');
    }

    // Without a member, acknowledging asks for one; naming a stranger is refused; naming Bob works.
    const nobody = await api(bootstrapKey, 'POST', `/escalations/${id}/acknowledge`);
    expect(nobody.statusCode).toBe(400);
    expect(nobody.json().error.code).toBe('no_user');
    const stranger = await api(bootstrapKey, 'POST', `/escalations/${id}/acknowledge`, { userId: randomUUID() });
    expect(stranger.json().error.code).toBe('not_a_member');
    // A signed-in user cannot acknowledge for someone else.
    const forOther = await api(ada.token, 'POST', `/escalations/${id}/acknowledge`, { userId: bob.id });
    expect(forOther.statusCode).toBe(403);
    const asBob = await api(bootstrapKey, 'POST', `/escalations/${id}/acknowledge`, { userId: bob.id });
    expect(asBob.statusCode, asBob.body).toBe(200);
    expect(asBob.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: bob.id, assigneeId: bob.id });

    // Ada's key acknowledges as Ada (after a reassignment back to her team).
    const back = await api(adaKey, 'POST', `/escalations/${id}/reassign`, { team: 'billing' });
    expect(back.statusCode, back.body).toBe(200);
    const asAda = await api(adaKey, 'POST', `/escalations/${id}/acknowledge`);
    expect(asAda.statusCode, asAda.body).toBe(200);
    expect(asAda.json()).toMatchObject({ acknowledgedBy: ada.id, assigneeId: ada.id });
    expect(await ids(adaKey, '/escalations?scope=mine')).toEqual([id]);
    const reassigned = asAda.json().history.find((h: { kind: string }) => h.kind === 'reassigned');
    expect(reassigned.actorUserId).toBe(ada.id);
  });

  it('streams escalation updates live and keeps tenants apart', async () => {
    const { tenant } = await seedTenant(s.database.db, `inbox-${randomUUID()}`);
    const { tenant: other } = await seedTenant(s.database.db, `inbox-${randomUUID()}`);
    const ada = await member(tenant.id, 'ada', 'agent', ['ops']);
    const eve = await member(other.id, 'eve', 'agent', ['ops']);
    const address = await s.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${address}/v1/escalations/stream`, {
      headers: auth(ada.token),
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    /** Reads until `needle` has shown `times` times. */
    const seen = (needle: string, times = 1) =>
      waitFor(async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        return text.split(needle).length - 1 >= times ? true : undefined;
      }, `"${needle}" ×${times} on the stream`);

    const mine = await s.app.inject({
      method: 'POST',
      url: '/v1/escalations',
      headers: auth(ada.token),
      payload: { team: 'ops', note: 'pager' },
    });
    await seen(mine.json().id);
    expect(text).toContain('event: escalation.updated');
    // Another tenant's escalation never shows, nor can its id be read across tenants.
    const theirs = await s.app.inject({
      method: 'POST',
      url: '/v1/escalations',
      headers: auth(eve.token),
      payload: { team: 'ops' },
    });
    const foreign = await s.app.inject({
      method: 'GET',
      url: `/v1/escalations/${theirs.json().id}`,
      headers: auth(ada.token),
    });
    expect(foreign.statusCode).toBe(404);
    const before = text.split(mine.json().id).length - 1;
    await s.app.inject({
      method: 'POST',
      url: `/v1/escalations/${mine.json().id}/acknowledge`,
      headers: auth(ada.token),
    });
    await seen(mine.json().id, before + 1);
    expect(text).not.toContain(theirs.json().id);
    controller.abort();
  });

  it('a journey’s handoff lands in the team inbox; resolving it there sends the journey on', async () => {
    const seeded = await seedTenant(s.database.db, `inbox-${randomUUID()}`);
    const ada = await member(seeded.tenant.id, 'ada', 'agent', ['billing']);
    const handoffFlow: Flow = {
      name: 'Refund desk',
      version: 0,
      nodes: [
        { id: 'start', type: 'trigger', params: { source: 'api' } },
        {
          id: 'desk',
          type: 'handoff',
          params: { team: 'billing', priority: 'urgent', note: 'refund over the limit', timeout: '2d' },
        },
        { id: 'helped', type: 'end', params: { outcome: 'refunded' } },
        { id: 'gaveUp', type: 'end', params: { outcome: 'no refund' } },
      ],
      edges: [
        { id: 'e1', source: 'start', sourceHandle: 'next', target: 'desk' },
        { id: 'e2', source: 'desk', sourceHandle: 'resolved', target: 'helped' },
        { id: 'e3', source: 'desk', sourceHandle: 'unresolved', target: 'gaveUp' },
      ],
    };
    await publish(s.database.db, seeded.tenant.id, seeded.flow.id, handoffFlow);
    const started = await s.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: auth(seeded.token),
      payload: { flowId: seeded.flow.id, contactId: seeded.contact.id },
    });
    expect(started.statusCode, started.body).toBe(201);
    const runId = started.json().id as string;

    const inbox = await waitFor(async () => {
      const items = (await s.app.inject({ url: '/v1/escalations?scope=team', headers: auth(ada.token) })).json().items;
      return items.length === 1 ? items : undefined;
    }, 'the handoff in the billing inbox');
    expect(inbox[0]).toMatchObject({
      status: 'open',
      team: 'billing',
      priority: 'urgent',
      note: 'refund over the limit',
      contactId: seeded.contact.id,
    });
    const run = async () =>
      (await s.app.inject({ url: `/v1/runs/${runId}`, headers: auth(seeded.token) })).json() as {
        run: { status: string; outcome: string | null };
      };
    expect((await run()).run.status).toBe('running');

    const resolved = await s.app.inject({
      method: 'POST',
      url: `/v1/escalations/${inbox[0].id}/resolve`,
      headers: auth(ada.token),
      payload: { note: 'refund approved by billing' },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const finished = await waitFor(async () => {
      const r = await run();
      return r.run.status === 'completed' ? r : undefined;
    }, 'the journey to go on');
    expect(finished.run.outcome).toBe('refunded');
  });
});
