// The agent inbox's escalations: mine, my team's, all; each with its ladder state, its history and
// the SLA clocks of its conversation; acknowledge, reassign and resolve through the escalation's
// workflow; live updates over SSE.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { escalationWorkflowId, startEscalationLadder } from '../../../activities/escalations/start';
import type { Escalation } from '../../../generated/prisma/client';
import {
  acknowledgeUpdate,
  ESCALATION_CLOSED,
  type EscalationView,
  escalationQuery,
  reassignUpdate,
  resolveUpdate,
} from '../../../workflows/escalation';
import { AppError, notFound } from '../../errors';
import { openEventStream } from '../../live/sse';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';
import { actingMemberId } from './acting-member';

const StatusSchema = z.enum(['open', 'acknowledged', 'resolved', 'unresolved']);

const EscalationSchema = z
  .object({
    id: z.string().uuid(),
    status: StatusSchema,
    source: z.string(),
    team: z.string(),
    priority: z.string(),
    note: z.string(),
    level: z.number().int(),
    assigneeId: z.string().uuid().nullable(),
    acknowledgedBy: z.string().uuid().nullable(),
    acknowledgedAt: z.date().nullable(),
    outcome: z.string().nullable(),
    resolutionNote: z.string().nullable(),
    conversationId: z.string().uuid().nullable(),
    contactId: z.string().uuid().nullable(),
    runId: z.string().uuid().nullable(),
    policyId: z.string().uuid().nullable(),
    createdAt: z.date(),
    resolvedAt: z.date().nullable(),
    /** The contact's display name, for an inbox row (null without a contact or a name). */
    contactName: z.string().nullable().optional(),
    /** The conversation it is about: its channel and the soonest running SLA clock (past: breached). */
    conversation: z
      .object({
        channel: z.string(),
        address: z.string(),
        slaDueAt: z.date().nullable(),
        slaMetric: z.string().nullable(),
      })
      .nullable()
      .optional(),
  })
  .meta({
    id: 'Escalation',
    examples: [
      {
        id: '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c',
        status: 'open',
        source: 'sla_breach',
        team: 'billing',
        priority: 'high',
        note: 'first response target of "Standard" breached (due 2026-11-23T14:00:00.000Z)',
        level: 1,
        assigneeId: null,
        acknowledgedBy: null,
        acknowledgedAt: null,
        outcome: null,
        resolutionNote: null,
        conversationId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
        contactId: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        runId: null,
        policyId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        createdAt: '2026-11-23T14:00:00.000Z',
        resolvedAt: null,
        contactName: 'Ada Lovelace',
        conversation: {
          channel: 'sms',
          address: '+14155550100',
          slaDueAt: '2026-11-23T13:30:00.000Z',
          slaMetric: 'first_response',
        },
      },
    ],
  });

const HistoryEntrySchema = z.object({
  kind: z.string(),
  level: z.number().int().nullable(),
  actorUserId: z.string().uuid().nullable(),
  detail: z.record(z.string(), z.unknown()),
  at: z.date(),
});

const LiveSchema = z
  .object({
    level: z.number().int(),
    levels: z.number().int(),
    ackDueAt: z.number().nullable(),
    exhausted: z.boolean(),
  })
  .nullable();

const EscalationDetailSchema = EscalationSchema.extend({
  live: LiveSchema,
  history: z.array(HistoryEntrySchema),
  /** True on a 202: the request is with Temporal, not yet applied. */
  pending: z.boolean().optional(),
}).meta({ id: 'EscalationDetail' });

const ListQuerySchema = PageQuerySchema.extend({
  /** mine: assigned to me; team: my teams' (and mine); all: the tenant's. */
  scope: z.enum(['mine', 'team', 'all']).default('all'),
  status: z
    .string()
    .regex(
      /^(open|acknowledged|resolved|unresolved)(,(open|acknowledged|resolved|unresolved))*$/,
      'statuses, comma-separated',
    )
    .optional(),
});

const OpenBodySchema = z
  .object({
    team: z.string().trim().min(1).max(100),
    note: z.string().max(2000).default(''),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
    conversationId: z.string().uuid().optional(),
    policyId: z.string().uuid().optional(),
  })
  .meta({ examples: [{ team: 'billing', note: 'VIP asks for a refund', priority: 'high' }] });

