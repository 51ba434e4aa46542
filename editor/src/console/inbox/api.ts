// The inbox's view of the API: conversations, their messages, escalations, members and a contact's
// timeline. Schemas mirror api/routes/{conversations,escalations,members,contacts}; dates arrive as
// ISO strings.
import { z } from 'zod';
import type { Request } from '../../api-client';
import { type Member, MemberSchema, type TimelineItem, TimelineItemSchema } from '../schemas';

export const SCOPES = ['mine', 'team', 'all'] as const;
export type Scope = (typeof SCOPES)[number];
export const SCOPE_LABELS: Record<Scope, string> = { mine: 'Mine', team: 'My team', all: 'All' };

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved'] as const;
export const ESCALATION_STATUSES = ['open', 'acknowledged', 'resolved', 'unresolved'] as const;

const PrioritySchema = z.string();

export const ConversationSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  channel: z.string(),
  address: z.string(),
  contactId: z.string().nullable(),
  contact: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  status: z.enum(CONVERSATION_STATUSES),
  assigneeId: z.string().nullable(),
  team: z.string().nullable(),
  priority: PrioritySchema,
  tags: z.array(z.string()),
  unreadCount: z.number(),
  lastMessageAt: z.string().nullable(),
  lastInboundAt: z.string().nullable(),
  /** False on WhatsApp 24 hours after the customer's last message: only templates go out then. */
  replyWindowOpen: z.boolean(),
  slaDueAt: z.string().nullable(),
  slaMetric: z.string().nullable(),
  lastMessage: z
    .object({ direction: z.string(), body: z.string(), status: z.string(), createdAt: z.string() })
    .nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const MessageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  body: z.string(),
  subject: z.string().nullable(),
  status: z.string(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  authorUserId: z.string().nullable(),
  workflowId: z.string().nullable(),
  createdAt: z.string(),
});
export type Message = z.infer<typeof MessageSchema>;

export const EscalationSchema = z.object({
  id: z.string(),
  status: z.enum(ESCALATION_STATUSES),
  source: z.string(),
  team: z.string(),
  priority: PrioritySchema,
  note: z.string(),
  level: z.number(),
  assigneeId: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  conversationId: z.string().nullable(),
  contactId: z.string().nullable(),
  runId: z.string().nullable(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  contactName: z.string().nullable().optional(),
  conversation: z
    .object({
      channel: z.string(),
      address: z.string(),
      slaDueAt: z.string().nullable(),
      slaMetric: z.string().nullable(),
    })
    .nullable()
    .optional(),
});
export type Escalation = z.infer<typeof EscalationSchema>;

export const EscalationDetailSchema = EscalationSchema.extend({
  live: z
    .object({ level: z.number(), levels: z.number(), ackDueAt: z.number().nullable(), exhausted: z.boolean() })
    .nullable(),
  history: z.array(
    z.object({
      kind: z.string(),
      level: z.number().nullable(),
      actorUserId: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
      at: z.string(),
    }),
  ),
  /** A 202: no worker answered in time, the action applies when one does. */
  pending: z.boolean().optional(),
});
export type EscalationDetail = z.infer<typeof EscalationDetailSchema>;

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const enc = encodeURIComponent;

/** The inbox's calls, bound to the session's typed request. */
export function inboxApi(request: Request) {
  return {
    conversations: (scope: Scope, status: string) => {
      const q = new URLSearchParams({ limit: '100', scope });
      if (status) q.set('status', status);
      return request('GET', `/v1/conversations?${q}`, page(ConversationSchema));
    },
    conversation: (id: string) => request('GET', `/v1/conversations/${enc(id)}`, ConversationSchema),
    /** Newest first from the API; the chat reverses them. */
    messages: (id: string) => request('GET', `/v1/conversations/${enc(id)}/messages?limit=200`, page(MessageSchema)),
    reply: (id: string, text: string) =>
      request('POST', `/v1/conversations/${enc(id)}/messages`, MessageSchema, { text }),
    markRead: (id: string) => request('POST', `/v1/conversations/${enc(id)}/read`, ConversationSchema),
    updateConversation: (id: string, body: Partial<{ status: string; assigneeId: string | null; priority: string }>) =>
      request('PATCH', `/v1/conversations/${enc(id)}`, ConversationSchema, body),
    escalations: (scope: Scope, status: string) => {
      const q = new URLSearchParams({ limit: '100', scope });
      if (status) q.set('status', status);
      return request('GET', `/v1/escalations?${q}`, page(EscalationSchema));
    },
    escalation: (id: string) => request('GET', `/v1/escalations/${enc(id)}`, EscalationDetailSchema),
    /** `userId` only for a key that acts for no member; a member's key acknowledges as them. */
    acknowledge: (id: string, userId?: string) =>
      request('POST', `/v1/escalations/${enc(id)}/acknowledge`, EscalationDetailSchema, userId ? { userId } : {}),
    reassign: (id: string, body: { userId?: string; team?: string; note?: string }) =>
      request('POST', `/v1/escalations/${enc(id)}/reassign`, EscalationDetailSchema, body),
    resolve: (id: string, body: { resolution: 'resolved' | 'unresolved'; note?: string }) =>
      request('POST', `/v1/escalations/${enc(id)}/resolve`, EscalationDetailSchema, body),
    members: () => request('GET', '/v1/members', z.object({ items: z.array(MemberSchema) })),
    timeline: (contactId: string) =>
      request('GET', `/v1/contacts/${enc(contactId)}/timeline?limit=30`, page(TimelineItemSchema)),
  };
}
export type InboxApi = ReturnType<typeof inboxApi>;

export { type Member, MemberSchema, type TimelineItem, TimelineItemSchema };
