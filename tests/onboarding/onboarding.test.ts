// The onboarding checklist. On the time-skipping server: reminders after 2, 4 and 8 quiet days (to
// the owners and admins, listing what is left), progress restarting the quiet period, dismiss
// stopping reminders, skip and resume, completion. Through the API on a dev server: steps complete
// from what the tenant does (publish a flow, invite a teammate, connect a real channel — not the
// sandbox), work done before the checklist existed counts, and an unknown step is a 400.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mail, Mailer } from '../../api/mailer';
import {
  type OnboardingState,
  onboardingQuery,
  onboardingSignal,
  onboardingWorkflowId,
} from '../../workflows/onboarding';
import { type ApiTestServer, auth, startApiTestServer, stopApiTestServer, TASK_QUEUE } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { waitFor } from '../helpers/processes';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

const DAY = 86_400_000;

class RecordingMailer implements Mailer {
  readonly sent: Omit<Mail, 'at'>[] = [];
  async send(mail: Omit<Mail, 'at'>) {
    this.sent.push(mail);
  }
}

describe('onboarding on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: TestWorker;
  const mailer = new RecordingMailer();

  beforeAll(async () => {
    [env, database] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
    worker = await startTestWorker(env, database.db, { mailer });
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
    await database?.drop();
  });

  async function tenantWithOwner(slug: string) {
    const { tenant } = await seedTenant(database.db, `${slug}-${randomUUID()}`);
    // seedTenant published a flow: that step is done before the checklist starts.
    const owner = await database.db.user.create({
      data: { email: `owner-${randomUUID()}@onboarding.test`, name: 'Olive', passwordHash: 'x' },
    });
    await database.db.membership.create({ data: { tenantId: tenant.id, userId: owner.id, role: 'owner' } });
    const teammate = await database.db.user.create({
      data: { email: `mate-${randomUUID()}@onboarding.test`, name: 'Mo', passwordHash: 'x' },
    });
    await database.db.membership.create({ data: { tenantId: tenant.id, userId: teammate.id, role: 'agent' } });
    await env.client.workflow.start('onboarding', {
      workflowId: onboardingWorkflowId(tenant.id),
      taskQueue: TASK_QUEUE,
      args: [{ tenantId: tenant.id }],
    });
    const handle = env.client.workflow.getHandle(onboardingWorkflowId(tenant.id));
    const state = (check: (s: OnboardingState) => boolean, what: string) =>
      waitFor(async () => {
        const s = await handle.query(onboardingQuery);
        return check(s) ? s : undefined;
      }, what);
    return { tenant, owner, handle, state };
  }

  it('reminds after 2, 4 and 8 quiet days, restarting on progress, never after dismissal', async () => {
    const t = await tenantWithOwner('remind');
    // Work done before the checklist: a published flow, and (two members) a teammate.
    const start = await t.state((s) => s.steps.publish_flow.status === 'done', 'reconciled');
    expect(start.steps.invite_teammate.status).toBe('done');
    expect(start.steps.connect_channel.status).toBe('pending');
    const mine = () => mailer.sent.filter((m) => m.subject.startsWith(t.tenant.name));

    await env.sleep(DAY + DAY / 2);
    expect(mine()).toHaveLength(0);
    await env.sleep(DAY);
    await waitFor(async () => (mine().length === 1 ? true : undefined), 'first reminder');
    expect(mine()[0]).toMatchObject({
      to: t.owner.email,
      subject: `${t.tenant.name}: 3 setup steps left in Switchboard`,
    });
    expect(mine()[0]?.text).toContain('Connect a channel');
    expect(mine()[0]?.text).not.toContain('Publish a flow');

    // Progress: the next reminder waits four quiet days from now, not from the last one.
    await t.handle.signal(onboardingSignal, { kind: 'step_done', step: 'connect_channel' });
    await t.state((s) => s.steps.connect_channel.status === 'done', 'channel done');
    await env.sleep(3 * DAY);
    expect(mine()).toHaveLength(1);
    await env.sleep(DAY + DAY / 2);
    await waitFor(async () => (mine().length === 2 ? true : undefined), 'second reminder');
    expect(mine()[1]?.subject).toBe(`${t.tenant.name}: 2 setup steps left in Switchboard`);

    // Dismissed: no third reminder however long it stays quiet.
    await t.handle.signal(onboardingSignal, { kind: 'dismiss' });
    await t.state((s) => s.dismissed, 'dismissed');
    await env.sleep(30 * DAY);
    expect(mine()).toHaveLength(2);
    expect(
      (await database.db.onboardingProgress.findUniqueOrThrow({ where: { tenantId: t.tenant.id } })).remindersSent,
    ).toBe(2);
  });

  it('skips and resumes steps, ignores skipping a done step, and completes when nothing is pending', async () => {
    const t = await tenantWithOwner('skip');
    await t.state((s) => s.steps.publish_flow.status === 'done', 'reconciled');
    await t.handle.signal(onboardingSignal, { kind: 'skip', step: 'add_knowledge' });
    await t.handle.signal(onboardingSignal, { kind: 'skip', step: 'publish_flow' }); // done: stays done
    const skipped = await t.state((s) => s.steps.add_knowledge.status === 'skipped', 'skipped');
    expect(skipped.steps.publish_flow.status).toBe('done');
    await t.handle.signal(onboardingSignal, { kind: 'resume', step: 'add_knowledge' });
    await t.state((s) => s.steps.add_knowledge.status === 'pending', 'resumed');
    for (const step of ['add_knowledge', 'connect_channel', 'first_campaign'] as const) {
      await t.handle.signal(onboardingSignal, { kind: step === 'add_knowledge' ? 'skip' : 'step_done', step });
    }
    const done = await t.handle.result();
    expect(done.completedAt).not.toBeNull();
    await recordHistory(env.client, onboardingWorkflowId(t.tenant.id), 'onboarding-skip-resume-complete');
    const row = await database.db.onboardingProgress.findUniqueOrThrow({ where: { tenantId: t.tenant.id } });
    expect(row.completedAt).not.toBeNull();
    expect((row.steps as Record<string, { status: string }>).add_knowledge?.status).toBe('skipped');
  });
});

