import { z } from 'zod';
import type { Plan } from './compile';
import { applyContactChange } from './contact-update';
import type { ActivityInput, ActivityOutput, EngineActivityName } from './engine/contracts';
import type { CallResult, Effects } from './engine/effects';
import { interpret } from './engine/interpret';
import { initialState, type RunEvent, type RunEventInput, type RunState, receiveEvent } from './engine/state';
import { CALL_OUTCOMES, CallOutcomeSchema } from './nodes/place-call';
import { ChannelSchema } from './nodes/send-message';
import { ContactSnapshotSchema } from './schema';
import { pickWeighted } from './weighted';

/**
 * What the simulated world does. Lists are consumed in order: the Nth time the run waits for a
 * reply it gets `replies[N]` (null: no reply), the Nth call ends as `calls[N]`, and so on. When a
 * list runs out, `random` decides (seeded, so a simulation is repeatable), or the defaults do.
 */
export const SimulationScriptSchema = z.object({
  contact: ContactSnapshotSchema.partial()
    .default({})
    .transform((c) =>
      ContactSnapshotSchema.parse({
        id: 'sim-contact',
        firstName: 'Alex',
        lastName: 'Doe',
        phone: '+15555550100',
        email: 'alex@example.com',
        timeZone: 'UTC',
        tags: [],
        fields: {},
        score: 0,
        leadStatus: null,
        ...c,
      }),
    ),
  startAt: z.string().datetime().default('2026-01-05T15:00:00.000Z'),
  runId: z.string().default('sim-run'),
  trigger: z.record(z.string(), z.unknown()).default({}),
  replies: z
    .array(
      z
        .object({
          text: z.string().max(10_000),
          channel: ChannelSchema.default('sms'),
          afterMinutes: z.number().min(0).default(1),
        })
        .nullable(),
    )
    .max(1000)
    .default([]),
  events: z
    .array(
      z
        .object({
          name: z.string(),
          data: z.record(z.string(), z.unknown()).default({}),
          afterMinutes: z.number().min(0).default(1),
        })
        .nullable(),
    )
    .max(1000)
    .default([]),
  calls: z.array(CallOutcomeSchema).max(1000).default([]),
  ai: z
    .array(z.object({ confidence: z.number().min(0).max(1), answer: z.string().default('Here is what I found.') }))
    .max(1000)
    .default([]),
  escalations: z
    .array(
      z
        .object({
          resolveAfterMinutes: z.number().min(0),
          resolution: z.enum(['resolved', 'unresolved']).default('resolved'),
        })
        .nullable(),
    )
    .max(1000)
    .default([]),
  http: z
    .array(z.object({ status: z.number().int().min(100).max(599), body: z.unknown().optional() }))
    .max(1000)
    .default([]),
  random: z
    .object({
      seed: z.number().int().default(1),
      replyProbability: z.number().min(0).max(1).default(0.5),
      replies: z.array(z.string()).min(1).default(['yes', 'no', 'maybe later', 'STOP']),
      callOdds: z
        .partialRecord(CallOutcomeSchema, z.number().min(0))
        .default({ answered: 6, voicemail: 2, 'no-answer': 2 }),
      aiConfidence: z.number().min(0).max(1).default(0.8),
    })
    .optional(),
  /** Plans of the flows a start-flow node may run, by flow id. */
  childPlans: z.record(z.string(), z.custom<Plan>()).default({}),
  maxSteps: z.number().int().min(1).max(100_000).default(2_000),
});
export type SimulationScript = z.input<typeof SimulationScriptSchema>;

export interface SimulatedEffect {
  at: string;
  nodeId: string;
  kind: 'message' | 'call' | 'ai-reply' | 'contact-update' | 'escalation' | 'http' | 'child-flow' | 'reply' | 'event';
  detail: Record<string, unknown>;
}

