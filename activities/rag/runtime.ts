// The knowledge base as configured: which embedder, which vector store, which chat model. The API
// (search, ask, voice agents) and the worker (ingestion, ai-reply) build the same one from the
// same settings, so they read and write the same vectors.
import { resolve } from 'node:path';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI } from '@langchain/openai';
import type { Db } from '../../prisma/client';
import type { KnowledgeSettings } from '../../worker/config';
import { embedderFromConfig } from './embedders';
import { KnowledgeBase } from './knowledge-base';
import { LanceVectorStore } from './stores/lancedb';
import { PineconeVectorStore } from './stores/pinecone';
import type { Embedder, VectorStore } from './types';

export interface KnowledgeRuntime {
  embedder: Embedder;
  store: VectorStore;
  chat?: BaseChatModel;
  knowledge: KnowledgeBase;
}

export class KnowledgeConfigError extends Error {}

export function knowledgeRuntime(
  db: Db,
  settings: KnowledgeSettings,
  opts: { chat?: BaseChatModel; store?: VectorStore } = {},
): KnowledgeRuntime {
  const embedder =
    settings.SWITCHBOARD_EMBEDDER === 'openai'
      ? embedderFromConfig({
          kind: 'openai',
          baseUrl: required(settings.SWITCHBOARD_EMBEDDINGS_URL, 'SWITCHBOARD_EMBEDDINGS_URL'),
          apiKey: required(settings.SWITCHBOARD_EMBEDDINGS_API_KEY, 'SWITCHBOARD_EMBEDDINGS_API_KEY'),
          model: settings.SWITCHBOARD_EMBEDDINGS_MODEL,
          ...(settings.SWITCHBOARD_EMBEDDINGS_DIMENSIONS
            ? { dimensions: settings.SWITCHBOARD_EMBEDDINGS_DIMENSIONS }
            : {}),
        })
      : embedderFromConfig({ kind: 'use-lite' });
  const store: VectorStore =
    opts.store ??
    (settings.SWITCHBOARD_VECTOR_STORE === 'pinecone'
      ? new PineconeVectorStore({
          apiKey: required(settings.PINECONE_API_KEY, 'PINECONE_API_KEY'),
          indexName: required(settings.PINECONE_INDEX, 'PINECONE_INDEX'),
          indexHost: required(settings.PINECONE_INDEX_HOST, 'PINECONE_INDEX_HOST'),
        })
      : new LanceVectorStore(resolve(settings.SWITCHBOARD_VECTOR_DIR)));
  const chat =
    opts.chat ??
    (settings.SWITCHBOARD_CHAT_URL
      ? new ChatOpenAI({
          model: settings.SWITCHBOARD_CHAT_MODEL,
          apiKey: settings.SWITCHBOARD_CHAT_API_KEY ?? 'unused',
          temperature: 0,
          maxRetries: 2,
          timeout: 30_000,
          configuration: { baseURL: settings.SWITCHBOARD_CHAT_URL },
        })
      : undefined);
  return {
    embedder,
    store,
    ...(chat ? { chat } : {}),
    knowledge: new KnowledgeBase({ db, embedder, store, ...(chat ? { chat } : {}) }),
  };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new KnowledgeConfigError(`${name} is required with this knowledge configuration`);
  return value;
}
