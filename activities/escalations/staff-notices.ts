// An escalation's email and SMS to the tenant's own staff. These are not customer messages: they
// open no conversation and pass no marketing compliance, but they go through the same outbound
// ledger, so a retried notice is sent once per key.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { MailDeliveryError, type Mailer } from '../../api/mailer';
import type { Db } from '../../prisma/client';
import { BusinessError } from '../errors';
import { onceByKey } from '../ledger';
import { type OutboundDeps, senderFor } from '../messaging/outbound';
import { type MessagingProvider, PermanentSendError, TransientSendError } from '../providers/types';

export interface StaffNoticeDeps {
  db: Db;
  mailer?: Mailer;
  /** The tenant's channels: an SMS notice goes out through its SMS channel. */
  messaging?: OutboundDeps;
}

export interface StaffNotice {
  tenantId: string;
  /** Unique per escalation step, channel and member. */
  idempotencyKey: string;
  workflowId: string;
  channel: 'email' | 'sms';
  to: string;
  subject: string;
  text: string;
}

export type NoticeResult =
  | { delivered: true; to: string; providerMessageId?: string }
  | { delivered: false; reason: string; retryable: boolean };

const SentSchema = z.object({ to: z.string(), providerMessageId: z.string().optional() });

/**
 * Sends one notice at most once. Never throws for the notice's own failure: the ladder must go on
 * when a mail server or SMS provider is down, so the caller records the reason and decides
 * whether a retry is worth it (`retryable`).
 */
export async function deliverStaffNotice(deps: StaffNoticeDeps, notice: StaffNotice): Promise<NoticeResult> {
  try {
    const sms = notice.channel === 'sms' ? await smsProvider(deps, notice.tenantId) : null;
    const message = { channel: 'sms' as const, to: notice.to, text: notice.text };
    const sent = await onceByKey(
      deps.db,
      {
        tenantId: notice.tenantId,
        idempotencyKey: notice.idempotencyKey,
        workflowId: notice.workflowId,
        kind: `staff.${notice.channel}`,
        request: { to: notice.to, subject: notice.subject },
      },
      SentSchema,
      () => (sms ? sendSms(sms, notice) : sendMail(deps, notice)),
      sms?.findSent
        ? {
            // An SMS attempt of unknown outcome: ask the provider before sending again.
            reconcile: async (since) => {
              const found = await sms.findSent?.(message, {
                idempotencyKey: notice.idempotencyKey,
                since,
                exclude: new Set(),
              });
              return found ? { to: notice.to, providerMessageId: found.providerMessageId } : null;
            },
          }
        : {},
    );
    return { delivered: true, ...sent };
  } catch (err) {
    if (err instanceof BusinessError) return { delivered: false, reason: err.message, retryable: false };
    if (err instanceof ApplicationFailure) {
      return { delivered: false, reason: err.message, retryable: !err.nonRetryable };
    }
    return { delivered: false, reason: err instanceof Error ? err.message : String(err), retryable: true };
  }
}

async function sendMail(deps: StaffNoticeDeps, notice: StaffNotice) {
  if (!deps.mailer) throw new BusinessError('MailNotConfigured', 'this worker sends no email');
  try {
    await deps.mailer.send({ to: notice.to, subject: notice.subject, text: notice.text });
  } catch (err) {
    if (err instanceof MailDeliveryError && err.kind !== 'temporary') {
      throw new BusinessError(err.kind === 'unconfigured' ? 'MailNotConfigured' : 'MailRefused', err.message);
    }
    // SMTP cannot say whether a dropped connection delivered; the ledger's retry sends again.
    throw new TransientSendError(err instanceof Error ? err.message : 'the mail server failed', 'not-sent');
  }
  return { to: notice.to };
}

async function smsProvider(deps: StaffNoticeDeps, tenantId: string): Promise<MessagingProvider> {
  if (!deps.messaging) throw new BusinessError('ChannelNotConfigured', 'this worker has no SMS channel');
  return (await senderFor(deps.messaging, { tenantId, channel: 'sms' })).provider;
}

async function sendSms(provider: MessagingProvider, notice: StaffNotice) {
  try {
    const result = await provider.send(
      { channel: 'sms', to: notice.to, text: notice.text },
      { idempotencyKey: notice.idempotencyKey },
    );
    return { to: notice.to, providerMessageId: result.providerMessageId };
  } catch (err) {
    if (err instanceof PermanentSendError) throw new BusinessError(err.type, err.message);
    throw err;
  }
}
