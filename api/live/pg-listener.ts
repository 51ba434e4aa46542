import type { FastifyBaseLogger } from 'fastify';
import fp from 'fastify-plugin';
import pg from 'pg';

declare module 'fastify' {
  interface FastifyInstance {
    /** PostgreSQL LISTEN for every notice channel the API follows, on one dedicated connection. */
    pgListener: PgListener;
  }
}

type Handler = (payload: string) => void;

/**
 * One connection LISTENing on every channel a handler was registered for. Reconnects with backoff
 * when the connection drops, and tells state watchers when it goes down and comes back: whatever
 * was derived from notices (a cache) must assume it missed some in between.
 */
export class PgListener {
  private readonly handlers = new Map<string, Handler[]>();
  private readonly watchers: Array<(listening: boolean) => void> = [];
  private client: pg.Client | null = null;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  listening = false;

  constructor(
    private readonly databaseUrl: string | undefined,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Register before the app is ready: channels are LISTENed on connect. */
  on(channel: string, handler: Handler): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
  }

  onStateChange(watcher: (listening: boolean) => void): void {
    this.watchers.push(watcher);
  }

  async start(): Promise<void> {
    if (this.databaseUrl && this.handlers.size > 0) await this.connect(500);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.setListening(false);
    await this.client?.end().catch(() => undefined);
  }

  private setListening(listening: boolean) {
    if (this.listening === listening) return;
    this.listening = listening;
    for (const watch of this.watchers) watch(listening);
  }

  private async connect(delayMs: number): Promise<void> {
    if (this.closed) return;
    const c = new pg.Client({ connectionString: this.databaseUrl });
    c.on('notification', (n) => {
      for (const handle of this.handlers.get(n.channel) ?? []) handle(n.payload ?? '');
    });
    c.on('error', () => undefined);
    c.on('end', () => {
      if (this.client === c) this.client = null;
      this.setListening(false);
      if (this.closed) return;
      this.retryTimer = setTimeout(() => void this.connect(Math.min(delayMs * 2, 30_000)), delayMs);
    });
    try {
      await c.connect();
      for (const channel of this.handlers.keys()) await c.query(`LISTEN ${channel}`);
      this.client = c;
      this.setListening(true);
    } catch (err) {
      this.log.warn({ err }, 'LISTEN failed; retrying');
      await c.end().catch(() => undefined);
    }
  }
}

/** Plugins register their channels while the app is built; listening starts when it is ready. */
export const pgListenerPlugin = fp<{ databaseUrl?: string }>(
  async (app, { databaseUrl }) => {
    const listener = new PgListener(databaseUrl, app.log);
    app.decorate('pgListener', listener);
    app.addHook('onReady', () => listener.start());
    app.addHook('onClose', () => listener.close());
  },
  { name: 'pg-listener' },
);
