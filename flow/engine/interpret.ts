import { nextInWindow, type Window } from '../calendar';
import type { Plan, PlanNode } from '../compile';
import { durationMs } from '../duration';
import { renderTemplate, resolveValue } from '../expressions';
import { classifyIntent } from '../intent';
import {
  AiReplyParamsSchema,
  BranchParamsSchema,
  DelayParamsSchema,
  EndParamsSchema,
  HandoffParamsSchema,
  HttpRequestParamsSchema,
  PlaceCallParamsSchema,
  SendMessageParamsSchema,
  SplitParamsSchema,
  StartFlowParamsSchema,
  UpdateContactParamsSchema,
  WaitForReplyParamsSchema,
} from '../nodes';
import type { Channel } from '../nodes/send-message';
import { evaluateRule } from '../rules';
import type { ContactSnapshot } from '../schema';
import { fnv1a } from '../sha256';
import { pickWeighted } from '../weighted';
import { type Effects, RunCancelled } from './effects';
import { MAX_PATH, type PathStep, type RunEvent, type RunState } from './state';

/** Who and what a run is about; fixed for its lifetime. */
export interface RunContext {
  tenantId: string;
  runId: string;
  workflowId: string;
  plan: Plan;
  /** What started the run (an inbound message, an event, API data), readable as `{{trigger.*}}`. */
  trigger: Record<string, unknown>;
}

type NodeResult = { output: string; data?: Record<string, unknown> } | { end: string; data?: Record<string, unknown> };

const iso = (ms: number) => new Date(ms).toISOString();

/** The values `{{…}}` expressions and branch rules read. */
export function expressionScope(ctx: RunContext, state: RunState): Record<string, unknown> {
  const { fields, ...named } = state.contact;
  return {
    contact: { ...fields, ...named },
    vars: state.vars,
    nodes: state.nodes,
    trigger: ctx.trigger,
    run: { id: ctx.runId, startedAt: state.startedAt },
  };
}

/** The address a channel reaches the contact at. Custom fields hold the chat ids of chat channels. */
export function contactAddress(contact: ContactSnapshot, channel: Channel): string {
  switch (channel) {
    case 'email':
      return contact.email ?? '';
    case 'telegram':
      return String(contact.fields.telegramChatId ?? '');
    case 'webchat':
      return String(contact.fields.webchatSessionId ?? contact.id);
    case 'messenger':
      return String(contact.fields.messengerPsid ?? '');
    case 'instagram':
      return String(contact.fields.instagramId ?? '');
    default:
      return contact.phone ?? '';
  }
}

/**
 * Runs the plan from `state.currentNodeId` until the run ends, or until the host asks to yield
 * (for continue-as-new) at a node boundary. Mutates `state`, which the host exposes by query.
 */
export async function interpret(ctx: RunContext, state: RunState, fx: Effects): Promise<'finished' | 'yield'> {
  try {
    while (state.currentNodeId) {
      const node = ctx.plan.nodes[state.currentNodeId];
      if (!node) return finish(state, fx, 'failed', null, `node "${state.currentNodeId}" is not in the plan`);
      const visit = (state.visits[node.id] ?? 0) + 1;
      if (node.maxVisits !== undefined && visit > node.maxVisits) {
        return finish(state, fx, 'completed', `visit-limit:${node.id}`, null);
      }
      state.visits[node.id] = visit;
      const step: PathStep = { nodeId: node.id, type: node.type, visit, enteredAt: iso(fx.now()) };
      state.path.push(step);
      state.stepCount++;
      if (state.path.length > MAX_PATH) state.path.splice(0, state.path.length - MAX_PATH);

      const result = await executeNode(ctx, state, fx, node, visit, step);
      state.waitingOn = null;
      state.status = 'running';
      step.leftAt = iso(fx.now());
      state.nodes[node.id] = { output: result.data ?? {} };
      if ('end' in result) return finish(state, fx, 'completed', result.end, null);
      step.output = result.output;
      const next = node.next[result.output];
      if (!next) return finish(state, fx, 'completed', `ended-at:${node.id}.${result.output}`, null);
      state.currentNodeId = next;
      if (fx.shouldYield()) return 'yield';
    }
    return finish(state, fx, 'completed', state.outcome, null);
  } catch (err) {
    if (err instanceof RunCancelled) return finish(state, fx, 'cancelled', 'cancelled', err.reason);
    throw err;
  }
}

