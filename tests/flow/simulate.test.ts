import { describe, expect, it } from 'vitest';
import {
  CALL_OUTCOMES,
  type Flow,
  type FlowNode,
  type SimulationResult,
  type SimulationScript,
  sandboxAddressProblem,
  simulate,
} from '../../flow';
import { around, edge, end, flow, node, plan, richFlow, trigger } from './build';

const START = '2026-01-05T15:00:00.000Z'; // Monday, the simulator's default start
const MIN = 60_000;
const HOUR = 60 * MIN;

const run = (f: Flow, script: SimulationScript = {}) => simulate(plan(f), script);
const visited = (r: SimulationResult) => r.path.map((s) => s.nodeId);
const outputOf = (r: SimulationResult, nodeId: string) => r.state.nodes[nodeId]?.output;
const effectsOf = (r: SimulationResult, kind: string) => r.effects.filter((e) => e.kind === kind);

/** trigger → first → second → End; each node's other outputs go to End nodes named after them. */
function pipeline(first: FlowNode, firstOutputs: string[], second: FlowNode, secondOutputs: string[]): Flow {
  const [via, ...otherFirst] = firstOutputs as [string, ...string[]];
  return flow(
    [
      trigger(),
      first,
      second,
      ...otherFirst.map((o) => end(`first-${o}`, `first-${o}`)),
      ...secondOutputs.map((o) => end(`end-${o}`, o)),
    ],
    [
      edge('start', 'next', first.id),
      edge(first.id, via, second.id),
      ...otherFirst.map((o) => edge(first.id, o, `first-${o}`)),
      ...secondOutputs.map((o) => edge(second.id, o, `end-${o}`)),
    ],
  );
}

const SEND = ['sent', 'failed'];
const WAIT = ['replied', 'timeout'];
const sms = (id: string, text: string) => node(id, 'send-message', { channel: 'sms', text });

describe('simulate: send-message', () => {
  it('sends the rendered text to the contact and takes "sent"', async () => {
    const r = await run(around(sms('hi', 'Hi {{contact.firstName}}, run {{run.id}}'), SEND), { runId: 'r1' });
    expect(r.status).toBe('completed');
    expect(r.outcome).toBe('sent');
    expect(visited(r)).toEqual(['start', 'hi', 'end-sent']);
    expect(effectsOf(r, 'message')).toEqual([
      {
        at: START,
        nodeId: 'hi',
        kind: 'message',
        detail: { channel: 'sms', to: '+15555550100', text: 'Hi Alex, run r1' },
      },
    ]);
    expect(outputOf(r, 'hi')).toEqual({ messageId: 'sim-sim:r1:hi:1', channel: 'sms' });
  });

  it('takes "failed" with InvalidRecipient for an invalid phone number, and sends nothing', async () => {
    const r = await run(around(sms('hi', 'Hi'), SEND), { contact: { phone: '555-CALL-ME' } });
    expect(r.outcome).toBe('failed');
    expect(outputOf(r, 'hi')).toEqual({
      error: 'InvalidRecipient',
      message: '"555-CALL-ME" is not a valid sms address',
    });
    expect(effectsOf(r, 'message')).toEqual([]);
  });

  it('emails the contact’s address with the rendered subject', async () => {
    const email = node('mail', 'send-message', { channel: 'email', subject: 'For {{contact.lastName}}', text: 'Body' });
    const r = await run(around(email, SEND));
    expect(effectsOf(r, 'message')[0]?.detail).toEqual({
      channel: 'email',
      to: 'alex@example.com',
      text: 'Body',
      subject: 'For Doe',
    });
    const noEmail = await run(around(email, SEND), { contact: { email: null } });
    expect(noEmail.outcome).toBe('failed');
  });

  it('checks addresses like the sandbox provider', () => {
    expect(sandboxAddressProblem('sms', '+14155550123')).toBeNull();
    expect(sandboxAddressProblem('whatsapp', '14155550123')).toContain('not a valid whatsapp address');
    expect(sandboxAddressProblem('email', 'a@b.co')).toBeNull();
    expect(sandboxAddressProblem('email', 'not-an-email')).toContain('not a valid email address');
    expect(sandboxAddressProblem('telegram', '')).toContain('not a valid telegram address');
  });
});

