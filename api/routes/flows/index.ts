import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  compileFlow,
  diffFlows,
  type Flow,
  FlowSchema,
  PlanSchema,
  RunStateSchema,
  SimulationScriptSchema,
  simulate,
  validateFlow,
} from '../../../flow';
import { toJson } from '../../../prisma/json';
import { AppError, conflict, notFound } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { queryRunState } from '../../runs/state';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';
import type { TenantDb } from '../../tenant-scope';

/** A small, valid Flow document: the OpenAPI examples of the routes that take one. */
const EXAMPLE_DEFINITION = {
  name: 'Support bot',
  nodes: [
    { id: 'start', type: 'trigger', params: { source: 'inbound-message', channel: 'sms' } },
    { id: 'answer', type: 'ai-reply', params: { channel: 'sms', minConfidence: 0.6 } },
    { id: 'agent', type: 'handoff', params: { team: 'support', timeout: '1d' } },
    { id: 'done', type: 'end', params: { outcome: 'answered-by-bot' } },
    { id: 'agent-done', type: 'end', params: { outcome: 'resolved-by-agent' } },
    { id: 'agent-missed', type: 'end', params: { outcome: 'unresolved' } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'answer' },
    { id: 'e2', source: 'answer', sourceHandle: 'answered', target: 'done' },
    { id: 'e3', source: 'answer', sourceHandle: 'unsure', target: 'agent' },
    { id: 'e4', source: 'agent', sourceHandle: 'resolved', target: 'agent-done' },
    { id: 'e5', source: 'agent', sourceHandle: 'unresolved', target: 'agent-missed' },
  ],
};

const IssueSchema = z.object({
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  path: z.array(z.union([z.string(), z.number()])),
  code: z.string(),
  message: z.string(),
});

const FlowSummarySchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    status: z.enum(['draft', 'published']),
    publishedVersion: z.number().int().nullable(),
    revision: z.number().int(),
    runs: z.number().int(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'FlowSummary',
    examples: [
      {
        id: '5b7e2a10-4c3d-4e8f-9a1b-2c3d4e5f6a7b',
        name: 'Support bot',
        status: 'published',
        publishedVersion: 2,
        revision: 5,
        runs: 318,
        createdAt: '2026-11-02T14:05:00.000Z',
        updatedAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

const FlowDetailSchema = FlowSummarySchema.extend({
  definition: FlowSchema,
  issues: z.array(IssueSchema),
  hasUnpublishedChanges: z.boolean(),
}).meta({
  id: 'Flow',
  examples: [
    {
      id: '5b7e2a10-4c3d-4e8f-9a1b-2c3d4e5f6a7b',
      name: 'Support bot',
      status: 'published',
      publishedVersion: 2,
      revision: 5,
      runs: 318,
      createdAt: '2026-11-02T14:05:00.000Z',
      updatedAt: '2026-11-20T09:30:00.000Z',
      definition: { ...EXAMPLE_DEFINITION, version: 0 },
      issues: [],
      hasUnpublishedChanges: false,
    },
  ],
});

const VersionSchema = z
  .object({
    id: z.string().uuid(),
    flowId: z.string().uuid(),
    version: z.number().int(),
    checksum: z.string(),
    publishedAt: z.date(),
  })
  .meta({
    id: 'FlowVersion',
    examples: [
      {
        id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        flowId: '5b7e2a10-4c3d-4e8f-9a1b-2c3d4e5f6a7b',
        version: 2,
        checksum: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        publishedAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

const VersionDetailSchema = VersionSchema.extend({ definition: FlowSchema, plan: PlanSchema });

const DefinitionInput = z
  .unknown()
  .describe(
    'A Flow document: { name?, nodes: [{ id, type, params, maxVisits?, ui? }], edges: [{ id, source, sourceHandle, target }] }',
  );

type FlowRow = {
  id: string;
  name: string;
  definition: unknown;
  revision: number;
  publishedVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
};

/** A draft must at least be shaped like a flow; what is wrong inside it is reported, not refused. */
function parseDraft(name: string, definition: unknown): Flow {
  const doc = definition && typeof definition === 'object' ? { ...(definition as object), name } : definition;
  const parsed = FlowSchema.safeParse(doc);
  if (!parsed.success) {
    const result = validateFlow(doc);
    throw new AppError(400, 'invalid_document', 'the definition is not a flow document', { issues: result.issues });
  }
  return parsed.data;
}

async function loadFlow(db: TenantDb, id: string) {
  const row = await db.flow.findFirst({ where: { id, deletedAt: null } });
  if (!row) throw notFound('flow');
  return row;
}

async function runCounts(db: TenantDb, flowIds: string[]) {
  const groups = await db.run.groupBy({ by: ['flowId'], where: { flowId: { in: flowIds } }, _count: { _all: true } });
  return new Map(groups.map((g) => [g.flowId, g._count._all]));
}

function summary(row: FlowRow, runs: number) {
  return {
    id: row.id,
    name: row.name,
    status: row.publishedVersion === null ? ('draft' as const) : ('published' as const),
    publishedVersion: row.publishedVersion,
    revision: row.revision,
    runs,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function detail(db: TenantDb, row: FlowRow) {
  const definition = FlowSchema.parse(row.definition);
  const validation = validateFlow(definition);
  let hasUnpublishedChanges = true;
  if (row.publishedVersion !== null) {
    const latest = await db.flowVersion.findFirst({ where: { flowId: row.id }, orderBy: { version: 'desc' } });
    const compiled = compileFlow(definition);
    hasUnpublishedChanges = !(compiled.ok && latest && compiled.plan.checksum === latest.checksum);
  }
  const runs = (await runCounts(db, [row.id])).get(row.id) ?? 0;
  return { ...summary(row, runs), definition, issues: validation.issues, hasUnpublishedChanges };
}

/** A version number, or "draft" for the current draft. */
const VersionRefSchema = z.union([z.literal('draft'), z.coerce.number().int().positive()]);

async function definitionAt(db: TenantDb, flow: FlowRow, ref: 'draft' | number): Promise<Flow> {
  if (ref === 'draft') return FlowSchema.parse(flow.definition);
  const v = await db.flowVersion.findFirst({ where: { flowId: flow.id, version: ref } });
  if (!v) throw notFound(`version ${ref}`);
  return FlowSchema.parse(v.definition);
}

export const flowRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/flows',
    {
      config: { permission: 'flows.write' },
      schema: {
        tags: ['flows'],
        summary: 'Create a flow draft',
        description:
          'Drafts may be incomplete: the response lists their problems. Publishing refuses a flow with problems.',
        body: z
          .object({ name: z.string().min(1).max(200), definition: DefinitionInput.optional() })
          .meta({ examples: [{ name: 'Support bot', definition: EXAMPLE_DEFINITION }] }),
        response: { 201: FlowDetailSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name } = request.body;
      const definition = parseDraft(
        name,
        request.body.definition ?? { nodes: [{ id: 'start', type: 'trigger', params: { source: 'api' } }], edges: [] },
      );
      const row = await request.tenantDb.flow.create({
        data: { name, definition: toJson(definition), tenantId: requirePrincipal(request).tenantId },
      });
      return reply.status(201).send(await detail(request.tenantDb, row));
    },
  );

  app.get(
    '/flows',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: 'List flows',
        querystring: PageQuerySchema.extend({
          search: z.string().max(200).optional(),
          status: z.enum(['draft', 'published']).optional(),
        }),
        response: {
          200: z.object({ items: z.array(FlowSummarySchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, search, status } = request.query;
      const rows = await request.tenantDb.flow.findMany({
        where: {
          deletedAt: null,
          ...(search ? { name: { contains: search, mode: 'insensitive' as const } } : {}),
          ...(status === 'draft'
            ? { publishedVersion: null }
            : status === 'published'
              ? { publishedVersion: { not: null } }
              : {}),
          ...afterCursor('updatedAt', cursor),
        },
        orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const counts = await runCounts(
        request.tenantDb,
        rows.map((r) => r.id),
      );
      const result = page(rows, limit, (r) => r.updatedAt);
      return { items: result.items.map((r) => summary(r, counts.get(r.id) ?? 0)), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/flows/:id',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: 'A flow, its draft and its problems',
        params: IdParamsSchema,
        response: { 200: FlowDetailSchema, ...errorResponses },
      },
    },
    async (request) => detail(request.tenantDb, await loadFlow(request.tenantDb, request.params.id)),
  );

  app.put(
    '/flows/:id',
    {
      config: { permission: 'flows.write' },
      schema: {
        tags: ['flows'],
        summary: 'Save the draft',
        description:
          'Send the `revision` you loaded: a save over a newer revision is refused with 409 (someone else saved).',
        params: IdParamsSchema,
        body: z
          .object({
            name: z.string().min(1).max(200).optional(),
            definition: DefinitionInput,
            revision: z.number().int().positive().optional(),
          })
          .meta({ examples: [{ name: 'Support bot', definition: EXAMPLE_DEFINITION, revision: 3 }] }),
        response: { 200: FlowDetailSchema, 409: ErrorBodySchema, ...errorResponses },
      },
    },
    async (request) => {
      const db = request.tenantDb;
      const current = await loadFlow(db, request.params.id);
      const name = request.body.name ?? current.name;
      const definition = parseDraft(name, request.body.definition);
      const { count } = await db.flow.updateMany({
        where: {
          id: current.id,
          deletedAt: null,
          ...(request.body.revision ? { revision: request.body.revision } : {}),
        },
        data: { name, definition: toJson(definition), revision: { increment: 1 } },
      });
      if (count === 0) {
        throw conflict('stale_revision', `the draft was saved by someone else (now revision ${current.revision})`, {
          revision: current.revision,
        });
      }
      return detail(db, await loadFlow(db, current.id));
    },
  );

  app.delete(
    '/flows/:id',
    {
      config: { permission: 'flows.write' },
      schema: {
        tags: ['flows'],
        summary: 'Delete a flow',
        description: 'Its versions and runs are kept (runs stay replayable); the flow disappears from lists.',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const flow = await loadFlow(request.tenantDb, request.params.id);
      await request.tenantDb.flow.update({ where: { id: flow.id }, data: { deletedAt: new Date() } });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/flows/validate',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: 'Validate a flow document without saving it',
        body: z.object({ definition: DefinitionInput }).meta({ examples: [{ definition: EXAMPLE_DEFINITION }] }),
        response: { 200: z.object({ ok: z.boolean(), issues: z.array(IssueSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const result = validateFlow(request.body.definition);
      return { ok: result.ok, issues: result.issues };
    },
  );

  app.post(
    '/flows/:id/publish',
    {
      config: { permission: 'flows.publish' },
      schema: {
        tags: ['flows'],
        summary: 'Publish the draft as a new immutable version',
        description:
          'Refused with 422 and the list of problems when the draft is invalid. Publishing an unchanged draft returns the latest version.',
        params: IdParamsSchema,
        response: { 201: VersionSchema, 200: VersionSchema, 422: ErrorBodySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const db = request.tenantDb;
      const flow = await loadFlow(db, request.params.id);
      const definition = FlowSchema.parse(flow.definition);
      const compiled = compileFlow(definition);
      if (!compiled.ok) throw new AppError(422, 'invalid_flow', 'the flow has problems', { issues: compiled.issues });
      const result = await db.$transaction(async (tx) => {
        // Serialise publishes of one flow so version numbers never collide.
        await tx.$executeRaw`SELECT id FROM "Flow" WHERE id = ${flow.id}::uuid FOR UPDATE`;
        const latest = await tx.flowVersion.findFirst({ where: { flowId: flow.id }, orderBy: { version: 'desc' } });
        if (latest && latest.checksum === compiled.plan.checksum) return { version: latest, created: false };
        const version = await tx.flowVersion.create({
          data: {
            tenantId,
            flowId: flow.id,
            version: (latest?.version ?? 0) + 1,
            definition: toJson(definition),
            plan: toJson(compiled.plan),
            checksum: compiled.plan.checksum,
          },
        });
        await tx.flow.update({ where: { id: flow.id }, data: { publishedVersion: version.version } });
        return { version, created: true };
      });
      const { id, flowId, version, checksum, publishedAt } = result.version;
      return reply.status(result.created ? 201 : 200).send({ id, flowId, version, checksum, publishedAt });
    },
  );

  app.get(
    '/flows/:id/versions',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: 'Published versions, newest first',
        params: IdParamsSchema,
        response: { 200: z.object({ items: z.array(VersionSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const flow = await loadFlow(request.tenantDb, request.params.id);
      const rows = await request.tenantDb.flowVersion.findMany({
        where: { flowId: flow.id },
        orderBy: { version: 'desc' },
        select: { id: true, flowId: true, version: true, checksum: true, publishedAt: true },
      });
      return { items: rows };
    },
  );

  app.get(
    '/flows/:id/versions/:version',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: 'One published version, with its definition and compiled plan',
        params: IdParamsSchema.extend({ version: z.coerce.number().int().positive() }),
        response: { 200: VersionDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const flow = await loadFlow(request.tenantDb, request.params.id);
      const v = await request.tenantDb.flowVersion.findFirst({
        where: { flowId: flow.id, version: request.params.version },
      });
      if (!v) throw notFound(`version ${request.params.version}`);
      return {
        id: v.id,
        flowId: v.flowId,
        version: v.version,
        checksum: v.checksum,
        publishedAt: v.publishedAt,
        definition: FlowSchema.parse(v.definition),
        plan: PlanSchema.parse(v.plan),
      };
    },
  );

  app.get(
    '/flows/:id/diff',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: 'What changed between two versions (or a version and the draft)',
        params: IdParamsSchema,
        querystring: z.object({ from: VersionRefSchema, to: VersionRefSchema.default('draft') }),
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request) => {
      const flow = await loadFlow(request.tenantDb, request.params.id);
      const [from, to] = await Promise.all([
        definitionAt(request.tenantDb, flow, request.query.from),
        definitionAt(request.tenantDb, flow, request.query.to),
      ]);
      return { from: request.query.from, to: request.query.to, ...diffFlows(from, to) };
    },
  );

  app.get(
    '/flows/:id/versions/:version/funnel',
    {
      config: { permission: 'runs.read' },
      schema: {
        tags: ['flows'],
        summary: 'Journeys through and at each node of a version',
        description:
          '`through`: finished runs that entered the node, plus running runs that passed it; `at`: running runs waiting there now. Running runs are read live from their workflows (at most 200, newest first; `sampledRunning` says how many).',
        params: IdParamsSchema.extend({ version: z.coerce.number().int().positive() }),
        response: {
          200: z.object({
            version: z.number().int(),
            runs: z.record(z.string(), z.number().int()),
            nodes: z.record(z.string(), z.object({ through: z.number().int(), at: z.number().int() })),
            sampledRunning: z.number().int(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const db = request.tenantDb;
      const flow = await loadFlow(db, request.params.id);
      const v = await db.flowVersion.findFirst({ where: { flowId: flow.id, version: request.params.version } });
      if (!v) throw notFound(`version ${request.params.version}`);
      const nodes: Record<string, { through: number; at: number }> = {};
      const bump = (id: string, key: 'through' | 'at') => {
        nodes[id] ??= { through: 0, at: 0 };
        nodes[id][key]++;
      };
      const byStatus = await db.run.groupBy({ by: ['status'], where: { flowVersionId: v.id }, _count: { _all: true } });
      const finished = await db.run.findMany({
        where: { flowVersionId: v.id, finishedAt: { not: null } },
        select: { visits: true },
      });
      for (const r of finished) {
        const visits = z.record(z.string(), z.number()).safeParse(r.visits ?? {});
        if (visits.success) for (const id of Object.keys(visits.data)) bump(id, 'through');
      }
      const running = await db.run.findMany({
        where: { flowVersionId: v.id, finishedAt: null },
        orderBy: { startedAt: 'desc' },
        take: 200,
        select: { workflowId: true },
      });
      // Each query is bounded (a run whose workflow cannot answer now is left out, never waited for).
      const states = await Promise.allSettled(running.map((r) => queryRunState(app.temporal, r.workflowId)));
      for (const s of states) {
        const parsed = s.status === 'fulfilled' ? RunStateSchema.safeParse(s.value) : null;
        if (!parsed?.success) continue;
        const state = parsed.data;
        for (const id of Object.keys(state.visits)) bump(id, 'through');
        if (state.currentNodeId) bump(state.currentNodeId, 'at');
      }
      return {
        version: v.version,
        runs: Object.fromEntries(byStatus.map((g) => [g.status, g._count._all])),
        nodes,
        sampledRunning: running.length,
      };
    },
  );

  const SimulateBody = z
    .object({
      /** A version number, or "draft" (default). */
      version: VersionRefSchema.default('draft'),
      script: z.unknown().optional(),
    })
    .meta({
      examples: [
        {
          version: 'draft',
          script: { trigger: { text: 'What are your opening hours?', channel: 'sms' }, ai: [{ confidence: 0.92 }] },
        },
      ],
    });

  app.post(
    '/flows/:id/simulate',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: 'Simulate a version or the draft for a synthetic contact, on a virtual clock',
        description:
          'Nothing is sent. Returns the path with virtual timestamps and every message, call and other effect that would happen.',
        params: IdParamsSchema,
        body: SimulateBody,
        response: { 200: z.unknown(), 422: ErrorBodySchema, ...errorResponses },
      },
    },
    async (request) => {
      const flow = await loadFlow(request.tenantDb, request.params.id);
      const definition = await definitionAt(request.tenantDb, flow, request.body.version);
      return runSimulation(request.tenantDb, definition, request.body.script);
    },
  );

  app.post(
    '/flows/simulate',
    {
      config: { permission: 'flows.read' },
      schema: {
        tags: ['flows'],
        summary: 'Simulate an unsaved flow document',
        body: z.object({ definition: DefinitionInput, script: z.unknown().optional() }).meta({
          examples: [
            {
              definition: EXAMPLE_DEFINITION,
              script: { trigger: { text: 'What are your opening hours?', channel: 'sms' }, ai: [{ confidence: 0.92 }] },
            },
          ],
        }),
        response: { 200: z.unknown(), 422: ErrorBodySchema, ...errorResponses },
      },
    },
    async (request) => runSimulation(request.tenantDb, request.body.definition, request.body.script),
  );
};

async function runSimulation(db: TenantDb, definition: unknown, rawScript: unknown) {
  const compiled = compileFlow(definition);
  if (!compiled.ok) throw new AppError(422, 'invalid_flow', 'the flow has problems', { issues: compiled.issues });
  const script = SimulationScriptSchema.safeParse(rawScript ?? {});
  if (!script.success) {
    throw new AppError(400, 'invalid_script', 'the simulation script is invalid', {
      issues: script.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    });
  }
  // start-flow nodes simulate the referenced flows' latest published versions.
  const childIds = Object.values(compiled.plan.nodes)
    .filter((n) => n.type === 'start-flow' && typeof n.params.flowId === 'string')
    .map((n) => n.params.flowId as string);
  const versions = childIds.length
    ? await db.flowVersion.findMany({ where: { flowId: { in: childIds } }, orderBy: { version: 'desc' } })
    : [];
  const childPlans: Record<string, z.infer<typeof PlanSchema>> = {};
  for (const v of versions) childPlans[v.flowId] ??= PlanSchema.parse(v.plan);
  const { state: _state, ...result } = await simulate(compiled.plan, {
    ...script.data,
    childPlans: { ...childPlans, ...script.data.childPlans },
  });
  return { ...result, checksum: compiled.plan.checksum };
}
