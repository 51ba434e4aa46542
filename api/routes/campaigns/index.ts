import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CAMPAIGN_STATUSES,
  CampaignAudienceSchema,
  CampaignSettingsSchema,
  CampaignWorkSchema,
  windowEverOpens,
} from '../../../flow';
import type { Campaign } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { cancelUpdate, pauseUpdate, resumeUpdate } from '../../../workflows/campaign';
import { audienceCount, launchCampaign } from '../../campaigns/launch';
import { AppError, notFound } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';
import { campaignReportRoutes, recipientCounts } from './reports';

const EXAMPLE_CAMPAIGN_INPUT = {
  name: 'November renewals',
  audience: { segmentId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f' },
  work: { kind: 'flow', flowId: '0b7e2b1e-3c4d-4e5f-8a9b-1c2d3e4f5a6b' },
  settings: {
    window: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
    pacePerMinute: 60,
    maxConcurrent: 50,
    frequencyCap: { perDay: 1, perWeek: 3 },
    retry: { outcomes: ['no-answer', 'busy'], afterMinutes: 240, maxAttempts: 3 },
  },
};

const CampaignInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    audience: CampaignAudienceSchema,
    work: CampaignWorkSchema,
    settings: CampaignSettingsSchema.default(CampaignSettingsSchema.parse({})),
  })
  .meta({ examples: [EXAMPLE_CAMPAIGN_INPUT] });

const CampaignPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    audience: CampaignAudienceSchema.optional(),
    work: CampaignWorkSchema.optional(),
    settings: CampaignSettingsSchema.optional(),
  })
  .meta({ examples: [{ name: 'November renewals (West coast)', settings: { pacePerMinute: 30 } }] });

export const CampaignSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    audience: z.unknown(),
    work: z.unknown(),
    settings: z.unknown(),
    flowVersionId: z.string().uuid().nullable(),
    workflowId: z.string().nullable(),
    totalRecipients: z.number().int(),
    /** Recipients by status (pending, deferred, starting, running, completed, failed, skipped, cancelled). */
    recipients: z.record(z.string(), z.number().int()),
    launchedAt: z.date().nullable(),
    pausedAt: z.date().nullable(),
    finishedAt: z.date().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'Campaign',
    examples: [
      {
        id: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
        ...EXAMPLE_CAMPAIGN_INPUT,
        status: 'running',
        flowVersionId: '6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e',
        workflowId: 'campaign-5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
        totalRecipients: 2300,
        recipients: { completed: 1180, running: 20, pending: 1040, deferred: 40, skipped: 20 },
        launchedAt: '2026-11-21T09:00:00.000Z',
        pausedAt: null,
        finishedAt: null,
        createdAt: '2026-11-20T16:00:00.000Z',
        updatedAt: '2026-11-21T09:00:00.000Z',
      },
    ],
  });

const ResumeBodySchema = z
  .object({
    /**
     * What the pause kept from starting: `catch_up` starts it as fast as concurrency, provider rate
     * and windows allow; `skip` marks it skipped (`missed_during_pause`).
     */
    missed: z.enum(['skip', 'catch_up']).default('catch_up'),
  })
  .meta({ examples: [{ missed: 'catch_up' }, { missed: 'skip' }] });

const conflictOrInvalid = { 409: ErrorBodySchema, 422: ErrorBodySchema } as const;

async function toCampaign(request: FastifyRequest, row: Campaign) {
  const { tenantId: _tenant, createdById: _by, ...rest } = row;
  return {
    ...rest,
    status: z.enum(CAMPAIGN_STATUSES).parse(row.status),
    recipients: await recipientCounts(request.tenantDb, row.id),
  };
}

export async function loadCampaign(request: FastifyRequest, id: string): Promise<Campaign> {
  const { tenantId } = requirePrincipal(request);
  const row = await request.tenantDb.campaign.findFirst({ where: { id, tenantId } });
  if (!row) throw notFound('campaign');
  return row;
}

/** Settings that cannot work are refused when saved, not discovered at launch. */
function checkSettings(settings: z.infer<typeof CampaignSettingsSchema> | undefined) {
  if (settings && !windowEverOpens(settings))
    throw new AppError(
      422,
      'window_never_opens',
      `the calling window never overlaps the allowed hours (${settings.guard.start}–${settings.guard.end} on each recipient's clock)`,
    );
}

