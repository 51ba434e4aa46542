import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HostedCallAdapter } from '../../../activities/calls/hosted';
import { messagingProviderFor } from '../../../activities/channels/registry';
import { openChannel, sealCredentials } from '../../../activities/channels/store';
import { PROVIDER_SCHEMAS } from '../../../activities/providers/config';
import { TwilioVoiceProvider } from '../../../activities/providers/twilio/voice';
import { ChannelKindSchema, ProviderNameSchema } from '../../../activities/providers/types';
import type { Channel } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { AppError, notFound } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';

const ChannelOutSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    kind: ChannelKindSchema,
    provider: ProviderNameSchema,
    /** What is not secret; credentials are never returned, only whether they are set. */
    config: z.record(z.string(), z.unknown()),
    hasCredentials: z.boolean(),
    status: z.enum(['unverified', 'connected', 'error', 'disabled']),
    statusDetail: z.string().nullable(),
    lastTestedAt: z.date().nullable(),
    /** Where to point the provider's webhooks. */
    webhooks: z.record(z.string(), z.string()),
    createdAt: z.date(),
  })
  .meta({
    id: 'Channel',
    examples: [
      {
        id: '8a4f1e2d-3b5c-4d6e-9f70-1a2b3c4d5e6f',
        name: 'US SMS',
        kind: 'sms',
        provider: 'twilio',
        config: { accountSid: 'AC0123456789abcdef0123456789abcdef', from: '+14155550123' },
        hasCredentials: true,
        status: 'connected',
        statusDetail: null,
        lastTestedAt: '2026-11-02T14:05:00.000Z',
        webhooks: { inbound: 'https://api.example.com/hooks/twilio/8a4f1e2d-3b5c-4d6e-9f70-1a2b3c4d5e6f/sms' },
        createdAt: '2026-11-02T14:05:00.000Z',
      },
    ],
  });

const CreateChannelSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: ChannelKindSchema,
    provider: ProviderNameSchema,
    config: z.record(z.string(), z.unknown()).default({}),
    /** Provider secrets (auth token, access token, bot token, SMTP password…); sealed at rest. */
    credentials: z.record(z.string(), z.unknown()).default({}),
  })
  // A sandbox channel: it works without a carrier account, and nothing it does leaves the machine
  // (the API fuzzer creates channels from this example). A Twilio channel's config is
  // { accountSid, from | messagingServiceSid } with credentials { authToken }.
  .meta({
    examples: [
      {
        name: 'Sandbox SMS',
        kind: 'sms',
        provider: 'sandbox',
        config: { from: '+15005550006', replyDelayMs: 1500 },
        credentials: { authToken: 'sandbox-signing-key-3f9a1c7e' },
      },
    ],
  });

const UpdateChannelSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    /** Replaces every secret at once (rotation). */
    credentials: z.record(z.string(), z.unknown()).optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ examples: [{ name: 'US SMS (main)', enabled: false }] });

function webhooksOf(row: Channel, base: string): Record<string, string> {
  const root = `${base.replace(/\/$/, '')}/hooks`;
  switch (row.provider) {
    case 'twilio':
    case 'sandbox':
      return row.kind === 'voice'
        ? {
            incomingCall: `${root}/twilio/${row.id}/voice/incoming`,
            callStatus: `${root}/twilio/${row.id}/voice/status`,
          }
        : { incomingMessage: `${root}/twilio/${row.id}/messages`, status: `${root}/twilio/${row.id}/status` };
    case 'meta':
      return { callback: `${root}/meta/${row.id}` };
    case 'telegram':
      return { setWebhook: `${root}/telegram/${row.id}` };
    case 'smtp':
      return { inboundEmail: `${root}/email/${row.id}` };
    case 'webchat':
      return { widget: `${base.replace(/\/$/, '')}/webchat/${row.id}/widget.js` };
    case 'vapi':
      // Each call's assistant is given this URL (with ?call=<id>); it takes Vapi's server messages.
      return { serverUrl: `${root}/vapi/${row.id}` };
    default:
      return {};
  }
}

