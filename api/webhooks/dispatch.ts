import { randomBytes, randomUUID } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import type { DeliverWebhookInput } from '../../workflows/deliver-webhook';
import { type EventType, matchesEvent, type WebhookPayload } from './events';

/** A new signing secret: shown once, stored sealed. */
export const generateSigningSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export const deliveryWorkflowId = (deliveryId: string) => `webhook-${deliveryId}`;

export interface DispatchTarget {
  client: Client;
  taskQueue: string;
  log: FastifyBaseLogger;
}

/**
 * Starts the delivery workflow of one delivery row. Never throws: when Temporal is unreachable the
 * row stays `pending` (a replay delivers it later) and this returns false.
 */
export async function startDelivery(target: DispatchTarget, deliveryId: string): Promise<boolean> {
  const input: DeliverWebhookInput = { deliveryId };
  try {
    await target.client.workflow.start('deliverWebhook', {
      workflowId: deliveryWorkflowId(deliveryId),
      taskQueue: target.taskQueue,
      args: [input],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return true;
    target.log.error({ err, deliveryId }, 'could not start a webhook delivery; it stays pending until replayed');
    return false;
  }
}

/**
 * One event: a delivery row per matching active subscription of the tenant (all sharing one event
 * id), each delivered by its own workflow. `subscriptionId` restricts it to one subscription and
 * skips pattern matching (test events). A caller that may run more than once for the same event (an
 * activity) passes a stable `eventId`: a repeat then finds the deliveries already there.
 */
export async function dispatchEvent(
  db: Db,
  target: DispatchTarget,
  tenantId: string,
  type: EventType,
  data: Record<string, unknown>,
  only: { subscriptionId?: string; eventId?: string } = {},
): Promise<Array<{ id: string; subscriptionId: string; started: boolean }>> {
  const subscriptions = await db.webhookSubscription.findMany({
    where: { tenantId, active: true, deletedAt: null, ...(only.subscriptionId ? { id: only.subscriptionId } : {}) },
    select: { id: true, events: true },
  });
  const targets = only.subscriptionId ? subscriptions : subscriptions.filter((s) => matchesEvent(s.events, type));
  if (targets.length === 0) return [];
  const eventId = only.eventId ?? randomUUID();
  const payload: WebhookPayload = { id: eventId, type, createdAt: new Date().toISOString(), tenantId, data };
  const rows = targets.map((s) => ({
    id: randomUUID(),
    tenantId,
    subscriptionId: s.id,
    eventId,
    eventType: type,
    payload: toJson(payload),
    status: 'pending',
  }));
  await db.webhookDelivery.createMany({ data: rows, skipDuplicates: true });
  const stored = only.eventId
    ? await db.webhookDelivery.findMany({
        where: { tenantId, eventId, subscriptionId: { in: targets.map((t) => t.id) } },
        select: { id: true, subscriptionId: true },
      })
    : rows;
  return Promise.all(
    stored.map(async (r) => ({
      id: r.id,
      subscriptionId: r.subscriptionId,
      started: await startDelivery(target, r.id),
    })),
  );
}
