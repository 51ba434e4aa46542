import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const CheckSchema = z.object({ ok: z.boolean(), error: z.string().optional() });

async function check(fn: () => Promise<unknown>, timeoutMs = 3000): Promise<z.infer<typeof CheckSchema>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message.split('\n')[0] : 'unavailable' };
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness (`/health`: the process answers) and readiness (`/ready`: PostgreSQL and Temporal answer). */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    { schema: { tags: ['health'], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({
      status: 'ok' as const,
    }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        response: {
          200: z.object({
            status: z.enum(['ready', 'unavailable']),
            checks: z.object({ postgres: CheckSchema, temporal: CheckSchema }),
          }),
          503: z.object({
            status: z.enum(['ready', 'unavailable']),
            checks: z.object({ postgres: CheckSchema, temporal: CheckSchema }),
          }),
        },
      },
    },
    async (_request, reply) => {
      const [postgres, temporal] = await Promise.all([
        check(() => app.db.$queryRaw`SELECT 1`),
        check(() => app.temporal.workflowService.getSystemInfo({})),
      ]);
      const ready = postgres.ok && temporal.ok;
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: { postgres, temporal } });
    },
  );
};
