import { z } from 'zod';
import { ChannelSchema } from '../nodes/send-message';
import { ContactSnapshotSchema } from '../schema';

/** Something that happened to a run from outside: delivered by signal (or by the simulator's script). */
export const RunEventInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('inbound-message'),
    channel: ChannelSchema,
    text: z.string().max(10_000),
    messageId: z.string().max(200).optional(),
  }),
  z.object({
    kind: z.literal('contact-event'),
    name: z.string().min(1).max(100),
    data: z.record(z.string(), z.unknown()).default({}),
  }),
  z.object({
    kind: z.literal('escalation-resolved'),
    escalationId: z.string().min(1).max(100),
    resolution: z.enum(['resolved', 'unresolved']).default('resolved'),
    note: z.string().max(2000).optional(),
  }),
]);
export type RunEventInput = z.input<typeof RunEventInputSchema>;

/** An event as the run holds it: numbered and stamped with the run's clock when it arrived. */
export const RunEventSchema = z.intersection(RunEventInputSchema, z.object({ seq: z.number().int(), at: z.string() }));
export type RunEvent = z.infer<typeof RunEventSchema>;

export const PathStepSchema = z.object({
  nodeId: z.string(),
  type: z.string(),
  visit: z.number().int(),
  /** The output the node left by; absent while it runs or when it ended the run. */
  output: z.string().optional(),
  enteredAt: z.string(),
  leftAt: z.string().optional(),
});
export type PathStep = z.infer<typeof PathStepSchema>;

export const WaitingOnSchema = z.object({
  kind: z.enum(['reply', 'event', 'escalation', 'timer', 'call', 'child']),
  nodeId: z.string(),
  until: z.string().nullable(),
  detail: z.string().optional(),
});

export const RunStatusSchema = z.enum(['running', 'waiting', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const MAX_PATH = 200;
export const MAX_INBOX = 100;

/**
 * Everything a run knows. It is what the `state` query returns and what continue-as-new carries,
 * so it stays bounded: the path keeps its last MAX_PATH steps (`stepCount` counts them all) and the
 * inbox its last MAX_INBOX unconsumed events.
 */
export const RunStateSchema = z.object({
  status: RunStatusSchema,
  currentNodeId: z.string().nullable(),
  waitingOn: WaitingOnSchema.nullable(),
  path: z.array(PathStepSchema),
  stepCount: z.number().int(),
  visits: z.record(z.string(), z.number().int()),
  vars: z.record(z.string(), z.unknown()),
  nodes: z.record(z.string(), z.object({ output: z.record(z.string(), z.unknown()) })),
  contact: ContactSnapshotSchema,
  inbox: z.array(RunEventSchema),
  nextEventSeq: z.number().int(),
  outcome: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  continuedAsNew: z.number().int().default(0),
});
export type RunState = z.infer<typeof RunStateSchema>;

export function initialState(
  plan: { start: string },
  contact: z.infer<typeof ContactSnapshotSchema>,
  nowMs: number,
): RunState {
  return {
    status: 'running',
    currentNodeId: plan.start,
    waitingOn: null,
    path: [],
    stepCount: 0,
    visits: {},
    vars: {},
    nodes: {},
    contact,
    inbox: [],
    nextEventSeq: 1,
    outcome: null,
    error: null,
    startedAt: new Date(nowMs).toISOString(),
    finishedAt: null,
    continuedAsNew: 0,
  };
}

/** Adds an event to the run's inbox (dropping the oldest beyond the bound). */
export function receiveEvent(state: RunState, input: RunEventInput, nowMs: number): RunEvent {
  const event = {
    ...RunEventInputSchema.parse(input),
    seq: state.nextEventSeq++,
    at: new Date(nowMs).toISOString(),
  } as RunEvent;
  state.inbox.push(event);
  if (state.inbox.length > MAX_INBOX) state.inbox.splice(0, state.inbox.length - MAX_INBOX);
  return event;
}
