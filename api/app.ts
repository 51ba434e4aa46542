import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { demoPassages, ExtractiveAnswerer, type KnowledgeAnswerer } from '../activities/rag/answerer';
import type { KnowledgeRuntime } from '../activities/rag/runtime';
import type { Db } from '../prisma/client';
import { contactCachePlugin } from './contacts/read-cache';
import { registerErrorHandling } from './errors';
import { knowledgePlugin } from './knowledge/plugin';
import { inboxHubPlugin } from './live/inbox-hub';
import { pgListenerPlugin } from './live/pg-listener';
import { DevInbox, type Mailer, UnconfiguredMailer } from './mailer';
import { onboardingStepsFromApi } from './onboarding/steps-from-api';
import { authPlugin, type RouteAccess, requireDeclaredPermissions } from './plugins/auth';
import { dbPlugin } from './plugins/db';
import { eventsPlugin } from './plugins/events';
import { idempotencyPlugin } from './plugins/idempotency';
import { secretsPlugin } from './plugins/secrets';
import { temporalPlugin } from './plugins/temporal';
import { apiKeyRoutes } from './routes/api-keys';
import { auditRoutes } from './routes/audit';
import { authRoutes } from './routes/auth';
import { contactRoutes } from './routes/contacts';
import { devInboxRoutes } from './routes/dev';
import { flowRoutes } from './routes/flows';
import { healthRoutes } from './routes/health';
import { hookRoutes } from './routes/hooks';
import { memberRoutes } from './routes/members';
import { runRoutes } from './routes/runs';
import { webchatRoutes } from './routes/webchat';
import { webhookRoutes } from './routes/webhooks';

export interface BuildAppOptions {
  db: Db;
  /** Signs user access tokens (HS256). */
  jwtSecret: string;
  /**
   * Sends the API's own mail (invitations); defaults to the development inbox, or in production
   * (where nobody can read that inbox) to a mailer that fails every send with a clear error.
   */
  mailer?: Mailer;
  /** Seals secrets at rest (see api/crypto/secrets.ts), newest first. */
  encryptionKeys: string[];
  temporal: Client;
  taskQueue: string;
  logLevel?: string;
  bodyLimit?: number;
  /** A built editor to serve at `/` (its index.html answers unknown non-API paths). */
  editorDist?: string;
  /** Where the inbox hub LISTENs for live updates (the same database as `db`). */
  databaseUrl?: string;
  /** The public base URL providers post webhooks to (their signatures cover it). */
  publicUrl?: string;
  /** Answers voice agents' questions from the knowledge base; the extractive demo by default. */
  answerer?: KnowledgeAnswerer;
  /** The knowledge base for search and ask; by default built from the environment on first use. */
  knowledge?: () => KnowledgeRuntime;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The public base URL providers were given for webhooks, when configured. */
    publicUrl: string | undefined;
  }
}

/** Builds the API. It does not listen: `server.ts` does, and tests use `app.inject`. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: opts.logLevel ?? 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] },
    bodyLimit: opts.bodyLimit ?? 6 * 1024 * 1024,
    // Plugins connect to PostgreSQL and Temporal; on a loaded machine that can take a while.
    pluginTimeout: 60_000,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : crypto.randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  app.decorate('publicUrl', opts.publicUrl);

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
    // Emits the named schemas (`.meta({ id })`) as components, so every $ref resolves.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(dbPlugin, { db: opts.db });
  await app.register(temporalPlugin, { client: opts.temporal, taskQueue: opts.taskQueue });
  await app.register(secretsPlugin, { encryptionKeys: opts.encryptionKeys });
  await app.register(eventsPlugin);
  await app.register(pgListenerPlugin, opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {});
  await app.register(inboxHubPlugin);
  await app.register(knowledgePlugin, opts.knowledge ? { runtime: opts.knowledge } : {});
  await app.register(contactCachePlugin);
  await app.register(authPlugin, { jwtSecret: opts.jwtSecret });
  const routeAccess: RouteAccess[] = [];
  app.decorate('routeAccess', routeAccess);
  const production = process.env.NODE_ENV === 'production';
  const mailer = opts.mailer ?? (production ? new UnconfiguredMailer() : new DevInbox());
  if (mailer instanceof UnconfiguredMailer)
    app.log.warn('no SWITCHBOARD_SMTP_URL: invitations will fail until a mail server is configured');
  app.decorate('mailer', mailer);
  // Limits are declared per route (sign-in, sign-up, refresh…), keyed by client address.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      code: 'rate_limited',
      error: { code: 'rate_limited', message: `too many requests: try again in ${Math.ceil(ctx.ttl / 1000)} s` },
    }),
  });

  await app.register(healthRoutes);
  await app.register(webchatRoutes);
  await app.register(hookRoutes, {
    prefix: '/hooks',
    answerer: opts.answerer ?? new ExtractiveAnswerer(demoPassages),
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
  });
  if (mailer instanceof DevInbox && !production) await app.register(devInboxRoutes(mailer));
  await app.register(
    async (v1) => {
      requireDeclaredPermissions(v1, routeAccess);
      v1.addHook('onRequest', v1.authenticate);
      // Before validation: a caller without the permission learns nothing about the route's schema.
      v1.addHook('preValidation', v1.authorize);
      await v1.register(idempotencyPlugin);
      await v1.register(onboardingStepsFromApi);
      await v1.register(authRoutes);
      await v1.register(memberRoutes);
      await v1.register(apiKeyRoutes);
      await v1.register(auditRoutes);
      // Resource routes: one plugin per resource.
      await v1.register(contactRoutes);
      await v1.register(import('./routes/segments'));
      await v1.register(flowRoutes);
      await v1.register(runRoutes);
      await v1.register(import('./routes/imports'));
      await v1.register(import('./routes/exports'));
      await v1.register(webhookRoutes);
      await v1.register(import('./routes/channels'));
      await v1.register(import('./routes/conversations'));
      await v1.register(import('./routes/voice-agents'));
      await v1.register(import('./routes/phone-numbers'));
      await v1.register(import('./routes/calls'));
      await v1.register(import('./routes/campaigns'));
      await v1.register(import('./routes/sla'));
      await v1.register(import('./routes/escalations'));
      await v1.register(import('./routes/onboarding'));
      await v1.register(import('./routes/branding'));
      await v1.register(import('./routes/analytics/sla'));
      await v1.register(import('./routes/analytics/dashboards'));
      await v1.register(import('./routes/knowledge'));
      await v1.register(import('./routes/knowledge/search'));
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
