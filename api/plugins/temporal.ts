import type { Client } from '@temporalio/client';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    temporal: Client;
    taskQueue: string;
  }
}

/** Exposes the Temporal client and the task queue workflows are started on. */
export const temporalPlugin = fp<{ client: Client; taskQueue: string }>(
  async (app, { client, taskQueue }) => {
    app.decorate('temporal', client);
    app.decorate('taskQueue', taskQueue);
  },
  { name: 'temporal' },
);
