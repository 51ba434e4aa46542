import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readVoiceAgent } from '../../../activities/calls/agents';
import { Prisma, type VoiceAgent } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { AppError, conflict, notFound } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';
import { TemplateIdSchema, templateById, VOICE_AGENT_TEMPLATES } from './templates';

const VoiceSchema = z.object({
  provider: z.string().trim().min(1).max(40),
  /** A Twilio <Say> voice: Polly.Joanna, Google.en-US-Neural2-F, alice… */
  voiceId: z.string().trim().min(1).max(100),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP-47 language tag such as en-US')
    .max(20),
});
const ModelSchema = z.object({
  provider: z.string().trim().min(1).max(40),
  model: z.string().trim().min(1).max(100),
  temperature: z.number().min(0).max(2),
});

/** Every writable field, none defaulted: PATCH takes any subset of these. */
const fields = {
  name: z.string().trim().min(1).max(200),
  persona: z.string().max(4000),
  firstMessage: z.string().trim().min(1).max(1000),
  voice: VoiceSchema,
  model: ModelSchema,
  script: z.array(z.string().trim().min(1).max(1000)).max(50),
  knowledgeSourceIds: z.array(z.string().trim().min(1).max(100)).max(50),
  maxTurns: z.number().int().min(1).max(50),
  maxDurationSeconds: z.number().int().min(30).max(3600),
  bargeIn: z.boolean(),
  /** Left on an answering machine; null hangs up instead. */
  voicemailMessage: z.string().trim().min(1).max(1000).nullable(),
};

/** A complete agent, with the defaults of what was left out. */
const VoiceAgentWriteSchema = z
  .object({
    ...fields,
    persona: fields.persona.default(''),
    voice: VoiceSchema.default({ provider: 'twilio', voiceId: 'Polly.Joanna', language: 'en-US' }),
    model: ModelSchema.default({ provider: 'openai', model: 'gpt-4o-mini', temperature: 0.3 }),
    script: fields.script.default([]),
    knowledgeSourceIds: fields.knowledgeSourceIds.default([]),
    maxTurns: fields.maxTurns.default(12),
    maxDurationSeconds: fields.maxDurationSeconds.default(600),
    bargeIn: fields.bargeIn.default(true),
    voicemailMessage: fields.voicemailMessage.default(null),
  })
  .strict();

const VoiceAgentCreateSchema = z
  .object(fields)
  .partial()
  .extend({
    /** Start from a template (GET /voice-agents/templates); the other fields override it. */
    template: TemplateIdSchema.optional(),
  })
  .strict()
  .meta({
    id: 'VoiceAgentCreate',
    description: 'A voice agent. Without `template`, `name` and `firstMessage` are required.',
    examples: [{ template: 'appointment-reminder', name: 'Dental reminders' }],
  });

const VoiceAgentPatchSchema = z
  .object(fields)
  .partial()
  .strict()
  .meta({
    examples: [
      { firstMessage: 'Hi, this is Sam from Bright Smile Dental calling about your appointment.', maxTurns: 10 },
    ],
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'change at least one field' })
  .meta({ id: 'VoiceAgentPatch' });

const VoiceAgentSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    persona: z.string(),
    firstMessage: z.string(),
    voice: VoiceSchema,
    model: ModelSchema,
    script: z.array(z.string()),
    knowledgeSourceIds: z.array(z.string()),
    maxTurns: z.number().int(),
    maxDurationSeconds: z.number().int(),
    bargeIn: z.boolean(),
    voicemailMessage: z.string().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'VoiceAgent',
    examples: [
      {
        id: '2c9d8e7f-6a5b-4c3d-8e1f-0a9b8c7d6e5f',
        name: 'Dental reminders',
        persona: 'A friendly receptionist at Bright Smile Dental.',
        firstMessage: 'Hi, this is Sam from Bright Smile Dental calling about your appointment.',
        voice: { provider: 'twilio', voiceId: 'Polly.Joanna', language: 'en-US' },
        model: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.3 },
        script: ['Confirm the date and time', 'Offer to reschedule'],
        knowledgeSourceIds: [],
        maxTurns: 12,
        maxDurationSeconds: 600,
        bargeIn: true,
        voicemailMessage: 'Please call us back at 415-555-0123.',
        createdAt: '2026-11-02T14:05:00.000Z',
        updatedAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

const TemplateSchema = z
  .object({
    id: TemplateIdSchema,
    title: z.string(),
    description: z.string(),
    agent: z.object({
      name: z.string(),
      persona: z.string(),
      firstMessage: z.string(),
      script: z.array(z.string()),
      maxTurns: z.number().int(),
      maxDurationSeconds: z.number().int(),
      bargeIn: z.boolean(),
      voicemailMessage: z.string().optional(),
    }),
  })
  .meta({
    id: 'VoiceAgentTemplate',
    examples: [
      {
        id: 'appointment-reminder',
        title: 'Appointment reminder',
        description: 'Confirms an upcoming appointment and offers to reschedule.',
        agent: {
          name: 'Appointment reminder',
          persona: 'A friendly, brief receptionist.',
          firstMessage: 'Hi, I am calling to confirm your appointment.',
          script: ['Confirm the date and time', 'Offer to reschedule'],
          maxTurns: 12,
          maxDurationSeconds: 300,
          bargeIn: true,
          voicemailMessage: 'Please call us back to confirm your appointment.',
        },
      },
    ],
  });

function toVoiceAgent(row: VoiceAgent): z.infer<typeof VoiceAgentSchema> {
  const parsed = readVoiceAgent(row);
  return {
    id: row.id,
    name: row.name,
    persona: row.persona,
    firstMessage: row.firstMessage,
    voice: parsed.voice,
    model: parsed.model,
    script: row.script,
    knowledgeSourceIds: row.knowledgeSourceIds,
    maxTurns: row.maxTurns,
    maxDurationSeconds: row.maxDurationSeconds,
    bargeIn: row.bargeIn,
    voicemailMessage: row.voicemailMessage,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
const nameTaken = (name: string) => conflict('name_taken', `a voice agent named "${name}" already exists`);

async function loadAgent(request: FastifyRequest, id: string): Promise<VoiceAgent> {
  const row = await request.tenantDb.voiceAgent.findUnique({ where: { id } });
  if (!row) throw notFound('voice agent');
  return row;
}

function dataOf(agent: Partial<z.output<typeof VoiceAgentWriteSchema>>) {
  const { voice, model, ...rest } = agent;
  return {
    ...rest,
    ...(voice ? { voice: toJson(voice) } : {}),
    ...(model ? { model: toJson(model) } : {}),
  };
}

const writeErrors = { ...errorResponses, 409: ErrorBodySchema } as const;

/** Voice agents: who the TwiML loop is on a call (persona, voice, script, knowledge, limits). */
const voiceAgentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/voice-agents/templates',
    {
      config: { permission: 'voice_agents.read' },
      schema: {
        tags: ['voice-agents'],
        summary: 'Starting templates for a new voice agent',
        response: { 200: z.object({ items: z.array(TemplateSchema) }), ...errorResponses },
      },
    },
    async () => ({
      items: VOICE_AGENT_TEMPLATES.map((t) => ({ ...t, agent: { ...t.agent, script: [...t.agent.script] } })),
    }),
  );

  app.get(
    '/voice-agents',
    {
      config: { permission: 'voice_agents.read' },
      schema: {
        tags: ['voice-agents'],
        summary: 'Voice agents, newest first',
        querystring: PageQuerySchema,
        response: {
          200: z.object({ items: z.array(VoiceAgentSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await request.tenantDb.voiceAgent.findMany({
        where: afterCursor('createdAt', cursor),
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map(toVoiceAgent), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/voice-agents',
    {
      config: { permission: 'voice_agents.write' },
      schema: {
        tags: ['voice-agents'],
        summary: 'Create a voice agent, from scratch or from a template',
        body: VoiceAgentCreateSchema,
        response: { 201: VoiceAgentSchema, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { template, ...given } = request.body;
      const base = template ? templateById(template)?.agent : undefined;
      const parsed = VoiceAgentWriteSchema.safeParse({ ...(base ?? {}), ...given });
      if (!parsed.success) {
        throw new AppError(
          400,
          'validation_failed',
          'invalid body: name and firstMessage are required without a template',
          parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })),
        );
      }
      try {
        const { voice, model, ...rest } = parsed.data;
        const row = await request.tenantDb.voiceAgent.create({
          data: { ...rest, voice: toJson(voice), model: toJson(model), tenantId: requirePrincipal(request).tenantId },
        });
        await request.audit('voice_agent.created', {
          targetType: 'voice_agent',
          targetId: row.id,
          details: { name: row.name, ...(template ? { template } : {}) },
        });
        return reply.status(201).send(toVoiceAgent(row));
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(parsed.data.name);
        throw err;
      }
    },
  );

  app.get(
    '/voice-agents/:id',
    {
      config: { permission: 'voice_agents.read' },
      schema: {
        tags: ['voice-agents'],
        summary: 'A voice agent',
        params: IdParamsSchema,
        response: { 200: VoiceAgentSchema, ...errorResponses },
      },
    },
    async (request) => toVoiceAgent(await loadAgent(request, request.params.id)),
  );

  app.patch(
    '/voice-agents/:id',
    {
      config: { permission: 'voice_agents.write' },
      schema: {
        tags: ['voice-agents'],
        summary: 'Change a voice agent (calls already placed keep the settings they started with)',
        params: IdParamsSchema,
        body: VoiceAgentPatchSchema,
        response: { 200: VoiceAgentSchema, ...writeErrors },
      },
    },
    async (request) => {
      const agent = await loadAgent(request, request.params.id);
      try {
        const row = await request.tenantDb.voiceAgent.update({
          where: { id: agent.id },
          data: dataOf(request.body),
        });
        await request.audit('voice_agent.updated', {
          targetType: 'voice_agent',
          targetId: row.id,
          details: { fields: Object.keys(request.body) },
        });
        return toVoiceAgent(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(String(request.body.name));
        throw err;
      }
    },
  );

  app.delete(
    '/voice-agents/:id',
    {
      config: { permission: 'voice_agents.write' },
      schema: {
        tags: ['voice-agents'],
        summary: 'Delete a voice agent (its numbers stop answering with it; its calls stay readable)',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const agent = await loadAgent(request, request.params.id);
      await request.tenantDb.voiceAgent.delete({ where: { id: agent.id } });
      await request.audit('voice_agent.deleted', {
        targetType: 'voice_agent',
        targetId: agent.id,
        details: { name: agent.name },
      });
      return reply.status(204).send(null);
    },
  );
};

export default voiceAgentRoutes;
