import { z } from 'zod';
import { PlanSchema } from '../compile';
import { CallOutcomeSchema } from '../nodes/place-call';
import { ChannelSchema } from '../nodes/send-message';
import { ContactSnapshotSchema } from '../schema';

/**
 * What the interpreter asks of the outside world, one contract per activity. The worker's
 * activities implement these (activities/), the simulator fakes them; the interpreter cannot tell.
 * Every input carries the idempotency key `workflowId:nodeId:visit`.
 */
const Base = z.object({
  tenantId: z.string(),
  runId: z.string(),
  workflowId: z.string(),
  idempotencyKey: z.string().min(1),
  contactId: z.string(),
});

export const SendMessageInputSchema = Base.extend({
  channel: ChannelSchema,
  to: z.string(),
  text: z.string(),
  subject: z.string().optional(),
  template: z.object({ name: z.string(), language: z.string(), variables: z.array(z.string()) }).optional(),
  purpose: z.enum(['transactional', 'marketing']).optional(),
});
export const SendMessageOutputSchema = z.object({ providerMessageId: z.string(), provider: z.string() });

export const PlaceCallInputSchema = Base.extend({
  to: z.string(),
  voiceAgentId: z.string().optional(),
  persona: z.string(),
  firstMessage: z.string(),
  script: z.array(z.string()),
  maxDurationSeconds: z.number().int().positive(),
  voicemailMessage: z.string().optional(),
});
export const PlaceCallOutputSchema = z.object({
  callId: z.string(),
  outcome: CallOutcomeSchema,
  durationSeconds: z.number().nonnegative(),
  transcript: z.string().optional(),
});

export const CitationSchema = z.object({ sourceId: z.string(), title: z.string(), snippet: z.string() });
export const AiReplyInputSchema = Base.extend({
  question: z.string(),
  sourceIds: z.array(z.string()),
  minConfidence: z.number(),
  channel: ChannelSchema,
  to: z.string(),
  send: z.boolean(),
});
export const AiReplyOutputSchema = z.object({
  answer: z.string(),
  confidence: z.number().min(0).max(1),
  citations: z.array(CitationSchema),
  sent: z.boolean(),
  providerMessageId: z.string().optional(),
});

export const UpdateContactInputSchema = Base.extend({
  set: z.record(z.string(), z.unknown()),
  addTags: z.array(z.string()),
  removeTags: z.array(z.string()),
  leadStatus: z.string().optional(),
  scoreDelta: z.number().int().optional(),
});
export const UpdateContactOutputSchema = z.object({ contact: ContactSnapshotSchema });

export const OpenEscalationInputSchema = Base.extend({
  team: z.string(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']),
  note: z.string(),
  slaPolicyId: z.string().optional(),
});
export const OpenEscalationOutputSchema = z.object({ escalationId: z.string() });

export const HttpRequestInputSchema = Base.extend({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.unknown().optional(),
  timeoutSeconds: z.number().int().positive(),
});
export const HttpRequestOutputSchema = z.object({ status: z.number().int(), ok: z.boolean(), body: z.unknown() });

export const LoadFlowVersionInputSchema = z.object({
  tenantId: z.string(),
  flowId: z.string(),
  version: z.number().int().positive().optional(),
});
export const LoadFlowVersionOutputSchema = z.object({
  flowVersionId: z.string(),
  version: z.number().int(),
  plan: PlanSchema,
});

export const engineContracts = {
  sendMessage: { input: SendMessageInputSchema, output: SendMessageOutputSchema },
  placeCall: { input: PlaceCallInputSchema, output: PlaceCallOutputSchema },
  aiReply: { input: AiReplyInputSchema, output: AiReplyOutputSchema },
  updateContact: { input: UpdateContactInputSchema, output: UpdateContactOutputSchema },
  openEscalation: { input: OpenEscalationInputSchema, output: OpenEscalationOutputSchema },
  httpRequest: { input: HttpRequestInputSchema, output: HttpRequestOutputSchema },
  loadFlowVersion: { input: LoadFlowVersionInputSchema, output: LoadFlowVersionOutputSchema },
} as const;

export type EngineActivityName = keyof typeof engineContracts;
export type ActivityInput<N extends EngineActivityName> = z.infer<(typeof engineContracts)[N]['input']>;
export type ActivityOutput<N extends EngineActivityName> = z.infer<(typeof engineContracts)[N]['output']>;

/** The shape of the worker's engine activities. `activities/` must satisfy it. */
export type EngineActivities = { [N in EngineActivityName]: (input: ActivityInput<N>) => Promise<ActivityOutput<N>> };
