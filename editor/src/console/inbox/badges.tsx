const CHANNEL_LABELS: Record<string, string> = {
  sms: 'SMS',
  whatsapp: 'WhatsApp',
  email: 'Email',
  telegram: 'Telegram',
  webchat: 'Web chat',
  voice: 'Voice',
  messenger: 'Messenger',
};
export const channelLabel = (channel: string) => CHANNEL_LABELS[channel] ?? channel;

export function ChannelBadge({ channel }: { channel: string }) {
  return <span className="badge channel-badge">{channelLabel(channel)}</span>;
}

/** Priority as a pill; high and urgent stand out (colour and the word, never colour alone). */
export function PriorityBadge({ priority }: { priority: string }) {
  return <span className={`badge priority priority-${priority.replace(/[^a-z]/g, '')}`}>{priority}</span>;
}
