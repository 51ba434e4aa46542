import { z } from 'zod';
import { AppError } from './errors';

/** An opaque keyset cursor: the sort timestamp and id of the last row of the previous page. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()))
    throw new AppError(400, 'invalid_cursor', 'the cursor is not one this API returned');
  return { at: date, id };
}

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** Rows after the cursor in (at, id) order — descending unless asked — as a Prisma `where` fragment. */
export function afterCursor(field: string, cursor: string | undefined, direction: 'asc' | 'desc' = 'desc') {
  if (!cursor) return {};
  const { at, id } = decodeCursor(cursor);
  const op = direction === 'desc' ? 'lt' : 'gt';
  return { OR: [{ [field]: { [op]: at } }, { [field]: at, id: { [op]: id } }] };
}

export function page<T extends { id: string }>(rows: T[], limit: number, at: (row: T) => Date) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(at(last), last.id) : null };
}
