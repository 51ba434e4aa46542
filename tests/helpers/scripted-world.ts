import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  applyContactChange,
  type ContactSnapshot,
  type EngineActivities,
  type Plan,
  type RunState,
  type SimulationScript,
  SimulationScriptSchema,
  sandboxAddressProblem,
} from '../../flow';

type Script = ReturnType<typeof SimulationScriptSchema.parse>;
type Pending = {
  at: number;
  signal: 'inboundMessage' | 'escalationResolved' | 'contactEvent';
  payload: Record<string, unknown>;
};

/**
 * The simulator's scripted world, played against a real Temporal server: activities that answer
 * from the script in the same order the simulator consumes it, and a driver that delivers the
 * scripted replies and resolutions as signals at the same virtual times (the time-skipping
 * server's clock). A golden scenario must take the same path here as in the simulator.
 */
export class ScriptedWorld {
  readonly script: Script;
  readonly sent: Array<{ channel: string; to: string; text: string }> = [];
  private readonly cursors = { replies: 0, events: 0, calls: 0, ai: 0, escalations: 0, http: 0 };
  private readonly contacts = new Map<string, ContactSnapshot>();
  private readonly pending: Pending[] = [];
  private readonly escalationPlans = new Map<string, Script['escalations'][number]>();

  constructor(raw: SimulationScript, childPlans: Record<string, Plan>) {
    this.script = SimulationScriptSchema.parse({ ...raw, childPlans });
    this.contacts.set(this.script.contact.id, this.script.contact);
  }

  private take<K extends keyof ScriptedWorld['cursors']>(k: K): Script[K][number] | undefined {
    return (this.script[k] as unknown[])[this.cursors[k]++] as Script[K][number] | undefined;
  }

  activities(): EngineActivities & { recordRunFinished: () => Promise<void> } {
    return {
      sendMessage: async (i) => {
        const problem = sandboxAddressProblem(i.channel, i.to);
        if (problem)
          throw ApplicationFailure.create({ type: 'InvalidRecipient', message: problem, nonRetryable: true });
        this.sent.push({ channel: i.channel, to: i.to, text: i.text });
        return { providerMessageId: `scripted-${i.idempotencyKey}`, provider: 'scripted' };
      },
      placeCall: async (i) => {
        const problem = sandboxAddressProblem('sms', i.to);
        if (problem)
          throw ApplicationFailure.create({ type: 'InvalidRecipient', message: problem, nonRetryable: true });
        const outcome = this.take('calls') ?? 'answered';
        return {
          callId: `scripted-call-${i.idempotencyKey}`,
          outcome,
          durationSeconds: outcome === 'answered' ? 90 : 0,
        };
      },
      aiReply: async (i) => {
        const scripted = this.take('ai');
        const confidence = scripted?.confidence ?? 0.9;
        const answer = scripted?.answer ?? 'Here is what I found.';
        return { answer, confidence, citations: [], sent: i.send && confidence >= i.minConfidence };
      },
      updateContact: async (i) => {
        const before = this.contacts.get(i.contactId) ?? this.script.contact;
        const { set, addTags, removeTags, leadStatus, scoreDelta } = i;
        const contact = applyContactChange(before, {
          set,
          addTags,
          removeTags,
          ...(leadStatus !== undefined ? { leadStatus } : {}),
          ...(scoreDelta !== undefined ? { scoreDelta } : {}),
        });
        this.contacts.set(i.contactId, contact);
        return { contact };
      },
      openEscalation: async () => {
        const escalationId = randomUUID();
        this.escalationPlans.set(escalationId, this.take('escalations') ?? null);
        return { escalationId };
      },
      httpRequest: async () => {
        const r = this.take('http') ?? { status: 200, body: {} };
        return { status: r.status, ok: r.status >= 200 && r.status < 300, body: r.body ?? null };
      },
      loadFlowVersion: async (i) => {
        const plan = this.script.childPlans[i.flowId];
        if (!plan)
          throw ApplicationFailure.create({ type: 'FlowNotPublished', message: 'not published', nonRetryable: true });
        return { flowVersionId: randomUUID(), version: 1, plan };
      },
      recordRunFinished: async () => {},
    };
  }

  /**
   * Drives a started run to its end: whenever it begins a new wait, schedule what the script says
   * happens (a reply, an event, a resolution) and advance the server's clock to the next thing due.
   */
  async drive(env: TestWorkflowEnvironment, workflowId: string): Promise<RunState> {
    const handle = env.client.workflow.getHandle(workflowId);
    const seen = new Set<string>();
    for (let guard = 0; guard < 10_000; guard++) {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') break;
      const state = await handle.query<RunState>('state');
      const w = state.waitingOn;
      if (state.status !== 'waiting' || !w || w.kind === 'call' || w.kind === 'child') {
        await new Promise((r) => setTimeout(r, 15));
        continue;
      }
      const now = await env.currentTimeMs();
      const key = `${w.nodeId}:${state.visits[w.nodeId]}`;
      if (!seen.has(key)) {
        seen.add(key);
        this.schedule(w, now);
      }
      const until = w.until ? Date.parse(w.until) : now;
      this.pending.sort((a, b) => a.at - b.at);
      const next = this.pending[0];
      if (next && next.at <= until) {
        if (next.at > now) await env.sleep(next.at - now);
        this.pending.shift();
        await handle.signal(next.signal, next.payload);
        await new Promise((r) => setTimeout(r, 15));
      } else {
        await env.sleep(Math.max(until - now, 0) + 1000);
      }
    }
    return handle.result() as Promise<RunState>;
  }

  private schedule(w: NonNullable<RunState['waitingOn']>, now: number) {
    if (w.kind === 'reply') {
      const reply = this.take('replies');
      if (reply) {
        this.pending.push({
          at: now + reply.afterMinutes * 60_000,
          signal: 'inboundMessage',
          payload: { channel: reply.channel, text: reply.text },
        });
      }
    } else if (w.kind === 'event') {
      const ev = this.take('events');
      if (ev)
        this.pending.push({
          at: now + ev.afterMinutes * 60_000,
          signal: 'contactEvent',
          payload: { name: ev.name, data: ev.data },
        });
    } else if (w.kind === 'escalation' && w.detail) {
      const plan = this.escalationPlans.get(w.detail);
      if (plan) {
        this.pending.push({
          at: now + plan.resolveAfterMinutes * 60_000,
          signal: 'escalationResolved',
          payload: { escalationId: w.detail, resolution: plan.resolution },
        });
      }
    }
  }
}
