import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { InboxEvent } from '../../../activities/channels/live';
import { publishInbox } from '../../../activities/channels/live';
import { ChannelSchema } from '../../../flow/nodes/send-message';
import type { Conversation, Message } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import type { SendConversationMessageInput } from '../../../workflows/send-conversation-message';
import { AppError, notFound } from '../../errors';
import { openEventStream } from '../../live/sse';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';
import { notifySla } from '../../sla/signals';
import { actingMemberId } from '../escalations/acting-member';

const StatusSchema = z.enum(['open', 'pending', 'resolved']);
/** SLA policies can apply by priority and by tag. */
const PrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
const TagsSchema = z.array(z.string().trim().min(1).max(50)).max(50);
const SlaMetricSchema = z.enum(['first_response', 'next_response', 'resolution']);

const ConversationSchema = z
  .object({
    id: z.string().uuid(),
    channelId: z.string().uuid(),
    channel: z.string(),
    address: z.string(),
    contactId: z.string().uuid().nullable(),
    contact: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
    status: StatusSchema,
    assigneeId: z.string().uuid().nullable(),
    team: z.string().nullable(),
    priority: PrioritySchema,
    tags: z.array(z.string()),
    unreadCount: z.number().int(),
    lastMessageAt: z.date().nullable(),
    lastInboundAt: z.date().nullable(),
    /** True while WhatsApp allows free-form replies (24 hours after the customer's last message). */
    replyWindowOpen: z.boolean(),
    /** The soonest due time of a running SLA clock (past: breached), and which target it is. */
    slaDueAt: z.date().nullable(),
    slaMetric: SlaMetricSchema.nullable(),
    lastMessage: z
      .object({ direction: z.string(), body: z.string(), status: z.string(), createdAt: z.date() })
      .nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'Conversation',
    examples: [
      {
        id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
        channelId: '8a4f1e2d-3b5c-4d6e-9f70-1a2b3c4d5e6f',
        channel: 'sms',
        address: '+14155550100',
        contactId: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        contact: { id: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d', name: 'Ada Lovelace' },
        status: 'open',
        assigneeId: null,
        team: 'support',
        priority: 'high',
        tags: ['billing'],
        unreadCount: 1,
        lastMessageAt: '2026-11-20T09:30:00.000Z',
        lastInboundAt: '2026-11-20T09:30:00.000Z',
        replyWindowOpen: true,
        slaDueAt: '2026-11-20T10:30:00.000Z',
        slaMetric: 'first_response',
        lastMessage: {
          direction: 'inbound',
          body: 'Can I move my appointment to Friday?',
          status: 'received',
          createdAt: '2026-11-20T09:30:00.000Z',
        },
        createdAt: '2026-11-02T14:05:00.000Z',
        updatedAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

const MessageSchema = z
  .object({
    id: z.string().uuid(),
    conversationId: z.string().uuid(),
    direction: z.enum(['inbound', 'outbound']),
    body: z.string(),
    subject: z.string().nullable(),
    template: z.unknown().nullable(),
    media: z.unknown(),
    /** received | pending | queued | sent | delivered | read | failed | undelivered | blocked */
    status: z.string(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    segments: z.number().int().nullable(),
    providerMessageId: z.string().nullable(),
    authorUserId: z.string().nullable(),
    workflowId: z.string().nullable(),
    createdAt: z.date(),
    statusAt: z.date().nullable(),
  })
  .meta({
    id: 'Message',
    examples: [
      {
        id: 'e7f8a9b0-c1d2-4e3f-8a4b-5c6d7e8f9a0b',
        conversationId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
        direction: 'outbound',
        body: 'Friday at 10 am works. See you then!',
        subject: null,
        template: null,
        media: null,
        status: 'delivered',
        errorCode: null,
        errorMessage: null,
        segments: 1,
        providerMessageId: 'SM0123456789abcdef0123456789abcdef',
        authorUserId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        workflowId: null,
        createdAt: '2026-11-20T09:30:00.000Z',
        statusAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

const ReplySchema = z
  .object({
    text: z.string().trim().min(1).max(10_000),
    subject: z.string().max(200).optional(),
    /** Required on WhatsApp outside the 24-hour window: an approved template and its variables. */
    template: z
      .object({
        name: z.string().min(1).max(100),
        language: z.string().min(2).max(10).default('en'),
        variables: z.array(z.string().max(500)).max(20).default([]),
      })
      .optional(),
  })
  .meta({ examples: [{ text: 'Thanks! Your appointment is confirmed for Tuesday at 3 pm.' }] });

const UpdateSchema = z
  .object({
    status: StatusSchema.optional(),
    /** A member's user id; null unassigns. */
    assigneeId: z.string().uuid().nullable().optional(),
    team: z.string().trim().min(1).max(100).nullable().optional(),
    priority: PrioritySchema.optional(),
    /** Replaces the conversation's tags. */
    tags: TagsSchema.optional(),
  })
  .meta({
    examples: [
      { status: 'pending', assigneeId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d', team: 'billing' },
      { priority: 'urgent', tags: ['vip', 'outage'] },
    ],
  });

const WINDOW_MS = 24 * 60 * 60 * 1000;

type ConversationRow = Conversation & {
  contact: { id: string; firstName: string | null; lastName: string | null } | null;
  messages: Message[];
};

function toConversation(row: ConversationRow) {
  const last = row.messages[0];
  const name = row.contact ? [row.contact.firstName, row.contact.lastName].filter(Boolean).join(' ') || null : null;
  return {
    id: row.id,
    channelId: row.channelId,
    channel: row.kind,
    address: row.address,
    contactId: row.contactId,
    contact: row.contact ? { id: row.contact.id, name } : null,
    status: StatusSchema.parse(row.status),
    assigneeId: row.assigneeId,
    team: row.team,
    priority: PrioritySchema.catch('normal').parse(row.priority),
    tags: row.tags,
    unreadCount: row.unreadCount,
    lastMessageAt: row.lastMessageAt,
    lastInboundAt: row.lastInboundAt,
    replyWindowOpen:
      row.kind !== 'whatsapp' || (row.lastInboundAt !== null && Date.now() - row.lastInboundAt.getTime() < WINDOW_MS),
    slaDueAt: row.slaDueAt,
    slaMetric: SlaMetricSchema.nullable().catch(null).parse(row.slaMetric),
    lastMessage: last
      ? { direction: last.direction, body: last.body.slice(0, 200), status: last.status, createdAt: last.createdAt }
      : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const toMessage = (m: Message) => ({
  id: m.id,
  conversationId: m.conversationId,
  direction: m.direction as 'inbound' | 'outbound',
  body: m.body,
  subject: m.subject,
  template: m.template,
  media: m.media,
  status: m.status,
  errorCode: m.errorCode,
  errorMessage: m.errorMessage,
  segments: m.segments,
  providerMessageId: m.providerMessageId,
  authorUserId: m.authorUserId,
  workflowId: m.workflowId,
  createdAt: m.createdAt,
  statusAt: m.statusAt,
});

const include = {
  contact: { select: { id: true, firstName: true, lastName: true } },
  messages: { orderBy: { createdAt: 'desc' as const }, take: 1 },
};

const conversationRoutes: FastifyPluginAsyncZod = async (app) => {
  const load = async (db: typeof app.db, id: string) => {
    const row = await db.conversation.findFirst({ where: { id }, include });
    if (!row) throw notFound('conversation');
    return row;
  };

  app.get(
    '/conversations',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['conversations'],
        summary: 'The inbox: conversations by latest activity or by SLA due time, filtered',
        querystring: PageQuerySchema.extend({
          /** `sla_due`: only conversations with a running SLA clock, the soonest (or most overdue) first. */
          sort: z.enum(['recent', 'sla_due']).default('recent'),
          status: StatusSchema.optional(),
          channel: z.enum([...ChannelSchema.options, 'voice']).optional(),
          /** A user id, `me`, or `none` for unassigned. */
          assignee: z.union([z.string().uuid(), z.literal('me'), z.literal('none')]).optional(),
          team: z.string().max(100).optional(),
          /** As the escalations list: mine (assigned to me), team (mine and my teams'), all. */
          scope: z.enum(['mine', 'team', 'all']).optional(),
          unread: z.enum(['true', 'false']).optional(),
          contactId: z.string().uuid().optional(),
        }),
        response: {
          200: z.object({ items: z.array(ConversationSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, status, channel, assignee, team, unread, contactId, sort, scope } = request.query;
      const bySla = sort === 'sla_due';
      const scoped = scope === 'mine' || scope === 'team';
      const me = assignee === 'me' || scoped ? await actingMemberId(request) : null;
      if ((assignee === 'me' || scoped) && !me) {
        throw new AppError(
          400,
          'no_user',
          `${scoped ? `scope=${scope}` : 'assignee=me'} needs a signed-in member, or an API key a member created; this key acts for no member`,
        );
      }
      let scopeWhere = {};
      if (scope === 'mine') scopeWhere = { assigneeId: me };
      if (scope === 'team') {
        const membership = await request.tenantDb.membership.findFirst({
          where: { userId: me ?? '' },
          select: { teams: true },
        });
        scopeWhere = { OR: [{ assigneeId: me }, { team: { in: membership?.teams ?? [] } }] };
      }
      const rows = await request.tenantDb.conversation.findMany({
        where: {
          AND: [scopeWhere],
          ...(status ? { status } : {}),
          ...(channel ? { kind: channel } : {}),
          ...(assignee === 'none' ? { assigneeId: null } : {}),
          ...(assignee === 'me' ? { assigneeId: me } : {}),
          ...(assignee && assignee !== 'me' && assignee !== 'none' ? { assigneeId: assignee } : {}),
          ...(team ? { team } : {}),
          ...(unread === 'true' ? { unreadCount: { gt: 0 } } : unread === 'false' ? { unreadCount: 0 } : {}),
          ...(contactId ? { contactId } : {}),
          ...(bySla
            ? { slaDueAt: { not: null }, ...afterCursor('slaDueAt', cursor, 'asc') }
            : afterCursor('updatedAt', cursor)),
        },
        include,
        orderBy: bySla ? [{ slaDueAt: 'asc' }, { id: 'asc' }] : [{ updatedAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => (bySla ? (r.slaDueAt ?? r.updatedAt) : r.updatedAt));
      return { items: result.items.map(toConversation), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/conversations/:id',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['conversations'],
        summary: 'Get a conversation',
        params: IdParamsSchema,
        response: { 200: ConversationSchema, ...errorResponses },
      },
    },
    async (request) => toConversation(await load(request.tenantDb as typeof app.db, request.params.id)),
  );

  app.get(
    '/conversations/:id/messages',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['conversations'],
        summary: "A conversation's messages, newest first, with delivery state",
        params: IdParamsSchema,
        querystring: PageQuerySchema,
        response: {
          200: z.object({ items: z.array(MessageSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      await load(request.tenantDb as typeof app.db, request.params.id);
      const rows = await request.tenantDb.message.findMany({
        where: { conversationId: request.params.id, ...afterCursor('createdAt', request.query.cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: request.query.limit + 1,
      });
      const result = page(rows, request.query.limit, (r) => r.createdAt);
      return { items: result.items.map(toMessage), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/conversations/:id/messages',
    {
      config: { permission: 'conversations.reply' },
      schema: {
        tags: ['conversations'],
        summary: "Reply on the conversation's channel (sent durably: retried through outages, never twice)",
        params: IdParamsSchema,
        body: ReplySchema,
        response: { 202: MessageSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const conversation = await load(request.tenantDb as typeof app.db, request.params.id);
      const kind = ChannelSchema.safeParse(conversation.kind);
      if (!kind.success)
        throw new AppError(400, 'not_a_message_channel', `${conversation.kind} conversations take no messages`);
      const clientKey = request.headers['idempotency-key'];
      const idempotencyKey = `reply:${conversation.id}:${typeof clientKey === 'string' ? clientKey : randomUUID()}`;
      const { text, subject, template } = request.body;
      // The row first, so the agent sees the reply at once; the send activity finds it by key.
      const message = await request.tenantDb.message.upsert({
        where: { idempotencyKey },
        create: {
          tenantId: principal.tenantId,
          conversationId: conversation.id,
          channelId: conversation.channelId,
          direction: 'outbound',
          body: text,
          subject: subject ?? null,
          ...(template ? { template: toJson(template) } : {}),
          idempotencyKey,
          status: 'pending',
          authorUserId: principal.userId ?? null,
        },
        update: {},
      });
      const input: SendConversationMessageInput = {
        tenantId: principal.tenantId,
        conversationId: conversation.id,
        ...(conversation.contactId ? { contactId: conversation.contactId } : {}),
        channel: kind.data,
        to: conversation.address,
        text,
        ...(subject ? { subject } : {}),
        ...(template ? { template } : {}),
        idempotencyKey,
        purpose: 'transactional',
        ...(principal.userId ? { authorUserId: principal.userId } : {}),
      };
      try {
        await app.temporal.workflow.start('sendConversationMessage', {
          workflowId: `send-${message.id}`,
          taskQueue: app.taskQueue,
          args: [input],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      await request.tenantDb.conversation.update({
        where: { id: conversation.id },
        data: { unreadCount: 0, ...(conversation.status === 'resolved' ? {} : { status: 'open' }) },
      });
      await publishInbox(app.db, {
        tenantId: principal.tenantId,
        type: 'message.created',
        conversationId: conversation.id,
        messageId: message.id,
      });
      await notifySla(
        app.temporal,
        app.taskQueue,
        { tenantId: principal.tenantId, conversationId: conversation.id, kind: 'agent_reply' },
        request.log,
      );
      return reply.status(202).send(toMessage(message));
    },
  );

  app.patch(
    '/conversations/:id',
    {
      config: { permission: 'conversations.assign' },
      schema: {
        tags: ['conversations'],
        summary: 'Assign, hand to a team, set priority and tags, or move between open, pending and resolved',
        description:
          "Resolving stops the conversation's SLA clocks (resolution is met); moving a resolved conversation back to " +
          'open or pending resumes its resolution clock. SLA policies match on priority and tags when the clocks start.',
        params: IdParamsSchema,
        body: UpdateSchema,
        response: { 200: ConversationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const conversation = await load(request.tenantDb as typeof app.db, request.params.id);
      const { status, assigneeId, team, priority, tags } = request.body;
      if (assigneeId) {
        const member = await request.tenantDb.membership.findFirst({ where: { userId: assigneeId } });
        if (!member) throw new AppError(400, 'not_a_member', 'the assignee is not a member of this tenant');
      }
      await request.tenantDb.conversation.update({
        where: { id: conversation.id },
        data: {
          ...(status ? { status } : {}),
          ...(assigneeId !== undefined ? { assigneeId } : {}),
          ...(team !== undefined ? { team } : {}),
          ...(priority ? { priority } : {}),
          ...(tags ? { tags: [...new Set(tags)] } : {}),
        },
      });
      await publishInbox(app.db, { tenantId, type: 'conversation.updated', conversationId: conversation.id });
      // Resolving stops the clocks (resolution is met); reopening resumes resolution where it stopped.
      const was = conversation.status;
      const sla =
        status === 'resolved' && was !== 'resolved'
          ? 'resolved'
          : status && status !== 'resolved' && was === 'resolved'
            ? 'reopened'
            : null;
      if (sla)
        await notifySla(
          app.temporal,
          app.taskQueue,
          { tenantId, conversationId: conversation.id, kind: sla },
          request.log,
        );
      return toConversation(await load(request.tenantDb as typeof app.db, conversation.id));
    },
  );

  app.post(
    '/conversations/:id/read',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['conversations'],
        summary: 'Mark a conversation read',
        params: IdParamsSchema,
        response: { 200: ConversationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const conversation = await load(request.tenantDb as typeof app.db, request.params.id);
      await request.tenantDb.conversation.update({ where: { id: conversation.id }, data: { unreadCount: 0 } });
      await publishInbox(app.db, { tenantId, type: 'conversation.updated', conversationId: conversation.id });
      return toConversation(await load(request.tenantDb as typeof app.db, conversation.id));
    },
  );

  app.get(
    '/conversations/stream',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['conversations'],
        summary: 'Live inbox updates as Server-Sent Events (message.created, message.updated, conversation.updated)',
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'A stream of `event: <type>` / `data: <JSON>` messages',
            content: { 'text/event-stream': { schema: z.string() } },
          },
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const stream = openEventStream(request, reply, () => unsubscribe());
      const unsubscribe = app.inboxHub.subscribe(tenantId, (event: InboxEvent) => {
        const { tenantId: _omit, ...data } = event;
        stream.send(event.type, data);
      });
    },
  );
};

export default conversationRoutes;
