import { type Flow, FlowSchema } from '../schema';
import appointmentConfirmation from './appointment-confirmation.json';
import eventInvitation from './event-invitation.json';
import leadQualification from './lead-qualification.json';
import reEngagement from './re-engagement.json';
import supportBot from './support-bot.json';
import surveyCall from './survey-call.json';

export interface FlowTemplate {
  id: string;
  name: string;
  description: string;
  flow: Flow;
}

const t = (id: string, description: string, doc: unknown): FlowTemplate => {
  const flow = FlowSchema.parse(doc);
  return { id, name: flow.name, description, flow };
};

/** Starting points for new flows: the editor's gallery and the demo tenant's flows. */
export const flowTemplates: readonly FlowTemplate[] = [
  t(
    'appointment-confirmation',
    'Confirm by text, remind the day before, call when there is no reply.',
    appointmentConfirmation,
  ),
  t(
    'lead-qualification',
    'Ask, wait for the answer, branch on it, tag the lead and hand hot ones to sales.',
    leadQualification,
  ),
  t('support-bot', 'Answer from the knowledge base and hand off to a person when unsure.', supportBot),
  t('re-engagement', 'A/B test an SMS against an email offer, outside quiet hours.', reEngagement),
  t('survey-call', 'A short survey call in business hours, with an SMS fallback.', surveyCall),
  t('event-invitation', 'Invite by email, collect RSVPs, nudge once, confirm by SMS.', eventInvitation),
];