describe('simulate: wait-for-reply', () => {
  const wait = (params: Record<string, unknown> = {}) => node('ask', 'wait-for-reply', { timeout: '1h', ...params });

  it('takes "replied" with the text, channel and intent of a reply within the timeout', async () => {
    const r = await run(around(wait(), WAIT), { replies: [{ text: 'Yes please!', afterMinutes: 30 }] });
    expect(r.outcome).toBe('replied');
    expect(outputOf(r, 'ask')).toEqual({
      text: 'Yes please!',
      channel: 'sms',
      intent: 'yes',
      at: '2026-01-05T15:30:00.000Z',
    });
    expect(r.durationMs).toBe(30 * MIN);
    expect(r.state.vars.lastReply).toBe('Yes please!');
  });

  it.each([
    ['STOP', 'stop'],
    ['nope', 'no'],
    ['can we do later?', 'reschedule'],
    ['what is this?', 'question'],
    ['👍', 'other'],
  ])('classifies the reply %j as %s', async (text, intent) => {
    const r = await run(around(wait(), WAIT), { replies: [{ text }] });
    expect(outputOf(r, 'ask')?.intent).toBe(intent);
  });

  it('times out when the scripted reply comes after the timeout, after exactly the timeout', async () => {
    const r = await run(around(wait(), WAIT), { replies: [{ text: 'yes', afterMinutes: 61 }] });
    expect(r.outcome).toBe('timeout');
    expect(r.durationMs).toBe(HOUR);
    expect(outputOf(r, 'ask')).toEqual({ timedOutAt: '2026-01-05T16:00:00.000Z' });
  });

  it('counts a reply that arrives exactly at the timeout', async () => {
    const r = await run(around(wait(), WAIT), { replies: [{ text: 'yes', afterMinutes: 60 }] });
    expect(r.outcome).toBe('replied');
  });

  it('times out when the scripted reply is null or the script has none', async () => {
    expect((await run(around(wait(), WAIT), { replies: [null] })).outcome).toBe('timeout');
    expect((await run(around(wait(), WAIT))).outcome).toBe('timeout');
  });

  it('times out on a scripted null even in random mode (null means no reply)', async () => {
    const script: SimulationScript = { replies: [null], random: { seed: 1, replyProbability: 1 } };
    const r = await run(around(wait(), WAIT), script);
    expect(r.outcome).toBe('timeout');
    expect(effectsOf(r, 'reply')).toEqual([]);
  });

  it('ignores a reply on another channel when the node names a channel', async () => {
    const f = around(wait({ channel: 'whatsapp' }), WAIT);
    const other = await run(f, { replies: [{ text: 'yes', channel: 'sms', afterMinutes: 5 }] });
    expect(other.outcome).toBe('timeout');
    const same = await run(f, { replies: [{ text: 'yes', channel: 'whatsapp', afterMinutes: 5 }] });
    expect(same.outcome).toBe('replied');
    expect(outputOf(same, 'ask')?.channel).toBe('whatsapp');
  });

  it('accepts a reply on any channel when the node names none', async () => {
    const r = await run(around(wait(), WAIT), { replies: [{ text: 'ok', channel: 'telegram' }] });
    expect(r.outcome).toBe('replied');
  });

  it('waits for a named contact event instead of a message when "event" is set', async () => {
    const f = around(wait({ event: 'form-submitted' }), WAIT);
    const r = await run(f, { events: [{ name: 'form-submitted', data: { plan: 'pro' }, afterMinutes: 10 }] });
    expect(r.outcome).toBe('replied');
    expect(outputOf(r, 'ask')).toEqual({
      event: 'form-submitted',
      at: '2026-01-05T15:10:00.000Z',
      data: { plan: 'pro' },
    });
    const wrong = await run(f, { events: [{ name: 'page-viewed' }], replies: [{ text: 'yes' }] });
    expect(wrong.outcome).toBe('timeout');
  });

  it('makes the reply readable by later nodes as {{vars.lastReply}} and {{nodes.<id>.output.*}}', async () => {
    const f = pipeline(wait(), WAIT, sms('echo', 'You said "{{vars.lastReply}}" ({{nodes.ask.output.intent}})'), SEND);
    const r = await run(f, { replies: [{ text: 'Sure', afterMinutes: 2 }] });
    expect(effectsOf(r, 'message')[0]?.detail.text).toBe('You said "Sure" (yes)');
  });

  it('lets a message sent after a late reply make that reply stale', async () => {
    // ask (1h) times out; the reply at 90 minutes arrives before the second wait, but a message went out
    // in between, so the second wait needs a reply of its own.
    const f = flow(
      [
        trigger(),
        node('ask', 'wait-for-reply', { timeout: '1h' }),
        node('delay', 'delay', { mode: 'duration', duration: '1h' }),
        sms('nudge', 'Still there?'),
        node('ask2', 'wait-for-reply', { timeout: '1h' }),
        end('replied'),
        end('silent'),
        end('failed'),
      ],
      [
        edge('start', 'next', 'ask'),
        edge('ask', 'replied', 'replied'),
        edge('ask', 'timeout', 'delay'),
        edge('delay', 'next', 'nudge'),
        edge('nudge', 'sent', 'ask2'),
        edge('nudge', 'failed', 'failed'),
        edge('ask2', 'replied', 'replied'),
        edge('ask2', 'timeout', 'silent'),
      ],
    );
    const r = await run(f, { replies: [{ text: 'late', afterMinutes: 90 }, null] });
    expect(r.outcome).toBe('silent');
  });
});

