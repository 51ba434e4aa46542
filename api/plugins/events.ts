import fp from 'fastify-plugin';
import { dispatchEvent } from '../webhooks/dispatch';
import type { EventType } from '../webhooks/events';

export type { EventType } from '../webhooks/events';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Publishes a domain event to the tenant's webhook subscriptions whose patterns match: one
     * delivery row and one `deliverWebhook` workflow per subscription. Never rejects: a failure is
     * logged, and deliveries whose workflow could not start stay pending (replay delivers them).
     */
    emitEvent(tenantId: string, type: EventType, data: Record<string, unknown>): Promise<void>;
  }
}

export const eventsPlugin = fp(
  async (app) => {
    app.decorate('emitEvent', async (tenantId: string, type: EventType, data: Record<string, unknown>) => {
      try {
        await dispatchEvent(
          app.db,
          { client: app.temporal, taskQueue: app.taskQueue, log: app.log },
          tenantId,
          type,
          data,
        );
      } catch (err) {
        app.log.error({ err, tenantId, type }, 'could not emit an event to webhooks');
      }
    });
  },
  { name: 'events', dependencies: ['db', 'temporal'] },
);