const ReassignBodySchema = z
  .object({
    userId: z.string().uuid().optional(),
    team: z.string().trim().min(1).max(100).optional(),
    note: z.string().max(2000).optional(),
  })
  .refine((b) => b.userId || b.team, { message: 'reassign to a userId, a team, or both', path: ['userId'] })
  .meta({ examples: [{ userId: '7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d', note: 'knows billing' }] });

const AcknowledgeBodySchema = z
  .object({
    /**
     * Who acknowledges, for an API key that acts for no member (a key a member created acts as
     * them). A signed-in user always acknowledges as themselves.
     */
    userId: z.string().uuid().optional(),
  })
  // No body at all (how acknowledging has always been called) is the same as {}.
  .nullish()
  .meta({ examples: [{}, { userId: '7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d' }] });

const ResolveBodySchema = z
  .object({ resolution: z.enum(['resolved', 'unresolved']).default('resolved'), note: z.string().max(2000).optional() })
  .default({ resolution: 'resolved' })
  .meta({ examples: [{ resolution: 'resolved', note: 'refund issued' }] });

const toEscalation = (e: Escalation) => ({
  id: e.id,
  status: StatusSchema.catch('open').parse(e.status),
  source: e.source,
  team: e.team,
  priority: e.priority,
  note: e.note,
  level: e.level,
  assigneeId: e.assigneeId,
  acknowledgedBy: e.acknowledgedBy,
  acknowledgedAt: e.acknowledgedAt,
  outcome: e.outcome,
  resolutionNote: e.resolutionNote,
  conversationId: e.conversationId,
  contactId: e.contactId,
  runId: e.runId,
  policyId: e.policyId,
  createdAt: e.createdAt,
  resolvedAt: e.resolvedAt,
});

/** Adds what an inbox row shows beside the escalation: the contact's name and the conversation's SLA. */
async function withContext(request: FastifyRequest, rows: Escalation[]) {
  const ids = (pick: (e: Escalation) => string | null) => [
    ...new Set(rows.map(pick).filter((v): v is string => v !== null)),
  ];
  const [contacts, conversations] = await Promise.all([
    request.tenantDb.contact.findMany({
      where: { id: { in: ids((e) => e.contactId) } },
      select: { id: true, firstName: true, lastName: true },
    }),
    request.tenantDb.conversation.findMany({
      where: { id: { in: ids((e) => e.conversationId) } },
      select: { id: true, kind: true, address: true, slaDueAt: true, slaMetric: true },
    }),
  ]);
  const names = new Map(contacts.map((c) => [c.id, [c.firstName, c.lastName].filter(Boolean).join(' ') || null]));
  const convs = new Map(conversations.map((c) => [c.id, c]));
  return rows.map((e) => {
    const c = e.conversationId ? convs.get(e.conversationId) : undefined;
    return {
      ...toEscalation(e),
      contactName: (e.contactId && names.get(e.contactId)) || null,
      conversation: c ? { channel: c.kind, address: c.address, slaDueAt: c.slaDueAt, slaMetric: c.slaMetric } : null,
    };
  });
}

const CLOSED = ['resolved', 'unresolved'];
/** How long an action waits for the escalation's workflow to apply it before answering 202. */
const UPDATE_WAIT_MS = 5_000;

