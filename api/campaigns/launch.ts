// Launching a campaign: everything is checked first (flow published, audience not empty, window
// that opens); then, in one transaction, the audience is snapshotted into recipients and the
// campaign marked launched; then the workflow starts. A failure anywhere leaves a draft.
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import {
  type CampaignAudience,
  CampaignAudienceSchema,
  type CampaignSettings,
  CampaignSettingsSchema,
  CampaignWorkSchema,
  compileFlow,
  singleActionFlow,
  windowEverOpens,
} from '../../flow';
import { CAMPAIGN_CONTROL_PRIORITY } from '../../flow/priorities';
import type { Campaign, Prisma } from '../../generated/prisma/client';
import { toJson } from '../../prisma/json';
import { type CampaignInput, campaignWorkflowId } from '../../workflows/campaign';
import { LIVE, toPrismaWhere } from '../contacts/filter';
import { AppError } from '../errors';
import type { TenantDb } from '../tenant-scope';

const SNAPSHOT_PAGE = 5_000;

/** The contacts a campaign's audience names, as a filter on live contacts. */
async function audienceWhere(
  db: TenantDb,
  tenantId: string,
  audience: CampaignAudience,
): Promise<Prisma.ContactWhereInput> {
  if ('segmentId' in audience) {
    const segment = await db.segment.findFirst({ where: { id: audience.segmentId, tenantId } });
    if (!segment) throw new AppError(422, 'audience_not_found', 'the audience segment does not exist');
    return { AND: [LIVE, toPrismaWhere(segment.filter as Parameters<typeof toPrismaWhere>[0])] };
  }
  if ('importId' in audience) {
    const job = await db.importJob.findFirst({ where: { id: audience.importId, tenantId } });
    if (!job) throw new AppError(422, 'audience_not_found', 'the audience import does not exist');
    if (job.status !== 'completed')
      throw new AppError(
        422,
        'import_not_completed',
        `the audience import is ${job.status}; launch once it has completed`,
      );
    const linked = await db.importContact.findMany({
      where: { importId: job.id, tenantId },
      select: { contactId: true },
    });
    return { AND: [LIVE, { id: { in: linked.map((l) => l.contactId) } }] };
  }
  return { AND: [LIVE, { id: { in: audience.contactIds } }] };
}

export async function audienceCount(db: TenantDb, tenantId: string, audience: unknown): Promise<number> {
  const parsed = CampaignAudienceSchema.parse(audience);
  return db.contact.count({ where: { AND: [{ tenantId }, await audienceWhere(db, tenantId, parsed)] } });
}

/** The published version journeys will run: the flow's, or one generated for a single action. */
async function versionFor(db: TenantDb, tenantId: string, campaign: Campaign) {
  const work = CampaignWorkSchema.parse(campaign.work);
  if (work.kind === 'flow') {
    const flow = await db.flow.findFirst({ where: { id: work.flowId, tenantId, deletedAt: null } });
    if (!flow) throw new AppError(422, 'flow_not_found', 'the campaign’s flow does not exist');
    const version = await db.flowVersion.findFirst({
      where: { flowId: flow.id, tenantId, ...(work.version ? { version: work.version } : {}) },
      orderBy: { version: 'desc' },
    });
    if (!version)
      throw new AppError(
        422,
        'flow_not_published',
        work.version
          ? `flow "${flow.name}" has no published version ${work.version}`
          : `flow "${flow.name}" has never been published: publish it first`,
      );
    return { create: null, version };
  }
  const definition = singleActionFlow(`Campaign: ${campaign.name}`, work);
  const compiled = compileFlow(definition);
  if (!compiled.ok)
    throw new AppError(422, 'invalid_campaign_work', 'the campaign’s action is not valid', { issues: compiled.issues });
  return { create: { definition, plan: compiled.plan }, version: null };
}

export interface LaunchDeps {
  db: TenantDb;
  temporal: Client;
  taskQueue: string;
}

