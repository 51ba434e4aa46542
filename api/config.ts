import { z } from 'zod';
import { TemporalConfigSchema } from '../worker/config';

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
});
export type ApiConfig = z.infer<typeof ApiConfigSchema>;
