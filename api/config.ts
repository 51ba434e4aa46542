import { z } from 'zod';
import { KnowledgeSettingsShape, MailSettingsShape, TemporalConfigSchema } from '../worker/config';

/** Every setting the API reads, from the environment. README "Configuration" lists them. */
export const ApiConfigSchema = TemporalConfigSchema.extend({
  DATABASE_URL: z.string().url(),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Directory of the built editor to serve at `/`; empty disables it. */
  EDITOR_DIST: z.string().default(''),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(6 * 1024 * 1024),
  /** The public base URL providers post webhooks to; their signatures cover it. */
  SWITCHBOARD_PUBLIC_URL: z.string().url().optional(),
  ...MailSettingsShape,
  ...KnowledgeSettingsShape,
  /** Signs user access tokens; at least 32 characters. */
  SWITCHBOARD_JWT_SECRET: z.string().min(32, 'SWITCHBOARD_JWT_SECRET must be at least 32 characters'),
  /** Comma-separated base64 32-byte keys, newest first (rotation: prepend a new one). */
  SWITCHBOARD_ENCRYPTION_KEYS: z
    .string()
    .min(1)
    .transform((s) =>
      s
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    ),
});
export type ApiConfig = z.infer<typeof ApiConfigSchema>;