export async function launchCampaign(deps: LaunchDeps, tenantId: string, campaign: Campaign): Promise<Campaign> {
  const { db } = deps;
  if (campaign.status !== 'draft')
    throw new AppError(409, 'campaign_not_draft', `the campaign is ${campaign.status}; only a draft launches`);
  const settings: CampaignSettings = CampaignSettingsSchema.parse(campaign.settings);
  if (!windowEverOpens(settings))
    throw new AppError(
      422,
      'window_never_opens',
      `the calling window never overlaps the allowed hours (${settings.guard.start}–${settings.guard.end} on each recipient's clock)`,
    );
  if (settings.endBy && Date.parse(settings.endBy) <= Date.now())
    throw new AppError(422, 'campaign_already_ended', 'endBy is in the past');
  const audience = CampaignAudienceSchema.parse(campaign.audience);
  const where = await audienceWhere(db, tenantId, audience);
  const work = await versionFor(db, tenantId, campaign);

  const launched = await db.$transaction(
    async (tx) => {
      // Only one launch wins.
      const claimed = await tx.campaign.updateMany({
        where: { id: campaign.id, tenantId, status: 'draft' },
        data: { status: 'scheduled' },
      });
      if (claimed.count !== 1) throw new AppError(409, 'campaign_not_draft', 'the campaign is already launched');
      let versionId = work.version?.id;
      if (work.create) {
        const flow = await tx.flow.create({
          data: {
            tenantId,
            name: work.create.definition.name,
            definition: toJson(work.create.definition),
            publishedVersion: 1,
          },
        });
        const version = await tx.flowVersion.create({
          data: {
            tenantId,
            flowId: flow.id,
            version: 1,
            definition: toJson(work.create.definition),
            plan: toJson(work.create.plan),
            checksum: work.create.plan.checksum,
          },
        });
        versionId = version.id;
      }
      let seq = 0;
      let cursor: string | undefined;
      for (;;) {
        const page = await tx.contact.findMany({
          where: { AND: [{ tenantId }, where] },
          select: { id: true },
          orderBy: { id: 'asc' },
          take: SNAPSHOT_PAGE,
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        });
        if (page.length === 0) break;
        await tx.campaignRecipient.createMany({
          data: page.map((c) => ({ tenantId, campaignId: campaign.id, contactId: c.id, seq: seq++ })),
        });
        cursor = page[page.length - 1]?.id;
        if (page.length < SNAPSHOT_PAGE) break;
      }
      if (seq === 0) throw new AppError(422, 'empty_audience', 'the audience has no live contacts: nothing to launch');
      return tx.campaign.update({
        where: { id: campaign.id },
        data: {
          flowVersionId: versionId ?? null,
          workflowId: campaignWorkflowId(campaign.id),
          totalRecipients: seq,
          launchedAt: new Date(),
        },
      });
    },
    { timeout: 300_000, maxWait: 10_000 },
  );

  const input: CampaignInput = {
    tenantId,
    campaignId: campaign.id,
    startAt: settings.startAt ? Date.parse(settings.startAt) : null,
    pacePerMinute: settings.pacePerMinute,
  };
  try {
    await deps.temporal.workflow.start('campaign', {
      workflowId: campaignWorkflowId(campaign.id),
      taskQueue: deps.taskQueue,
      args: [input],
      priority: CAMPAIGN_CONTROL_PRIORITY,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      // Nothing half-launched: back to a draft with no recipients.
      await db.campaignRecipient.deleteMany({ where: { campaignId: campaign.id, tenantId } });
      await db.campaign.update({
        where: { id: campaign.id },
        data: { status: 'draft', flowVersionId: null, workflowId: null, totalRecipients: 0, launchedAt: null },
      });
      if (work.create && launched.flowVersionId) {
        // The flow generated for a single action goes too: a relaunch generates it again.
        const version = await db.flowVersion.findFirst({ where: { id: launched.flowVersionId, tenantId } });
        if (version) await db.flow.deleteMany({ where: { id: version.flowId, tenantId } });
      }
      throw err;
    }
  }
  return launched;
}
