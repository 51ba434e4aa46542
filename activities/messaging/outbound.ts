import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Secrets } from '../../api/crypto/secrets';
import { type Channel as ChannelRow, type Contact, type Message, Prisma } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import { publishInbox } from '../channels/live';
import { findSendingChannel, type LoadedChannel, openChannel, sealCredentials } from '../channels/store';
import { BusinessError } from '../errors';
import { onceByKey } from '../ledger';
import {
  type MessagingProvider,
  type OutboundMessage,
  PermanentSendError,
  type SendResult,
  smsSegments,
  TransientSendError,
} from '../providers/types';
import { checkSend, type SendPurpose } from './compliance';

export const SendOutcomeSchema = z.object({ providerMessageId: z.string(), provider: z.string() });
export type SendOutcome = z.infer<typeof SendOutcomeSchema>;

export type MessageChannel = OutboundMessage['channel'];

export interface OutboundDeps {
  db: Db;
  /** Opens channel credentials; without it only fallback providers can be used. */
  secrets?: Secrets;
  /** Our public base URL: delivery receipts and the sandbox's simulated customers post there. */
  publicUrl?: string;
  /** Builds the adapter for a configured channel (activities/channels/registry.ts). */
  providerFor?: (channel: LoadedChannel) => MessagingProvider;
  /**
   * Development default: a tenant with no channel of a kind sends through this provider, under a
   * sandbox channel created on first use so its conversations have a home. Off in production.
   */
  fallback?: Partial<Record<MessageChannel, MessagingProvider>>;
  now?: () => Date;
}

export interface OutboundRequest extends OutboundMessage {
  tenantId: string;
  idempotencyKey: string;
  purpose: Exclude<SendPurpose, 'call'>;
  workflowId?: string;
  contactId?: string;
  authorUserId?: string;
  /** Send on this conversation's channel (inbox replies), not the tenant's default for the kind. */
  conversationId?: string;
  keywordConfirmation?: boolean;
}

/**
 * Sends one message exactly once per idempotency key, through the tenant's channel: the ledger
 * row and the outbound Message are written before the provider is called; compliance is checked
 * last thing before it; a retry after an attempt of unknown outcome first looks for that attempt's
 * message (a delivery receipt that named it, or the provider's own lookup) and sends only if none.
 */
