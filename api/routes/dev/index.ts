import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DevInbox } from '../../mailer';

/** Development only: the mail the API would have sent (invitations), newest last. */
export function devInboxRoutes(inbox: DevInbox): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/dev/inbox',
      {
        schema: {
          tags: ['development'],
          summary: 'Mail sent in development (not served in production)',
          querystring: z.object({ to: z.string().optional() }),
          response: {
            200: z.object({
              items: z.array(z.object({ to: z.string(), subject: z.string(), text: z.string(), at: z.string() })),
            }),
          },
        },
      },
      async (request) => ({
        items: inbox.messages.filter((m) => !request.query.to || m.to === request.query.to.toLowerCase()),
      }),
    );
  };
}
