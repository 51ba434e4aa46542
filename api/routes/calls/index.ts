import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CitationSchema, transcriptOf } from '../../../activities/calls/records';
import { stopCall } from '../../../activities/calls/stop';
import { CallStatusSchema } from '../../../activities/providers/types';
import { CallOutcomeSchema } from '../../../flow/nodes/place-call';
import type { Call } from '../../../generated/prisma/client';
import { conflict, notFound } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';

const CALL_EXAMPLE = {
  id: 'a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d',
  direction: 'outbound',
  status: 'completed',
  outcome: 'confirmed',
  from: '+14155550123',
  to: '+14155550100',
  channelId: '8a4f1e2d-3b5c-4d6e-9f70-1a2b3c4d5e6f',
  contactId: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
  voiceAgentId: '2c9d8e7f-6a5b-4c3d-8e1f-0a9b8c7d6e5f',
  workflowId: 'run-0d3c2b1a-7e6f-4a5b-9c8d-2e1f0a9b8c7d',
  providerCallId: 'CA0123456789abcdef0123456789abcdef',
  answeredBy: 'human',
  durationSeconds: 74,
  cost: '0.0260',
  costCurrency: 'USD',
  recordingUrl: null,
  turns: 4,
  startedAt: '2026-11-20T09:30:00.000Z',
  answeredAt: '2026-11-20T09:30:06.000Z',
  endedAt: '2026-11-20T09:31:20.000Z',
};

const CallSchema = z
  .object({
    id: z.string().uuid(),
    direction: z.enum(['outbound', 'inbound']),
    status: z.string(),
    /** answered | voicemail | no-answer | busy | failed, once finished. */
    outcome: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string(),
    channelId: z.string().uuid().nullable(),
    contactId: z.string().uuid().nullable(),
    voiceAgentId: z.string().uuid().nullable(),
    /** The run that placed (or was started by) the call. */
    workflowId: z.string().nullable(),
    providerCallId: z.string().nullable(),
    answeredBy: z.string().nullable(),
    durationSeconds: z.number().int().nullable(),
    /** What the provider charged, as it reports it (a decimal string, positive). */
    cost: z.string().nullable(),
    costCurrency: z.string().nullable(),
    recordingUrl: z.string().nullable(),
    turns: z.number().int(),
    startedAt: z.date(),
    answeredAt: z.date().nullable(),
    endedAt: z.date().nullable(),
  })
  .meta({
    id: 'Call',
    examples: [CALL_EXAMPLE],
  });

const TranscriptLineSchema = z.object({
  role: z.enum(['agent', 'customer']),
  text: z.string(),
  at: z.string(),
  kind: z.enum(['voicemail']).optional(),
  citations: z.array(CitationSchema).optional(),
});

const CallDetailSchema = CallSchema.extend({ transcript: z.array(TranscriptLineSchema) }).meta({
  id: 'CallDetail',
  examples: [
    {
      ...CALL_EXAMPLE,
      transcript: [
        {
          role: 'agent',
          text: 'Hi Ada, this is Bright Smile Dental confirming your cleaning on Friday at 10 am.',
          at: '2026-11-20T09:30:07.000Z',
        },
        { role: 'customer', text: 'Yes, that works.', at: '2026-11-20T09:30:15.000Z' },
      ],
    },
  ],
});

const toCall = (row: Call): z.infer<typeof CallSchema> => ({
  id: row.id,
  direction: row.direction === 'inbound' ? 'inbound' : 'outbound',
  status: row.status,
  outcome: row.outcome,
  from: row.from,
  to: row.to,
  channelId: row.channelId,
  contactId: row.contactId,
  voiceAgentId: row.voiceAgentId,
  workflowId: row.workflowId,
  providerCallId: row.providerCallId,
  answeredBy: row.answeredBy,
  durationSeconds: row.durationSeconds,
  cost: row.cost,
  costCurrency: row.costCurrency,
  recordingUrl: row.recordingUrl,
  turns: row.turns,
  startedAt: row.startedAt,
  answeredAt: row.answeredAt,
  endedAt: row.endedAt,
});

const toCallDetail = (row: Call): z.infer<typeof CallDetailSchema> => ({
  ...toCall(row),
  transcript: transcriptOf(row)
    .filter((e) => e.text.length > 0)
    .map(({ role, text, at, kind, citations }) => ({
      role,
      text,
      at,
      ...(kind ? { kind } : {}),
      ...(citations?.length ? { citations } : {}),
    })),
});

/** Calls placed by flows and received on the tenant's numbers: history, transcripts, and stopping one. */
const callRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/calls',
    {
      config: { permission: 'calls.read' },
      schema: {
        tags: ['calls'],
        summary: 'Calls, newest first',
        querystring: PageQuerySchema.extend({
          status: CallStatusSchema.optional(),
          outcome: CallOutcomeSchema.optional(),
          direction: z.enum(['outbound', 'inbound']).optional(),
          contactId: z.string().uuid().optional(),
          voiceAgentId: z.string().uuid().optional(),
        }),
        response: {
          200: z.object({ items: z.array(CallSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, status, outcome, direction, contactId, voiceAgentId } = request.query;
      const rows = await request.tenantDb.call.findMany({
        where: {
          ...(status ? { status } : {}),
          ...(outcome ? { outcome } : {}),
          ...(direction ? { direction } : {}),
          ...(contactId ? { contactId } : {}),
          ...(voiceAgentId ? { voiceAgentId } : {}),
          ...afterCursor('startedAt', cursor),
        },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.startedAt);
      return { items: result.items.map(toCall), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/calls/:id',
    {
      config: { permission: 'calls.read' },
      schema: {
        tags: ['calls'],
        summary: 'A call with its transcript',
        params: IdParamsSchema,
        response: { 200: CallDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const row = await request.tenantDb.call.findUnique({ where: { id: request.params.id } });
      if (!row) throw notFound('call');
      return toCallDetail(row);
    },
  );

  app.post(
    '/calls/:id/stop',
    {
      config: { permission: 'calls.write' },
      schema: {
        tags: ['calls'],
        summary: 'End a call in progress (or cancel one still ringing)',
        description:
          'The agent says goodbye and hangs up; the provider is asked to end the call too. The call reaches its final status shortly after (the provider reports it).',
        params: IdParamsSchema,
        response: { 202: CallDetailSchema, ...errorResponses, 409: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const result = await stopCall(app.db, app.secrets, tenantId, request.params.id);
      if (!result) throw notFound('call');
      if (!result.stopped) throw conflict('call_finished', `the call has already ended (${result.call.status})`);
      await request.audit('call.stopped', { targetType: 'call', targetId: result.call.id });
      return reply.status(202).send(toCallDetail(result.call));
    },
  );
};

export default callRoutes;
