// The escalation workflow on the time-skipping test server with its real activities and a real
// PostgreSQL: a three-level ladder where level 1 never answers, a reassignment mid-ladder (the new
// owner gets the level's timeout, then the ladder goes on), a ladder nobody answers (exhausted,
// repeated once), updates refused once resolved, and a journey's handoff told how it ended.

import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalationWorkflowId } from '../../activities/escalations/start';
import { SandboxMessagingProvider } from '../../activities/messaging/sandbox';
import { DevInbox, MailDeliveryError } from '../../api/mailer';
import { type EscalationPolicyInput, EscalationPolicySchema } from '../../flow/escalation';
import { toJson } from '../../prisma/json';
import {
  acknowledgeUpdate,
  type EscalationView,
  escalationQuery,
  reassignUpdate,
  resolveSignal,
  resolveUpdate,
} from '../../workflows/escalation';
import { TASK_QUEUE } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { waitFor } from '../helpers/processes';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let worker: TestWorker;

/** The development inbox behind a mail server that refuses the first attempt for one address. */
class FlakyMailer extends DevInbox {
  readonly refused: string[] = [];
  override async send(mail: Parameters<DevInbox['send']>[0]) {
    if (mail.to.startsWith('flaky-') && !this.refused.includes(mail.to)) {
      this.refused.push(mail.to);
      throw new MailDeliveryError('temporary', '421 try again later');
    }
    return super.send(mail);
  }
}
const mailer = new FlakyMailer();
const sms = new SandboxMessagingProvider();

beforeAll(async () => {
  [env, database] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
  worker = await startTestWorker(env, database.db, { mailer, providers: { sms } });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await database?.drop();
});

const MINUTE = 60_000;
let n = 0;

const stepOf = (key: string) => Number(key.split(':')[2]);
type Users = Record<'ada' | 'bob' | 'cy' | 'dee' | 'eve', string>;

async function setup(policyOf: EscalationPolicyInput | ((users: Users) => EscalationPolicyInput) | null) {
  const db = database.db;
  const { tenant } = await seedTenant(db, `esc-${++n}-${Date.now()}`);
  const member = async (name: string, teams: string[], notifyPhone: string | null = null) => {
    const user = await db.user.create({
      data: { email: `${name}-${n}-${Date.now()}@example.com`, name, passwordHash: 'x' },
    });
    await db.membership.create({ data: { tenantId: tenant.id, userId: user.id, role: 'agent', teams, notifyPhone } });
    return user.id;
  };
  const ada = await member('ada', ['tier1']);
  const bob = await member('bob', ['ops'], '+14155550101');
  const cy = await member('flaky-cy', ['ops']);
  const dee = await member('dee', ['tier1']);
  const eve = await member('eve', ['oncall']);
  const now = await env.currentTimeMs();
  await db.onCallShift.create({
    data: {
      tenantId: tenant.id,
      team: 'oncall',
      userId: eve,
      startsAt: new Date(now - 60 * MINUTE),
      endsAt: new Date(now + 7 * 24 * 60 * MINUTE),
    },
  });
  const users = { ada, bob, cy, dee, eve };
  const policy = typeof policyOf === 'function' ? policyOf(users) : policyOf;
  const resolvedPolicy =
    policy &&
    (await db.escalationPolicy.create({
      data: { tenantId: tenant.id, name: 'ladder', definition: toJson(EscalationPolicySchema.parse(policy)) },
    }));
  const escalation = await db.escalation.create({
    data: {
      tenantId: tenant.id,
      idempotencyKey: `test-${n}-${Date.now()}`,
      team: 'tier1',
      priority: 'high',
      note: 'customer asks for a refund',
      source: 'manual',
      policyId: resolvedPolicy?.id ?? null,
    },
  });
  const handle = () => env.client.workflow.getHandle(escalationWorkflowId(escalation.id));
  await env.client.workflow.start('escalation', {
    workflowId: escalationWorkflowId(escalation.id),
    taskQueue: TASK_QUEUE,
    args: [{ tenantId: tenant.id, escalationId: escalation.id }],
  });
  const history = async () =>
    // In the workflow's order: by time, then by the step number in each entry's key.
    (await db.escalationEvent.findMany({ where: { escalationId: escalation.id } }))
      .sort((a, b) => a.at.getTime() - b.at.getTime() || stepOf(a.idempotencyKey) - stepOf(b.idempotencyKey))
      .map((e) => {
        const d = e.detail as { userId?: string; channel?: string };
        const who = Object.entries(users).find(([, id]) => id === (d.userId ?? e.actorUserId))?.[0];
        return [e.kind, e.level, who ?? null, d.channel ?? null].filter((x) => x !== null).join(' ');
      });
  const settled = (check: (v: EscalationView) => boolean, what: string) =>
    waitFor(async () => {
      const v = await handle().query(escalationQuery);
      return check(v) ? v : undefined;
    }, what);
  const row = () => db.escalation.findUniqueOrThrow({ where: { id: escalation.id } });
  return { tenant, users, escalation, handle, history, settled, row };
}

