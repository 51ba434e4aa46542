import { z } from 'zod';
import { DurationSchema } from '../duration';
import { defineNode } from './descriptor';
import { ChannelSchema } from './send-message';

export const WaitForReplyParamsSchema = z.object({
  timeout: DurationSchema,
  /** Only a reply on this channel counts; any channel when absent. */
  channel: ChannelSchema.optional(),
  /** Wait for a named contact event (e.g. "form-submitted") instead of a message. */
  event: z.string().min(1).max(100).optional(),
});

export const waitForReplyNode = defineNode({
  type: 'wait-for-reply',
  version: 1,
  label: 'Wait for reply',
  description:
    'Wait for the contact to reply (or for a named event), up to a timeout. The reply, its intent and its channel become this node’s output.',
  category: 'messaging',
  params: WaitForReplyParamsSchema,
  outputs: ['replied', 'timeout'],
  outputFields: ['text', 'intent', 'channel', 'at'],
  waits: true,
});
