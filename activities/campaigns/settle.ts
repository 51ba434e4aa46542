import { CampaignSettingsSchema } from '../../flow';
import type { Db } from '../../prisma/client';

/**
 * A campaign journey finished: its recipient is done, or due again when its outcome is one the
 * campaign retries and attempts remain. Called from recordRunFinished; idempotent (only a
 * recipient still on this run and not yet settled changes).
 */
export async function settleCampaignRecipient(
  db: Db,
  input: { runId: string; status: 'completed' | 'failed' | 'cancelled'; outcome: string | null; at: number },
): Promise<void> {
  const recipient = await db.campaignRecipient.findFirst({
    where: { runId: input.runId, status: { in: ['starting', 'running'] } },
    include: { campaign: { select: { settings: true, status: true } } },
  });
  if (!recipient) return;
  const { retry } = CampaignSettingsSchema.parse(recipient.campaign.settings);
  const outcome = input.outcome ?? input.status;
  const wantsRetry =
    input.status !== 'cancelled' && recipient.campaign.status !== 'cancelled' && retry.outcomes.includes(outcome);
  const again = wantsRetry && recipient.attempts < retry.maxAttempts;
  const at = new Date(input.at);
  const data = again
    ? {
        status: 'pending',
        outcome,
        nextAttemptAt: new Date(input.at + retry.afterMinutes * 60_000),
        reason: null,
        detail: `attempt ${recipient.attempts} ended ${outcome}; trying again`,
      }
    : input.status === 'completed'
      ? {
          status: 'completed',
          outcome,
          finishedAt: at,
          reason: wantsRetry ? 'retries_exhausted' : null,
          detail: wantsRetry ? `${outcome} after ${recipient.attempts} attempts` : null,
        }
      : input.status === 'cancelled'
        ? {
            status: 'cancelled',
            outcome,
            finishedAt: at,
            reason: 'campaign_cancelled',
            detail: 'the journey was cancelled',
          }
        : { status: 'failed', outcome, finishedAt: at, reason: 'journey_failed', detail: 'the journey failed' };
  await db.campaignRecipient.updateMany({
    where: { id: recipient.id, runId: input.runId, status: { in: ['starting', 'running'] } },
    data,
  });
}