export interface SimulationResult {
  status: RunState['status'];
  outcome: string | null;
  path: RunState['path'];
  effects: SimulatedEffect[];
  state: RunState;
  startedAt: string;
  finishedAt: string | null;
  /** Virtual time the journey took, in milliseconds. */
  durationMs: number;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The same address check the sandbox provider makes. */
export function sandboxAddressProblem(channel: string, to: string): string | null {
  const ok =
    channel === 'email' ? EMAIL.test(to) : channel === 'sms' || channel === 'whatsapp' ? E164.test(to) : to.length > 0;
  return ok ? null : `"${to}" is not a valid ${channel} address`;
}

/** A small seeded generator (mulberry32): the same seed gives the same simulated world. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class StepLimitReached extends Error {}

/**
 * Runs a plan for a synthetic contact on a virtual clock, with the interpreter `runFlow` uses, so
 * the path it reports is the path production would take in the same world. Takes milliseconds.
 */
export async function simulate(plan: Plan, rawScript: SimulationScript = {}): Promise<SimulationResult> {
  const script = SimulationScriptSchema.parse(rawScript);
  const start = Date.parse(script.startAt);
  const world = {
    clock: start,
    effects: [] as SimulatedEffect[],
    cursors: { replies: 0, events: 0, calls: 0, ai: 0, escalations: 0, http: 0 },
    rand: seeded(script.random?.seed ?? 1),
    escalationCount: 0,
  };
  const result = await simulateRun(
    plan,
    script,
    world,
    script.runId,
    `sim:${script.runId}`,
    script.contact,
    script.trigger,
  );
  return { ...result, startedAt: new Date(start).toISOString(), durationMs: world.clock - start };
}

type World = {
  clock: number;
  effects: SimulatedEffect[];
  cursors: Record<'replies' | 'events' | 'calls' | 'ai' | 'escalations' | 'http', number>;
  rand: () => number;
  escalationCount: number;
};
type Script = z.infer<typeof SimulationScriptSchema>;

async function simulateRun(
  plan: Plan,
  script: Script,
  world: World,
  runId: string,
  workflowId: string,
  contact: Script['contact'],
  trigger: Record<string, unknown>,
): Promise<Omit<SimulationResult, 'startedAt' | 'durationMs'>> {
  const state = initialState(plan, contact, world.clock);
  const pending: Array<{ at: number; event: RunEventInput }> = [];
  let steps = 0;
  const iso = () => new Date(world.clock).toISOString();
  const node = () => state.currentNodeId ?? '';
  const record = (kind: SimulatedEffect['kind'], detail: Record<string, unknown>) =>
    world.effects.push({ at: iso(), nodeId: node(), kind, detail });
  const take = <K extends keyof World['cursors']>(k: K): Script[K][number] | undefined =>
    (script[k] as unknown[])[world.cursors[k]++] as Script[K][number] | undefined;

  const deliverUntil = (t: number) => {
    pending.sort((a, b) => a.at - b.at);
    while (pending[0] && pending[0].at <= t) {
      const due = pending.shift() as { at: number; event: RunEventInput };
      world.clock = Math.max(world.clock, due.at);
      receiveEvent(state, due.event, world.clock);
    }
  };

  const randomCall = () => {
    const odds: Partial<Record<(typeof CALL_OUTCOMES)[number], number>> = script.random?.callOdds ?? { answered: 1 };
    return (
      pickWeighted(
        CALL_OUTCOMES.map((o) => [o, odds[o] ?? 0] as const),
        world.rand(),
      ) ?? 'answered'
    );
  };

  const handlers: {
    [N in EngineActivityName]: (
      i: ActivityInput<N>,
    ) => CallResult<ActivityOutput<N>> | Promise<CallResult<ActivityOutput<N>>>;
  } = {
    sendMessage(i) {
      const problem = sandboxAddressProblem(i.channel, i.to);
      if (problem) return { ok: false, type: 'InvalidRecipient', message: problem };
      record('message', { channel: i.channel, to: i.to, text: i.text, ...(i.subject ? { subject: i.subject } : {}) });
      return { ok: true, value: { providerMessageId: `sim-${i.idempotencyKey}`, provider: 'simulator' } };
    },
    placeCall(i) {
      const problem = sandboxAddressProblem('sms', i.to);
      if (problem) return { ok: false, type: 'InvalidRecipient', message: problem };
      const outcome = take('calls') ?? (script.random ? randomCall() : 'answered');
      const durationSeconds = outcome === 'answered' ? 90 : outcome === 'voicemail' ? 30 : 0;
      world.clock += Math.max(durationSeconds, 20) * 1000;
      record('call', { to: i.to, outcome, durationSeconds, firstMessage: i.firstMessage });
      return { ok: true, value: { callId: `sim-call-${i.idempotencyKey}`, outcome, durationSeconds } };
    },
    aiReply(i) {
      const scripted = take('ai');
      const confidence = scripted?.confidence ?? script.random?.aiConfidence ?? 0.9;
      const answer = scripted?.answer ?? 'Here is what I found.';
      const sent = i.send && confidence >= i.minConfidence;
      record('ai-reply', { question: i.question, answer, confidence, sent });
      if (sent) record('message', { channel: i.channel, to: i.to, text: answer });
      return { ok: true, value: { answer, confidence, citations: [], sent } };
    },
    updateContact(i) {
      const { set, addTags, removeTags, leadStatus, scoreDelta } = i;
      const updated = applyContactChange(state.contact, {
        set,
        addTags,
        removeTags,
        ...(leadStatus !== undefined ? { leadStatus } : {}),
        ...(scoreDelta !== undefined ? { scoreDelta } : {}),
      });
      record('contact-update', { set, addTags, removeTags, leadStatus, scoreDelta });
      return { ok: true, value: { contact: updated } };
    },
    openEscalation(i) {
      const escalationId = `sim-escalation-${++world.escalationCount}`;
      record('escalation', { escalationId, team: i.team, priority: i.priority, note: i.note });
      const plan = take('escalations');
      if (plan) {
        pending.push({
          at: world.clock + plan.resolveAfterMinutes * 60_000,
          event: { kind: 'escalation-resolved', escalationId, resolution: plan.resolution },
        });
      }
      return { ok: true, value: { escalationId } };
    },
    httpRequest(i) {
      const scripted = take('http') ?? { status: 200, body: {} };
      record('http', { method: i.method, url: i.url, status: scripted.status });
      return {
        ok: true,
        value: {
          status: scripted.status,
          ok: scripted.status >= 200 && scripted.status < 300,
          body: scripted.body ?? null,
        },
      };
    },
    loadFlowVersion(i) {
      const childPlan = script.childPlans[i.flowId];
      if (!childPlan)
        return { ok: false, type: 'FlowNotPublished', message: `flow ${i.flowId} has no published version` };
      return { ok: true, value: { flowVersionId: `sim-${i.flowId}`, version: 1, plan: childPlan } };
    },
  };

  const effects: Effects = {
    now: () => world.clock,
    async call(name, input) {
      if (++steps > script.maxSteps) throw new StepLimitReached();
      const handler = handlers[name] as (i: typeof input) => CallResult<never> | Promise<CallResult<never>>;
      return handler(input);
    },
    async sleepUntil(t) {
      deliverUntil(t);
      world.clock = Math.max(world.clock, t);
    },
    async waitForEvent(match, deadline) {
      if (++steps > script.maxSteps) throw new StepLimitReached();
      const waiting = state.waitingOn;
      if (waiting?.kind === 'reply') {
        // null is a scripted "no reply"; only a list that has run out leaves it to random.
        const scripted = take('replies');
        const reply = scripted === undefined ? randomReply() : scripted;
        if (reply) {
          pending.push({
            at: world.clock + reply.afterMinutes * 60_000,
            event: { kind: 'inbound-message', channel: reply.channel, text: reply.text },
          });
          record('reply', { text: reply.text, channel: reply.channel, afterMinutes: reply.afterMinutes });
        }
      } else if (waiting?.kind === 'event') {
        const ev = take('events');
        if (ev) {
          pending.push({
            at: world.clock + ev.afterMinutes * 60_000,
            event: { kind: 'contact-event', name: ev.name, data: ev.data },
          });
          record('event', { name: ev.name, afterMinutes: ev.afterMinutes });
        }
      }
      const found = (): RunEvent | null => state.inbox.find(match) ?? null;
      pending.sort((a, b) => a.at - b.at);
      while (!found() && pending[0] && pending[0].at <= deadline) deliverUntil(pending[0].at);
      const event = found();
      if (!event) world.clock = Math.max(world.clock, deadline);
      return event;
    },
    async runChild({ plan: childPlan, key }) {
      record('child-flow', { name: childPlan.name });
      const child = await simulateRun(childPlan, script, world, `${runId}:child`, key, state.contact, {
        parentWorkflowId: workflowId,
      });
      return { status: child.status, outcome: child.outcome };
    },
    shouldYield: () => false,
  };

  function randomReply() {
    const r = script.random;
    if (!r || world.rand() >= r.replyProbability) return null;
    const text = r.replies[Math.floor(world.rand() * r.replies.length)] ?? 'yes';
    return { text, channel: 'sms' as const, afterMinutes: Math.round(world.rand() * 120) };
  }

  try {
    await interpret({ tenantId: 'simulation', runId, workflowId, plan, trigger }, state, effects);
  } catch (err) {
    if (!(err instanceof StepLimitReached)) throw err;
    state.status = 'failed';
    state.outcome = 'step-limit';
    state.error = `stopped after ${script.maxSteps} steps`;
    state.finishedAt = new Date(world.clock).toISOString();
  }
  return {
    status: state.status,
    outcome: state.outcome,
    path: state.path,
    effects: world.effects,
    state,
    finishedAt: state.finishedAt,
  };
}
