import type { z } from 'zod';
import type { Secrets } from '../../api/crypto/secrets';
import type { Channel } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { PROVIDER_SCHEMAS } from '../providers/config';
import { type ChannelKind, ChannelKindSchema, type ProviderName, ProviderNameSchema } from '../providers/types';

type Schemas = typeof PROVIDER_SCHEMAS;
export type ProviderConfig<P extends ProviderName> = z.infer<Schemas[P]['config']>;
export type ProviderSecrets<P extends ProviderName> = z.infer<Schemas[P]['secrets']>;

/** A channel row with its config parsed and its credentials opened, typed by provider. */
export type LoadedChannel = {
  [P in ProviderName]: {
    row: Channel;
    kind: ChannelKind;
    provider: P;
    config: ProviderConfig<P>;
    secrets: ProviderSecrets<P>;
  };
}[ProviderName];

export class ChannelUnreadable extends Error {
  constructor(
    readonly channelId: string,
    message: string,
  ) {
    super(`channel ${channelId}: ${message}`);
    this.name = 'ChannelUnreadable';
  }
}

/** Parses a stored channel: the JSON config and the sealed credentials, with the provider's schemas. */
export function openChannel(row: Channel, secrets: Secrets): LoadedChannel {
  const provider = ProviderNameSchema.safeParse(row.provider);
  const kind = ChannelKindSchema.safeParse(row.kind);
  if (!provider.success || !kind.success) throw new ChannelUnreadable(row.id, `unknown ${row.provider}/${row.kind}`);
  const schemas = PROVIDER_SCHEMAS[provider.data];
  const config = schemas.config.safeParse(row.config);
  if (!config.success) throw new ChannelUnreadable(row.id, `config: ${config.error.issues[0]?.message}`);
  let opened: unknown = {};
  if (row.credentials) {
    try {
      opened = JSON.parse(secrets.open(row.credentials));
    } catch (err) {
      throw new ChannelUnreadable(row.id, `credentials cannot be opened (${(err as Error).message})`);
    }
  }
  const creds = schemas.secrets.safeParse(opened);
  if (!creds.success) throw new ChannelUnreadable(row.id, `credentials: ${creds.error.issues[0]?.message}`);
  // The three parses above are keyed by the same provider, which TypeScript cannot correlate.
  return { row, kind: kind.data, provider: provider.data, config: config.data, secrets: creds.data } as LoadedChannel;
}

export function sealCredentials(secrets: Secrets, values: Record<string, unknown>): string {
  return secrets.seal(JSON.stringify(values));
}

/** A channel by id, unscoped: webhooks find their tenant through it before anything else. */
export async function loadChannel(db: Db, secrets: Secrets, channelId: string): Promise<LoadedChannel | null> {
  if (!/^[0-9a-f-]{36}$/i.test(channelId)) return null;
  const row = await db.channel.findUnique({ where: { id: channelId } });
  return row ? openChannel(row, secrets) : null;
}

/** The channel a tenant sends `kind` through: the oldest one that is not disabled. */
export async function findSendingChannel(db: Db, tenantId: string, kind: ChannelKind): Promise<Channel | null> {
  return db.channel.findFirst({
    where: { tenantId, kind, status: { not: 'disabled' } },
    orderBy: { createdAt: 'asc' },
  });
}
