import type { z } from 'zod';
import type { PlaceCallOutputSchema } from '../../flow/engine/contracts';
import type { Db } from '../../prisma/client';
import type { LoadedChannel } from '../channels/store';
import { TwilioNumberProvider, TwilioVoiceProvider } from '../providers/twilio/voice';
import type { NumberProvider, VoiceProvider } from '../providers/types';
import { HostedCallAdapter, type HostedCallOptions } from './hosted';
import { SandboxCallProvider, sandboxNetworkForCall } from './sandbox';
import { SandboxNumberProvider } from './sandbox-numbers';

export type CallResult = z.infer<typeof PlaceCallOutputSchema>;

/**
 * Providers that carry calls: Twilio and the sandbox network, which speaks Twilio's dialect, and
 * Vapi, a hosted voice-AI platform that runs the conversation itself (./hosted.ts).
 */
export const VOICE_PROVIDERS = ['twilio', 'sandbox', 'vapi'] as const;

export class NotAVoiceChannel extends Error {
  constructor(channel: LoadedChannel) {
    super(`channel ${channel.row.id} is a ${channel.provider} channel, which cannot place calls`);
    this.name = 'NotAVoiceChannel';
  }
}

// The API process has no worker-side registry; a sandbox call it did not place is reached
// through the stop request on the Call row instead (see stopCall).
const apiSandbox = new SandboxCallProvider();

/**
 * The voice provider of a channel. Sandbox channels get their network from `sandbox`, the
 * process's registry, so a retried activity talks to the network that placed its call;
 * `providerCallId` picks the network that carries an existing call, whichever registry placed it.
 */
export function voiceProviderFor(
  channel: LoadedChannel,
  sandbox: SandboxCallProvider = apiSandbox,
  providerCallId?: string,
  hosted: HostedCallOptions = {},
): VoiceProvider {
  switch (channel.provider) {
    case 'twilio':
      return new TwilioVoiceProvider(channel.config, channel.secrets);
    case 'vapi':
      return HostedCallAdapter.forChannel(channel, hosted);
    case 'sandbox': {
      const carrying = providerCallId ? sandboxNetworkForCall(providerCallId) : undefined;
      return (
        carrying ??
        sandbox.networkFor({ id: channel.row.id, authToken: channel.secrets.authToken, config: channel.config })
      );
    }
    default:
      throw new NotAVoiceChannel(channel);
  }
}

// Sandbox number inventories are in memory: one per channel, for the life of the API process.
const sandboxNumbers = new Map<string, SandboxNumberProvider>();

/** Where a channel's phone numbers are bought and released. */
export function numberProviderFor(channel: LoadedChannel): NumberProvider {
  switch (channel.provider) {
    case 'twilio':
      return new TwilioNumberProvider(channel.config, channel.secrets);
    case 'sandbox': {
      let numbers = sandboxNumbers.get(channel.row.id);
      if (!numbers) {
        numbers = new SandboxNumberProvider(channel.row.id);
        sandboxNumbers.set(channel.row.id, numbers);
      }
      return numbers;
    }
    default:
      throw new NotAVoiceChannel(channel);
  }
}

/** The authToken that signs (and verifies) a voice channel's Twilio-format webhooks. */
export function webhookTokenOf(channel: LoadedChannel): string | null {
  if (channel.provider === 'twilio' || channel.provider === 'sandbox') return channel.secrets.authToken;
  return null;
}

/**
 * The number calls come from: one the tenant bought on this channel, else the channel's configured
 * sender (for Vapi, the id of its phone number). Null when the channel has neither.
 */
export async function callerNumberFor(db: Db, channel: LoadedChannel): Promise<string | null> {
  const owned = await db.phoneNumber.findFirst({ where: { channelId: channel.row.id }, orderBy: { createdAt: 'asc' } });
  if (owned) return owned.e164;
  if (channel.provider === 'twilio' || channel.provider === 'sandbox') return channel.config.from ?? null;
  // Vapi calls from the number it knows by this id.
  if (channel.provider === 'vapi') return channel.config.phoneNumberId;
  return null;
}
