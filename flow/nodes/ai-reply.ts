import { z } from 'zod';
import { defineNode } from './descriptor';
import { ChannelSchema } from './send-message';

export const AiReplyParamsSchema = z.object({
  /** What to answer; by default the last reply the contact sent. */
  question: z.string().max(2000).default('{{vars.lastReply}}'),
  /** Knowledge sources to search; all of the tenant's when empty. */
  sourceIds: z.array(z.string().max(64)).max(50).default([]),
  /** Below this confidence the node takes `unsure` and sends nothing. */
  minConfidence: z.number().min(0).max(1).default(0.6),
  channel: ChannelSchema,
  /** Send the answer to the contact (otherwise it is only stored in the node's output). */
  send: z.boolean().default(true),
});

export const aiReplyNode = defineNode({
  type: 'ai-reply',
  version: 1,
  label: 'AI reply',
  description: 'Answer from the knowledge base with citations and send it; low confidence goes out on “unsure”.',
  category: 'ai',
  params: AiReplyParamsSchema,
  outputs: ['answered', 'unsure'],
  activity: 'aiReply',
  outputFields: ['answer', 'confidence', 'citations', 'question'],
  waits: false,
});
