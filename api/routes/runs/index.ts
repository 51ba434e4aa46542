import { type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ChannelSchema, type RunState, RunStateSchema } from '../../../flow';
import { AppError, conflict, notFound } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { startRun } from '../../runs/start';
import { queryRunState } from '../../runs/state';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';
import type { TenantDb } from '../../tenant-scope';

const RunSchema = z
  .object({
    id: z.string().uuid(),
    workflowId: z.string(),
    flowId: z.string().uuid(),
    flowVersionId: z.string().uuid().nullable(),
    contactId: z.string().uuid(),
    status: z.string(),
    outcome: z.string().nullable(),
    startedAt: z.date(),
    finishedAt: z.date().nullable(),
  })
  .meta({
    id: 'Run',
    examples: [
      {
        id: '0d3c2b1a-7e6f-4a5b-9c8d-2e1f0a9b8c7d',
        workflowId: 'run-0d3c2b1a-7e6f-4a5b-9c8d-2e1f0a9b8c7d',
        flowId: '5b7e2a10-4c3d-4e8f-9a1b-2c3d4e5f6a7b',
        flowVersionId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        contactId: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        status: 'completed',
        outcome: 'answered-by-bot',
        startedAt: '2026-11-02T14:05:00.000Z',
        finishedAt: '2026-11-02T14:35:00.000Z',
      },
    ],
  });

const ActionSchema = z.object({
  idempotencyKey: z.string(),
  kind: z.string(),
  status: z.string(),
  request: z.unknown(),
  response: z.unknown(),
  createdAt: z.date(),
});

/** What can be delivered to a running journey. */
export const RunSignalSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('inbound-message'),
      channel: ChannelSchema,
      text: z.string().min(1).max(10_000),
      messageId: z.string().max(200).optional(),
    }),
    z.object({
      type: z.literal('contact-event'),
      name: z.string().min(1).max(100),
      data: z.record(z.string(), z.unknown()).default({}),
    }),
    z.object({
      type: z.literal('escalation-resolved'),
      escalationId: z.string().min(1).max(100),
      resolution: z.enum(['resolved', 'unresolved']).default('resolved'),
      note: z.string().max(2000).optional(),
    }),
  ])
  .meta({
    examples: [
      { type: 'inbound-message', channel: 'sms', text: 'YES' },
      { type: 'contact-event', name: 'demo_booked', data: { when: '2026-12-01T15:00:00Z' } },
    ],
  });

const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().min(1).max(255).optional() });

type RunRow = z.infer<typeof RunSchema>;
/** The public fields of a run row (the zod response schema drops the rest). */
const pickRun = (row: RunRow): RunRow => RunSchema.parse(row);

async function loadRun(db: TenantDb, id: string) {
  const run = await db.run.findUnique({ where: { id } });
  if (!run) throw notFound('run');
  return run;
}

/** The handle of a run's workflow, or a 409 when it has already finished. */
async function runningHandle(
  app: { temporal: import('@temporalio/client').Client },
  workflowId: string,
): Promise<WorkflowHandle> {
  const handle = app.temporal.workflow.getHandle(workflowId);
  try {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING')
      throw conflict('run_finished', `the run has already finished (${status.name.toLowerCase()})`);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw conflict('run_finished', 'the run is no longer known to the workflow engine');
    throw err;
  }
  return handle;
}

