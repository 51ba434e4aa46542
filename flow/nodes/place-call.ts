import { z } from 'zod';
import { defineNode } from './descriptor';

export const CALL_OUTCOMES = ['answered', 'voicemail', 'no-answer', 'busy', 'failed'] as const;
export const CallOutcomeSchema = z.enum(CALL_OUTCOMES);

export const PlaceCallParamsSchema = z.object({
  /** A managed voice agent; when absent the call uses the persona and script below. */
  voiceAgentId: z.string().max(64).optional(),
  persona: z.string().max(4000).default('You are a friendly assistant calling on behalf of the company.'),
  firstMessage: z.string().min(1).max(1000),
  /** Lines the agent works through, one per turn. */
  script: z.array(z.string().min(1).max(1000)).max(50).default([]),
  maxDurationSeconds: z.number().int().min(10).max(3600).default(300),
  /** Leave this message when a machine answers; hang up when absent. */
  voicemailMessage: z.string().max(1000).optional(),
});

export const placeCallNode = defineNode({
  type: 'place-call',
  version: 1,
  label: 'Place call',
  description: 'Call the contact with a voice agent. Outputs say how the call went.',
  category: 'voice',
  params: PlaceCallParamsSchema,
  outputs: CALL_OUTCOMES,
  activity: 'placeCall',
  // A call takes minutes and its outcome arrives asynchronously: it is a safe loop point.
  outputFields: ['outcome', 'durationSeconds', 'transcript', 'callId', 'error'],
  waits: true,
});
