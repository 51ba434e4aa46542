import { randomBytes } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTwilioWebhook } from '../../activities/providers/twilio/inbound';
import { notifySla } from '../../api/sla/signals';
import { conversationSlaWorkflowId } from '../../workflows/conversation-sla';
import { auth, TASK_QUEUE } from '../helpers/app';
import { ChannelTestServer, OUR_NUMBER } from '../helpers/channels';
import { waitFor } from '../helpers/processes';

// The SLA clocks moved by what happens in the inbox, end to end: a customer's message arrives as a
// signed webhook on a sandbox channel and starts the conversation's clocks; an agent's reply
// meets first response; resolving meets resolution and reopening resumes it. The API, a worker
// and the conversationSla workflow run on a Temporal dev server, in real time.
let server: ChannelTestServer;

beforeAll(async () => {
  server = await ChannelTestServer.start();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const SANDBOX_TOKEN = 'sandbox-signing-token-0123456789';
const MINUTE = 60_000;

interface Clock {
  metric: string;
  status: string;
  clock: string;
  targetMinutes: number;
  dueAt: string | null;
  remainingMinutes: number | null;
  breached: boolean;
  metAt: string | null;
}
interface SlaView {
  policyId: string | null;
  policyName: string | null;
  live: boolean;
  resolved: boolean;
  clocks: Clock[];
  history: { metric: string; kind: string; late: boolean; policyId: string | null }[];
}
type ErrorBody = { error: { code: string; message: string } };

/** A tenant with a sandbox SMS channel whose simulated customers never answer on their own. */
async function tenant(phone: string) {
  return server.tenantWithChannel('sla', phone, {
    name: 'Sandbox SMS',
    kind: 'sms',
    provider: 'sandbox',
    config: { odds: { reply: 0, ignore: 1, stop: 0 }, replyDelayMs: 0 },
    credentials: { authToken: SANDBOX_TOKEN },
  });
}
type Tenant = Awaited<ReturnType<typeof tenant>>;

const api = (t: Tenant, method: string, url: string, payload?: unknown) =>
  server.app.inject({
    method: method as 'GET',
    url: `/v1${url}`,
    headers: auth(t.token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

/** A customer's message, as the provider posts it: signed, over HTTP, to the channel's webhook. */
async function customerWrites(t: Tenant, from: string, text: string) {
  const url = `${server.baseUrl}/hooks/twilio/${t.channel.id}/messages`;
  const params = {
    MessageSid: `SM${randomBytes(16).toString('hex')}`,
    From: from,
    To: OUR_NUMBER,
    Body: text,
    NumMedia: '0',
  };
  const signed = buildTwilioWebhook(SANDBOX_TOKEN, url, params);
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
  expect(res.status).toBe(200);
}

const slaOf = (t: Tenant, conversationId: string) => api(t, 'GET', `/conversations/${conversationId}/sla`);

/** The SLA view once `check` holds (the workflow takes signals asynchronously). */
const slaWhen = (t: Tenant, conversationId: string, check: (v: SlaView) => boolean, what: string) =>
  waitFor(
    async () => {
      const res = await slaOf(t, conversationId);
      if (res.statusCode !== 200) return undefined;
      const view = res.json() as SlaView;
      return check(view) ? view : undefined;
      // Generous: under a loaded CI machine a signal, a workflow task and an activity can queue.
    },
    what,
    45_000,
  );

const clock = (v: SlaView, metric: string) => v.clocks.find((c) => c.metric === metric);

async function createPolicy(t: Tenant, body: Record<string, unknown>) {
  const res = await api(t, 'POST', '/sla-policies', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
}

describe('SLA clocks from the inbox', () => {
  it('a customer message starts first response; a reply meets it; resolve meets resolution; reopen resumes it', async () => {
    const phone = '+14155550701';
    const t = await tenant(phone);
    const policy = await createPolicy(t, {
      name: 'Standard',
      firstResponse: { minutes: 30, clock: 'calendar' },
      resolution: { minutes: 8 * 60, clock: 'calendar' },
    });

    const before = Date.now();
    await customerWrites(t, phone, 'My order has not arrived');
    const after = Date.now();
    const conversation = await server.conversationOn(t.channel.id, phone);

    const running = await slaWhen(
      t,
      conversation.id,
      (v) => clock(v, 'first_response')?.status === 'running',
      'the first-response clock to run',
    );
    expect(running).toMatchObject({ policyId: policy.id, policyName: 'Standard', live: true, resolved: false });
    const first = clock(running, 'first_response') as Clock;
    expect(first).toMatchObject({ clock: 'calendar', targetMinutes: 30, breached: false, metAt: null });
    // Calendar time: due 30 minutes after the workflow opened the clocks on the message.
    const due = Date.parse(first.dueAt ?? '');
    expect(due).toBeGreaterThanOrEqual(before + 30 * MINUTE - 1_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 30 * MINUTE);
    expect(first.remainingMinutes).toBeGreaterThanOrEqual(29);
    expect(first.remainingMinutes).toBeLessThanOrEqual(30);
    expect(clock(running, 'resolution')).toMatchObject({ status: 'running', targetMinutes: 480 });
    expect(after - before).toBeLessThan(30 * MINUTE);

    const reply = await api(t, 'POST', `/conversations/${conversation.id}/messages`, { text: 'Sorry! Checking now.' });
    expect(reply.statusCode, reply.body).toBe(202);
    const met = await slaWhen(
      t,
      conversation.id,
      // The view changes as the workflow takes the signal; the record follows from its activity.
      (v) => clock(v, 'first_response')?.status === 'met' && v.history.some((r) => r.kind === 'met'),
      'the reply to meet first response',
    );
    expect(clock(met, 'first_response')).toMatchObject({ dueAt: null, remainingMinutes: null });
    expect(clock(met, 'resolution')?.status).toBe('running');
    expect(met.history).toContainEqual(
      expect.objectContaining({ metric: 'first_response', kind: 'met', late: false, policyId: policy.id }),
    );

    const resolved = await api(t, 'PATCH', `/conversations/${conversation.id}`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const done = await slaWhen(
      t,
      conversation.id,
      (v) => v.resolved && v.history.some((r) => r.metric === 'resolution'),
      'resolve to reach the clocks',
    );
    expect(clock(done, 'resolution')).toMatchObject({ status: 'met', dueAt: null });
    expect(done.history).toContainEqual(expect.objectContaining({ metric: 'resolution', kind: 'met', late: false }));

    const reopened = await api(t, 'PATCH', `/conversations/${conversation.id}`, { status: 'open' });
    expect(reopened.statusCode).toBe(200);
    const again = await slaWhen(
      t,
      conversation.id,
      (v) => !v.resolved && clock(v, 'resolution')?.status === 'running',
      'reopen to resume resolution',
    );
    // Resolution runs on from where it stopped, still within its 8 hours.
    expect(clock(again, 'resolution')?.remainingMinutes).toBeGreaterThan(470);
    expect(clock(again, 'first_response')?.status).toBe('met');
  }, 180_000);

  it('picks the policy by the priority and tags set on the conversation', async () => {
    const phone = '+14155550702';
    const t = await tenant(phone);
    const urgent = await createPolicy(t, {
      name: 'Urgent VIP',
      appliesTo: { priorities: ['urgent'], tags: ['vip'] },
      firstResponse: { minutes: 5, clock: 'calendar' },
      rank: 10,
    });
    await createPolicy(t, { name: 'Standard', firstResponse: { minutes: 60, clock: 'calendar' }, rank: 100 });
    const conversation = await server.database.db.conversation.create({
      data: { tenantId: t.tenant.id, channelId: t.channel.id, kind: 'sms', address: phone, contactId: t.contact.id },
    });

    const patched = await api(t, 'PATCH', `/conversations/${conversation.id}`, {
      priority: 'urgent',
      tags: ['vip', 'outage', 'vip'],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ priority: 'urgent', tags: ['vip', 'outage'] });
    expect((await api(t, 'GET', `/conversations/${conversation.id}`)).json()).toMatchObject({ priority: 'urgent' });
    const bad = await api(t, 'PATCH', `/conversations/${conversation.id}`, { priority: 'critical' });
    expect(bad.statusCode).toBe(400);

    await customerWrites(t, phone, 'Everything is down!');
    const view = await slaWhen(
      t,
      conversation.id,
      (v) => clock(v, 'first_response')?.status === 'running',
      'the urgent clock to run',
    );
    expect(view).toMatchObject({ policyId: urgent.id, policyName: 'Urgent VIP' });
    expect(clock(view, 'first_response')?.targetMinutes).toBe(5);

    // Another customer, under the standard hour: the inbox sorted by SLA puts the urgent one first,
    // each with its soonest due clock.
    const otherPhone = '+14155550712';
    await customerWrites(t, otherPhone, 'Quick question about my bill');
    const other = await server.conversationOn(t.channel.id, otherPhone);
    const sorted = await waitFor(async () => {
      const items = (await api(t, 'GET', '/conversations?sort=sla_due')).json().items as {
        id: string;
        slaDueAt: string | null;
        slaMetric: string | null;
      }[];
      return items.length === 2 ? items : undefined;
    }, 'both conversations on the SLA list');
    expect(sorted.map((c) => c.id)).toEqual([conversation.id, other.id]);
    expect(sorted[0]).toMatchObject({ slaMetric: 'first_response', slaDueAt: clock(view, 'first_response')?.dueAt });
    expect(Date.parse(sorted[1]?.slaDueAt ?? '') - Date.parse(sorted[0]?.slaDueAt ?? '')).toBeGreaterThan(50 * MINUTE);
    const firstPage = (await api(t, 'GET', '/conversations?sort=sla_due&limit=1')).json();
    expect(firstPage.items.map((c: { id: string }) => c.id)).toEqual([conversation.id]);
    const secondPage = (
      await api(t, 'GET', `/conversations?sort=sla_due&limit=1&cursor=${firstPage.nextCursor}`)
    ).json();
    expect(secondPage.items.map((c: { id: string }) => c.id)).toEqual([other.id]);
  });

  it('answers 404 no_sla where no policy applies or no customer has written, and an agent reply starts nothing', async () => {
    const phone = '+14155550703';
    const t = await tenant(phone);
    await createPolicy(t, { name: 'VIP only', appliesTo: { tags: ['vip'] }, firstResponse: { minutes: 15 } });

    // Nobody has written: no workflow, and a reply does not start one.
    const quiet = await server.database.db.conversation.create({
      data: { tenantId: t.tenant.id, channelId: t.channel.id, kind: 'sms', address: '+14155550799' },
    });
    const none = await slaOf(t, quiet.id);
    expect(none.statusCode).toBe(404);
    expect((none.json() as ErrorBody).error).toMatchObject({
      code: 'no_sla',
      message: expect.stringContaining('no SLA'),
    });
    const reply = await api(t, 'POST', `/conversations/${quiet.id}/messages`, { text: 'Hello there' });
    expect(reply.statusCode).toBe(202);
    const resolve = await api(t, 'PATCH', `/conversations/${quiet.id}`, { status: 'resolved' });
    expect(resolve.statusCode).toBe(200);
    await expect(
      server.env.client.workflow.getHandle(conversationSlaWorkflowId(quiet.id)).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);

    // A customer writes, but the only policy wants a tag this conversation lacks.
    await customerWrites(t, phone, 'Hi, a question');
    const conversation = await server.conversationOn(t.channel.id, phone);
    const result = await server.env.client.workflow.getHandle(conversationSlaWorkflowId(conversation.id)).result();
    expect(result).toMatchObject({ policyId: null, clocks: [] });
    const res = await slaOf(t, conversation.id);
    expect(res.statusCode).toBe(404);
    expect((res.json() as ErrorBody).error.code).toBe('no_sla');

    // Another tenant's conversation is not found at all.
    const other = await tenant('+14155550704');
    expect((await slaOf(other, conversation.id)).statusCode).toBe(404);
    expect(((await slaOf(other, conversation.id)).json() as ErrorBody).error.code).toBe('not_found');
  });

  it('keeps the message and answers the request when Temporal will not take the signal', async () => {
    const phone = '+14155550705';
    const t = await tenant(phone);
    await createPolicy(t, { name: 'Standard', firstResponse: { minutes: 30 } });
    const client = server.app.temporal;
    const { signalWithStart, getHandle } = client.workflow;
    try {
      client.workflow.signalWithStart = async () => {
        throw new Error('Temporal is unavailable');
      };
      await customerWrites(t, phone, 'Is anyone there?');
      const conversation = await server.conversationOn(t.channel.id, phone);
      expect(await server.messagesOf(t.token, conversation.id)).toMatchObject([
        { direction: 'inbound', body: 'Is anyone there?' },
      ]);

      client.workflow.getHandle = ((workflowId: string) =>
        workflowId.startsWith('sla-')
          ? {
              signal: async () => {
                throw new Error('Temporal is unavailable');
              },
            }
          : getHandle.call(client.workflow, workflowId)) as typeof getHandle;
      const reply = await api(t, 'POST', `/conversations/${conversation.id}/messages`, { text: 'Yes, here!' });
      expect(reply.statusCode, reply.body).toBe(202);
      const resolved = await api(t, 'PATCH', `/conversations/${conversation.id}`, { status: 'resolved' });
      expect(resolved.statusCode).toBe(200);
      expect(resolved.json()).toMatchObject({ status: 'resolved' });
    } finally {
      client.workflow.signalWithStart = signalWithStart;
      client.workflow.getHandle = getHandle;
    }
  });

  it('notifySla reports a failure to the log and never throws', async () => {
    const failing = {
      withAbortSignal: (_signal: AbortSignal, fn: () => Promise<unknown>) => fn(),
      workflow: {
        signalWithStart: async () => {
          throw new Error('connection refused');
        },
        getHandle: () => ({
          signal: async () => {
            throw new WorkflowNotFoundError('gone', 'sla-x', undefined);
          },
        }),
      },
    } as unknown as Client;
    const warnings: string[] = [];
    const log = { warn: (_obj: object, msg: string) => warnings.push(msg) };
    const notice = { tenantId: 't', conversationId: 'c' };
    expect(await notifySla(failing, TASK_QUEUE, { ...notice, kind: 'customer_message' }, log)).toBe(false);
    expect(warnings).toEqual(['SLA signal customer_message failed; the clocks miss it']);
    // No workflow to signal is not a failure: nothing was running.
    expect(await notifySla(failing, TASK_QUEUE, { ...notice, kind: 'agent_reply' }, log)).toBe(false);
    expect(warnings).toHaveLength(1);
  });
});