const escalationRoutes: FastifyPluginAsyncZod = async (app) => {
  const load = async (request: FastifyRequest, id: string) => {
    const row = await request.tenantDb.escalation.findFirst({ where: { id } });
    if (!row) throw notFound('escalation');
    return row;
  };

  const detail = async (request: FastifyRequest, row: Escalation) => {
    const history = await request.tenantDb.escalationEvent.findMany({
      where: { escalationId: row.id },
      orderBy: { at: 'asc' },
    });
    let live: z.infer<typeof LiveSchema> = null;
    if (!CLOSED.includes(row.status)) {
      try {
        // Only a worker answers a query: a second at most, then the row alone.
        const v = await app.temporal.withAbortSignal(AbortSignal.timeout(1_000), () =>
          app.temporal.workflow.getHandle(escalationWorkflowId(row.id)).query(escalationQuery),
        );
        live = { level: v.level, levels: v.levels, ackDueAt: v.ackDueAt, exhausted: v.exhausted };
      } catch {
        live = null; // no ladder running (opened before ladders existed, or Temporal unreachable)
      }
    }
    const [withCtx] = await withContext(request, [row]);
    return {
      ...(withCtx ?? toEscalation(row)),
      live,
      history: history.map((h) => ({
        kind: h.kind,
        level: h.level,
        actorUserId: h.actorUserId,
        detail: (h.detail ?? {}) as Record<string, unknown>,
        at: h.at,
      })),
    };
  };

  app.get(
    '/escalations',
    {
      config: { permission: 'escalations.read' },
      schema: {
        tags: ['escalations'],
        summary: 'Escalations assigned to me, my teams, or all, newest first',
        querystring: ListQuerySchema,
        response: {
          200: z.object({ items: z.array(EscalationSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { scope, status, limit, cursor } = request.query;
      let scopeWhere = {};
      if (scope !== 'all') {
        const me = await actingMemberId(request);
        if (!me)
          throw new AppError(
            400,
            'no_user',
            `scope=${scope} needs a signed-in member, or an API key a member created; this key acts for no member`,
          );
        if (scope === 'mine') scopeWhere = { assigneeId: me };
        else {
          const membership = await request.tenantDb.membership.findFirst({
            where: { userId: me },
            select: { teams: true },
          });
          scopeWhere = { OR: [{ assigneeId: me }, { team: { in: membership?.teams ?? [] } }] };
        }
      }
      const rows = await request.tenantDb.escalation.findMany({
        where: {
          AND: [scopeWhere, status ? { status: { in: status.split(',') } } : {}, afterCursor('createdAt', cursor)],
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: await withContext(request, result.items), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/escalations/stream',
    {
      config: { permission: 'escalations.read' },
      schema: {
        tags: ['escalations'],
        summary: 'Live escalation updates as Server-Sent Events (escalation.updated with its id)',
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'A stream of `event: escalation.updated` / `data: {"escalationId": …}` messages',
            content: { 'text/event-stream': { schema: z.string() } },
          },
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const stream = openEventStream(request, reply, () => unsubscribe());
      const unsubscribe = app.inboxHub.subscribe(tenantId, (event) => {
        if (event.type === 'escalation.updated') stream.send(event.type, { escalationId: event.escalationId });
      });
    },
  );

  app.get(
    '/escalations/:id',
    {
      config: { permission: 'escalations.read' },
      schema: {
        tags: ['escalations'],
        summary: 'One escalation: its state, the ladder (level, acknowledgement due) and its history',
        params: IdParamsSchema,
        response: { 200: EscalationDetailSchema, ...errorResponses },
      },
    },
    async (request) => detail(request, await load(request, request.params.id)),
  );

  app.post(
    '/escalations',
    {
      config: { permission: 'escalations.write' },
      schema: {
        tags: ['escalations'],
        summary: 'Open an escalation by hand; its policy ladder (or the team, in-app) starts at once',
        body: OpenBodySchema,
        response: { 201: EscalationDetailSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId, userId } = requirePrincipal(request);
      const body = request.body;
      if (body.policyId && !(await request.tenantDb.escalationPolicy.findFirst({ where: { id: body.policyId } })))
        throw new AppError(400, 'unknown_escalation_policy', 'no escalation policy with that id in this tenant');
      const conversation = body.conversationId
        ? await request.tenantDb.conversation.findFirst({ where: { id: body.conversationId } })
        : null;
      if (body.conversationId && !conversation) throw new AppError(400, 'unknown_conversation', 'no such conversation');
      const clientKey = request.headers['idempotency-key'];
      const row = await request.tenantDb.escalation.create({
        data: {
          tenantId,
          idempotencyKey: `manual:${tenantId}:${typeof clientKey === 'string' ? clientKey : randomUUID()}`,
          team: body.team,
          note: body.note,
          priority: body.priority,
          source: 'manual',
          conversationId: conversation?.id ?? null,
          contactId: conversation?.contactId ?? null,
          policyId: body.policyId ?? null,
        },
      });
      await startEscalationLadder({ client: app.temporal, taskQueue: app.taskQueue }, tenantId, row.id);
      await request.audit('escalation.opened', {
        targetType: 'escalation',
        targetId: row.id,
        details: { team: row.team, by: userId ?? null },
      });
      return reply.status(201).send(await detail(request, row));
    },
  );

  /** Sends an update to the escalation's workflow; a resolved one answers 409 `escalation_closed`. */
  const act = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    send: (h: ReturnType<typeof app.temporal.workflow.getHandle>) => Promise<EscalationView>,
  ) => {
    const row = await load(request, id);
    if (CLOSED.includes(row.status)) {
      throw new AppError(409, ESCALATION_CLOSED, `the escalation is already ${row.status}; nothing was changed`);
    }
    const signal = AbortSignal.timeout(UPDATE_WAIT_MS);
    try {
      await app.temporal.withAbortSignal(signal, () =>
        send(app.temporal.workflow.getHandle(escalationWorkflowId(row.id))),
      );
    } catch (err) {
      // No worker answered in time: the request waits in Temporal and applies when one does.
      if (signal.aborted) {
        return reply.status(202).send({ ...(await detail(request, await load(request, id))), pending: true });
      }
      const cause = (err as { cause?: { type?: string; message?: string } }).cause;
      if (cause?.type === ESCALATION_CLOSED || err instanceof WorkflowNotFoundError) {
        throw new AppError(409, ESCALATION_CLOSED, 'the escalation is already closed; nothing was changed');
      }
      if ((err as { name?: string }).name === 'WorkflowUpdateFailedError') {
        throw new AppError(400, 'invalid_request', cause?.message ?? 'the escalation refused the request');
      }
      throw err;
    }
    return reply.status(200).send(await detail(request, await load(request, id)));
  };
  const actSchema = (summary: string, body?: z.ZodType) => ({
    tags: ['escalations'],
    summary,
    params: IdParamsSchema,
    ...(body ? { body } : {}),
    response: {
      200: EscalationDetailSchema,
      202: EscalationDetailSchema.describe('Accepted; no worker answered within 5 s, so it applies when one does'),
      ...errorResponses,
      409: ErrorBodySchema,
    },
  });
  /** Who acknowledges: the signed-in user; for an API key the member named, else the key's creator. */
  const acknowledger = async (request: FastifyRequest, named: string | undefined) => {
    const { userId } = requirePrincipal(request);
    if (userId) {
      if (named && named !== userId)
        throw new AppError(403, 'forbidden', 'a signed-in user acknowledges as themselves, not for another member');
      return userId;
    }
    if (named) {
      if (!(await request.tenantDb.membership.findFirst({ where: { userId: named } })))
        throw new AppError(400, 'not_a_member', 'the acknowledging user is not a member of this tenant');
      return named;
    }
    const me = await actingMemberId(request);
    if (!me)
      throw new AppError(
        400,
        'no_user',
        'acknowledging needs a member: sign in, use a key a member created, or name the member as userId',
      );
    return me;
  };

  app.post(
    '/escalations/:id/acknowledge',
    {
      config: { permission: 'escalations.write' },
      schema: actSchema('Acknowledge: I have it; the ladder stops climbing', AcknowledgeBodySchema),
    },
    async (request, reply) => {
      // The user is asked for once the escalation is known to exist here (a 404 comes first).
      await load(request, request.params.id);
      const body = request.body as z.infer<typeof AcknowledgeBodySchema>;
      const userId = await acknowledger(request, body?.userId);
      return act(request, reply, request.params.id, (h) => h.executeUpdate(acknowledgeUpdate, { args: [{ userId }] }));
    },
  );

  app.post(
    '/escalations/:id/reassign',
    {
      config: { permission: 'escalations.write' },
      schema: actSchema(
        'Reassign to a member or a team: they are notified and have the level’s timeout',
        ReassignBodySchema,
      ),
    },
    async (request, reply) => {
      const byUserId = await actingMemberId(request);
      const body = request.body as z.infer<typeof ReassignBodySchema>;
      if (body.userId && !(await request.tenantDb.membership.findFirst({ where: { userId: body.userId } })))
        throw new AppError(400, 'not_a_member', 'the new assignee is not a member of this tenant');
      return act(request, reply, request.params.id, (h) =>
        h.executeUpdate(reassignUpdate, {
          args: [
            {
              ...(byUserId ? { byUserId } : {}),
              ...(body.userId ? { userId: body.userId } : {}),
              ...(body.team ? { team: body.team } : {}),
              ...(body.note ? { note: body.note } : {}),
            },
          ],
        }),
      );
    },
  );

  app.post(
    '/escalations/:id/resolve',
    {
      config: { permission: 'escalations.write' },
      schema: actSchema('Resolve (or give up: unresolved); a journey waiting in a handoff goes on', ResolveBodySchema),
    },
    async (request, reply) => {
      const byUserId = await actingMemberId(request);
      const body = request.body as z.infer<typeof ResolveBodySchema>;
      return act(request, reply, request.params.id, (h) =>
        h.executeUpdate(resolveUpdate, {
          args: [
            {
              ...(byUserId ? { byUserId } : {}),
              resolution: body.resolution,
              ...(body.note ? { note: body.note } : {}),
            },
          ],
        }),
      );
    },
  );
};

export default escalationRoutes;
