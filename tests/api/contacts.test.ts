import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetApiKey } from '../../api/plugins/auth';
import { toJson } from '../../prisma/json';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let a: Awaited<ReturnType<typeof seedTenant>>;
let b: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  a = await seedTenant(database.db, 'contacts-a');
  b = await seedTenant(database.db, 'contacts-b');
});
afterAll(() => stopApiTestServer({ app, env, database }));

type Res = { statusCode: number; json(): unknown; body: string };
type Contact = {
  id: string;
  phone: string | null;
  email: string | null;
  timeZone: string | null;
  tags: string[];
  fields: Record<string, unknown>;
  leadStatus: string | null;
  score: number;
  ownerId: string | null;
  dnc: boolean;
  consent: Record<string, { status: string; source?: string | null }>;
  firstName: string | null;
  lastName: string | null;
};
const expectError = (res: Res, status: number, code: string) => {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
};
const call = (method: string, url: string, payload?: unknown, token = a.token) =>
  app.inject({
    method: method as 'GET',
    url: `/v1${url}`,
    headers: auth(token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
let seq = 0;
/** A fresh valid US number per call (555-01xx is reserved for fiction; 212 area code). */
const phone = () => `+1212555${String(1000 + seq++).padStart(4, '0')}`;
const create = async (body: Record<string, unknown>, token = a.token) => {
  const res = await call('POST', '/contacts', body, token);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Contact;
};

describe('create', () => {
  it('normalizes phone (with defaultCountry) and email and infers the time zone', async () => {
    const c = await create({
      firstName: 'Ada',
      phone: '(415) 555-2671',
      defaultCountry: 'US',
      email: ' Ada@Example.COM ',
    });
    expect(c).toMatchObject({ phone: '+14155552671', email: 'ada@example.com', timeZone: 'America/Los_Angeles' });
    const q = await call('POST', '/contacts?defaultCountry=GB', { phone: '020 7946 0111' });
    expect(q.statusCode).toBe(201);
    expect(q.json()).toMatchObject({ phone: '+442079460111', timeZone: 'Europe/London' });
  });

  it('keeps a given time zone and refuses an unknown one', async () => {
    const c = await create({ phone: phone(), timeZone: 'Europe/Paris' });
    expect(c.timeZone).toBe('Europe/Paris');
    expectError(
      await call('POST', '/contacts', { phone: phone(), timeZone: 'Mars/Olympus' }),
      400,
      'validation_failed',
    );
  });

  it('refuses an invalid phone or email with the reason', async () => {
    const bad = await call('POST', '/contacts', { phone: '+1 999 555 0100' });
    expectError(bad, 400, 'validation_failed');
    expect(bad.body).toContain('invalid for');
    expectError(await call('POST', '/contacts', { email: 'nope' }), 400, 'validation_failed');
  });

  it('refuses a key it does not know rather than drop it: a dropped "dnc": true would leave the contact reachable', async () => {
    const number = phone();
    const bad = await call('POST', '/contacts', { phone: number, dnc: true });
    expectError(bad, 400, 'validation_failed');
    expect(bad.body).toContain('dnc');
    const listed = await call('GET', `/contacts?search=${encodeURIComponent(number)}`);
    expect((listed.json() as { items: unknown[] }).items).toEqual([]);
    const made = await create({ phone: number });
    const patched = await call('PATCH', `/contacts/${made.id}`, { dnc: true, tags: ['x'] });
    expectError(patched, 400, 'validation_failed');
    expect(patched.body).toContain('dnc');
    expect(((await call('GET', `/contacts/${made.id}`)).json() as Contact).tags).toEqual([]);
  });

  it('answers 409 duplicate_contact with the existing id for a phone or email a live contact has', async () => {
    const first = await create({ phone: phone(), email: `dup-${randomUUID()}@example.com` });
    const byPhone = await call('POST', '/contacts', { phone: first.phone });
    expectError(byPhone, 409, 'duplicate_contact');
    expect(byPhone.json()).toMatchObject({ error: { details: { contactId: first.id, matchedOn: ['phone'] } } });
    const byEmail = await call('POST', '/contacts', { email: first.email?.toUpperCase() });
    expectError(byEmail, 409, 'duplicate_contact');
    expect(byEmail.json()).toMatchObject({ error: { details: { contactId: first.id, matchedOn: ['email'] } } });
  });

  it('with upsert=true merges into the existing contact and answers 200', async () => {
    const first = await create({ phone: phone(), tags: ['a'], fields: { plan: 'free', region: 'eu' } });
    const res = await call('POST', '/contacts?upsert=true', {
      phone: first.phone,
      firstName: 'Upserted',
      tags: ['b'],
      fields: { plan: 'pro' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: first.id,
      firstName: 'Upserted',
      tags: ['a', 'b'],
      fields: { plan: 'pro', region: 'eu' },
    });
  });

  it('lets only one of two concurrent creates with the same phone win (201 and 409)', async () => {
    const p = phone();
    const results = await Promise.all([
      call('POST', '/contacts', { phone: p, firstName: 'one' }),
      call('POST', '/contacts', { phone: p, firstName: 'two' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const loser = results.find((r) => r.statusCode === 409);
    expect(loser?.json()).toMatchObject({ error: { code: 'duplicate_contact' } });
    expect(await database.db.contact.count({ where: { tenantId: a.tenant.id, phone: p } })).toBe(1);
  });

  it("lets a deleted contact's phone be used again", async () => {
    const first = await create({ phone: phone() });
    expect((await call('DELETE', `/contacts/${first.id}`)).statusCode).toBe(204);
    const again = await create({ phone: first.phone });
    expect(again.id).not.toBe(first.id);
  });

  it('allows the same phone in two tenants', async () => {
    const p = phone();
    await create({ phone: p });
    await create({ phone: p }, b.token);
  });
});

describe('custom fields', () => {
  it('defines fields and validates contact values against their types, naming the field', async () => {
    const defs = [
      { key: 'seats', label: 'Seats', type: 'number' },
      { key: 'trial', label: 'Trial', type: 'boolean' },
      { key: 'renewal', label: 'Renewal', type: 'date' },
      { key: 'tier', label: 'Tier', type: 'select', options: ['free', 'pro'] },
      { key: 'note', label: 'Note', type: 'text' },
    ];
    for (const d of defs) expect((await call('POST', '/contact-fields', d)).statusCode).toBe(201);
    expectError(await call('POST', '/contact-fields', defs[0]), 409, 'field_key_taken');
    expectError(
      await call('POST', '/contact-fields', { key: 'x', label: 'X', type: 'select' }),
      400,
      'validation_failed',
    );
    const list = (await call('GET', '/contact-fields')).json() as { items: { key: string }[] };
    expect(list.items.map((d) => d.key)).toEqual(['seats', 'trial', 'renewal', 'tier', 'note']);

    const ok = await create({
      phone: phone(),
      fields: { seats: 3, trial: true, renewal: '2025-12-31', tier: 'pro', note: 'hi', untyped: { any: 1 } },
    });
    expect(ok.fields).toMatchObject({ seats: 3, untyped: { any: 1 } });
    for (const [field, value] of [
      ['seats', 'three'],
      ['trial', 'yes'],
      ['renewal', 'tomorrow'],
      ['tier', 'gold'],
      ['note', 5],
    ] as const) {
      const res = await call('POST', '/contacts', { phone: phone(), fields: { [field]: value } });
      expectError(res, 400, 'invalid_field');
      expect(res.json()).toMatchObject({ error: { details: { field } } });
      expect((res.json() as { error: { message: string } }).error.message).toContain(field);
    }
    expectError(await call('PATCH', `/contacts/${ok.id}`, { fields: { seats: 'many' } }), 400, 'invalid_field');
    const patched = await call('PATCH', `/contacts/${ok.id}`, { fields: { seats: 4, note: null } });
    expect(patched.json()).toMatchObject({ fields: { seats: 4, trial: true } });
    expect((patched.json() as Contact).fields).not.toHaveProperty('note');
  });

  it('updates a label and options and deletes a definition', async () => {
    const created = (
      await call('POST', '/contact-fields', { key: 'color', label: 'Color', type: 'select', options: ['red'] })
    ).json() as { id: string };
    const updated = await call('PATCH', `/contact-fields/${created.id}`, { label: 'Colour', options: ['red', 'blue'] });
    expect(updated.json()).toMatchObject({ label: 'Colour', options: ['red', 'blue'], type: 'select' });
    expect((await call('DELETE', `/contact-fields/${created.id}`)).statusCode).toBe(204);
    expectError(await call('DELETE', `/contact-fields/${created.id}`), 404, 'not_found');
  });
});

describe('lead stages', () => {
  it('gives a new tenant the default pipeline on first read', async () => {
    const res = await call('GET', '/lead-stages', undefined, b.token);
    expect((res.json() as { items: { key: string }[] }).items.map((s) => s.key)).toEqual([
      'new',
      'contacted',
      'qualified',
      'won',
      'lost',
    ]);
  });

  it('creates, renames, reorders and deletes stages, and checks contact leadStatus against them', async () => {
    const created = await call('POST', '/lead-stages', { key: 'demo', label: 'Demo' });
    expect(created.statusCode).toBe(201);
    const stage = created.json() as { id: string; position: number };
    expect(stage.position).toBe(5);
    expectError(await call('POST', '/lead-stages', { key: 'demo', label: 'Again' }), 409, 'stage_key_taken');
    expect((await call('PATCH', `/lead-stages/${stage.id}`, { label: 'Demo booked' })).json()).toMatchObject({
      label: 'Demo booked',
    });
    const order = ['demo', 'new', 'contacted', 'qualified', 'won', 'lost'];
    const reordered = await call('PUT', '/lead-stages/order', { keys: order });
    expect((reordered.json() as { items: { key: string }[] }).items.map((s) => s.key)).toEqual(order);
    expectError(await call('PUT', '/lead-stages/order', { keys: ['new'] }), 400, 'invalid_order');

    const c = await create({ phone: phone(), leadStatus: 'demo' });
    expectError(await call('POST', '/contacts', { phone: phone(), leadStatus: 'bogus' }), 400, 'invalid_lead_status');
    expectError(await call('PATCH', `/contacts/${c.id}`, { leadStatus: 'bogus' }), 400, 'invalid_lead_status');
    expectError(await call('DELETE', `/lead-stages/${stage.id}`), 409, 'stage_in_use');
    await call('PATCH', `/contacts/${c.id}`, { leadStatus: 'won' });
    expect((await call('DELETE', `/lead-stages/${stage.id}`)).statusCode).toBe(204);
  });
});

describe('update, tags, owner, consent, DNC', () => {
  it('records lead status, tag and owner changes as events, and refuses an owner who is not a member', async () => {
    const user = await database.db.user.create({
      data: { email: `owner-${randomUUID()}@example.com`, name: 'Owner', passwordHash: 'x' },
    });
    await database.db.membership.create({ data: { tenantId: a.tenant.id, userId: user.id, role: 'agent' } });
    const stranger = await database.db.user.create({
      data: { email: `stranger-${randomUUID()}@example.com`, name: 'Stranger', passwordHash: 'x' },
    });
    await database.db.membership.create({ data: { tenantId: b.tenant.id, userId: stranger.id, role: 'agent' } });

    const c = await create({ phone: phone(), tags: ['x'] });
    const patched = await call('PATCH', `/contacts/${c.id}`, {
      leadStatus: 'contacted',
      tags: ['x', 'y'],
      ownerId: user.id,
      phone: '(312) 555-0142',
      defaultCountry: 'US',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      leadStatus: 'contacted',
      tags: ['x', 'y'],
      ownerId: user.id,
      phone: '+13125550142',
    });
    expectError(await call('PATCH', `/contacts/${c.id}`, { ownerId: stranger.id }), 400, 'owner_not_member');
    expectError(await call('PUT', `/contacts/${c.id}/owner`, { ownerId: stranger.id }), 400, 'owner_not_member');
    expect((await call('PUT', `/contacts/${c.id}/owner`, { ownerId: null })).json()).toMatchObject({ ownerId: null });
    await call('POST', `/contacts/${c.id}/tags`, { tags: ['z', 'x'] });
    const removed = await call('DELETE', `/contacts/${c.id}/tags/y`);
    expect((removed.json() as Contact).tags).toEqual(['x', 'z']);

    const events = await database.db.contactEvent.findMany({
      where: { contactId: c.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(events.map((e) => e.type)).toEqual([
      'lead_status_changed',
      'tags_changed',
      'owner_changed',
      'owner_changed',
      'tags_changed',
      'tags_changed',
    ]);
    expect(events[0]?.data).toEqual({ from: null, to: 'contacted' });
  });

  it('refuses to change the phone to one another contact has', async () => {
    const one = await create({ phone: phone() });
    const two = await create({ phone: phone() });
    expectError(await call('PATCH', `/contacts/${two.id}`, { phone: one.phone }), 409, 'duplicate_contact');
  });

  it('records consent per channel and DNC with events and audit entries', async () => {
    const c = await create({ phone: phone() });
    const consent = await call('PUT', `/contacts/${c.id}/consent/sms`, { status: 'granted', source: 'web form' });
    expect(consent.json()).toMatchObject({ consent: { sms: { status: 'granted', source: 'web form' } } });
    expectError(await call('PUT', `/contacts/${c.id}/consent/fax`, { status: 'granted' }), 400, 'validation_failed');
    const dnc = await call('PUT', `/contacts/${c.id}/dnc`, { dnc: true, reason: 'asked' });
    expect(dnc.json()).toMatchObject({ dnc: true });
    const types = (await database.db.contactEvent.findMany({ where: { contactId: c.id } })).map((e) => e.type).sort();
    expect(types).toEqual(['consent_changed', 'dnc_changed']);
    const audit = await database.db.auditLog.findMany({ where: { tenantId: a.tenant.id, targetId: c.id } });
    expect(audit.map((l) => l.action).sort()).toEqual(['contact.consent_changed', 'contact.dnc_changed']);
  });
});

describe('list', () => {
  it('paginates, searches, filters with a JSON ContactFilter and the tag/status/owner shortcuts', async () => {
    const tag = `list-${seq}`;
    const made: Contact[] = [];
    for (let i = 0; i < 5; i++)
      made.push(
        await create({ phone: phone(), firstName: `Lister${i}`, tags: [tag], leadStatus: i < 2 ? 'won' : 'new' }),
      );
    const first = (await call('GET', `/contacts?tag=${tag}&limit=2`)).json() as {
      items: Contact[];
      nextCursor: string;
    };
    expect(first.items.map((c) => c.firstName)).toEqual(['Lister4', 'Lister3']);
    const second = (await call('GET', `/contacts?tag=${tag}&limit=2&cursor=${first.nextCursor}`)).json() as {
      items: Contact[];
    };
    expect(second.items.map((c) => c.firstName)).toEqual(['Lister2', 'Lister1']);
    const won = (await call('GET', `/contacts?tag=${tag}&status=won`)).json() as { items: Contact[] };
    expect(won.items).toHaveLength(2);
    const search = (await call('GET', '/contacts?search=lister3')).json() as { items: Contact[] };
    expect(search.items.map((c) => c.id)).toEqual([made[3]?.id]);
    const filter = JSON.stringify({
      match: 'all',
      conditions: [
        { type: 'tag', op: 'has', value: tag },
        { type: 'leadStatus', op: 'not-in', values: ['won'] },
      ],
    });
    const filtered = (await call('GET', `/contacts?filter=${encodeURIComponent(filter)}`)).json() as {
      items: Contact[];
    };
    expect(filtered.items).toHaveLength(3);
    const none = (await call('GET', `/contacts?tag=${tag}&owner=none`)).json() as { items: Contact[] };
    expect(none.items).toHaveLength(5);
    expectError(await call('GET', '/contacts?filter=%7Bnot-json'), 400, 'invalid_filter');
    expectError(
      await call('GET', `/contacts?filter=${encodeURIComponent('{"conditions":[{"type":"x"}]}')}`),
      400,
      'invalid_filter',
    );
  });

  it('hides deleted contacts from list and get', async () => {
    const c = await create({ phone: phone(), firstName: 'Ghost' });
    await call('DELETE', `/contacts/${c.id}`);
    expectError(await call('GET', `/contacts/${c.id}`), 404, 'not_found');
    expectError(await call('DELETE', `/contacts/${c.id}`), 404, 'not_found');
    const list = (await call('GET', '/contacts?search=Ghost')).json() as { items: Contact[] };
    expect(list.items).toEqual([]);
    const audit = await database.db.auditLog.findFirst({ where: { action: 'contact.deleted', targetId: c.id } });
    expect(audit).not.toBeNull();
  });
});

async function seedRun(contactId: string, startedAt: Date) {
  const run = await database.db.run.create({
    data: {
      tenantId: a.tenant.id,
      flowId: a.flow.id,
      flowVersionId: a.flowVersion.id,
      contactId,
      workflowId: `run-${randomUUID()}`,
      status: 'completed',
      startedAt,
    },
  });
  return run;
}

describe('notes, timeline, merge', () => {
  it('adds and lists notes, newest first', async () => {
    const c = await create({ phone: phone() });
    for (const body of ['first', 'second'])
      expect((await call('POST', `/contacts/${c.id}/notes`, { body })).statusCode).toBe(201);
    const notes = (await call('GET', `/contacts/${c.id}/notes`)).json() as { items: { body: string }[] };
    expect(notes.items.map((n) => n.body)).toEqual(['second', 'first']);
    expectError(await call('POST', `/contacts/${c.id}/notes`, { body: '' }), 400, 'validation_failed');
  });

  it('shows notes, events, runs, messages and calls newest first, across pages', async () => {
    const c = await create({ phone: phone() });
    const t = (m: number) => new Date(Date.UTC(2025, 0, 1, 0, m));
    const run = await seedRun(c.id, t(1));
    await database.db.outboundAction.createMany({
      data: [
        {
          tenantId: a.tenant.id,
          idempotencyKey: `${run.workflowId}:w:1`,
          workflowId: run.workflowId,
          kind: 'message.sms',
          status: 'sent',
          request: toJson({ text: 'hi' }),
          createdAt: t(2),
        },
        {
          tenantId: a.tenant.id,
          idempotencyKey: `${run.workflowId}:c:1`,
          workflowId: run.workflowId,
          kind: 'call',
          status: 'answered',
          request: toJson({}),
          createdAt: t(3),
        },
        // another contact's action never shows up
        {
          tenantId: a.tenant.id,
          idempotencyKey: `other-${randomUUID()}`,
          workflowId: 'run-someone-else',
          kind: 'message.sms',
          status: 'sent',
          request: toJson({}),
          createdAt: t(4),
        },
      ],
    });
    await database.db.contactNote.create({
      data: { tenantId: a.tenant.id, contactId: c.id, body: 'note', createdAt: t(5) },
    });
    await database.db.contactEvent.create({
      data: {
        tenantId: a.tenant.id,
        contactId: c.id,
        type: 'lead_status_changed',
        data: toJson({ to: 'won' }),
        createdAt: t(6),
      },
    });
    const seen: { type: string; at: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', `/contacts/${c.id}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const body = res.json() as { items: { type: string; at: string }[]; nextCursor: string | null };
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.map((i) => i.type)).toEqual(['event', 'note', 'call', 'message', 'run']);
    expect(seen.map((i) => i.at)).toEqual([t(6), t(5), t(3), t(2), t(1)].map((d) => d.toISOString()));
  });

  it('merges another contact: keeps its values, takes missing ones, unions tags, keeps the higher score, moves notes, events and runs', async () => {
    const survivor = await create({
      phone: phone(),
      firstName: 'Keep',
      tags: ['a'],
      fields: { plan: 'pro' },
      score: 5,
    });
    const other = await create({
      phone: phone(),
      firstName: 'Other',
      lastName: 'Surname',
      email: `merge-${randomUUID()}@example.com`,
      tags: ['b'],
      fields: { plan: 'free', region: 'eu' },
      score: 9,
    });
    await call('POST', `/contacts/${other.id}/notes`, { body: 'from the other' });
    await call('PUT', `/contacts/${other.id}/dnc`, { dnc: true });
    const run = await seedRun(other.id, new Date());

    const res = await call('POST', `/contacts/${survivor.id}/merge`, { otherId: other.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: survivor.id,
      firstName: 'Keep',
      lastName: 'Surname',
      phone: survivor.phone,
      email: other.email,
      tags: ['a', 'b'],
      fields: { plan: 'pro', region: 'eu' },
      score: 9,
      dnc: true,
    });
    expect(await database.db.contactNote.count({ where: { contactId: survivor.id } })).toBe(1);
    expect((await database.db.run.findUnique({ where: { id: run.id } }))?.contactId).toBe(survivor.id);
    const events = await database.db.contactEvent.findMany({ where: { contactId: survivor.id } });
    expect(events.map((e) => e.type).sort()).toEqual(['dnc_changed', 'merged']);
    const merged = await database.db.contact.findUnique({ where: { id: other.id } });
    expect(merged).toMatchObject({ mergedIntoId: survivor.id, deletedAt: expect.any(Date) });
    expectError(await call('GET', `/contacts/${other.id}`), 404, 'not_found');
    expect(await database.db.auditLog.count({ where: { action: 'contact.merged', targetId: survivor.id } })).toBe(1);

    expectError(await call('POST', `/contacts/${survivor.id}/merge`, { otherId: other.id }), 409, 'already_merged');
    expectError(await call('POST', `/contacts/${other.id}/merge`, { otherId: survivor.id }), 409, 'already_merged');
    expectError(await call('POST', `/contacts/${survivor.id}/merge`, { otherId: survivor.id }), 400, 'merge_self');
    const timeline = (await call('GET', `/contacts/${survivor.id}/timeline`)).json() as { items: { type: string }[] };
    expect(timeline.items.map((i) => i.type)).toEqual(expect.arrayContaining(['note', 'run', 'event']));
  });
});

describe('tenant isolation', () => {
  it("answers 404 for another tenant's ids on every contact route", async () => {
    const theirs = await create({ phone: phone(), email: `theirs-${randomUUID()}@example.com` }, b.token);
    const mine = await create({ phone: phone() });
    const field = (
      await call('POST', '/contact-fields', { key: 'btext', label: 'B', type: 'text' }, b.token)
    ).json() as { id: string };
    const stages = (await call('GET', '/lead-stages', undefined, b.token)).json() as { items: { id: string }[] };
    const stageId = stages.items[0]?.id;
    const id = theirs.id;
    const attempts: [string, string, unknown?][] = [
      ['GET', `/contacts/${id}`],
      ['PATCH', `/contacts/${id}`, { firstName: 'x' }],
      ['DELETE', `/contacts/${id}`],
      ['POST', `/contacts/${id}/tags`, { tags: ['x'] }],
      ['DELETE', `/contacts/${id}/tags/x`],
      ['PUT', `/contacts/${id}/owner`, { ownerId: null }],
      ['PUT', `/contacts/${id}/consent/sms`, { status: 'granted' }],
      ['PUT', `/contacts/${id}/dnc`, { dnc: true }],
      ['POST', `/contacts/${id}/notes`, { body: 'x' }],
      ['GET', `/contacts/${id}/notes`],
      ['GET', `/contacts/${id}/timeline`],
      ['POST', `/contacts/${id}/merge`, { otherId: mine.id }],
      ['POST', `/contacts/${mine.id}/merge`, { otherId: id }],
      ['PATCH', `/contact-fields/${field.id}`, { label: 'x' }],
      ['DELETE', `/contact-fields/${field.id}`],
      ['PATCH', `/lead-stages/${stageId}`, { label: 'x' }],
      ['DELETE', `/lead-stages/${stageId}`],
    ];
    for (const [method, url, payload] of attempts) {
      const res = await call(method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.body).not.toContain(theirs.phone ?? 'none');
    }
    const after = await database.db.contact.findUnique({ where: { id } });
    expect(after).toMatchObject({ firstName: null, dnc: false, deletedAt: null, mergedIntoId: null });
    // Their phone and email are not duplicates in my tenant, and their fields are not mine.
    await create({ phone: theirs.phone, email: theirs.email });
    const myFields = (await call('GET', '/contact-fields')).json() as { items: { key: string }[] };
    expect(myFields.items.map((f) => f.key)).not.toContain('btext');
  });

  it('needs the declared permissions', async () => {
    const key = await database.db.apiKey.findFirstOrThrow({ where: { tenantId: a.tenant.id } });
    await database.db.apiKey.update({ where: { id: key.id }, data: { scopes: ['contacts.read'] } });
    forgetApiKey(key.id); // the API remembers verified keys briefly
    try {
      expectError(await call('POST', '/contacts', { phone: phone() }), 403, 'forbidden');
      expectError(await call('POST', '/contact-fields', { key: 'k', label: 'K', type: 'text' }), 403, 'forbidden');
      expect((await call('GET', '/contacts')).statusCode).toBe(200);
    } finally {
      await database.db.apiKey.update({ where: { id: key.id }, data: { scopes: ['*'] } });
      forgetApiKey(key.id); // the API remembers verified keys briefly
    }
  });
});
