import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { KnowledgeBase } from '../../activities/rag/knowledge-base';
import { type KnowledgeRuntime, knowledgeRuntime } from '../../activities/rag/runtime';
import { KnowledgeSettingsSchema } from '../../worker/config';

declare module 'fastify' {
  interface FastifyInstance {
    /** The knowledge base, built on first use (loading an embedding model takes a moment). */
    knowledge(): Promise<KnowledgeBase>;
  }
}

/**
 * Decorates `app.knowledge()`: the given runtime, or one built from the environment's knowledge
 * settings the first time a route asks for it.
 */
export const knowledgePlugin = fp(async (app: FastifyInstance, opts: { runtime?: () => KnowledgeRuntime }) => {
  let runtime: KnowledgeRuntime | undefined;
  const get = () => {
    runtime ??= opts.runtime ? opts.runtime() : knowledgeRuntime(app.db, KnowledgeSettingsSchema.parse(process.env));
    return runtime;
  };
  app.decorate('knowledge', async () => get().knowledge);
  app.addHook('onClose', async () => {
    await runtime?.store.close?.();
  });
});