const threeLevels = (users: Users): EscalationPolicyInput => ({
  name: 'Refunds',
  levels: [
    { targets: [{ type: 'user', userId: users.ada }], channels: ['in_app'], ackTimeoutMinutes: 15 },
    { targets: [{ type: 'team', team: 'ops' }], channels: ['in_app', 'webhook'], ackTimeoutMinutes: 30 },
    { targets: [{ type: 'on_call', team: 'oncall' }], channels: ['in_app', 'sms'], ackTimeoutMinutes: 60 },
  ],
});

describe('escalation', () => {
  it('climbs a three-level ladder when level 1 never answers; an acknowledgement at level 2 stops it', async () => {
    const t = await setup(threeLevels);

    await t.settled((v) => v.level === 0 && v.ackDueAt !== null, 'level 1 notified');
    expect(await t.history()).toEqual(['opened 0', 'notified 0 ada in_app']);
    // Level 1 (ada) never answers: 15 minutes later, the ops team (bob, cy) in-app and a webhook.
    await env.sleep(16 * MINUTE);
    await t.settled((v) => v.level === 1 && v.ackDueAt !== null, 'level 2 notified');
    expect((await t.row()).level).toBe(1);
    const afterTwo = await t.history();
    // (Notices of one level share an instant: their order among themselves is not part of the contract.)
    expect(afterTwo[2]).toBe('escalated 1');
    expect(afterTwo.slice(3).sort()).toEqual(['notified 1 bob in_app', 'notified 1 cy in_app', 'notified 1 webhook']);

    // Bob acknowledges (an update: answered with the state after it is recorded).
    const acked = await t.handle().executeUpdate(acknowledgeUpdate, { args: [{ userId: t.users.bob }] });
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: t.users.bob, level: 1, ackDueAt: null });
    expect(await t.row()).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: t.users.bob,
      assigneeId: t.users.bob,
    });
    // Level 3 never comes.
    await env.sleep(3 * 60 * MINUTE);
    expect((await t.history()).some((h) => h.startsWith('escalated 2'))).toBe(false);

    const done = await t.handle().executeUpdate(resolveUpdate, { args: [{ byUserId: t.users.bob, note: 'refunded' }] });
    expect(done).toMatchObject({ status: 'resolved', outcome: 'resolved' });
    expect(await t.handle().result()).toMatchObject({ status: 'resolved' });
    expect(await t.row()).toMatchObject({ status: 'resolved', outcome: 'resolved', resolutionNote: 'refunded' });
    expect((await t.history()).slice(-2)).toEqual(['acknowledged 1 bob', 'resolved 1 bob']);
    await recordHistory(env.client, escalationWorkflowId(t.escalation.id), 'escalation-three-levels-acknowledged');
  });

  it('reassigned mid-ladder: the new owner is notified and has the level’s timeout, then the ladder goes on', async () => {
    const s = await setup({
      name: 'Two levels',
      levels: [
        { targets: [{ type: 'team', team: 'tier1' }], ackTimeoutMinutes: 20 },
        { targets: [{ type: 'on_call', team: 'oncall' }], ackTimeoutMinutes: 20 },
      ],
    });
    await s.settled((v) => v.ackDueAt !== null, 'level 1 notified');
    await env.sleep(10 * MINUTE);
    const reassigned = await s.handle().executeUpdate(reassignUpdate, {
      args: [{ byUserId: s.users.ada, userId: s.users.bob, note: 'bob knows billing' }],
    });
    expect(reassigned).toMatchObject({ status: 'open', assigneeId: s.users.bob, level: 0 });
    const v = await s.settled((x) => x.ackDueAt !== null && x.assigneeId === s.users.bob, 'reassigned');
    const reassignedAt = await env.currentTimeMs();
    // The new owner's timeout runs from the reassignment, not from the level's start.
    expect(Math.abs((v.ackDueAt ?? 0) - (reassignedAt + 20 * MINUTE))).toBeLessThan(MINUTE);
    // 15 minutes on (25 after level 1 began): still level 1.
    await env.sleep(15 * MINUTE);
    expect((await s.handle().query(escalationQuery)).level).toBe(0);
    // Bob never acknowledges: the on-call member (eve) is next.
    await env.sleep(10 * MINUTE);
    await s.settled((x) => x.level === 1, 'level 2');
    const history = await s.history();
    expect(history.slice(1, 3).sort()).toEqual(['notified 0 ada in_app', 'notified 0 dee in_app']);
    expect([history[0], ...history.slice(3)]).toEqual([
      'opened 0',
      'reassigned 0 bob',
      'notified 0 bob in_app',
      'escalated 1',
      'notified 1 eve in_app',
    ]);
    await s.handle().executeUpdate(acknowledgeUpdate, { args: [{ userId: s.users.eve }] });
    await s.handle().executeUpdate(resolveUpdate, { args: [{ byUserId: s.users.eve }] });
    expect(await s.row()).toMatchObject({ status: 'resolved', assigneeId: s.users.eve });
  });

  it('nobody answers a ladder repeated once: exhausted, still open, resolved unresolved later', async () => {
    const s = await setup({
      name: 'Night',
      levels: [{ targets: [{ type: 'team', team: 'ops' }], ackTimeoutMinutes: 5 }],
      repeat: 1,
    });
    await s.settled((v) => v.ackDueAt !== null, 'notified');
    await env.sleep(6 * MINUTE);
    await s.settled((v) => v.level === 1 && v.ackDueAt !== null, 'repeated');
    await env.sleep(6 * MINUTE);
    const v = await s.settled((x) => x.exhausted, 'exhausted');
    expect(v).toMatchObject({ status: 'open', levels: 2 });
    expect(await s.row()).toMatchObject({ status: 'open', outcome: 'exhausted' });
    expect((await s.history()).filter((h) => h.startsWith('notified'))).toHaveLength(4);
    await s.handle().signal(resolveSignal, { resolution: 'unresolved', note: 'customer went away' });
    expect(await s.handle().result()).toMatchObject({ status: 'unresolved', outcome: 'unresolved' });
    expect(await s.row()).toMatchObject({ status: 'unresolved', outcome: 'unresolved' });
  });

  it('refuses an update once resolved, saying so, and records a late signal as ignored', async () => {
    const s = await setup({
      name: 'One',
      levels: [{ targets: [{ type: 'team', team: 'ops' }], ackTimeoutMinutes: 60 }],
    });
    await s.settled((v) => v.ackDueAt !== null, 'notified');
    // Two resolves race: the first wins; the second (a signal, queued before the workflow ends) is a
    // recorded no-op.
    await s.handle().signal(resolveSignal, { byUserId: s.users.bob });
    await s.handle().signal(resolveSignal, { byUserId: s.users.cy });
    await s.handle().result();
    const history = await s.history();
    expect(history.filter((h) => h.startsWith('resolved'))).toEqual(['resolved 0 bob']);
    expect(history.at(-1)).toBe('ignored');
    // The workflow is over: an update cannot reach it, and the row says it is resolved.
    const err = await s
      .handle()
      .executeUpdate(acknowledgeUpdate, { args: [{ userId: s.users.bob }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect((await s.row()).status).toBe('resolved');
  });

  it('refuses an update for a resolved escalation while its workflow still runs', async () => {
    const s = await setup({
      name: 'One',
      levels: [{ targets: [{ type: 'team', team: 'ops' }], ackTimeoutMinutes: 60 }],
    });
    await s.settled((v) => v.ackDueAt !== null, 'notified');
    // Hold the workflow open after resolving: an update in flight meets the closed state.
    const [first, second] = await Promise.allSettled([
      s.handle().executeUpdate(resolveUpdate, { args: [{ byUserId: s.users.bob }] }),
      s.handle().executeUpdate(resolveUpdate, { args: [{ byUserId: s.users.cy }] }),
    ]);
    const outcomes = [first, second].map((r) => r.status);
    expect(outcomes.sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = (first.status === 'rejected' ? first : second) as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(rejected.reason.cause?.message)).toMatch(/already resolved/);
  });

  it('emails and texts a level’s members once each, through a mail server that fails once; says who could not be reached', async () => {
    const s = await setup({
      name: 'Loud',
      levels: [
        { targets: [{ type: 'team', team: 'ops' }], channels: ['in_app', 'email', 'sms'], ackTimeoutMinutes: 30 },
      ],
    });
    await s.settled((v) => v.ackDueAt !== null, 'notified');
    const notices = async () =>
      (await database.db.escalationEvent.findMany({ where: { escalationId: s.escalation.id, kind: 'notified' } }))
        .map((e) => e.detail as { channel: string; userId: string; delivered?: boolean | string; reason?: string })
        .filter((d) => d.channel !== 'in_app');
    const settledNotices = await waitFor(async () => {
      const all = await notices();
      return all.length === 4 && all.every((d) => d.delivered !== 'pending') ? all : undefined;
    }, 'every notice settled');
    const by = (user: string, channel: string) =>
      settledNotices.find((d) => d.userId === user && d.channel === channel);
    // Email: bob at once, cy after the mail server's 421 (the activity retried; one mail each).
    expect(by(s.users.bob, 'email')).toMatchObject({ delivered: true });
    expect(by(s.users.cy, 'email')).toMatchObject({ delivered: true });
    const mails = mailer.messages.filter((m) => m.subject.includes('customer asks for a refund'));
    const bobMail = (await database.db.user.findUniqueOrThrow({ where: { id: s.users.bob } })).email;
    const cyMail = (await database.db.user.findUniqueOrThrow({ where: { id: s.users.cy } })).email;
    expect(mails.filter((m) => m.to === bobMail)).toHaveLength(1);
    expect(mails.filter((m) => m.to === cyMail)).toHaveLength(1);
    expect(mailer.refused).toContain(cyMail);
    expect(mails[0]?.subject).toMatch(/high escalation, level 1/);
    // SMS: bob has a notify phone and gets one text; cy has none, and the history says so.
    expect(by(s.users.bob, 'sms')).toMatchObject({ delivered: true });
    expect(by(s.users.cy, 'sms')).toMatchObject({ delivered: false, reason: 'the member has no notifyPhone' });
    expect(sms.outbox.filter((m) => m.to === '+14155550101' && m.text.includes(s.escalation.id))).toHaveLength(1);
    // No customer conversation is opened for a staff notice.
    expect(await database.db.conversation.count({ where: { tenantId: s.tenant.id } })).toBe(0);
    await s.handle().executeUpdate(resolveUpdate, { args: [{ byUserId: s.users.bob }] });
  });
});
