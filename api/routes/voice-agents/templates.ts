import { z } from 'zod';

/** Starting points for a new voice agent: a complete, sensible agent to adjust rather than a blank form. */
export const VOICE_AGENT_TEMPLATES = [
  {
    id: 'appointment-reminder',
    title: 'Appointment reminder',
    description: 'Confirms an upcoming appointment and offers to reschedule.',
    agent: {
      name: 'Appointment reminder',
      persona:
        'You are a warm, concise assistant calling to remind customers of their upcoming appointment. Confirm it, offer to reschedule, and never pressure.',
      firstMessage: 'Hi, this is a quick call to remind you about your upcoming appointment. Is now a good time?',
      script: [
        'Your appointment is coming up soon. Can you still make it?',
        'Great. If anything changes, you can reschedule free of charge up to 24 hours before.',
      ],
      maxTurns: 8,
      maxDurationSeconds: 180,
      bargeIn: true,
      voicemailMessage:
        'Hi, this is a reminder about your upcoming appointment. Please call us back if you need to reschedule. Thank you!',
    },
  },
  {
    id: 'lead-qualifier',
    title: 'Lead qualifier',
    description: 'Qualifies a new lead with a few questions about their needs, timeline and budget.',
    agent: {
      name: 'Lead qualifier',
      persona:
        'You are a friendly sales development representative. Ask short qualifying questions one at a time and answer product questions from the knowledge base.',
      firstMessage: 'Hi, thanks for your interest in our product! Do you have two minutes for a few quick questions?',
      script: [
        'What made you look for a solution like ours?',
        'How many people on your team would use it?',
        'When are you hoping to get started?',
        'Thanks! Someone from our team will follow up with the details.',
      ],
      maxTurns: 12,
      maxDurationSeconds: 420,
      bargeIn: true,
      voicemailMessage:
        'Hi, thanks for your interest! We will try you again soon, or call us back at your convenience.',
    },
  },
  {
    id: 'support-line',
    title: 'Support line',
    description: 'Answers inbound questions from the knowledge base and hands off what it cannot answer.',
    agent: {
      name: 'Support line',
      persona:
        'You are a patient support agent. Answer only from the knowledge base, cite where the answer comes from, and offer a follow-up when unsure.',
      firstMessage: 'Thanks for calling! How can I help you today?',
      script: [],
      maxTurns: 20,
      maxDurationSeconds: 900,
      bargeIn: true,
    },
  },
  {
    id: 'feedback-survey',
    title: 'Feedback survey',
    description: 'Asks a recent customer three short questions about their experience.',
    agent: {
      name: 'Feedback survey',
      persona:
        'You are a polite researcher collecting short feedback. Keep it under two minutes and thank them warmly.',
      firstMessage: 'Hi, we would love your feedback on your recent visit. It takes about a minute. Is that okay?',
      script: [
        'On a scale from one to ten, how likely are you to recommend us to a friend?',
        'What is one thing we could do better?',
        'Thank you, that is really helpful.',
      ],
      maxTurns: 6,
      maxDurationSeconds: 150,
      bargeIn: false,
    },
  },
] as const;

export const TemplateIdSchema = z.enum(VOICE_AGENT_TEMPLATES.map((t) => t.id) as [TemplateId, ...TemplateId[]]);
export type TemplateId = (typeof VOICE_AGENT_TEMPLATES)[number]['id'];

export function templateById(id: TemplateId) {
  return VOICE_AGENT_TEMPLATES.find((t) => t.id === id);
}
