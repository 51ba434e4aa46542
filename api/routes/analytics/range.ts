// The period every analytics route reads: `from` (inclusive) and `to` (exclusive), the last 30
// days when absent, refused when backwards.
import { z } from 'zod';
import { AppError } from '../../errors';

export const RangeQuerySchema = z.object({ from: z.string().optional(), to: z.string().optional() });

const RangeSchema = z
  .object({
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
  })
  .transform((q) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 30 * 86_400_000);
    return { from, to };
  })
  .refine((r) => r.to > r.from, { message: 'to must be after from', path: ['to'] });

/** The query's period, or a 400 `invalid_range` saying what is wrong with it. */
export function parseRange(query: { from?: string | undefined; to?: string | undefined }): { from: Date; to: Date } {
  const range = RangeSchema.safeParse(query);
  if (!range.success) throw new AppError(400, 'invalid_range', range.error.issues[0]?.message ?? 'bad range');
  return range.data;
}
