import { EventEmitter } from 'node:events';
import fp from 'fastify-plugin';
import type { ContactOut } from './model';

/** NOTIFY channel the Contact triggers announce changed ids on (see the contact_change_notices migration). */
export const CONTACT_CHANNEL = 'switchboard_contact';

/**
 * Contact writes made through a tenant-scoped client in this process, announced synchronously so
 * a read right after a write in the same process never sees the cache's older copy (the NOTIFY
 * from the same commit arrives a moment later).
 */
export const localContactWrites = new EventEmitter<{ changed: [ids: string[] | '*'] }>();
localContactWrites.setMaxListeners(0);

/** Parses a notice payload: comma-separated ids, or `*` for "too many to list". */
export const changedIdsOf = (payload: string): string[] | '*' =>
  payload === '*' || payload === '' ? '*' : payload.split(',');

interface Entry {
  tenantId: string;
  contact: ContactOut;
  until: number;
}

/**
 * Contacts as GET /contacts/:id last answered them, per API process. Only used while the process
 * is LISTENing for change notices: any write, from any process, evicts its ids (or everything).
 * A read that began before an eviction is not stored (the generation check), so an answer read
 * before a write can never outlive it here. Entries also expire after `ttlMs`, a backstop rather
 * than the mechanism. Another process's write reaches this cache one NOTIFY later (milliseconds).
 */
export class ContactReadCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private active = false;

  constructor(private readonly opts: { max: number; ttlMs: number } = { max: 10_000, ttlMs: 60_000 }) {}

  get(tenantId: string, id: string): ContactOut | undefined {
    if (!this.active) return undefined;
    const entry = this.entries.get(id);
    if (!entry || entry.tenantId !== tenantId) return undefined;
    if (entry.until <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.contact;
  }

  /** Take before reading from the database; hand to `store` with what was read. */
  mark(): number {
    return this.generation;
  }

  store(mark: number, tenantId: string, contact: ContactOut): void {
    if (!this.active || mark !== this.generation) return;
    if (this.entries.size >= this.opts.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(contact.id, { tenantId, contact, until: Date.now() + this.opts.ttlMs });
  }

  forget(ids: string[] | '*'): void {
    this.generation++;
    if (ids === '*') this.entries.clear();
    else for (const id of ids) this.entries.delete(id);
  }

  /** On while change notices are being received; turning either way drops everything. */
  setActive(active: boolean): void {
    this.active = active;
    this.forget('*');
  }

  get size(): number {
    return this.entries.size;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    contactCache: ContactReadCache;
  }
}

/** The app's contact cache, active while change notices flow (never without a database URL to LISTEN on). */
export const contactCachePlugin = fp(
  async (app) => {
    const cache = new ContactReadCache();
    app.decorate('contactCache', cache);
    app.pgListener.on(CONTACT_CHANNEL, (payload) => cache.forget(changedIdsOf(payload)));
    app.pgListener.onStateChange((listening) => cache.setActive(listening));
    const onLocalWrite = (ids: string[] | '*') => cache.forget(ids);
    localContactWrites.on('changed', onLocalWrite);
    app.addHook('onClose', async () => {
      localContactWrites.off('changed', onLocalWrite);
    });
  },
  { name: 'contact-cache', dependencies: ['pg-listener'] },
);
