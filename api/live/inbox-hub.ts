import { EventEmitter } from 'node:events';
import fp from 'fastify-plugin';
import pg from 'pg';
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
 * Listens on the inbox NOTIFY channel with one dedicated connection and fans events out to the
 * subscribers of their tenant. Reconnects with backoff if the connection drops; clients refetch on
 * reconnect, so a notice lost in between loses nothing.
 */
export const inboxHubPlugin = fp<{ databaseUrl?: string }>(
  async (app, { databaseUrl }) => {
    const hub = new InboxHub();
    app.decorate('inboxHub', hub);
    if (!databaseUrl) return;
    let client: pg.Client | null = null;
    let closed = false;
    let retryTimer: NodeJS.Timeout | null = null;
    const connect = async (delayMs = 500) => {
      if (closed) return;
      const c = new pg.Client({ connectionString: databaseUrl });
      c.on('notification', (n) => {
        if (n.channel !== INBOX_CHANNEL || !n.payload) return;
        try {
          hub.publish(JSON.parse(n.payload) as InboxEvent);
        } catch {
          app.log.warn('an inbox notice was not JSON');
        }
      });
      c.on('error', () => undefined);
      c.on('end', () => {
        if (closed) return;
        retryTimer = setTimeout(() => void connect(Math.min(delayMs * 2, 30_000)), delayMs);
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${INBOX_CHANNEL}`);
        client = c;
      } catch (err) {
        app.log.warn({ err }, 'inbox LISTEN failed; retrying');
        await c.end().catch(() => undefined);
      }
    };
    await connect();
    app.addHook('onClose', async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
    });
  },
  { name: 'inbox-hub' },
);