/** Validates config and secrets against the provider's schemas; every problem named by its path. */
function validateChannel(
  provider: z.infer<typeof ProviderNameSchema>,
  kind: string,
  config: unknown,
  secrets: unknown,
) {
  const schemas = PROVIDER_SCHEMAS[provider];
  if (!(schemas.kinds as readonly string[]).includes(kind)) {
    throw new AppError(400, 'unsupported_kind', `${provider} channels carry ${schemas.kinds.join(', ')}, not ${kind}`);
  }
  const c = schemas.config.safeParse(config);
  const s = schemas.secrets.safeParse(secrets);
  const issues = [
    ...(c.success ? [] : c.error.issues.map((i) => ({ path: ['config', ...i.path].join('.'), message: i.message }))),
    ...(s.success
      ? []
      : s.error.issues.map((i) => ({ path: ['credentials', ...i.path].join('.'), message: i.message }))),
  ];
  if (issues.length > 0) {
    throw new AppError(
      400,
      'invalid_channel',
      `the ${provider} channel is not valid: ${issues[0]?.path} ${issues[0]?.message}`,
      issues,
    );
  }
  return { config: c.data as Record<string, unknown>, secrets: s.data as Record<string, unknown> };
}

/** Secrets a provider can make up itself (the sandbox's signing token, an inbound-email token, Vapi's server secret). */
function withGeneratedSecrets(provider: string, given: Record<string, unknown>): Record<string, unknown> {
  const token = () => randomBytes(24).toString('hex');
  if (provider === 'sandbox') return { authToken: token(), ...given };
  if (provider === 'smtp') return { inboundToken: token(), ...given };
  if (provider === 'telegram') return { secretToken: token(), ...given };
  if (provider === 'vapi') return { webhookSecret: token(), ...given };
  return given;
}

