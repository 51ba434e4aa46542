import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SLA_METRICS } from '../../../flow/sla';
import { AppError, notFound } from '../../errors';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';
import { querySla } from '../../sla/view';

const ClockSchema = z.object({
  metric: z.enum(SLA_METRICS),
  /** running (counting), paused, met, or stopped (resolved before it was met). */
  status: z.enum(['running', 'paused', 'met', 'stopped']),
  clock: z.enum(['business', 'calendar']),
  targetMinutes: z.number(),
  /** When a running clock breaches (business time skips the calendar's closed hours). */
  dueAt: z.date().nullable(),
  spentMinutes: z.number().int(),
  remainingMinutes: z.number().int().nullable(),
  /** Warning fractions already reached. */
  warned: z.array(z.number()),
  breached: z.boolean(),
  metAt: z.date().nullable(),
});

const RecordSchema = z.object({
  id: z.string().uuid(),
  policyId: z.string().uuid().nullable(),
  metric: z.enum(SLA_METRICS),
  kind: z.enum(['warning', 'breach', 'met', 'stopped']),
  fraction: z.number().nullable(),
  dueAt: z.date().nullable(),
  at: z.date(),
  late: z.boolean(),
  team: z.string().nullable(),
  assigneeId: z.string().uuid().nullable(),
});

const ConversationSlaSchema = z
  .object({
    conversationId: z.string().uuid(),
    policyId: z.string().uuid().nullable(),
    /** Null when the policy has since been deleted. */
    policyName: z.string().nullable(),
    /** The clocks are the running workflow's; false when only the recorded history is known. */
    live: z.boolean(),
    resolved: z.boolean(),
    clocks: z.array(ClockSchema),
    /** What the clocks did (warnings, breaches, met, stopped), oldest first. */
    history: z.array(RecordSchema),
  })
  .meta({
    id: 'ConversationSla',
    examples: [
      {
        conversationId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
        policyId: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
        policyName: 'Urgent support',
        live: true,
        resolved: false,
        clocks: [
          {
            metric: 'first_response',
            status: 'met',
            clock: 'business',
            targetMinutes: 30,
            dueAt: null,
            spentMinutes: 12,
            remainingMinutes: null,
            warned: [],
            breached: false,
            metAt: '2026-11-23T14:12:00.000Z',
          },
          {
            metric: 'resolution',
            status: 'running',
            clock: 'business',
            targetMinutes: 480,
            dueAt: '2026-11-23T23:00:00.000Z',
            spentMinutes: 95,
            remainingMinutes: 385,
            warned: [],
            breached: false,
            metAt: null,
          },
        ],
        history: [
          {
            id: '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d',
            policyId: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
            metric: 'first_response',
            kind: 'met',
            fraction: null,
            dueAt: '2026-11-23T14:30:00.000Z',
            at: '2026-11-23T14:12:00.000Z',
            late: false,
            team: 'support',
            assigneeId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
          },
        ],
      },
    ],
  });

const HISTORY_LIMIT = 500;
const at = (ms: number | null) => (ms === null ? null : new Date(ms));

/** A conversation's SLA: its live clocks (the conversationSla workflow's query) and their history. */
export const conversationSlaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/conversations/:id/sla',
    {
      config: { permission: 'conversations.read' },
      schema: {
        tags: ['sla'],
        summary: "A conversation's SLA clocks (due times, time left) and what they recorded",
        description:
          '404 `no_sla` when no policy applies to the conversation or no customer message has started its clocks; ' +
          '503 `sla_unavailable` when the clocks do not answer in time and nothing is recorded yet.',
        params: IdParamsSchema,
        response: { 200: ConversationSlaSchema, ...errorResponses, 503: ErrorBodySchema },
      },
    },
    async (request) => {
      const conversation = await request.tenantDb.conversation.findUnique({ where: { id: request.params.id } });
      if (!conversation) throw notFound('conversation');
      const [live, newestFirst] = await Promise.all([
        querySla(app.temporal, conversation.id),
        request.tenantDb.slaRecord.findMany({
          where: { conversationId: conversation.id },
          orderBy: [{ at: 'desc' }, { createdAt: 'desc' }],
          take: HISTORY_LIMIT,
        }),
      ]);
      const records = newestFirst.reverse();
      const view = live.kind === 'live' && live.view.policyId ? live.view : null;
      if (!view && records.length === 0) {
        if (live.kind === 'unavailable')
          throw new AppError(503, 'sla_unavailable', 'the SLA clocks did not answer in time; try again shortly');
        throw new AppError(
          404,
          'no_sla',
          'this conversation has no SLA clocks: no SLA policy applies to it, or no customer message has started them',
        );
      }
      const policyId = view?.policyId ?? records.at(-1)?.policyId ?? null;
      const policy = policyId
        ? await request.tenantDb.slaPolicy.findUnique({ where: { id: policyId }, select: { name: true } })
        : null;
      return {
        conversationId: conversation.id,
        policyId,
        policyName: policy?.name ?? null,
        live: view !== null,
        resolved: view ? view.resolved : conversation.status === 'resolved',
        clocks: (view?.clocks ?? []).map((c) => ({ ...c, dueAt: at(c.dueAt), metAt: at(c.metAt) })),
        history: records.map((r) => ({
          id: r.id,
          policyId: r.policyId,
          metric: z.enum(SLA_METRICS).parse(r.metric),
          kind: z.enum(['warning', 'breach', 'met', 'stopped']).parse(r.kind),
          fraction: r.fraction,
          dueAt: r.dueAt,
          at: r.at,
          late: r.late,
          team: r.team,
          assigneeId: r.assigneeId,
        })),
      };
    },
  );
};