describe('simulate: delay', () => {
  it('advances the virtual clock by exactly the duration', async () => {
    const r = await run(around(node('pause', 'delay', { mode: 'duration', duration: '1d 2h 30m' }), ['next']));
    expect(r.durationMs).toBe(26.5 * HOUR);
    const step = r.path.find((s) => s.nodeId === 'pause');
    expect(step).toMatchObject({ enteredAt: START, leftAt: '2026-01-06T17:30:00.000Z', output: 'next' });
    expect(outputOf(r, 'pause')).toEqual({ until: '2026-01-06T17:30:00.000Z' });
    expect(r.finishedAt).toBe('2026-01-06T17:30:00.000Z');
  });

  const untilWindow = (window: Record<string, unknown>, fallbackTimeZone?: string) =>
    around(
      node('pause', 'delay', { mode: 'until-window', window, ...(fallbackTimeZone ? { fallbackTimeZone } : {}) }),
      ['next'],
    );

  it('waits until the window opens in the contact’s time zone', async () => {
    // 15:00Z is 10:00 in New York; the 18:00–20:00 window opens at 23:00Z.
    const r = await run(untilWindow({ start: '18:00', end: '20:00' }), { contact: { timeZone: 'America/New_York' } });
    expect(outputOf(r, 'pause')).toEqual({ until: '2026-01-05T23:00:00.000Z' });
    expect(r.durationMs).toBe(8 * HOUR);
  });

  it('continues at once when the contact is already inside the window', async () => {
    const r = await run(untilWindow({ start: '09:00', end: '17:00' }), { contact: { timeZone: 'America/New_York' } });
    expect(r.durationMs).toBe(0);
  });

  it('skips the weekend for a weekday window', async () => {
    // Friday 9 January 2026, 18:00 in Paris → Monday 09:00 CET.
    const r = await run(untilWindow({ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }), {
      contact: { timeZone: 'Europe/Paris' },
      startAt: '2026-01-09T17:00:00.000Z',
    });
    expect(outputOf(r, 'pause')).toEqual({ until: '2026-01-12T08:00:00.000Z' });
  });

  it('uses the fallback time zone when the contact has none or an invalid one', async () => {
    // 15:00Z is 20:30 in Kolkata: the 18:00–20:00 window has closed, next is 18:00 IST = 12:30Z.
    const f = untilWindow({ start: '18:00', end: '20:00' }, 'Asia/Kolkata');
    for (const timeZone of [null, 'Mars/Olympus']) {
      const r = await run(f, { contact: { timeZone } });
      expect(outputOf(r, 'pause')).toEqual({ until: '2026-01-06T12:30:00.000Z' });
    }
  });

  it('waits out quiet hours in the contact’s zone, and not at all outside them', async () => {
    const f = around(node('quiet', 'delay', { mode: 'quiet-hours', start: '21:00', end: '08:00' }), ['next']);
    // 22:30Z is 23:30 in Paris: quiet until 08:00 CET = 07:00Z.
    const night = await run(f, { contact: { timeZone: 'Europe/Paris' }, startAt: '2026-01-05T22:30:00.000Z' });
    expect(outputOf(night, 'quiet')).toEqual({ until: '2026-01-06T07:00:00.000Z' });
    expect(night.durationMs).toBe(8.5 * HOUR);
    const day = await run(f, { contact: { timeZone: 'Europe/Paris' } });
    expect(day.durationMs).toBe(0);
  });
});

