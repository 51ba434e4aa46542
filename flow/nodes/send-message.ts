import { z } from 'zod';
import { defineNode } from './descriptor';

export const channels = ['sms', 'whatsapp', 'email', 'telegram', 'webchat', 'messenger', 'instagram'] as const;
export const ChannelSchema = z.enum(channels);
export type Channel = z.infer<typeof ChannelSchema>;

export const SendMessageParamsSchema = z.object({
  channel: ChannelSchema,
  /** Message body; `{{contact.firstName}}`-style expressions are resolved at send time. */
  text: z.string().min(1).max(4096),
  /** Email only. */
  subject: z.string().max(200).optional(),
  /** A pre-approved template (WhatsApp outside the 24-hour window), with its variables. */
  template: z
    .object({
      name: z.string().min(1).max(100),
      language: z.string().min(2).max(10).default('en'),
      variables: z.array(z.string().max(500)).max(20).default([]),
    })
    .optional(),
  /**
   * Marketing messages keep calling hours (8:00–21:00 in the recipient's zone) and need consent;
   * transactional ones (replies, receipts, reminders the customer asked for) do not wait.
   */
  purpose: z.enum(['transactional', 'marketing']).optional(),
});

export const sendMessageNode = defineNode({
  type: 'send-message',
  version: 1,
  label: 'Send message',
  description: 'Send an SMS, WhatsApp, email, Telegram, Messenger, Instagram or web-chat message to the contact.',
  category: 'messaging',
  params: SendMessageParamsSchema,
  outputs: ['sent', 'failed'],
  activity: 'sendMessage',
  outputFields: ['messageId', 'channel', 'error'],
  waits: false,
});