function finish(
  state: RunState,
  fx: Effects,
  status: RunState['status'],
  outcome: string | null,
  error: string | null,
) {
  state.status = status;
  state.outcome = outcome ?? status;
  state.error = error;
  state.waitingOn = null;
  state.currentNodeId = null;
  state.finishedAt = iso(fx.now());
  return 'finished' as const;
}

/** A new message from us makes older unread replies stale: a later wait is for a reply to *this*. */
function markRepliesStale(state: RunState) {
  state.inbox = state.inbox.filter((e) => e.kind !== 'inbound-message');
}

async function wait(
  state: RunState,
  fx: Effects,
  waitingOn: NonNullable<RunState['waitingOn']>,
  match: (e: RunEvent) => boolean,
  deadline: number,
): Promise<RunEvent | null> {
  state.status = 'waiting';
  state.waitingOn = waitingOn;
  const event = await fx.waitForEvent(match, deadline);
  if (event) state.inbox = state.inbox.filter((e) => e.seq !== event.seq);
  return event;
}

async function executeNode(
  ctx: RunContext,
  state: RunState,
  fx: Effects,
  node: PlanNode,
  visit: number,
  step: PathStep,
): Promise<NodeResult> {
  const base = {
    tenantId: ctx.tenantId,
    runId: ctx.runId,
    workflowId: ctx.workflowId,
    contactId: state.contact.id,
    // Activities run at least once: providers and the ledger dedupe on this key.
    idempotencyKey: `${ctx.workflowId}:${node.id}:${visit}`,
  };
  const scope = () => expressionScope(ctx, state);
  const meta = { nodeType: node.type };

  switch (node.type) {
    case 'trigger': {
      if (typeof ctx.trigger.text === 'string') state.vars.lastReply = ctx.trigger.text;
      return { output: 'next', data: ctx.trigger };
    }

    case 'send-message': {
      const p = SendMessageParamsSchema.parse(node.params);
      const s = scope();
      markRepliesStale(state);
      const r = await fx.call(
        'sendMessage',
        {
          ...base,
          channel: p.channel,
          to: contactAddress(state.contact, p.channel),
          text: renderTemplate(p.text, s),
          ...(p.subject ? { subject: renderTemplate(p.subject, s) } : {}),
          ...(p.template
            ? { template: { ...p.template, variables: p.template.variables.map((v) => renderTemplate(v, s)) } }
            : {}),
          ...(p.purpose ? { purpose: p.purpose } : {}),
        },
        meta,
      );
      return r.ok
        ? { output: 'sent', data: { messageId: r.value.providerMessageId, channel: p.channel } }
        : { output: 'failed', data: { error: r.type, message: r.message } };
    }

    case 'place-call': {
      const p = PlaceCallParamsSchema.parse(node.params);
      const s = scope();
      markRepliesStale(state);
      state.status = 'waiting';
      state.waitingOn = { kind: 'call', nodeId: node.id, until: iso(fx.now() + p.maxDurationSeconds * 1000) };
      const r = await fx.call(
        'placeCall',
        {
          ...base,
          to: contactAddress(state.contact, 'sms'),
          ...(p.voiceAgentId ? { voiceAgentId: p.voiceAgentId } : {}),
          persona: p.persona,
          firstMessage: renderTemplate(p.firstMessage, s),
          script: p.script.map((line) => renderTemplate(line, s)),
          maxDurationSeconds: p.maxDurationSeconds,
          ...(p.voicemailMessage ? { voicemailMessage: renderTemplate(p.voicemailMessage, s) } : {}),
        },
        meta,
      );
      if (!r.ok) return { output: 'failed', data: { error: r.type, message: r.message } };
      const { callId, outcome, durationSeconds, transcript } = r.value;
      return { output: outcome, data: { callId, outcome, durationSeconds, ...(transcript ? { transcript } : {}) } };
    }

    case 'wait-for-reply': {
      const p = WaitForReplyParamsSchema.parse(node.params);
      const deadline = fx.now() + durationMs(p.timeout);
      const event = await wait(
        state,
        fx,
        {
          kind: p.event ? 'event' : 'reply',
          nodeId: node.id,
          until: iso(deadline),
          ...(p.event ? { detail: p.event } : {}),
        },
        (e) =>
          p.event
            ? e.kind === 'contact-event' && e.name === p.event
            : e.kind === 'inbound-message' && (!p.channel || e.channel === p.channel),
        deadline,
      );
      if (!event) return { output: 'timeout', data: { timedOutAt: iso(fx.now()) } };
      if (event.kind === 'inbound-message') {
        state.vars.lastReply = event.text;
        return {
          output: 'replied',
          data: { text: event.text, channel: event.channel, intent: classifyIntent(event.text), at: event.at },
        };
      }
      return {
        output: 'replied',
        data: {
          event: event.kind === 'contact-event' ? event.name : event.kind,
          at: event.at,
          ...('data' in event ? { data: event.data } : {}),
        },
      };
    }

    case 'delay': {
      const p = DelayParamsSchema.parse(node.params);
      const now = fx.now();
      let until = now;
      if (p.mode === 'duration') until = now + durationMs(p.duration);
      else {
        const tz = validZone(state.contact.timeZone) ?? p.fallbackTimeZone;
        const window: Window =
          p.mode === 'until-window' ? p.window : { days: [1, 2, 3, 4, 5, 6, 7], start: p.end, end: p.start };
        until = nextInWindow(now, window, tz);
      }
      if (until > now) {
        state.status = 'waiting';
        state.waitingOn = { kind: 'timer', nodeId: node.id, until: iso(until) };
        await fx.sleepUntil(until);
      }
      return { output: 'next', data: { until: iso(until) } };
    }

    case 'branch': {
      const p = BranchParamsSchema.parse(node.params);
      const s = scope();
      const rule = p.rules.find((r) => evaluateRule(r, s));
      return { output: rule?.id ?? 'else', data: { matched: rule?.id ?? 'else' } };
    }

    case 'split': {
      const p = SplitParamsSchema.parse(node.params);
      // Deterministic per run and node: replays and the simulator pick the same arm.
      const bucket = (fnv1a(`${ctx.runId}:${node.id}`) % 10_000) / 100;
      const arm = pickWeighted(
        p.arms.map((a) => [a.id, a.percent] as const),
        bucket / 100,
      ) as string;
      return { output: arm, data: { arm, bucket } };
    }

    case 'ai-reply': {
      const p = AiReplyParamsSchema.parse(node.params);
      const question = renderTemplate(p.question, scope()).trim();
      if (p.send) markRepliesStale(state);
      const r = await fx.call(
        'aiReply',
        {
          ...base,
          question,
          sourceIds: p.sourceIds,
          minConfidence: p.minConfidence,
          channel: p.channel,
          to: contactAddress(state.contact, p.channel),
          send: p.send,
        },
        meta,
      );
      if (!r.ok) return { output: 'unsure', data: { question, error: r.type, message: r.message } };
      const { answer, confidence, citations, sent } = r.value;
      return {
        output: confidence >= p.minConfidence ? 'answered' : 'unsure',
        data: { question, answer, confidence, citations, sent },
      };
    }

    case 'update-contact': {
      const p = UpdateContactParamsSchema.parse(node.params);
      const s = scope();
      const set = Object.fromEntries(Object.entries(p.set).map(([k, v]) => [k, resolveValue(v, s) ?? null]));
      const r = await fx.call(
        'updateContact',
        {
          ...base,
          set,
          addTags: p.addTags,
          removeTags: p.removeTags,
          ...(p.leadStatus ? { leadStatus: p.leadStatus } : {}),
          ...(p.scoreDelta !== undefined ? { scoreDelta: p.scoreDelta } : {}),
        },
        meta,
      );
      if (!r.ok) return { output: 'next', data: { error: r.type, message: r.message } };
      state.contact = r.value.contact;
      return { output: 'next', data: { updated: Object.keys(set), tags: r.value.contact.tags } };
    }

    case 'handoff': {
      const p = HandoffParamsSchema.parse(node.params);
      const r = await fx.call(
        'openEscalation',
        {
          ...base,
          team: p.team,
          priority: p.priority,
          note: renderTemplate(p.note, scope()),
          ...(p.slaPolicyId ? { slaPolicyId: p.slaPolicyId } : {}),
        },
        meta,
      );
      if (!r.ok) return { output: 'unresolved', data: { error: r.type, message: r.message } };
      const { escalationId } = r.value;
      if (!p.waitForResolution) return { output: 'unresolved', data: { escalationId, waited: false } };
      const deadline = fx.now() + durationMs(p.timeout);
      const event = await wait(
        state,
        fx,
        { kind: 'escalation', nodeId: node.id, until: iso(deadline), detail: escalationId },
        (e) => e.kind === 'escalation-resolved' && e.escalationId === escalationId,
        deadline,
      );
      if (event?.kind !== 'escalation-resolved')
        return { output: 'unresolved', data: { escalationId, timedOut: true } };
      return {
        output: event.resolution,
        data: { escalationId, resolution: event.resolution, ...(event.note ? { note: event.note } : {}) },
      };
    }

    case 'http-request': {
      const p = HttpRequestParamsSchema.parse(node.params);
      const s = scope();
      const r = await fx.call(
        'httpRequest',
        {
          ...base,
          method: p.method,
          url: renderTemplate(p.url, s),
          headers: Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k, renderTemplate(v, s)])),
          ...(p.body === undefined ? {} : { body: resolveDeep(p.body, s) }),
          timeoutSeconds: p.timeoutSeconds,
        },
        meta,
      );
      if (!r.ok) return { output: 'error', data: { error: r.type, message: r.message } };
      return { output: r.value.ok ? 'ok' : 'error', data: { status: r.value.status, body: r.value.body } };
    }

    case 'start-flow': {
      const p = StartFlowParamsSchema.parse(node.params);
      const loaded = await fx.call(
        'loadFlowVersion',
        { tenantId: ctx.tenantId, flowId: p.flowId, ...(p.version ? { version: p.version } : {}) },
        meta,
      );
      if (!loaded.ok) return { output: 'done', data: { error: loaded.type, message: loaded.message } };
      state.status = 'waiting';
      state.waitingOn = { kind: 'child', nodeId: node.id, until: null, detail: p.flowId };
      const child = await fx.runChild({
        plan: loaded.value.plan,
        flowVersionId: loaded.value.flowVersionId,
        key: `${ctx.workflowId}:${node.id}:${visit}`,
      });
      return { output: 'done', data: { flowVersionId: loaded.value.flowVersionId, ...child } };
    }

    case 'end': {
      const p = EndParamsSchema.parse(node.params);
      step.output = undefined;
      return { end: p.outcome, data: { outcome: p.outcome } };
    }

    default:
      throw new Error(`the interpreter cannot run node type "${node.type}"`);
  }
}

function validZone(tz: string | null | undefined): string | null {
  if (!tz) return null;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    return null;
  }
}

function resolveDeep(value: unknown, scope: Record<string, unknown>, depth = 0): unknown {
  if (depth > 20) return null;
  if (typeof value === 'string') return resolveValue(value, scope);
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, scope, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, scope, depth + 1)]));
  }
  return value;
}
