import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessError } from '../../../activities/errors';
import { assertPublicDestination, privateUrlsAllowed } from '../../../activities/http/destination';
import { toJson } from '../../../prisma/json';
import { AppError, conflict, notFound } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';
import type { TenantDb } from '../../tenant-scope';
import { type DispatchTarget, dispatchEvent, generateSigningSecret, startDelivery } from '../../webhooks/dispatch';
import { EventPatternSchema } from '../../webhooks/events';

const httpProtocol = (u: string) => {
  try {
    const { protocol } = new URL(u);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
};

/** Receivers must be public in production (no loopback, private ranges, cloud metadata). */
async function requirePublicUrl(url: string): Promise<void> {
  try {
    await assertPublicDestination(new URL(url), privateUrlsAllowed());
  } catch (err) {
    if (err instanceof BusinessError) throw new AppError(400, 'private_destination', err.message);
    throw err;
  }
}

const UrlSchema = z.string().max(2048).url().refine(httpProtocol, { message: 'webhook URLs must be http or https' });

const EventsSchema = z
  .array(EventPatternSchema)
  .min(1)
  .max(50)
  .transform((events) => [...new Set(events)]);

const WebhookSchema = z
  .object({
    id: z.string().uuid(),
    url: z.string(),
    events: z.array(z.string()),
    active: z.boolean(),
    createdAt: z.date(),
  })
  .meta({
    id: 'Webhook',
    examples: [
      {
        id: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
        url: 'https://crm.example.com/hooks/switchboard',
        events: ['run.completed', 'contact.*'],
        active: true,
        createdAt: '2026-11-02T14:05:00.000Z',
      },
    ],
  });

const WebhookWithSecretSchema = WebhookSchema.extend({
  /** The signing secret, shown only in this response. */
  secret: z.string(),
}).meta({
  id: 'WebhookWithSecret',
  examples: [
    {
      id: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
      url: 'https://crm.example.com/hooks/switchboard',
      events: ['run.completed', 'contact.*'],
      active: true,
      createdAt: '2026-11-02T14:05:00.000Z',
      secret: 'whsec_6b1e0c9f4a2d4e8b9c3f7a5d1e0b2c4f',
    },
  ],
});

const DELIVERY_EXAMPLE = {
  id: '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
  subscriptionId: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
  eventId: 'evt_01JD3X8Q4W6Z',
  eventType: 'run.completed',
  status: 'delivered',
  attempts: 1,
  lastStatusCode: 200,
  lastError: null,
  createdAt: '2026-11-20T09:30:00.000Z',
  deliveredAt: '2026-11-20T09:30:01.000Z',
};

const DeliverySchema = z
  .object({
    id: z.string().uuid(),
    subscriptionId: z.string().uuid(),
    /** The event's id (the payload's `id`), shared by every delivery of the event and its replays. */
    eventId: z.string(),
    eventType: z.string(),
    /** pending | delivered | failed */
    status: z.string(),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.date(),
    deliveredAt: z.date().nullable(),
  })
  .meta({
    id: 'WebhookDelivery',
    examples: [DELIVERY_EXAMPLE],
  });

const DeliveryDetailSchema = DeliverySchema.extend({ payload: z.unknown() }).meta({
  id: 'WebhookDeliveryDetail',
  examples: [
    {
      ...DELIVERY_EXAMPLE,
      payload: {
        type: 'run.completed',
        data: { runId: '0d3c2b1a-7e6f-4a5b-9c8d-2e1f0a9b8c7d', outcome: 'answered-by-bot' },
      },
    },
  ],
});

const writeErrors = { ...errorResponses, 409: ErrorBodySchema, 503: ErrorBodySchema } as const;

type SubscriptionRow = { id: string; url: string; events: string[]; active: boolean; createdAt: Date };
const toWebhook = (row: SubscriptionRow) => ({
  id: row.id,
  url: row.url,
  events: row.events,
  active: row.active,
  createdAt: row.createdAt,
});

// A replay's row cannot reuse the event id (one delivery per subscription and event id), so it
// stores `<eventId>:replay:<deliveryId>`; the API shows the event id alone.
const REPLAY_MARK = ':replay:';
type DeliveryRow = z.infer<typeof DeliverySchema> & { payload: unknown };
const toDelivery = (row: DeliveryRow) => ({
  id: row.id,
  subscriptionId: row.subscriptionId,
  eventId: row.eventId.split(REPLAY_MARK)[0] ?? row.eventId,
  eventType: row.eventType,
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.lastStatusCode,
  lastError: row.lastError,
  createdAt: row.createdAt,
  deliveredAt: row.deliveredAt,
});

// The tenant scope of `request.tenantDb` does not cover the webhook models yet, so every query
// here names the tenant itself.
async function loadSubscription(db: TenantDb, tenantId: string, id: string) {
  const row = await db.webhookSubscription.findFirst({ where: { id, tenantId, deletedAt: null } });
  if (!row) throw notFound('webhook');
  return row;
}

function requireActive(sub: { active: boolean }) {
  if (!sub.active) throw conflict('webhook_inactive', 'the webhook is disabled: set it active first');
}

function target(app: FastifyInstance, request: { log: DispatchTarget['log'] }): DispatchTarget {
  return { client: app.temporal, taskQueue: app.taskQueue, log: request.log };
}

const notStarted = (deliveryId: string) =>
  new AppError(503, 'delivery_not_started', 'the delivery was recorded but could not start; replay it later', {
    deliveryId,
  });

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/webhooks',
    {
      config: { permission: 'webhooks.write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to events',
        description:
          'Answers with the signing secret, once. Deliveries are POSTed with `x-switchboard-signature: v1=<hex HMAC-SHA256 of "<x-switchboard-timestamp>.<raw body>">`.',
        body: z
          .strictObject({ url: UrlSchema, events: EventsSchema })
          // `example`, not `examples`: zod drops `examples` from the request side of a transforming schema.
          .meta({
            example: { url: 'https://crm.example.com/hooks/switchboard', events: ['run.completed', 'contact.*'] },
          }),
        response: { 201: WebhookWithSecretSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      await requirePublicUrl(request.body.url);
      const secret = generateSigningSecret();
      const row = await request.tenantDb.webhookSubscription.create({
        data: { tenantId, url: request.body.url, events: request.body.events, secret: app.secrets.seal(secret) },
      });
      await request.audit('webhook.created', {
        targetType: 'webhook',
        targetId: row.id,
        details: { url: row.url, events: row.events },
      });
      return reply.status(201).send({ ...toWebhook(row), secret });
    },
  );

  app.get(
    '/webhooks',
    {
      config: { permission: 'webhooks.read' },
      schema: {
        tags: ['webhooks'],
        summary: 'List webhook subscriptions, newest first',
        querystring: PageQuerySchema,
        response: {
          200: z.object({ items: z.array(WebhookSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const { limit, cursor } = request.query;
      const rows = await request.tenantDb.webhookSubscription.findMany({
        where: { tenantId, deletedAt: null, ...afterCursor('createdAt', cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map(toWebhook), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/webhooks/:id',
    {
      config: { permission: 'webhooks.read' },
      schema: {
        tags: ['webhooks'],
        summary: 'A webhook subscription (never its secret)',
        params: IdParamsSchema,
        response: { 200: WebhookSchema, ...errorResponses },
      },
    },
    async (request) =>
      toWebhook(await loadSubscription(request.tenantDb, requirePrincipal(request).tenantId, request.params.id)),
  );

  app.patch(
    '/webhooks/:id',
    {
      config: { permission: 'webhooks.write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Change the URL, the events, or pause and resume deliveries',
        params: IdParamsSchema,
        body: z
          .strictObject({ url: UrlSchema.optional(), events: EventsSchema.optional(), active: z.boolean().optional() })
          .meta({ example: { active: false } })
          .refine((b) => b.url !== undefined || b.events !== undefined || b.active !== undefined, {
            message: 'change at least one of url, events, active',
          }),
        response: { 200: WebhookSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const sub = await loadSubscription(request.tenantDb, tenantId, request.params.id);
      const { url, events, active } = request.body;
      if (url !== undefined) await requirePublicUrl(url);
      const row = await request.tenantDb.webhookSubscription.update({
        where: { id: sub.id, tenantId },
        data: {
          ...(url === undefined ? {} : { url }),
          ...(events === undefined ? {} : { events }),
          ...(active === undefined ? {} : { active }),
        },
      });
      await request.audit('webhook.updated', { targetType: 'webhook', targetId: row.id, details: request.body });
      return toWebhook(row);
    },
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { permission: 'webhooks.write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook subscription (its delivery log stays readable)',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const sub = await loadSubscription(request.tenantDb, tenantId, request.params.id);
      await request.tenantDb.webhookSubscription.update({
        where: { id: sub.id, tenantId },
        data: { deletedAt: new Date(), active: false },
      });
      await request.audit('webhook.deleted', { targetType: 'webhook', targetId: sub.id, details: { url: sub.url } });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      config: { permission: 'webhooks.write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Replace the signing secret (the new one is shown once; the old one stops at once)',
        params: IdParamsSchema,
        response: { 200: WebhookWithSecretSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const sub = await loadSubscription(request.tenantDb, tenantId, request.params.id);
      const secret = generateSigningSecret();
      const row = await request.tenantDb.webhookSubscription.update({
        where: { id: sub.id, tenantId },
        data: { secret: app.secrets.seal(secret) },
      });
      await request.audit('webhook.secret_rotated', { targetType: 'webhook', targetId: sub.id });
      return { ...toWebhook(row), secret };
    },
  );

  app.post(
    '/webhooks/:id/test',
    {
      config: { permission: 'webhooks.write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a `webhook.test` event to this subscription only',
        params: IdParamsSchema,
        response: { 202: DeliverySchema, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const sub = await loadSubscription(request.tenantDb, tenantId, request.params.id);
      requireActive(sub);
      const [delivery] = await dispatchEvent(
        app.db,
        target(app, request),
        tenantId,
        'webhook.test',
        { message: 'A test event from Switchboard', subscriptionId: sub.id },
        { subscriptionId: sub.id },
      );
      if (!delivery) throw conflict('webhook_inactive', 'the webhook is disabled: set it active first');
      if (!delivery.started) throw notStarted(delivery.id);
      const row = await request.tenantDb.webhookDelivery.findFirstOrThrow({ where: { id: delivery.id, tenantId } });
      return reply.status(202).send(toDelivery(row));
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { permission: 'webhooks.read' },
      schema: {
        tags: ['webhooks'],
        summary: "A subscription's delivery log, newest first",
        params: IdParamsSchema,
        querystring: PageQuerySchema.extend({ status: z.enum(['pending', 'delivered', 'failed']).optional() }),
        response: {
          200: z.object({ items: z.array(DeliverySchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const sub = await loadSubscription(request.tenantDb, tenantId, request.params.id);
      const { limit, cursor, status } = request.query;
      const rows = await request.tenantDb.webhookDelivery.findMany({
        where: { tenantId, subscriptionId: sub.id, ...(status ? { status } : {}), ...afterCursor('createdAt', cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map(toDelivery), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/webhook-deliveries/:id',
    {
      config: { permission: 'webhooks.read' },
      schema: {
        tags: ['webhooks'],
        summary: 'One delivery, with the payload it sends',
        params: IdParamsSchema,
        response: { 200: DeliveryDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const row = await request.tenantDb.webhookDelivery.findFirst({ where: { id: request.params.id, tenantId } });
      if (!row) throw notFound('webhook delivery');
      return { ...toDelivery(row), payload: row.payload };
    },
  );

  app.post(
    '/webhook-deliveries/:id/replay',
    {
      config: { permission: 'webhooks.write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Deliver the same payload again, as a new delivery (new delivery id)',
        params: IdParamsSchema,
        response: { 202: DeliverySchema, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const original = await request.tenantDb.webhookDelivery.findFirst({ where: { id: request.params.id, tenantId } });
      if (!original) throw notFound('webhook delivery');
      const sub = await request.tenantDb.webhookSubscription.findFirst({
        where: { id: original.subscriptionId, tenantId },
      });
      if (!sub || sub.deletedAt) throw conflict('webhook_deleted', 'the webhook of this delivery has been deleted');
      requireActive(sub);
      const id = randomUUID();
      const eventId = original.eventId.split(REPLAY_MARK)[0] ?? original.eventId;
      const row = await request.tenantDb.webhookDelivery.create({
        data: {
          id,
          tenantId,
          subscriptionId: sub.id,
          eventId: `${eventId}${REPLAY_MARK}${id}`,
          eventType: original.eventType,
          payload: toJson(original.payload),
          status: 'pending',
        },
      });
      await request.audit('webhook.delivery_replayed', {
        targetType: 'webhook_delivery',
        targetId: row.id,
        details: { replayOf: original.id },
      });
      if (!(await startDelivery(target(app, request), row.id))) throw notStarted(row.id);
      return reply.status(202).send(toDelivery(row));
    },
  );
};