describe('simulate: branch', () => {
  const branch = node('route', 'branch', {
    rules: [
      { id: 'vip', conditions: [{ field: 'contact.tags', operator: 'contains', value: 'vip' }] },
      { id: 'hot', conditions: [{ field: 'contact.score', operator: 'gte', value: '50' }] },
      {
        id: 'either',
        match: 'any',
        conditions: [
          { field: 'contact.leadStatus', operator: 'eq', value: 'QUALIFIED' },
          { field: 'trigger.source', operator: 'eq', value: 'ads' },
        ],
      },
    ],
  });
  const f = around(branch, ['vip', 'hot', 'either', 'else']);

  it('takes the first rule that matches, even when later ones match too', async () => {
    const r = await run(f, { contact: { tags: ['VIP'], score: 80 } });
    expect(r.outcome).toBe('vip');
    expect(outputOf(r, 'route')).toEqual({ matched: 'vip' });
    expect((await run(f, { contact: { score: 80 } })).outcome).toBe('hot');
  });

  it("matches an 'any' rule on one of its conditions", async () => {
    expect((await run(f, { contact: { leadStatus: 'qualified' } })).outcome).toBe('either');
    expect((await run(f, { trigger: { source: 'ads' } })).outcome).toBe('either');
  });

  it('takes "else" when no rule matches', async () => {
    const r = await run(f, { contact: { score: 10 } });
    expect(r.outcome).toBe('else');
    expect(outputOf(r, 'route')).toEqual({ matched: 'else' });
  });
});

describe('simulate: split', () => {
  const split = (arms: Array<[string, number]>) =>
    around(
      node('ab', 'split', { arms: arms.map(([id, percent]) => ({ id, percent })) }),
      arms.map(([id]) => id),
    );
  const half = split([
    ['a', 50],
    ['b', 50],
  ]);
  const halfPlan = plan(half);

  it('always gives the same arm to the same runId', async () => {
    for (const runId of ['run-1', 'run-2', 'journey-xyz']) {
      const first = await simulate(halfPlan, { runId });
      const again = await simulate(halfPlan, { runId });
      expect(again.outcome).toBe(first.outcome);
      expect(outputOf(again, 'ab')).toEqual(outputOf(first, 'ab'));
    }
  });

  it('lands a 50/50 split within 45–55% across 2,000 distinct runIds', async () => {
    let a = 0;
    for (let i = 0; i < 2_000; i++) {
      const r = await simulate(halfPlan, { runId: `run-${i}` });
      if (r.outcome === 'a') a++;
      else expect(r.outcome).toBe('b');
    }
    expect(a).toBeGreaterThanOrEqual(900);
    expect(a).toBeLessThanOrEqual(1_100);
  });

  it('never picks an arm at 0%', async () => {
    const p = plan(
      split([
        ['never', 0],
        ['always', 100],
      ]),
    );
    for (let i = 0; i < 200; i++) expect((await simulate(p, { runId: `r${i}` })).outcome).toBe('always');
  });

  it('reports the arm and the bucket (0–100) it came from', async () => {
    const r = await simulate(halfPlan, { runId: 'run-7' });
    const out = outputOf(r, 'ab') as { arm: string; bucket: number };
    expect(out.arm).toBe(r.outcome);
    expect(out.bucket).toBeGreaterThanOrEqual(0);
    expect(out.bucket).toBeLessThan(100);
    expect(out.arm).toBe(out.bucket < 50 ? 'a' : 'b');
  });
});

