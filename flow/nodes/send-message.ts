import { z } from 'zod';
import { defineNode } from './descriptor';

export const channels = ['sms', 'whatsapp', 'email', 'telegram', 'webchat'] as const;
export const ChannelSchema = z.enum(channels);

export const sendMessageNode = defineNode({
  type: 'send-message',
  version: 1,
  label: 'Send message',
  category: 'messaging',
  params: z.object({
    channel: ChannelSchema,
    /** Message body; `{{contact.firstName}}`-style variables are resolved at send time. */
    text: z.string().min(1).max(4096),
  }),
  outputs: ['sent', 'failed'],
  activity: 'sendMessage',
});
