import fp from 'fastify-plugin';
import type { Db } from '../../prisma/client';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

/** Exposes the Prisma client. The caller owns it (and disconnects it). */
export const dbPlugin = fp<{ db: Db }>(
  async (app, { db }) => {
    app.decorate('db', db);
  },
  { name: 'db' },
);
