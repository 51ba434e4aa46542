import { EventEmitter } from 'node:events';
import fp from 'fastify-plugin';
import { INBOX_CHANNEL, type InboxEvent } from '../../activities/channels/live';

declare module 'fastify' {
  interface FastifyInstance {
    /** Inbox changes from every process (PostgreSQL LISTEN), per tenant. */
    inboxHub: InboxHub;
  }
}

export class InboxHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open SSE/WebSocket client; hundreds are normal.
    this.emitter.setMaxListeners(0);
  }

  subscribe(tenantId: string, listener: (event: InboxEvent) => void): () => void {
    this.emitter.on(tenantId, listener);
    return () => this.emitter.off(tenantId, listener);
  }

  publish(event: InboxEvent): void {
    this.emitter.emit(event.tenantId, event);
  }
}

/**
 * Fans the inbox NOTIFY channel out to the subscribers of each event's tenant. Clients refetch
 * when their stream reconnects, so a notice lost while the listener was down loses nothing.
 */
export const inboxHubPlugin = fp(
  async (app) => {
    const hub = new InboxHub();
    app.decorate('inboxHub', hub);
    app.pgListener.on(INBOX_CHANNEL, (payload) => {
      try {
        hub.publish(JSON.parse(payload) as InboxEvent);
      } catch {
        app.log.warn('an inbox notice was not JSON');
      }
    });
  },
  { name: 'inbox-hub', dependencies: ['pg-listener'] },
);