describe('simulate: place-call', () => {
  const call = node('call', 'place-call', { firstMessage: 'Hi {{contact.firstName}}' });
  const f = around(call, [...CALL_OUTCOMES]);

  it.each([...CALL_OUTCOMES])('maps a scripted "%s" call to the output of that name', async (outcome) => {
    const r = await run(f, { calls: [outcome] });
    expect(r.outcome).toBe(outcome);
    expect(effectsOf(r, 'call')[0]?.detail).toMatchObject({ to: '+15555550100', outcome, firstMessage: 'Hi Alex' });
    const seconds = outcome === 'answered' ? 90 : outcome === 'voicemail' ? 30 : 20;
    expect(r.durationMs).toBe(seconds * 1000);
  });

  it('answers by default when the script has no calls', async () => {
    expect((await run(f)).outcome).toBe('answered');
  });

  it('takes "failed" without calling an invalid number', async () => {
    const r = await run(f, { contact: { phone: null }, calls: ['answered'] });
    expect(r.outcome).toBe('failed');
    expect(outputOf(r, 'call')).toMatchObject({ error: 'InvalidRecipient' });
    expect(effectsOf(r, 'call')).toEqual([]);
  });

  it('consumes scripted outcomes in order, one per call', async () => {
    const loop = flow(
      [trigger(), node('call', 'place-call', { firstMessage: 'Hi' }, { maxVisits: 3 }), end('done')],
      [
        edge('start', 'next', 'call'),
        edge('call', 'answered', 'done'),
        ...['voicemail', 'no-answer', 'busy', 'failed'].map((o) => edge('call', o, 'call')),
      ],
    );
    const r = await run(loop, { calls: ['busy', 'no-answer', 'answered'] });
    expect(r.outcome).toBe('done');
    expect(r.path.filter((s) => s.nodeId === 'call').map((s) => s.output)).toEqual(['busy', 'no-answer', 'answered']);
  });
});

describe('simulate: ai-reply', () => {
  const ai = (params: Record<string, unknown> = {}) => node('ai', 'ai-reply', { channel: 'sms', ...params });

  it('answers and sends a message when the confidence reaches minConfidence', async () => {
    const r = await run(around(ai({ minConfidence: 0.7 }), ['answered', 'unsure']), {
      trigger: { text: 'When do you open?' },
      ai: [{ confidence: 0.7, answer: 'We open at 9.' }],
    });
    expect(r.outcome).toBe('answered');
    expect(outputOf(r, 'ai')).toMatchObject({ question: 'When do you open?', answer: 'We open at 9.', sent: true });
    expect(effectsOf(r, 'message')).toEqual([
      expect.objectContaining({ nodeId: 'ai', detail: { channel: 'sms', to: '+15555550100', text: 'We open at 9.' } }),
    ]);
  });

  it('takes "unsure" and sends nothing below minConfidence', async () => {
    const r = await run(around(ai({ minConfidence: 0.7 }), ['answered', 'unsure']), {
      ai: [{ confidence: 0.69, answer: 'Maybe?' }],
    });
    expect(r.outcome).toBe('unsure');
    expect(outputOf(r, 'ai')).toMatchObject({ confidence: 0.69, sent: false });
    expect(effectsOf(r, 'ai-reply')).toHaveLength(1);
    expect(effectsOf(r, 'message')).toEqual([]);
  });

  it('answers without sending when send is false', async () => {
    const r = await run(around(ai({ send: false }), ['answered', 'unsure']), { ai: [{ confidence: 0.95 }] });
    expect(r.outcome).toBe('answered');
    expect(effectsOf(r, 'message')).toEqual([]);
  });

  it('renders the question from earlier nodes', async () => {
    const f = pipeline(
      node('ask', 'wait-for-reply', { timeout: '1h' }),
      WAIT,
      ai({ question: 'Customer asks: {{nodes.ask.output.text}}' }),
      ['answered', 'unsure'],
    );
    const r = await run(f, { replies: [{ text: 'price?' }], ai: [{ confidence: 1 }] });
    expect(outputOf(r, 'ai')?.question).toBe('Customer asks: price?');
  });
});

