import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { DispatchTarget } from '../../api/webhooks/dispatch';
import { dispatchEvent } from '../../api/webhooks/dispatch';
import type { CampaignStatus } from '../../flow';
import type { Db } from '../../prisma/client';
import { type CampaignStarter, createCampaignActivities as createDispatch } from './dispatch';
import type { DispatchGate } from './dispatch-gate';

export type { DispatchInput, DispatchResult } from './dispatch';

/** Running journeys read per page when a campaign is cancelled… */
const CANCEL_PAGE = 1_000;
/** …and signalled this many at a time. */
const CANCEL_SIGNALS_AT_ONCE = 200;

const EVENT_OF: Partial<Record<CampaignStatus, 'campaign.paused' | 'campaign.completed' | 'campaign.cancelled'>> = {
  paused: 'campaign.paused',
  completed: 'campaign.completed',
  cancelled: 'campaign.cancelled',
};

export function createCampaignActivities({
  db,
  starter,
  events,
  gate,
}: {
  db: Db;
  starter?: CampaignStarter;
  events?: DispatchTarget;
  gate?: DispatchGate;
}) {
  return {
    ...createDispatch({ db, ...(starter ? { starter } : {}), ...(gate ? { gate } : {}) }),

    /**
     * Records the workflow's view of the campaign (running, paused, completed, cancelled) and tells
     * webhook subscribers. `transition` names the change, so a retry sends the same event id.
     */
    async setCampaignStatus(input: {
      tenantId: string;
      campaignId: string;
      status: CampaignStatus;
      at: number;
      transition: string;
      resumed?: boolean;
    }): Promise<void> {
      const at = new Date(input.at);
      const final = input.status === 'completed' || input.status === 'cancelled';
      const changed = await db.campaign.updateMany({
        // A final status is for good: a late retry of an earlier record must not undo it.
        where: {
          id: input.campaignId,
          tenantId: input.tenantId,
          ...(final ? {} : { status: { notIn: ['completed', 'cancelled'] } }),
        },
        data: {
          status: input.status,
          pausedAt: input.status === 'paused' ? at : null,
          ...(final ? { finishedAt: at } : {}),
        },
      });
      const type = input.resumed ? 'campaign.resumed' : EVENT_OF[input.status];
      if (!type || !events || changed.count === 0) return;
      const campaign = await db.campaign.findFirst({ where: { id: input.campaignId, tenantId: input.tenantId } });
      if (!campaign) return;
      const counts = await db.campaignRecipient.groupBy({
        by: ['status'],
        where: { campaignId: campaign.id },
        _count: { _all: true },
      });
      await dispatchEvent(
        db,
        events,
        input.tenantId,
        type,
        {
          campaign: {
            id: campaign.id,
            name: campaign.name,
            status: campaign.status,
            totalRecipients: campaign.totalRecipients,
            recipients: Object.fromEntries(counts.map((c) => [c.status, c._count._all])),
          },
        },
        { eventId: `campaign-${campaign.id}-${input.transition}` },
      );
    },

    /**
     * Resuming with "skip": the recipients the pause kept from starting are skipped, with the
     * reason. That is `count` recipients in audience order (the pace's starts the pause missed) and
     * every retry or deferral that fell due while paused.
     */
    async skipMissedRecipients(input: {
      campaignId: string;
      count: number;
      pausedFrom: number;
      pausedTo: number;
    }): Promise<number> {
      const from = new Date(input.pausedFrom);
      const to = new Date(input.pausedTo);
      const detail = `would have started while the campaign was paused (${from.toISOString()} – ${to.toISOString()})`;
      const due = await db.$executeRaw`UPDATE "CampaignRecipient"
        SET status = 'skipped', reason = 'missed_during_pause', detail = ${detail}, "nextAttemptAt" = NULL,
            "finishedAt" = ${to}, "updatedAt" = now()
        WHERE "campaignId" = ${input.campaignId}::uuid AND status IN ('pending', 'deferred')
          AND "nextAttemptAt" >= ${from} AND "nextAttemptAt" < ${to}`;
      const paced =
        input.count > 0
          ? await db.$executeRaw`UPDATE "CampaignRecipient" SET status = 'skipped', reason = 'missed_during_pause',
                detail = ${detail}, "finishedAt" = ${to}, "updatedAt" = now()
              WHERE id IN (SELECT id FROM "CampaignRecipient"
                            WHERE "campaignId" = ${input.campaignId}::uuid AND status = 'pending' AND "nextAttemptAt" IS NULL
                            ORDER BY seq LIMIT ${Math.floor(input.count)})`
          : 0;
      return due + paced;
    },

    /**
     * Cancelling: recipients not started are cancelled, and running journeys are asked to stop (they
     * settle their recipients as cancelled when they do).
     */
    async cancelCampaignRecipients(input: { campaignId: string; at: number }): Promise<number> {
      const cancelled = await db.$executeRaw`UPDATE "CampaignRecipient"
        SET status = 'cancelled', reason = 'campaign_cancelled', detail = 'the campaign was cancelled before this recipient started',
            "nextAttemptAt" = NULL, "finishedAt" = ${new Date(input.at)}, "updatedAt" = now()
        WHERE "campaignId" = ${input.campaignId}::uuid AND status IN ('pending', 'deferred')`;
      if (!starter) return cancelled;
      const at = new Date(input.at);
      // A page at a time, heartbeating after each: a big campaign can have tens of thousands of
      // journeys running, more than one call could signal in any fixed timeout.
      let after: string | null = null;
      for (;;) {
        const page: { id: string; status: string; workflowId: string | null }[] = await db.campaignRecipient.findMany({
          where: {
            campaignId: input.campaignId,
            status: { in: ['starting', 'running'] },
            ...(after ? { id: { gt: after } } : {}),
          },
          select: { id: true, status: true, workflowId: true },
          orderBy: { id: 'asc' },
          take: CANCEL_PAGE,
        });
        if (page.length === 0) break;
        after = page[page.length - 1]?.id ?? null;
        const neverStarted: string[] = [];
        for (let i = 0; i < page.length; i += CANCEL_SIGNALS_AT_ONCE) {
          await Promise.all(
            page.slice(i, i + CANCEL_SIGNALS_AT_ONCE).map((r) =>
              r.workflowId
                ? starter.client.workflow
                    .getHandle(r.workflowId)
                    .signal('cancel', { reason: 'the campaign was cancelled' })
                    .catch((err: unknown) => {
                      // Claimed by a dispatch the cancel stopped before it started the journey.
                      if (err instanceof WorkflowNotFoundError && r.status === 'starting') neverStarted.push(r.id);
                      // Otherwise it already finished, and settled itself.
                    })
                : undefined,
            ),
          );
          heartbeat();
        }
        if (neverStarted.length) {
          await db.$executeRaw`UPDATE "CampaignRecipient"
            SET status = 'cancelled', reason = 'campaign_cancelled', detail = 'the campaign was cancelled before this recipient started',
                "finishedAt" = ${at}, "updatedAt" = now()
            WHERE id = ANY(${neverStarted}::uuid[]) AND status = 'starting'`;
        }
        if (page.length < CANCEL_PAGE) break;
      }
      return cancelled;
    },
  };
}
