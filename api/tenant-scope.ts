import { Prisma } from '../generated/prisma/client';
import type { Db } from '../prisma/client';
import { localContactWrites } from './contacts/read-cache';

/**
 * Models whose rows carry `tenantId`, read from the generated client: a model added to the
 * schema with a tenantId is scoped without anyone remembering to list it. Tenant itself is scoped
 * by its id.
 */
export const TENANT_OWNED: ReadonlySet<string> = new Set(
  Object.values(Prisma.ModelName).filter((model) => {
    const fields = (Prisma as unknown as Record<string, Record<string, string> | undefined>)[`${model}ScalarFieldEnum`];
    return fields !== undefined && 'tenantId' in fields;
  }),
);

const WRITE_OPS = new Set(['update', 'updateMany', 'updateManyAndReturn', 'delete', 'deleteMany', 'upsert']);

const WHERE_OPS = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'count',
  'aggregate',
  'groupBy',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'delete',
  'deleteMany',
  'upsert',
]);

type Args = Record<string, unknown>;

/**
 * A client that can only see and write one tenant's rows: every query on a tenant-owned model
 * gets `tenantId` added to its filter and to the data it creates. Routes use this, never the raw
 * client, so a route cannot forget the scope; another tenant's id simply finds nothing.
 */
export function forTenant(db: Db, tenantId: string) {
  return db.$extends({
    name: 'tenant-scope',
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          const a = (args ?? {}) as Args;
          if (model === 'Tenant') {
            if (WHERE_OPS.has(operation)) a.where = { ...((a.where as Args) ?? {}), id: tenantId };
            return query(a);
          }
          if (!TENANT_OWNED.has(model)) return query(a);
          if (WHERE_OPS.has(operation)) a.where = { ...((a.where as Args) ?? {}), tenantId };
          if (operation === 'create') a.data = { ...((a.data as Args) ?? {}), tenantId };
          if (operation === 'createMany' || operation === 'createManyAndReturn') {
            const data = a.data as Args | Args[];
            a.data = Array.isArray(data) ? data.map((d) => ({ ...d, tenantId })) : { ...data, tenantId };
          }
          if (operation === 'upsert') a.create = { ...((a.create as Args) ?? {}), tenantId };
          if (model === 'Contact' && WRITE_OPS.has(operation)) {
            const result = await query(a);
            const id = (a.where as Args).id;
            localContactWrites.emit('changed', typeof id === 'string' ? [id] : '*');
            return result;
          }
          return query(a);
        },
      },
    },
  });
}

export type TenantDb = ReturnType<typeof forTenant>;

const cache = new WeakMap<Db, Map<string, TenantDb>>();
const CACHE_LIMIT = 1000;

/**
 * The tenant-scoped client for `tenantId`, built once per tenant: `$extends` builds a new client
 * object, too costly to repeat on every request.
 */
export function tenantDbFor(db: Db, tenantId: string): TenantDb {
  let perDb = cache.get(db);
  if (!perDb) {
    perDb = new Map();
    cache.set(db, perDb);
  }
  let scoped = perDb.get(tenantId);
  if (!scoped) {
    if (perDb.size >= CACHE_LIMIT) perDb.delete(perDb.keys().next().value as string);
    scoped = forTenant(db, tenantId);
    perDb.set(tenantId, scoped);
  }
  return scoped;
}
