// The onboarding workflow's side: what the tenant has already done, the checklist saved for the
// API, and reminder emails to its owners and admins.
import type { Mailer } from '../../api/mailer';
import { ONBOARDING_STEP_LABELS, type OnboardingStep } from '../../flow/onboarding';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import type { OnboardingState } from '../../workflows/onboarding';

export function createOnboardingActivities({ db, mailer }: { db: Db; mailer?: Mailer }) {
  return {
    /** Steps the database shows done (work done before the workflow, or a signal that was lost). */
    async onboardingFacts(input: { tenantId: string }): Promise<OnboardingStep[]> {
      const tenantId = input.tenantId;
      const [channels, versions, members, invitations, campaigns, sources] = await Promise.all([
        // The sandbox is not a connected channel: a real provider, verified.
        db.channel.count({ where: { tenantId, provider: { not: 'sandbox' }, status: 'connected' } }),
        db.flowVersion.count({ where: { tenantId } }),
        db.membership.count({ where: { tenantId } }),
        db.invitation.count({ where: { tenantId } }),
        db.campaign.count({ where: { tenantId, launchedAt: { not: null } } }),
        db.knowledgeSource.count({ where: { tenantId, deletedAt: null } }),
      ]);
      const done: OnboardingStep[] = [];
      if (channels > 0) done.push('connect_channel');
      if (versions > 0) done.push('publish_flow');
      if (members > 1 || invitations > 0) done.push('invite_teammate');
      if (campaigns > 0) done.push('first_campaign');
      if (sources > 0) done.push('add_knowledge');
      return done;
    },

    async saveOnboarding(input: { tenantId: string; state: OnboardingState }): Promise<void> {
      const { state } = input;
      const data = {
        steps: toJson(state.steps),
        dismissed: state.dismissed,
        remindersSent: state.remindersSent,
        lastProgressAt: new Date(state.lastProgressAt),
        completedAt: state.completedAt === null ? null : new Date(state.completedAt),
      };
      await db.onboardingProgress.upsert({
        where: { tenantId: input.tenantId },
        create: { tenantId: input.tenantId, ...data },
        update: data,
      });
    },

    /**
     * Emails the owners and admins what is left. Once per reminder number: a retry after the
     * count was saved sends nothing (a crash between the send and the save can send it twice).
     */
    async sendOnboardingReminder(input: { tenantId: string; reminder: number; pending: OnboardingStep[] }) {
      const progress = await db.onboardingProgress.findUnique({ where: { tenantId: input.tenantId } });
      if (progress && progress.remindersSent >= input.reminder) return { sent: 0 };
      const [tenant, admins] = await Promise.all([
        db.tenant.findUniqueOrThrow({ where: { id: input.tenantId } }),
        db.membership.findMany({
          where: { tenantId: input.tenantId, role: { in: ['owner', 'admin'] } },
          include: { user: { select: { email: true, name: true } } },
        }),
      ]);
      if (!mailer || admins.length === 0) return { sent: 0 };
      const left = input.pending.map((s) => `  • ${ONBOARDING_STEP_LABELS[s]}`).join('\n');
      for (const m of admins) {
        await mailer.send({
          to: m.user.email,
          subject: `${tenant.name}: ${input.pending.length} setup step${input.pending.length === 1 ? '' : 's'} left in Switchboard`,
          text: `Hi ${m.user.name},\n\nA few steps are left to get ${tenant.name} running:\n${left}\n\nSkip any that do not apply from the checklist.\n`,
        });
      }
      await db.onboardingProgress.upsert({
        where: { tenantId: input.tenantId },
        create: { tenantId: input.tenantId, remindersSent: input.reminder },
        update: { remindersSent: input.reminder },
      });
      return { sent: admins.length };
    },
  };
}