export const runRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/runs',
    {
      // Runs keep their Idempotency-Key on the row itself, which also settles concurrent repeats.
      config: { permission: 'runs.write', ownIdempotency: true },
      schema: {
        tags: ['runs'],
        summary: 'Start a journey: run a published flow for a contact',
        description:
          'The run is pinned to the flow version it starts on (the latest published, or `version`). With an Idempotency-Key header, repeating the request returns the run it started the first time.',
        headers: IdempotencyHeaders,
        body: z
          .object({
            flowId: z.string().uuid(),
            contactId: z.string().uuid(),
            version: z.number().int().positive().optional(),
            /** Data readable in the flow as {{trigger.*}}. */
            trigger: z.record(z.string(), z.unknown()).default({}),
          })
          .meta({
            examples: [
              {
                flowId: '5b7e2a10-4c3d-4e8f-9a1b-2c3d4e5f6a7b',
                contactId: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
                trigger: { source: 'web-form', campaign: 'spring-webinar' },
              },
            ],
          }),
        response: { 201: RunSchema, 200: RunSchema, 409: ErrorBodySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const db = request.tenantDb;
      const idempotencyKey = request.headers['idempotency-key'];
      if (idempotencyKey) {
        const existing = await db.run.findFirst({ where: { idempotencyKey } });
        if (existing) return reply.status(200).send(pickRun(existing));
      }
      const { flowId, contactId, version, trigger } = request.body;
      const [flow, contact] = await Promise.all([
        db.flow.findFirst({ where: { id: flowId, deletedAt: null } }),
        db.contact.findUnique({ where: { id: contactId } }),
      ]);
      if (!flow) throw notFound('flow');
      if (!contact) throw notFound('contact');
      const flowVersion = await db.flowVersion.findFirst({
        where: { flowId: flow.id, ...(version ? { version } : {}) },
        orderBy: { version: 'desc' },
      });
      if (!flowVersion) {
        throw conflict(
          'flow_not_published',
          version ? `flow has no version ${version}` : 'the flow has no published version: publish it first',
        );
      }

      const { run, created } = await startRun(
        { db: app.db, temporal: app.temporal, taskQueue: app.taskQueue },
        {
          tenantId,
          flowVersion,
          contact,
          trigger: { source: 'api', ...trigger },
          ...(idempotencyKey ? { idempotencyKey } : {}),
        },
      );
      if (!created) return reply.status(200).send(pickRun(run));
      await app.emitEvent(tenantId, 'run.started', { run: pickRun(run) });
      return reply.status(201).send(pickRun(run));
    },
  );

  app.get(
    '/runs',
    {
      config: { permission: 'runs.read' },
      schema: {
        tags: ['runs'],
        summary: 'List runs, newest first',
        querystring: PageQuerySchema.extend({
          flowId: z.string().uuid().optional(),
          flowVersionId: z.string().uuid().optional(),
          contactId: z.string().uuid().optional(),
          status: z.enum(['running', 'completed', 'failed', 'cancelled']).optional(),
          outcome: z.string().max(100).optional(),
          startedAfter: z.coerce.date().optional(),
          startedBefore: z.coerce.date().optional(),
        }),
        response: {
          200: z.object({ items: z.array(RunSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, flowId, flowVersionId, contactId, status, outcome, startedAfter, startedBefore } =
        request.query;
      const rows = await request.tenantDb.run.findMany({
        where: {
          ...(flowId ? { flowId } : {}),
          ...(flowVersionId ? { flowVersionId } : {}),
          ...(contactId ? { contactId } : {}),
          ...(status ? { status } : {}),
          ...(outcome ? { outcome } : {}),
          ...(startedAfter || startedBefore
            ? {
                startedAt: {
                  ...(startedAfter ? { gte: startedAfter } : {}),
                  ...(startedBefore ? { lt: startedBefore } : {}),
                },
              }
            : {}),
          ...afterCursor('startedAt', cursor),
        },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.startedAt);
      return { items: result.items.map(pickRun), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/runs/:id',
    {
      config: { permission: 'runs.read' },
      schema: {
        tags: ['runs'],
        summary: "A run: its row, its live state (from the workflow's query) and its side effects",
        params: IdParamsSchema,
        response: {
          200: z.object({ run: RunSchema, state: RunStateSchema.nullable(), actions: z.array(ActionSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const db = request.tenantDb;
      const run = await loadRun(db, request.params.id);
      // A run started by an older interpreter may answer with an older state shape, and a run whose
      // workflow cannot answer now has none: show no state rather than fail (or hang) — its row and
      // side effects still tell its story.
      const parsed = RunStateSchema.safeParse(await queryRunState(app.temporal, run.workflowId));
      const state: RunState | null = parsed.success ? parsed.data : null;
      const actions = await db.outboundAction.findMany({
        where: { workflowId: run.workflowId },
        orderBy: { createdAt: 'asc' },
      });
      return {
        run: pickRun(run),
        state,
        actions: actions.map(({ idempotencyKey, kind, status, request: req, response, createdAt }) => ({
          idempotencyKey,
          kind,
          status,
          request: req,
          response,
          createdAt,
        })),
      };
    },
  );

  app.post(
    '/runs/:id/signal',
    {
      config: { permission: 'runs.write' },
      schema: {
        tags: ['runs'],
        summary: 'Deliver an inbound message, a contact event or an escalation resolution to a running journey',
        params: IdParamsSchema,
        body: RunSignalSchema,
        response: {
          202: z.object({ accepted: z.literal(true) }).meta({ examples: [{ accepted: true }] }),
          409: ErrorBodySchema,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const run = await loadRun(request.tenantDb, request.params.id);
      const handle = await runningHandle(app, run.workflowId);
      const body = request.body;
      if (body.type === 'inbound-message') {
        await handle.signal('inboundMessage', {
          channel: body.channel,
          text: body.text,
          ...(body.messageId ? { messageId: body.messageId } : {}),
        });
      } else if (body.type === 'contact-event') {
        await handle.signal('contactEvent', { name: body.name, data: body.data });
      } else {
        await handle.signal('escalationResolved', {
          escalationId: body.escalationId,
          resolution: body.resolution,
          ...(body.note ? { note: body.note } : {}),
        });
      }
      return reply.status(202).send({ accepted: true as const });
    },
  );

  app.post(
    '/runs/:id/cancel',
    {
      config: { permission: 'runs.write' },
      schema: {
        tags: ['runs'],
        summary: 'Cancel a running journey',
        params: IdParamsSchema,
        body: z
          .object({ reason: z.string().max(500).optional() })
          .default({})
          .meta({ examples: [{ reason: 'contact asked to stop' }] }),
        response: {
          202: z.object({ accepted: z.literal(true) }).meta({ examples: [{ accepted: true }] }),
          409: ErrorBodySchema,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const run = await loadRun(request.tenantDb, request.params.id);
      const handle = await runningHandle(app, run.workflowId);
      await handle.signal('cancel', { reason: request.body.reason ?? 'cancelled through the API' });
      return reply.status(202).send({ accepted: true as const });
    },
  );

  app.get(
    '/runs/:id/history',
    {
      config: { permission: 'runs.read' },
      schema: {
        tags: ['runs'],
        summary: "Export the run's workflow history (JSON), for `npm run replay -- <file>`",
        params: IdParamsSchema,
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const run = await loadRun(request.tenantDb, request.params.id);
      let json: string;
      try {
        json = historyToJSON(await app.temporal.workflow.getHandle(run.workflowId).fetchHistory());
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          throw new AppError(410, 'history_gone', 'the workflow engine no longer keeps this run');
        throw err;
      }
      return reply
        .header('content-type', 'application/json')
        .header('content-disposition', `attachment; filename="${run.workflowId}.json"`)
        .send(json);
    },
  );
};