describe('simulate: update-contact', () => {
  it('applies fields, tags and score, and later nodes see them through {{contact.*}}', async () => {
    const update = node('upd', 'update-contact', {
      set: { firstName: 'Alexandra', plan: '{{trigger.plan}}', seats: 5 },
      addTags: ['vip'],
      removeTags: ['trial'],
      leadStatus: 'qualified',
      scoreDelta: 15,
    });
    const f = pipeline(
      update,
      ['next'],
      sms(
        'tell',
        '{{contact.firstName}} {{contact.plan}} {{contact.seats}} {{contact.score}} {{contact.tags}} {{contact.leadStatus}}',
      ),
      SEND,
    );
    const r = await run(f, { contact: { tags: ['trial'], score: 10 }, trigger: { plan: 'gold' } });
    expect(effectsOf(r, 'message')[0]?.detail.text).toBe('Alexandra gold 5 25 ["vip"] qualified');
    expect(r.state.contact).toMatchObject({
      firstName: 'Alexandra',
      leadStatus: 'qualified',
      score: 25,
      tags: ['vip'],
      fields: { plan: 'gold', seats: 5 },
    });
    expect(outputOf(r, 'upd')).toEqual({ updated: ['firstName', 'plan', 'seats'], tags: ['vip'] });
    expect(effectsOf(r, 'contact-update')).toHaveLength(1);
  });

  it('lets a later branch route on the updated contact', async () => {
    const f = pipeline(
      node('upd', 'update-contact', { addTags: ['vip'] }),
      ['next'],
      node('route', 'branch', {
        rules: [{ id: 'vip', conditions: [{ field: 'contact.tags', operator: 'contains', value: 'vip' }] }],
      }),
      ['vip', 'else'],
    );
    expect((await run(f)).outcome).toBe('vip');
  });

  it('clears a custom field whose expression resolves to nothing', async () => {
    const f = around(node('upd', 'update-contact', { set: { plan: '{{trigger.missing}}' } }), ['next']);
    const r = await run(f, { contact: { fields: { plan: 'free', other: 1 } } });
    expect(r.state.contact.fields).toEqual({ other: 1 });
  });
});

describe('simulate: handoff', () => {
  const handoff = (params: Record<string, unknown> = {}) =>
    around(
      node('human', 'handoff', { team: 'support', timeout: '1h', note: 'About {{contact.firstName}}', ...params }),
      ['resolved', 'unresolved'],
    );

  it('takes "resolved" when the escalation resolves before the timeout', async () => {
    const r = await run(handoff(), { escalations: [{ resolveAfterMinutes: 30 }] });
    expect(r.outcome).toBe('resolved');
    expect(r.durationMs).toBe(30 * MIN);
    expect(outputOf(r, 'human')).toEqual({ escalationId: 'sim-escalation-1', resolution: 'resolved' });
    expect(effectsOf(r, 'escalation')[0]?.detail).toEqual({
      escalationId: 'sim-escalation-1',
      team: 'support',
      priority: 'normal',
      note: 'About Alex',
    });
  });

  it('takes "unresolved" when a person closes it unresolved', async () => {
    const r = await run(handoff(), { escalations: [{ resolveAfterMinutes: 5, resolution: 'unresolved' }] });
    expect(r.outcome).toBe('unresolved');
    expect(outputOf(r, 'human')).toMatchObject({ resolution: 'unresolved' });
  });

  it('takes "unresolved" after the timeout when nobody resolves it in time', async () => {
    for (const escalations of [[{ resolveAfterMinutes: 61 }], [null], []]) {
      const r = await run(handoff(), { escalations });
      expect(r.outcome).toBe('unresolved');
      expect(outputOf(r, 'human')).toEqual({ escalationId: 'sim-escalation-1', timedOut: true });
      expect(r.durationMs).toBe(HOUR);
    }
  });

  it('takes "unresolved" at once when waitForResolution is false, after opening the escalation', async () => {
    const r = await run(handoff({ waitForResolution: false }), { escalations: [{ resolveAfterMinutes: 1 }] });
    expect(r.outcome).toBe('unresolved');
    expect(r.durationMs).toBe(0);
    expect(outputOf(r, 'human')).toEqual({ escalationId: 'sim-escalation-1', waited: false });
    expect(effectsOf(r, 'escalation')).toHaveLength(1);
  });
});