const channelRoutes: FastifyPluginAsyncZod = async (app) => {
  const baseUrl = (request: { protocol: string; headers: { host?: string } }) =>
    app.publicUrl ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`;
  const toOut = (row: Channel, base: string) => ({
    id: row.id,
    name: row.name,
    kind: ChannelKindSchema.parse(row.kind),
    provider: ProviderNameSchema.parse(row.provider),
    config: (row.config ?? {}) as Record<string, unknown>,
    hasCredentials: row.credentials !== null,
    status: row.status as 'unverified' | 'connected' | 'error' | 'disabled',
    statusDetail: row.statusDetail,
    lastTestedAt: row.lastTestedAt,
    webhooks: webhooksOf(row, base),
    createdAt: row.createdAt,
  });

  app.get(
    '/channels',
    {
      config: { permission: 'channels.read' },
      schema: {
        tags: ['channels'],
        summary: 'List channels',
        querystring: z.object({ kind: ChannelKindSchema.optional() }),
        response: { 200: z.object({ items: z.array(ChannelOutSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await request.tenantDb.channel.findMany({
        where: request.query.kind ? { kind: request.query.kind } : {},
        orderBy: { createdAt: 'asc' },
      });
      return { items: rows.map((r) => toOut(r, baseUrl(request))) };
    },
  );

  app.post(
    '/channels',
    {
      config: { permission: 'channels.write' },
      schema: {
        tags: ['channels'],
        summary: 'Connect a channel (credentials are sealed with AES-256-GCM and never returned)',
        body: CreateChannelSchema,
        response: { 201: ChannelOutSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const { name, kind, provider } = request.body;
      const { config, secrets } = validateChannel(
        provider,
        kind,
        request.body.config,
        withGeneratedSecrets(provider, request.body.credentials),
      );
      const existing = await request.tenantDb.channel.findFirst({ where: { name } });
      if (existing) throw new AppError(409, 'channel_exists', `a channel named "${name}" exists`);
      const row = await request.tenantDb.channel.create({
        data: {
          tenantId,
          name,
          kind,
          provider,
          config: toJson(config),
          credentials: Object.keys(secrets).length ? sealCredentials(app.secrets, secrets) : null,
          status: provider === 'sandbox' || provider === 'webchat' ? 'connected' : 'unverified',
        },
      });
      await request.audit('channel.created', {
        targetType: 'channel',
        targetId: row.id,
        details: { kind, provider, name },
      });
      return reply.status(201).send(toOut(row, baseUrl(request)));
    },
  );

  app.get(
    '/channels/:id',
    {
      config: { permission: 'channels.read' },
      schema: {
        tags: ['channels'],
        summary: 'Get a channel',
        params: IdParamsSchema,
        response: { 200: ChannelOutSchema, ...errorResponses },
      },
    },
    async (request) => {
      const row = await request.tenantDb.channel.findFirst({ where: { id: request.params.id } });
      if (!row) throw notFound('channel');
      return toOut(row, baseUrl(request));
    },
  );

  app.patch(
    '/channels/:id',
    {
      config: { permission: 'channels.write' },
      schema: {
        tags: ['channels'],
        summary: 'Rename, reconfigure, rotate credentials, enable or disable a channel',
        params: IdParamsSchema,
        body: UpdateChannelSchema,
        response: { 200: ChannelOutSchema, ...errorResponses },
      },
    },
    async (request) => {
      const row = await request.tenantDb.channel.findFirst({ where: { id: request.params.id } });
      if (!row) throw notFound('channel');
      const { name } = request.body;
      // Names are unique per tenant: a rename onto another channel's name is the client's conflict, as on create.
      if (name && name !== row.name && (await request.tenantDb.channel.findFirst({ where: { name } })))
        throw new AppError(409, 'channel_exists', `a channel named "${name}" exists`);
      const current = openChannel(row, app.secrets);
      const provider = ProviderNameSchema.parse(row.provider);
      const next = validateChannel(
        provider,
        row.kind,
        request.body.config ?? row.config,
        request.body.credentials ? withGeneratedSecrets(provider, request.body.credentials) : current.secrets,
      );
      const updated = await request.tenantDb.channel.update({
        where: { id: row.id },
        data: {
          ...(request.body.name ? { name: request.body.name } : {}),
          config: toJson(next.config),
          ...(request.body.credentials
            ? { credentials: sealCredentials(app.secrets, next.secrets), status: 'unverified', statusDetail: null }
            : {}),
          ...(request.body.enabled === false ? { status: 'disabled' } : {}),
          ...(request.body.enabled === true && row.status === 'disabled' ? { status: 'unverified' } : {}),
        },
      });
      if (request.body.credentials) {
        await request.audit('channel.credentials_changed', { targetType: 'channel', targetId: row.id });
      }
      return toOut(updated, baseUrl(request));
    },
  );

  app.delete(
    '/channels/:id',
    {
      config: { permission: 'channels.write' },
      schema: {
        tags: ['channels'],
        summary: 'Remove a channel',
        params: IdParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const row = await request.tenantDb.channel.findFirst({ where: { id: request.params.id } });
      if (!row) throw notFound('channel');
      await request.tenantDb.channel.delete({ where: { id: row.id } });
      await request.audit('channel.deleted', { targetType: 'channel', targetId: row.id, details: { name: row.name } });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/channels/:id/test',
    {
      config: { permission: 'channels.write' },
      schema: {
        tags: ['channels'],
        summary: "Test a channel's connection with a cheap authenticated call; records the status",
        params: IdParamsSchema,
        response: { 200: ChannelOutSchema, ...errorResponses },
      },
    },
    async (request) => {
      const row = await request.tenantDb.channel.findFirst({ where: { id: request.params.id } });
      if (!row) throw notFound('channel');
      let status: 'connected' | 'error';
      let detail: string;
      try {
        const channel = openChannel(row, app.secrets);
        const tester =
          channel.provider === 'vapi'
            ? HostedCallAdapter.forChannel(channel)
            : channel.provider === 'twilio' && channel.kind === 'voice'
              ? new TwilioVoiceProvider(channel.config, channel.secrets)
              : messagingProviderFor(channel);
        detail = (await tester.testConnection()).detail;
        status = 'connected';
      } catch (err) {
        status = 'error';
        detail = (err as Error).message.slice(0, 500);
      }
      const updated = await request.tenantDb.channel.update({
        where: { id: row.id },
        data: {
          status: row.status === 'disabled' ? 'disabled' : status,
          statusDetail: detail,
          lastTestedAt: new Date(),
        },
      });
      return toOut(updated, baseUrl(request));
    },
  );

  app.post(
    '/channels/reseal',
    {
      config: { permission: 'settings.write' },
      schema: {
        tags: ['channels'],
        summary: 'Re-seal every channel credential with the newest encryption key (after adding one)',
        response: {
          200: z.object({ resealed: z.number().int() }).meta({ examples: [{ resealed: 4 }] }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const rows = await request.tenantDb.channel.findMany({ where: { credentials: { not: null } } });
      let resealed = 0;
      for (const row of rows) {
        if (!row.credentials || !app.secrets.isStale(row.credentials)) continue;
        await request.tenantDb.channel.update({
          where: { id: row.id },
          data: { credentials: app.secrets.reseal(row.credentials) },
        });
        resealed++;
      }
      await request.audit('channel.credentials_resealed', { details: { resealed } });
      return { resealed };
    },
  );
};

export default channelRoutes;
