import { z } from 'zod';

/** Settings shared by the worker and the API, read from the environment once. */
export const TemporalConfigSchema = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('switchboard'),
});

/** `NAME=` in an env file (or compose's `${NAME:-}`) means unset. */
const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);

/** Switchboard's own mail (invitations, onboarding reminders): the API and the worker read these. */
export const MailSettingsShape = {
  /**
   * The SMTP relay Switchboard's own mail (invitations, reminders) goes through: `smtp://user:pass@host:587`
   * (STARTTLS) or `smtps://user:pass@host:465` (implicit TLS). Unset (or empty): the development
   * inbox, and in production invitations fail with `mail_not_configured`.
   */
  SWITCHBOARD_SMTP_URL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .refine(
        (v) => /^smtps?:\/\/[^/?#]+/i.test(v),
        'SWITCHBOARD_SMTP_URL must be smtp://user:pass@host:port or smtps://…',
      )
      .optional(),
  ),
  /** The From of the API's own mail, e.g. `Switchboard <no-reply@example.com>`; required with SMTP. */
  SWITCHBOARD_MAIL_FROM: z.preprocess(emptyAsUnset, z.string().optional()),
};

/** The knowledge base's adapters (activities/rag/runtime.ts): the API and the worker read these. */
export const KnowledgeSettingsShape = {
  /** `use-lite` (default: Universal Sentence Encoder Lite, offline) or `openai` (any OpenAI-compatible API). */
  SWITCHBOARD_EMBEDDER: z.preprocess(emptyAsUnset, z.enum(['use-lite', 'openai']).default('use-lite')),
  SWITCHBOARD_EMBEDDINGS_URL: z.preprocess(emptyAsUnset, z.string().url().optional()),
  SWITCHBOARD_EMBEDDINGS_API_KEY: z.preprocess(emptyAsUnset, z.string().optional()),
  SWITCHBOARD_EMBEDDINGS_MODEL: z.preprocess(emptyAsUnset, z.string().default('text-embedding-3-small')),
  SWITCHBOARD_EMBEDDINGS_DIMENSIONS: z.preprocess(emptyAsUnset, z.coerce.number().int().positive().optional()),
  /** `lancedb` (default: embedded, on disk) or `pinecone`. */
  SWITCHBOARD_VECTOR_STORE: z.preprocess(emptyAsUnset, z.enum(['lancedb', 'pinecone']).default('lancedb')),
  /** The embedded store's directory. */
  SWITCHBOARD_VECTOR_DIR: z.preprocess(emptyAsUnset, z.string().default('.data/vectors')),
  PINECONE_API_KEY: z.preprocess(emptyAsUnset, z.string().optional()),
  PINECONE_INDEX: z.preprocess(emptyAsUnset, z.string().optional()),
  /** The index's host (from the Pinecone console): no control-plane lookup is made. */
  PINECONE_INDEX_HOST: z.preprocess(emptyAsUnset, z.string().optional()),
  /** A chat model behind any OpenAI-compatible API; unset: extractive answers (cited passages). */
  SWITCHBOARD_CHAT_URL: z.preprocess(emptyAsUnset, z.string().url().optional()),
  SWITCHBOARD_CHAT_API_KEY: z.preprocess(emptyAsUnset, z.string().optional()),
  SWITCHBOARD_CHAT_MODEL: z.preprocess(emptyAsUnset, z.string().default('gpt-4o-mini')),
};
export const KnowledgeSettingsSchema = z.object(KnowledgeSettingsShape);
export type KnowledgeSettings = z.infer<typeof KnowledgeSettingsSchema>;

export const WorkerConfigSchema = TemporalConfigSchema.extend({
  ...MailSettingsShape,
  ...KnowledgeSettingsShape,
  DATABASE_URL: z.string().url(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(100),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().positive().default(40),
  /**
   * Workflows kept in memory between tasks; the SDK's default (600 per GB of heap limit) when
   * unset. Lower saves memory but replays every journey whose next event finds it evicted: with
   * thousands of campaign journeys in flight, 500 made each one replay its history once.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().positive().optional(),
  /**
   * Take tasks only while the machine's CPU is below this fraction (0–1), up to the maximums above;
   * 0 (the default): fixed slots, the maximums. It watches the whole machine's CPU, so on a machine
   * shared with Temporal and PostgreSQL it throttles the worker for their load: a 4,000-recipient
   * campaign's journeys drained at 16 a second under 0.8 against 31 with fixed slots, and the
   * worker peaked at 3.7 GB (journeys waiting in its cache for an activity slot) against 1.4 GB.
   * The dispatcher no longer needs it: new workflows are held back while it dispatches (below).
   */
  WORKER_TARGET_CPU: z.coerce.number().min(0).max(1).default(0),
  /**
   * While a campaign dispatch runs in this worker, new workflows begin at most this often (a
   * second); journeys already under way carry on. On two cores the Temporal server is the
   * bottleneck, and a journey costs it many times what a start does (20k recipients: 0.68 of the
   * raw start rate at 2 a second, 0.79 at 0.5). 0: no such limit.
   */
  WORKER_NEW_WORKFLOWS_PER_SECOND_WHILE_DISPATCHING: z.coerce.number().min(0).default(0.5),
  /** Opens sealed secrets (webhook signing secrets); the API's keys, newest first. */
  SWITCHBOARD_ENCRYPTION_KEYS: z.string().min(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Where providers and the sandbox network post webhooks: the API's public base URL. */
  SWITCHBOARD_PUBLIC_URL: z.string().url().default('http://127.0.0.1:3000'),
  /**
   * Tenants with no channel of a kind send through the sandbox (development). Off by default in
   * production, where a missing channel must fail the send, not fake it.
   */
  SWITCHBOARD_SANDBOX_FALLBACK: z
    .enum(['true', 'false', '1', '0'])
    .default(process.env.NODE_ENV === 'production' ? 'false' : 'true')
    .transform((v) => v === 'true' || v === '1'),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;