export async function sendOutbound(deps: OutboundDeps, req: OutboundRequest): Promise<SendOutcome> {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const { channel: row, provider } = await senderFor(deps, req);
  const kind = req.channel;
  if (!req.to) {
    throw new BusinessError('InvalidRecipient', `the contact has no ${kind} address`);
  }
  const contact = await findContact(db, req);
  const conversation = await db.conversation.upsert({
    where: { channelId_address: { channelId: row.id, address: req.to } },
    create: { tenantId: req.tenantId, channelId: row.id, kind, address: req.to, contactId: contact?.id ?? null },
    update: contact ? { contactId: contact.id } : {},
  });
  const message: OutboundMessage = {
    channel: kind,
    to: req.to,
    text: req.text,
    ...(req.subject ? { subject: req.subject } : {}),
    ...(req.template ? { template: req.template } : {}),
    ...(req.media?.length ? { media: req.media } : {}),
  };
  const counted = kind === 'sms' ? smsSegments(req.text) : null;
  const statusCallbackUrl =
    deps.publicUrl && (row.provider === 'twilio' || row.provider === 'sandbox')
      ? `${deps.publicUrl.replace(/\/$/, '')}/hooks/twilio/${row.id}/status?key=${encodeURIComponent(req.idempotencyKey)}`
      : undefined;

  let stored: Message | null = null;
  const record = async () => {
    stored ??= await db.message.upsert({
      where: { idempotencyKey: req.idempotencyKey },
      create: {
        tenantId: req.tenantId,
        conversationId: conversation.id,
        channelId: row.id,
        direction: 'outbound',
        body: req.text,
        subject: req.subject ?? null,
        ...(req.template ? { template: toJson(req.template) } : {}),
        media: toJson(req.media ?? []),
        idempotencyKey: req.idempotencyKey,
        status: 'pending',
        segments: counted?.segments ?? null,
        encoding: counted?.encoding ?? null,
        authorUserId: req.authorUserId ?? null,
        workflowId: req.workflowId ?? null,
      },
      update: {},
    });
    return stored;
  };
  const settle = async (result: SendResult): Promise<SendOutcome> => {
    const saved = await record();
    await db.message.update({
      where: { id: saved.id },
      data: {
        providerMessageId: result.providerMessageId,
        ...(result.segments ? { segments: result.segments } : {}),
        statusAt: now(),
        errorCode: null,
        errorMessage: null,
      },
    });
    // A receipt may have overtaken the answer (while the provider call was in flight, so `saved`
    // cannot tell): move the status only if it is still pending, never backwards.
    await db.message.updateMany({ where: { id: saved.id, status: 'pending' }, data: { status: result.status } });
    await db.conversation.update({ where: { id: conversation.id }, data: { lastMessageAt: now() } });
    if (contact) await db.contact.update({ where: { id: contact.id }, data: { lastContactedAt: now() } });
    await publishInbox(db, {
      tenantId: req.tenantId,
      type: 'message.updated',
      conversationId: conversation.id,
      messageId: saved.id,
    });
    return { providerMessageId: result.providerMessageId, provider: provider.name };
  };

  return onceByKey(
    db,
    {
      tenantId: req.tenantId,
      idempotencyKey: req.idempotencyKey,
      workflowId: req.workflowId ?? `conversation-${conversation.id}`,
      kind: `message.${kind}`,
      request: { ...message, channelId: row.id, purpose: req.purpose },
    },
    SendOutcomeSchema,
    async () => {
      const saved = await record();
      await publishInbox(db, {
        tenantId: req.tenantId,
        type: 'message.created',
        conversationId: conversation.id,
        messageId: saved.id,
      });
      const block = checkSend({
        kind,
        purpose: req.purpose,
        contact,
        now: now(),
        lastInboundAt: conversation.lastInboundAt,
        hasTemplate: Boolean(req.template),
        ...(req.keywordConfirmation ? { keywordConfirmation: true } : {}),
      });
      if (block) {
        await markFailed(db, saved.id, 'blocked', block.type, block.reason);
        throw new BusinessError(block.type, block.reason);
      }
      try {
        return await settle(
          await provider.send(message, {
            idempotencyKey: req.idempotencyKey,
            ...(statusCallbackUrl ? { statusCallbackUrl } : {}),
          }),
        );
      } catch (err) {
        if (err instanceof PermanentSendError) {
          await markFailed(db, saved.id, 'failed', err.type, err.message, err.providerCode);
        } else if (err instanceof TransientSendError) {
          await db.message.update({
            where: { id: saved.id },
            data: { errorCode: err.providerCode ?? err.outcome, errorMessage: err.message },
          });
        }
        throw err;
      }
    },
    {
      reconcile: async (since) => {
        const saved = await record();
        if (saved.providerMessageId) {
          // A delivery receipt named this send (its URL carries the key): it went out.
          return settle({ providerMessageId: saved.providerMessageId, status: 'sent' });
        }
        const claimed = await db.message.findMany({
          where: {
            conversationId: conversation.id,
            direction: 'outbound',
            providerMessageId: { not: null },
            id: { not: saved.id },
            createdAt: { gte: new Date(since.getTime() - 24 * 3600_000) },
          },
          select: { providerMessageId: true },
        });
        const exclude = new Set(claimed.flatMap((m) => (m.providerMessageId ? [m.providerMessageId] : [])));
        let found: SendResult | null | undefined;
        try {
          found = await provider.findSent?.(message, { idempotencyKey: req.idempotencyKey, since, exclude });
        } catch (err) {
          // The lookup itself is refused (not merely unavailable): nothing more can be learnt, and
          // a message must not be lost for it. Transient lookup failures retry the activity.
          if (!(err instanceof PermanentSendError)) throw err;
          found = null;
        }
        return found ? settle(found) : null;
      },
    },
  );
}

