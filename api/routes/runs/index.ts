import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FlowSchema, validateFlow } from '../../../flow';
import { Prisma } from '../../../generated/prisma/client';
import type { RunFlowInput, RunState } from '../../../workflows/run-flow';
import { AppError, notFound } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';

const RunSchema = z
  .object({
    id: z.string().uuid(),
    workflowId: z.string(),
    flowId: z.string().uuid(),
    contactId: z.string().uuid(),
    status: z.string(),
    startedAt: z.date(),
    finishedAt: z.date().nullable(),
  })
  .meta({ id: 'Run' });

const PathStepSchema = z.object({
  nodeId: z.string(),
  type: z.string(),
  output: z.string().optional(),
  enteredAt: z.string(),
  leftAt: z.string().optional(),
});
const RunStateSchema = z.object({
  status: z.string(),
  currentNodeId: z.string().nullable(),
  path: z.array(PathStepSchema),
  vars: z.record(z.string(), z.unknown()),
  waitingOn: z.string().nullable(),
  outcome: z.string().nullable(),
});

const ActionSchema = z.object({
  idempotencyKey: z.string(),
  kind: z.string(),
  status: z.string(),
  request: z.unknown(),
  response: z.unknown(),
  createdAt: z.date(),
});

const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().min(1).max(255).optional() });

function pickRun(row: z.infer<typeof RunSchema>) {
  const { id, workflowId, flowId, contactId, status, startedAt, finishedAt } = row;
  return { id, workflowId, flowId, contactId, status, startedAt, finishedAt };
}

export const runRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Start a journey: run a flow for a contact',
        description:
          'With an Idempotency-Key header, repeating the request returns the run it started the first time instead of starting another.',
        headers: IdempotencyHeaders,
        body: z.object({ flowId: z.string().uuid(), contactId: z.string().uuid() }),
        response: { 201: RunSchema, 200: RunSchema, 422: z.unknown(), ...errorResponses },
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
      const [flow, contact] = await Promise.all([
        db.flow.findUnique({ where: { id: request.body.flowId } }),
        db.contact.findUnique({ where: { id: request.body.contactId } }),
      ]);
      if (!flow) throw notFound('flow');
      if (!contact) throw notFound('contact');
      const validation = validateFlow(flow.definition);
      if (!validation.ok)
        throw new AppError(422, 'invalid_flow', 'the flow has problems', { issues: validation.issues });

      const id = randomUUID();
      let run: z.infer<typeof RunSchema>;
      try {
        run = await db.run.create({
          data: {
            id,
            tenantId,
            flowId: flow.id,
            contactId: contact.id,
            workflowId: `run-${id}`,
            status: 'running',
            idempotencyKey: idempotencyKey ?? null,
          },
        });
      } catch (err) {
        // A concurrent request with the same Idempotency-Key won the race: answer with its run.
        if (idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          const existing = await db.run.findFirst({ where: { idempotencyKey } });
          if (existing) return reply.status(200).send(pickRun(existing));
        }
        throw err;
      }
      const input: RunFlowInput = {
        tenantId,
        runId: run.id,
        flow: FlowSchema.parse(flow.definition),
        contact: {
          id: contact.id,
          firstName: contact.firstName,
          lastName: contact.lastName,
          phone: contact.phone,
          email: contact.email,
          timeZone: contact.timeZone,
          tags: contact.tags,
          fields: z.record(z.string(), z.unknown()).parse(contact.fields ?? {}),
        },
      };
      try {
        await app.temporal.workflow.start('runFlow', {
          workflowId: run.workflowId,
          taskQueue: app.taskQueue,
          args: [input],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
          // Nothing half-written: a run row without a workflow would look running forever.
          await db.run.delete({ where: { id: run.id } });
          throw err;
        }
      }
      return reply.status(201).send(pickRun(run));
    },
  );

  app.get(
    '/runs/:id',
    {
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
      const run = await db.run.findUnique({ where: { id: request.params.id } });
      if (!run) throw notFound('run');
      let state: RunState | null = null;
      try {
        state = await app.temporal.workflow.getHandle(run.workflowId).query<RunState>('state');
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
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
};
