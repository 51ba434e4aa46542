import type { Prisma } from '../generated/prisma/client';

/**
 * Converts a value to what a Json column stores. The round trip drops `undefined` and functions
 * exactly as the database would, so what is written is what a later read will parse.
 */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as Prisma.InputJsonValue;
}