async function markFailed(db: Db, id: string, status: string, code: string, reason: string, providerCode?: string) {
  const row = await db.message.update({
    where: { id },
    data: {
      status,
      errorCode: providerCode ? `${code}:${providerCode}` : code,
      errorMessage: reason,
      statusAt: new Date(),
    },
  });
  await publishInbox(db, {
    tenantId: row.tenantId,
    type: 'message.updated',
    conversationId: row.conversationId,
    messageId: row.id,
  });
}

async function findContact(db: Db, req: OutboundRequest): Promise<Contact | null> {
  if (req.contactId && /^[0-9a-f-]{36}$/i.test(req.contactId)) {
    return db.contact.findFirst({ where: { id: req.contactId, tenantId: req.tenantId } });
  }
  if (req.channel === 'sms' || req.channel === 'whatsapp') {
    return db.contact.findFirst({
      where: { tenantId: req.tenantId, phone: req.to, deletedAt: null, mergedIntoId: null },
    });
  }
  if (req.channel === 'email') {
    return db.contact.findFirst({
      where: { tenantId: req.tenantId, email: req.to.toLowerCase(), deletedAt: null, mergedIntoId: null },
    });
  }
  return null;
}

const FALLBACK_DETAIL = 'development fallback';

/** One adapter per channel, rebuilt when the channel changes (connection pools are reused). */
const providerCache = new Map<string, { version: number; provider: MessagingProvider }>();

/** The channel a send goes through and its adapter: the conversation's, else the tenant's for the kind. */
export async function senderFor(
  deps: OutboundDeps,
  req: Pick<OutboundRequest, 'tenantId' | 'channel' | 'conversationId'>,
): Promise<{ channel: ChannelRow; provider: MessagingProvider }> {
  const { db } = deps;
  let row: ChannelRow | null = null;
  if (req.conversationId) {
    const conversation = await db.conversation.findFirst({
      where: { id: req.conversationId, tenantId: req.tenantId },
      include: { channel: true },
    });
    row = conversation?.channel ?? null;
  }
  row ??= await findSendingChannel(db, req.tenantId, req.channel);
  const fallback = deps.fallback?.[req.channel];
  if (row && !(row.statusDetail === FALLBACK_DETAIL && fallback)) {
    if (!deps.secrets || !deps.providerFor) {
      throw new BusinessError('ChannelNotConfigured', 'this worker cannot open channel credentials');
    }
    const version = row.updatedAt.getTime();
    let cached = providerCache.get(row.id);
    if (cached?.version !== version) {
      // A reconfigured channel replaces its adapter; the old one is not kept alive beside it.
      cached = { version, provider: deps.providerFor(openChannel(row, deps.secrets)) };
      providerCache.set(row.id, cached);
    }
    return { channel: row, provider: cached.provider };
  }
  if (!fallback) {
    throw new BusinessError('ChannelNotConfigured', `no ${req.channel} channel is configured for this tenant`);
  }
  row ??= await fallbackChannel(db, deps.secrets, req.tenantId, req.channel);
  return { channel: row, provider: fallback };
}

/** The sandbox channel a tenant without one of this kind gets on first send (development only). */
async function fallbackChannel(db: Db, secrets: Secrets | undefined, tenantId: string, kind: MessageChannel) {
  const name = `Sandbox ${kind}`;
  const where = { tenantId_name: { tenantId, name } };
  try {
    return await db.channel.upsert({
      where,
      create: {
        tenantId,
        name,
        kind,
        provider: 'sandbox',
        status: 'connected',
        statusDetail: FALLBACK_DETAIL,
        credentials: secrets ? sealCredentials(secrets, { authToken: randomBytes(24).toString('hex') }) : null,
      },
      update: {},
    });
  } catch (err) {
    // A campaign's first sends arrive together: one creates the channel, the others find it.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      return db.channel.findUniqueOrThrow({ where });
    }
    throw err;
  }
}
