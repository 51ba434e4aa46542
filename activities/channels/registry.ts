import { SandboxMessagingProvider } from '../messaging/sandbox';
import { MetaMessagingProvider } from '../providers/meta/messaging';
import { SmtpMessagingProvider } from '../providers/smtp/messaging';
import { TelegramMessagingProvider } from '../providers/telegram/messaging';
import { TwilioMessagingProvider } from '../providers/twilio/messaging';
import type { MessagingProvider } from '../providers/types';
import { WebchatMessagingProvider } from '../providers/webchat/messaging';
import type { LoadedChannel } from './store';

export interface RegistryOptions {
  /** Our public base URL: the sandbox network posts its simulated customers' webhooks there. */
  publicUrl?: string;
  fetchImpl?: typeof fetch;
  log?: (message: string) => void;
}

/** The adapter for a configured channel: one place that knows every provider's constructor. */
export function messagingProviderFor(channel: LoadedChannel, options: RegistryOptions = {}): MessagingProvider {
  const fetchImpl = options.fetchImpl ? { fetchImpl: options.fetchImpl } : {};
  switch (channel.provider) {
    case 'twilio':
      return new TwilioMessagingProvider(channel.config, channel.secrets);
    case 'meta': {
      const kind = channel.kind;
      if (kind !== 'whatsapp' && kind !== 'messenger' && kind !== 'instagram') {
        throw new Error(`a Meta channel sends whatsapp, messenger or instagram, not ${kind}`);
      }
      return new MetaMessagingProvider({
        channel: kind,
        config: channel.config,
        secrets: channel.secrets,
        ...fetchImpl,
      });
    }
    case 'smtp':
      return new SmtpMessagingProvider(channel.config, channel.secrets);
    case 'telegram':
      return new TelegramMessagingProvider({ config: channel.config, secrets: channel.secrets, ...fetchImpl });
    case 'webchat':
      return new WebchatMessagingProvider(channel.row.id);
    case 'sandbox':
      return new SandboxMessagingProvider(
        options.publicUrl
          ? {
              channelId: channel.row.id,
              publicUrl: options.publicUrl,
              authToken: channel.secrets.authToken,
              config: channel.config,
              ...fetchImpl,
              ...(options.log ? { log: options.log } : {}),
            }
          : undefined,
      );
    case 'vapi':
      throw new Error(`channel ${channel.row.id} is a Vapi channel: it places calls and cannot send messages`);
  }
}