/** Campaigns: drafts, launch, and control of the running `campaign` workflow. */
const campaignRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/campaigns',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags: ['campaigns'],
        summary: 'Campaigns, newest first',
        querystring: PageQuerySchema.extend({ status: z.enum(CAMPAIGN_STATUSES).optional() }),
        response: {
          200: z.object({ items: z.array(CampaignSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const { limit, cursor, status } = request.query;
      const rows = await request.tenantDb.campaign.findMany({
        where: { tenantId, ...(status ? { status } : {}), ...afterCursor('createdAt', cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return {
        items: await Promise.all(result.items.map((r) => toCampaign(request, r))),
        nextCursor: result.nextCursor,
      };
    },
  );

  app.post(
    '/campaigns',
    {
      config: { permission: 'campaigns.write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Create a draft campaign',
        body: CampaignInputSchema,
        response: { 201: CampaignSchema, ...errorResponses, ...conflictOrInvalid },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      checkSettings(request.body.settings);
      const row = await request.tenantDb.campaign.create({
        data: {
          tenantId,
          name: request.body.name,
          audience: toJson(request.body.audience),
          work: toJson(request.body.work),
          settings: toJson(request.body.settings),
          createdById: request.principal?.userId ?? request.principal?.apiKeyId ?? null,
        },
      });
      return reply.status(201).send(await toCampaign(request, row));
    },
  );

  app.get(
    '/campaigns/:id',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags: ['campaigns'],
        summary: 'A campaign with its recipients by status',
        params: IdParamsSchema,
        response: { 200: CampaignSchema, ...errorResponses },
      },
    },
    async (request) => toCampaign(request, await loadCampaign(request, request.params.id)),
  );

  app.patch(
    '/campaigns/:id',
    {
      config: { permission: 'campaigns.write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Edit a draft campaign',
        params: IdParamsSchema,
        body: CampaignPatchSchema,
        response: { 200: CampaignSchema, ...errorResponses, ...conflictOrInvalid },
      },
    },
    async (request) => {
      const campaign = await loadCampaign(request, request.params.id);
      if (campaign.status !== 'draft')
        throw new AppError(409, 'campaign_not_draft', `the campaign is ${campaign.status}; only a draft can be edited`);
      checkSettings(request.body.settings);
      const { name, audience, work, settings } = request.body;
      const updated = await request.tenantDb.campaign.updateMany({
        where: { id: campaign.id, status: 'draft' },
        data: {
          ...(name ? { name } : {}),
          ...(audience ? { audience: toJson(audience) } : {}),
          ...(work ? { work: toJson(work) } : {}),
          ...(settings ? { settings: toJson(settings) } : {}),
        },
      });
      if (updated.count !== 1) throw new AppError(409, 'campaign_not_draft', 'the campaign was launched meanwhile');
      return toCampaign(request, await loadCampaign(request, campaign.id));
    },
  );

  app.delete(
    '/campaigns/:id',
    {
      config: { permission: 'campaigns.write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Delete a draft campaign (launched ones are kept: cancel them instead)',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses, 409: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const campaign = await loadCampaign(request, request.params.id);
      const deleted = await request.tenantDb.campaign.deleteMany({ where: { id: campaign.id, status: 'draft' } });
      if (deleted.count !== 1)
        throw new AppError(409, 'campaign_not_draft', `the campaign is ${campaign.status}; cancel it instead`);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/campaigns/:id/audience-count',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags: ['campaigns'],
        summary: 'How many live contacts the audience names right now',
        params: IdParamsSchema,
        response: { 200: z.object({ count: z.number().int() }), ...errorResponses, 422: ErrorBodySchema },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const campaign = await loadCampaign(request, request.params.id);
      return { count: await audienceCount(request.tenantDb, tenantId, campaign.audience) };
    },
  );

  app.post(
    '/campaigns/:id/launch',
    {
      config: { permission: 'campaigns.launch' },
      schema: {
        tags: ['campaigns'],
        summary: 'Launch: snapshot the audience into recipients and start the campaign workflow',
        description:
          'Refused, with nothing launched, when the flow is not published (422 `flow_not_published`), the ' +
          'audience is empty (422 `empty_audience`), the window never opens (422 `window_never_opens`) or ' +
          'the campaign is not a draft (409 `campaign_not_draft`).',
        params: IdParamsSchema,
        response: { 202: CampaignSchema, ...errorResponses, ...conflictOrInvalid },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const campaign = await loadCampaign(request, request.params.id);
      const launched = await launchCampaign(
        { db: request.tenantDb, temporal: app.temporal, taskQueue: app.taskQueue },
        tenantId,
        campaign,
      );
      await request.audit('campaign.launched', {
        targetType: 'campaign',
        targetId: campaign.id,
        details: { name: campaign.name, recipients: launched.totalRecipients },
      });
      await app.emitEvent(tenantId, 'campaign.launched', {
        campaign: { id: launched.id, name: launched.name, totalRecipients: launched.totalRecipients },
      });
      return reply.status(202).send(await toCampaign(request, launched));
    },
  );

  /**
   * Sends an update to the campaign's workflow; a finished one answers 409, and so does a pause or
   * resume of one being cancelled (a second cancel answers as the first did).
   */
  const control = async (
    request: FastifyRequest,
    id: string,
    action: 'pause' | 'resume' | 'cancel',
    send: (handle: ReturnType<typeof app.temporal.workflow.getHandle>) => Promise<unknown>,
  ) => {
    const campaign = await loadCampaign(request, id);
    if (!campaign.workflowId) throw new AppError(409, 'campaign_not_launched', 'the campaign has not been launched');
    if (campaign.status === 'completed' || campaign.status === 'cancelled')
      throw new AppError(409, 'campaign_finished', `the campaign is ${campaign.status}`);
    if (campaign.status === 'cancelling' && action !== 'cancel')
      throw new AppError(409, 'campaign_cancelling', `the campaign is being cancelled: it cannot ${action}`);
    try {
      await send(app.temporal.workflow.getHandle(campaign.workflowId));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err as { name?: string }).name === 'WorkflowUpdateFailedError')
        throw new AppError(409, 'campaign_finished', 'the campaign has finished');
      throw err;
    }
    return toCampaign(request, await loadCampaign(request, id));
  };

  const controlSchema = (summary: string, body?: z.ZodType) => ({
    tags: ['campaigns'],
    summary,
    params: IdParamsSchema,
    ...(body ? { body } : {}),
    response: { 200: CampaignSchema, ...errorResponses, 409: ErrorBodySchema },
  });

  app.post(
    '/campaigns/:id/pause',
    {
      config: { permission: 'campaigns.launch' },
      schema: controlSchema('Pause: no new journeys start; running ones go on'),
    },
    async (request) => control(request, request.params.id, 'pause', (h) => h.executeUpdate(pauseUpdate)),
  );

  app.post(
    '/campaigns/:id/resume',
    {
      config: { permission: 'campaigns.launch' },
      schema: {
        ...controlSchema('Resume a paused campaign, skipping or catching up what the pause missed'),
        body: ResumeBodySchema,
      },
    },
    async (request) =>
      control(request, request.params.id, 'resume', (h) =>
        h.executeUpdate(resumeUpdate, { args: [{ missed: request.body.missed }] }),
      ),
  );

  app.post(
    '/campaigns/:id/cancel',
    {
      config: { permission: 'campaigns.launch' },
      schema: {
        ...controlSchema('Cancel: recipients not started are cancelled and running journeys are stopped'),
        description:
          'Answers with the campaign `cancelling` while pending recipients are cancelled and running journeys ' +
          'are asked to stop (minutes, with tens of thousands running); it becomes `cancelled` once that is ' +
          'done (`GET`, or the `/stream`). Pause and resume answer 409 `campaign_cancelling` meanwhile.',
      },
    },
    async (request) => {
      const result = await control(request, request.params.id, 'cancel', (h) => h.executeUpdate(cancelUpdate));
      await request.audit('campaign.cancelled', { targetType: 'campaign', targetId: request.params.id });
      return result;
    },
  );

  await app.register(campaignReportRoutes);
};

export default campaignRoutes;