describe('onboarding through the API', () => {
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

  it('completes steps from what the tenant does, not from clicks', async () => {
    const signup = await s.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: {
        email: `ada-${randomUUID()}@onboarding.test`,
        password: 'correct horse battery staple',
        name: 'Ada',
        tenantName: 'Acme',
      },
    });
    expect(signup.statusCode, signup.body).toBe(201);
    const token = signup.json().accessToken as string;
    const get = async () => (await s.app.inject({ method: 'GET', url: '/v1/onboarding', headers: auth(token) })).json();
    const status = async (step: string) => (await get()).steps.find((x: { step: string }) => x.step === step)?.status;
    const fresh = await waitFor(async () => ((await get()).total === 5 ? get() : undefined), 'the checklist');
    expect(fresh).toMatchObject({ done: 0, total: 5, complete: false, dismissed: false });

    // A sandbox channel is not connecting a channel; a real provider is.
    await s.app.inject({
      method: 'POST',
      url: '/v1/channels',
      headers: auth(token),
      payload: { name: 'try', kind: 'sms', provider: 'sandbox' },
    });
    await s.app.inject({
      method: 'POST',
      url: '/v1/invitations',
      headers: auth(token),
      payload: { email: 'bob@onboarding.test', role: 'agent' },
    });
    await waitFor(
      async () => ((await status('invite_teammate')) === 'done' ? true : undefined),
      'invite_teammate done',
    );
    expect(await status('connect_channel')).toBe('pending');

    const skipped = await s.app.inject({
      method: 'POST',
      url: '/v1/onboarding/steps/add_knowledge/skip',
      headers: auth(token),
    });
    expect(skipped.statusCode, skipped.body).toBe(200);
    expect(skipped.json().steps.find((x: { step: string }) => x.step === 'add_knowledge').status).toBe('skipped');
    const unknown = await s.app.inject({
      method: 'POST',
      url: '/v1/onboarding/steps/make_coffee/skip',
      headers: auth(token),
    });
    expect(unknown.statusCode).toBe(400);
    const dismissed = await s.app.inject({ method: 'POST', url: '/v1/onboarding/dismiss', headers: auth(token) });
    expect(dismissed.json()).toMatchObject({ dismissed: true });
    const restored = await s.app.inject({ method: 'POST', url: '/v1/onboarding/restore', headers: auth(token) });
    expect(restored.json()).toMatchObject({ dismissed: false, done: 1 });
  });

  it('counts what a tenant did before its checklist existed', async () => {
    const { tenant, token } = await seedTenant(s.database.db, `pre-${randomUUID()}`);
    // seedTenant published a flow directly in the database, with no workflow to signal.
    const res = await s.app.inject({
      method: 'POST',
      url: '/v1/onboarding/steps/first_campaign/skip',
      headers: auth(token),
    });
    expect(res.statusCode).toBe(200);
    // The workflow saves the reconciled checklist, then the skip that started it: wait for both.
    const statusOf = (c: { steps: { step: string; status: string }[] }, step: string) =>
      c.steps.find((x) => x.step === step)?.status;
    const checklist = await waitFor(async () => {
      const c = (await s.app.inject({ method: 'GET', url: '/v1/onboarding', headers: auth(token) })).json();
      return statusOf(c, 'publish_flow') === 'done' && statusOf(c, 'first_campaign') === 'skipped' ? c : undefined;
    }, 'publish_flow reconciled and first_campaign skipped');
    expect(statusOf(checklist, 'connect_channel')).toBe('pending');
    expect(tenant.id).toBeTruthy();
  });
});