describe('simulate: http-request', () => {
  const http = around(
    node('hook', 'http-request', { url: 'https://crm.example.com/contacts/{{contact.id}}', method: 'PUT' }),
    ['ok', 'error'],
  );

  it.each([200, 201, 204, 299])('takes "ok" for status %d', async (status) => {
    const r = await run(http, { http: [{ status, body: { id: 7 } }] });
    expect(r.outcome).toBe('ok');
    expect(outputOf(r, 'hook')).toEqual({ status, body: { id: 7 } });
  });

  it.each([301, 400, 404, 429, 500, 503])('takes "error" for status %d', async (status) => {
    const r = await run(http, { http: [{ status }] });
    expect(r.outcome).toBe('error');
    expect(outputOf(r, 'hook')).toEqual({ status, body: null });
  });

  it('renders the URL and answers 200 when the script has no response', async () => {
    const r = await run(http);
    expect(r.outcome).toBe('ok');
    expect(effectsOf(r, 'http')[0]?.detail).toEqual({
      method: 'PUT',
      url: 'https://crm.example.com/contacts/sim-contact',
      status: 200,
    });
  });
});

describe('simulate: start-flow', () => {
  const CHILD_ID = '5f0c6f2e-8a8b-4c1e-9d7a-2b1f3c4d5e6f';
  const child = plan(
    flow(
      [
        trigger(),
        sms('child-hi', 'Child says hi to {{contact.firstName}} ({{trigger.parentWorkflowId}})'),
        end('child-done'),
      ],
      [
        edge('start', 'next', 'child-hi'),
        edge('child-hi', 'sent', 'child-done'),
        edge('child-hi', 'failed', 'child-done'),
      ],
      'Child',
    ),
  );
  const parent = pipeline(
    node('sub', 'start-flow', { flowId: CHILD_ID }),
    ['done'],
    sms('after', 'Back in the parent'),
    SEND,
  );

  it('runs the child flow and continues on "done" with its outcome', async () => {
    const r = await run(parent, { childPlans: { [CHILD_ID]: child }, runId: 'p1' });
    expect(r.outcome).toBe('sent');
    expect(visited(r)).toEqual(['start', 'sub', 'after', 'end-sent']);
    expect(outputOf(r, 'sub')).toEqual({
      flowVersionId: `sim-${CHILD_ID}`,
      status: 'completed',
      outcome: 'child-done',
    });
    expect(effectsOf(r, 'child-flow')).toEqual([expect.objectContaining({ nodeId: 'sub', detail: { name: 'Child' } })]);
    expect(effectsOf(r, 'message').map((e) => e.detail.text)).toEqual([
      'Child says hi to Alex (sim:p1)',
      'Back in the parent',
    ]);
  });

  it('continues on "done" with an error in the node output when the child flow is missing', async () => {
    const r = await run(parent);
    expect(r.outcome).toBe('sent');
    expect(outputOf(r, 'sub')).toEqual({
      error: 'FlowNotPublished',
      message: `flow ${CHILD_ID} has no published version`,
    });
    expect(effectsOf(r, 'child-flow')).toEqual([]);
  });
});

