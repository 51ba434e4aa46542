import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Db } from '../prisma/client';
import { registerErrorHandling } from './errors';
import { authPlugin, requireDeclaredPermissions } from './plugins/auth';
import { dbPlugin } from './plugins/db';
import { temporalPlugin } from './plugins/temporal';
import { contactRoutes } from './routes/contacts';
import { flowRoutes } from './routes/flows';
import { healthRoutes } from './routes/health';
import { runRoutes } from './routes/runs';

export interface BuildAppOptions {
  db: Db;
  /** Signs user access tokens (HS256). */
  jwtSecret: string;
  /** Seals secrets at rest (see api/crypto/secrets.ts), newest first. */
  encryptionKeys: string[];
  temporal: Client;
  taskQueue: string;
  logLevel?: string;
  bodyLimit?: number;
  /** A built editor to serve at `/` (its index.html answers unknown non-API paths). */
  editorDist?: string;
}

/** Builds the API. It does not listen: `server.ts` does, and tests use `app.inject`. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: opts.logLevel ?? 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] },
    bodyLimit: opts.bodyLimit ?? 6 * 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : crypto.randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Switchboard API',
        version: '0.1.0',
        description: 'Flows, journeys and contacts. Authenticate with an API key.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'sbk_… API key' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(dbPlugin, { db: opts.db });
  await app.register(temporalPlugin, { client: opts.temporal, taskQueue: opts.taskQueue });
  await app.register(authPlugin, { jwtSecret: opts.jwtSecret });

  await app.register(healthRoutes);
  await app.register(
    async (v1) => {
      requireDeclaredPermissions(v1);
      v1.addHook('onRequest', v1.authenticate);
      v1.addHook('preHandler', v1.authorize);
      // Resource routes: one plugin per resource.
      await v1.register(contactRoutes);
      await v1.register(flowRoutes);
      await v1.register(runRoutes);
    },
    { prefix: '/v1' },
  );

  const editorDist = opts.editorDist ? resolve(opts.editorDist) : '';
  if (editorDist && existsSync(resolve(editorDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: editorDist, prefix: '/', wildcard: false });
    app.get('/*', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
  }
  return app;
}
