import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Secrets } from '../../api/crypto/secrets';
import { type Channel, Prisma } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import {
  ChannelUnreadable,
  findSendingChannel,
  type LoadedChannel,
  openChannel,
  sealCredentials,
} from '../channels/store';
import { SandboxConfigSchema } from '../providers/config';
import { VOICE_PROVIDERS } from './provider';

export const SANDBOX_VOICE_CHANNEL_NAME = 'Sandbox voice';

const notConfigured = (message: string) =>
  ApplicationFailure.create({ type: 'ChannelNotConfigured', message, nonRetryable: true });

/**
 * The channel a tenant's calls go through: its oldest voice channel that is not disabled. With
 * `sandboxFallback`, a tenant without one gets a sandbox voice channel, created once (its name is
 * unique per tenant, so concurrent first calls create one), which gives the sandbox network's
 * webhooks a channel to route to and a token to sign with.
 */
export async function resolveVoiceChannel(
  db: Db,
  secrets: Secrets,
  tenantId: string,
  sandboxFallback: boolean,
): Promise<LoadedChannel> {
  let row = await findSendingChannel(db, tenantId, 'voice');
  if (!row) {
    if (!sandboxFallback) {
      throw notConfigured('the tenant has no voice channel: connect Twilio (or a sandbox) as a voice channel');
    }
    row = await createSandboxVoiceChannel(db, secrets, tenantId);
    if (row.status === 'disabled' || row.kind !== 'voice' || row.provider !== 'sandbox') {
      throw notConfigured(
        `the tenant's "${SANDBOX_VOICE_CHANNEL_NAME}" channel is disabled or is not a sandbox voice channel`,
      );
    }
  }
  let channel: LoadedChannel;
  try {
    channel = openChannel(row, secrets);
  } catch (err) {
    if (err instanceof ChannelUnreadable) throw notConfigured(err.message);
    throw err;
  }
  if (!(VOICE_PROVIDERS as readonly string[]).includes(channel.provider)) {
    throw notConfigured(`voice channel ${row.id} uses ${channel.provider}, which cannot place calls`);
  }
  return channel;
}

async function createSandboxVoiceChannel(db: Db, secrets: Secrets, tenantId: string): Promise<Channel> {
  const where = { tenantId_name: { tenantId, name: SANDBOX_VOICE_CHANNEL_NAME } };
  try {
    return await db.channel.upsert({
      where,
      create: {
        tenantId,
        kind: 'voice',
        provider: 'sandbox',
        name: SANDBOX_VOICE_CHANNEL_NAME,
        status: 'connected',
        config: toJson(SandboxConfigSchema.parse({})),
        credentials: sealCredentials(secrets, { authToken: randomBytes(24).toString('base64url') }),
      },
      update: {},
    });
  } catch (err) {
    // Two first calls at once: the other one created it.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      return db.channel.findUniqueOrThrow({ where });
    }
    throw err;
  }
}