describe('simulate: end and whole runs', () => {
  it('ends with the End node’s outcome', async () => {
    const r = await run(flow([trigger(), end('bye', 'goal-reached')], [edge('start', 'next', 'bye')]));
    expect(r).toMatchObject({ status: 'completed', outcome: 'goal-reached', startedAt: START, finishedAt: START });
    expect(r.path.at(-1)).toMatchObject({ nodeId: 'bye', type: 'end' });
    expect(r.path.at(-1)?.output).toBeUndefined();
    expect(r.state.currentNodeId).toBeNull();
  });

  it('ends a loop with "visit-limit:<nodeId>" once maxVisits is used up', async () => {
    const f = flow(
      [trigger(), node('ask', 'wait-for-reply', { timeout: '1h' }, { maxVisits: 3 }), end('done')],
      [edge('start', 'next', 'ask'), edge('ask', 'timeout', 'ask'), edge('ask', 'replied', 'done')],
    );
    const r = await run(f);
    expect(r.outcome).toBe('visit-limit:ask');
    expect(r.status).toBe('completed');
    expect(visited(r)).toEqual(['start', 'ask', 'ask', 'ask']);
    expect(r.path.map((s) => s.visit)).toEqual([1, 1, 2, 3]);
    expect(r.durationMs).toBe(3 * HOUR);
  });

  it('runs the rich flow’s nudge loop until the visit limit when nobody replies', async () => {
    const r = await run(richFlow());
    expect(r.outcome).toBe('visit-limit:ask');
    expect(effectsOf(r, 'message')).toHaveLength(4); // hello and three nudges
  });

  it('stamps the path with virtual times', async () => {
    const f = flow(
      [
        trigger(),
        node('pause', 'delay', { mode: 'duration', duration: '2h' }),
        sms('hi', 'Hi'),
        node('ask', 'wait-for-reply', { timeout: '1d' }),
        end('done'),
        end('failed'),
      ],
      [
        edge('start', 'next', 'pause'),
        edge('pause', 'next', 'hi'),
        edge('hi', 'sent', 'ask'),
        edge('hi', 'failed', 'failed'),
        edge('ask', 'replied', 'done'),
        edge('ask', 'timeout', 'done'),
      ],
    );
    const r = await run(f, { replies: [{ text: 'ok', afterMinutes: 45 }] });
    expect(r.path.map(({ nodeId, enteredAt, leftAt, output }) => ({ nodeId, enteredAt, leftAt, output }))).toEqual([
      { nodeId: 'start', enteredAt: START, leftAt: START, output: 'next' },
      { nodeId: 'pause', enteredAt: START, leftAt: '2026-01-05T17:00:00.000Z', output: 'next' },
      { nodeId: 'hi', enteredAt: '2026-01-05T17:00:00.000Z', leftAt: '2026-01-05T17:00:00.000Z', output: 'sent' },
      { nodeId: 'ask', enteredAt: '2026-01-05T17:00:00.000Z', leftAt: '2026-01-05T17:45:00.000Z', output: 'replied' },
      { nodeId: 'done', enteredAt: '2026-01-05T17:45:00.000Z', leftAt: '2026-01-05T17:45:00.000Z', output: undefined },
    ]);
    expect(r.effects.find((e) => e.kind === 'message')?.at).toBe('2026-01-05T17:00:00.000Z');
    expect(r.durationMs).toBe(2 * HOUR + 45 * MIN);
  });

  it('starts at the scripted startAt', async () => {
    const r = await run(around(sms('hi', 'Hi'), SEND), { startAt: '2030-06-01T08:00:00.000Z' });
    expect(r.startedAt).toBe('2030-06-01T08:00:00.000Z');
    expect(r.path[0]?.enteredAt).toBe('2030-06-01T08:00:00.000Z');
  });

  it('stops a run that exceeds maxSteps with outcome "step-limit"', async () => {
    const r = await run(richFlow(), { maxSteps: 2 });
    expect(r.status).toBe('failed');
    expect(r.outcome).toBe('step-limit');
    expect(r.state.error).toBe('stopped after 2 steps');
  });

  it('refuses a script that does not fit the schema', async () => {
    await expect(run(richFlow(), { startAt: 'yesterday' })).rejects.toThrow();
  });
});

describe('simulate: random mode', () => {
  const random = (seed: number): SimulationScript => ({
    random: { seed, replyProbability: 0.7, replies: ['yes', 'no', 'what?', 'STOP'], aiConfidence: 0.5 },
  });

  it('is repeatable for the same seed', async () => {
    const p = plan(richFlow());
    for (const seed of [1, 2, 42]) {
      const a = await simulate(p, random(seed));
      const b = await simulate(p, random(seed));
      expect(b).toEqual(a);
    }
  });

  it('explores different paths with different seeds', async () => {
    const p = plan(richFlow());
    const journeys = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const r = await simulate(p, random(seed));
      journeys.add(`${visited(r).join('>')}|${r.outcome}`);
    }
    expect(journeys.size).toBeGreaterThan(3);
  });

  it('uses the script first and random only once a list runs out', async () => {
    const f = around(node('ask', 'wait-for-reply', { timeout: '1h' }), WAIT);
    const r = await run(f, {
      replies: [{ text: 'scripted', afterMinutes: 1 }],
      random: { seed: 5, replyProbability: 0 },
    });
    expect(outputOf(r, 'ask')?.text).toBe('scripted');
    const none = await run(f, { random: { seed: 5, replyProbability: 0 } });
    expect(none.outcome).toBe('timeout');
    const always = await run(f, { random: { seed: 5, replyProbability: 1, replies: ['only this'] } });
    expect(outputOf(always, 'ask')?.text).toBe('only this');
  });
});
