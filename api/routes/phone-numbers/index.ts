import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotAVoiceChannel, numberProviderFor } from '../../../activities/calls/provider';
import { ChannelUnreadable, type LoadedChannel, openChannel } from '../../../activities/channels/store';
import { PermanentSendError, TransientSendError } from '../../../activities/providers/types';
import { type PhoneNumber, Prisma } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { AppError, conflict, notFound } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { ErrorBodySchema, errorResponses, IdParamsSchema } from '../../schemas';

const E164Schema = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +14155550100');
const CapabilitiesSchema = z.object({
  voice: z.boolean().default(false),
  sms: z.boolean().default(false),
  mms: z.boolean().default(false),
});

const PhoneNumberSchema = z
  .object({
    id: z.string().uuid(),
    channelId: z.string().uuid(),
    e164: z.string(),
    providerSid: z.string(),
    capabilities: CapabilitiesSchema,
    /** Inbound calls are answered by this agent… */
    voiceAgentId: z.string().uuid().nullable(),
    /** …or start a run of this flow for the caller. */
    flowId: z.string().uuid().nullable(),
    createdAt: z.date(),
  })
  .meta({
    id: 'PhoneNumber',
    examples: [
      {
        id: 'f0a1b2c3-d4e5-4f6a-9b7c-8d9e0f1a2b3c',
        channelId: '8a4f1e2d-3b5c-4d6e-9f70-1a2b3c4d5e6f',
        e164: '+14155550123',
        providerSid: 'PN0123456789abcdef0123456789abcdef',
        capabilities: { voice: true, sms: true, mms: false },
        voiceAgentId: '2c9d8e7f-6a5b-4c3d-8e1f-0a9b8c7d6e5f',
        flowId: null,
        createdAt: '2026-11-02T14:05:00.000Z',
      },
    ],
  });

const AvailableNumberSchema = z
  .object({
    e164: z.string(),
    locality: z.string().optional(),
    region: z.string().optional(),
    capabilities: CapabilitiesSchema,
  })
  .meta({
    id: 'AvailablePhoneNumber',
    examples: [
      {
        e164: '+14155550199',
        locality: 'San Francisco',
        region: 'CA',
        capabilities: { voice: true, sms: true, mms: false },
      },
    ],
  });

const toPhoneNumber = (row: PhoneNumber): z.infer<typeof PhoneNumberSchema> => ({
  id: row.id,
  channelId: row.channelId,
  e164: row.e164,
  providerSid: row.providerSid,
  capabilities: CapabilitiesSchema.catch({ voice: false, sms: false, mms: false }).parse(row.capabilities ?? {}),
  voiceAgentId: row.voiceAgentId,
  flowId: row.flowId,
  createdAt: row.createdAt,
});

const providerErrors = { ...errorResponses, 409: ErrorBodySchema, 422: ErrorBodySchema, 503: ErrorBodySchema } as const;

/** A provider's refusal is the client's to fix (422); its outage is temporary (503). */
async function atProvider<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    if (err instanceof PermanentSendError) throw new AppError(422, 'provider_refused', `${what}: ${err.message}`);
    if (err instanceof TransientSendError) {
      throw new AppError(503, 'provider_unavailable', `${what}: the provider is unavailable (${err.message})`);
    }
    throw err;
  }
}

async function loadNumberChannel(
  request: FastifyRequest,
  channelId: string,
  secrets: Parameters<typeof openChannel>[1],
) {
  const row = await request.tenantDb.channel.findUnique({ where: { id: channelId } });
  if (!row) throw notFound('channel');
  let channel: LoadedChannel;
  try {
    channel = openChannel(row, secrets);
  } catch (err) {
    if (err instanceof ChannelUnreadable) throw new AppError(422, 'channel_unreadable', err.message);
    throw err;
  }
  try {
    return { channel, numbers: numberProviderFor(channel) };
  } catch (err) {
    if (err instanceof NotAVoiceChannel) throw new AppError(422, 'channel_has_no_numbers', err.message);
    throw err;
  }
}

async function loadNumber(request: FastifyRequest, id: string): Promise<PhoneNumber> {
  const row = await request.tenantDb.phoneNumber.findUnique({ where: { id } });
  if (!row) throw notFound('phone number');
  return row;
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/**
 * Phone numbers on the tenant's Twilio (or sandbox) channels: search, buy (the provider points the
 * number's voice and SMS webhooks at our hooks), route inbound calls to an agent or a flow, release.
 */
const phoneNumberRoutes: FastifyPluginAsyncZod<{ publicUrl?: string }> = async (app, opts) => {
  const origin = (request: FastifyRequest) =>
    (
      opts.publicUrl ??
      app.publicUrl ??
      process.env.SWITCHBOARD_PUBLIC_URL ??
      `${request.protocol}://${request.headers.host ?? request.hostname}`
    ).replace(/\/+$/, '');

  app.get(
    '/phone-numbers',
    {
      config: { permission: 'numbers.read' },
      schema: {
        tags: ['phone-numbers'],
        summary: 'Phone numbers the tenant owns, newest first',
        querystring: PageQuerySchema.extend({ channelId: z.string().uuid().optional() }),
        response: {
          200: z.object({ items: z.array(PhoneNumberSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, channelId } = request.query;
      const rows = await request.tenantDb.phoneNumber.findMany({
        where: { ...(channelId ? { channelId } : {}), ...afterCursor('createdAt', cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map(toPhoneNumber), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/phone-numbers/available',
    {
      config: { permission: 'numbers.read' },
      schema: {
        tags: ['phone-numbers'],
        summary: "Numbers the channel's provider has for sale",
        querystring: z.object({
          channelId: z.string().uuid(),
          country: z
            .string()
            .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as US')
            .default('US'),
          areaCode: z
            .string()
            .regex(/^\d{2,5}$/)
            .optional(),
          contains: z
            .string()
            .regex(/^[\d*]{1,15}$/, 'digits, with * as a wildcard')
            .optional(),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
        response: { 200: z.object({ items: z.array(AvailableNumberSchema) }), ...providerErrors },
      },
    },
    async (request) => {
      const { channelId, country, areaCode, contains, limit } = request.query;
      const { numbers } = await loadNumberChannel(request, channelId, app.secrets);
      const items = await atProvider('searching numbers failed', () =>
        numbers.searchAvailable({
          country: country.toUpperCase(),
          ...(areaCode ? { areaCode } : {}),
          ...(contains ? { contains } : {}),
          limit,
        }),
      );
      return { items };
    },
  );

  app.post(
    '/phone-numbers',
    {
      config: { permission: 'numbers.write' },
      schema: {
        tags: ['phone-numbers'],
        summary: 'Buy a number on a channel and point its webhooks at Switchboard',
        description:
          'Repeating the purchase of a number the tenant already owns on the channel answers 200 with it; a number bought earlier whose recording was interrupted is adopted rather than bought twice.',
        body: z
          .strictObject({ channelId: z.string().uuid(), e164: E164Schema })
          .meta({ examples: [{ channelId: '8a4f1e2d-3b5c-4d6e-9f70-1a2b3c4d5e6f', e164: '+14155550100' }] }),
        response: { 201: PhoneNumberSchema, 200: PhoneNumberSchema, ...providerErrors },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const { channelId, e164 } = request.body;
      const { channel, numbers } = await loadNumberChannel(request, channelId, app.secrets);
      // e164 is unique across tenants: a number belongs to one tenant at a time.
      const existing = await app.db.phoneNumber.findUnique({ where: { e164 } });
      if (existing) {
        if (existing.tenantId === tenantId && existing.channelId === channel.row.id) {
          return reply.status(200).send(toPhoneNumber(existing));
        }
        throw conflict('number_taken', `${e164} is already in use`);
      }
      const base = origin(request);
      const hooks = {
        voiceUrl: `${base}/hooks/twilio/${channel.row.id}/voice/incoming`,
        smsUrl: `${base}/hooks/twilio/${channel.row.id}/messages`,
        statusCallbackUrl: `${base}/hooks/twilio/${channel.row.id}/voice/status`,
      };
      // A purchase whose answer was lost (a timeout, a crash) shows up in the account's numbers.
      const owned = await atProvider('listing owned numbers failed', () => numbers.list());
      const bought =
        owned.find((n) => n.e164 === e164) ??
        (await atProvider(`buying ${e164} failed`, () => numbers.buy(e164, hooks)));
      let row: PhoneNumber;
      try {
        row = await request.tenantDb.phoneNumber.create({
          data: {
            tenantId,
            channelId: channel.row.id,
            e164: bought.e164,
            providerSid: bought.providerSid,
            capabilities: toJson(bought.capabilities),
          },
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // A concurrent purchase of the same number recorded it first.
        const raced = await request.tenantDb.phoneNumber.findFirst({ where: { e164: bought.e164 } });
        if (raced?.channelId === channel.row.id) return reply.status(200).send(toPhoneNumber(raced));
        throw conflict('number_taken', `${e164} is already in use`);
      }
      await request.audit('phone_number.purchased', {
        targetType: 'phone_number',
        targetId: row.id,
        details: { e164: row.e164, channelId: row.channelId, providerSid: row.providerSid, provider: channel.provider },
      });
      return reply.status(201).send(toPhoneNumber(row));
    },
  );

  app.patch(
    '/phone-numbers/:id',
    {
      config: { permission: 'numbers.write' },
      schema: {
        tags: ['phone-numbers'],
        summary: 'Choose what answers inbound calls: a voice agent or a flow (setting one clears the other)',
        params: IdParamsSchema,
        body: z
          .strictObject({
            voiceAgentId: z.string().uuid().nullable().optional(),
            flowId: z.string().uuid().nullable().optional(),
          })
          .meta({ examples: [{ voiceAgentId: '2c9d8e7f-6a5b-4c3d-8e1f-0a9b8c7d6e5f' }] })
          .refine((b) => b.voiceAgentId !== undefined || b.flowId !== undefined, {
            message: 'set voiceAgentId or flowId (null unassigns)',
          })
          .refine((b) => !(b.voiceAgentId && b.flowId), {
            message: 'a number answers with an agent or a flow, not both',
          }),
        response: { 200: PhoneNumberSchema, ...errorResponses },
      },
    },
    async (request) => {
      const number = await loadNumber(request, request.params.id);
      const { voiceAgentId, flowId } = request.body;
      if (voiceAgentId && !(await request.tenantDb.voiceAgent.findUnique({ where: { id: voiceAgentId } }))) {
        throw notFound('voice agent');
      }
      if (flowId && !(await request.tenantDb.flow.findFirst({ where: { id: flowId, deletedAt: null } }))) {
        throw notFound('flow');
      }
      const row = await request.tenantDb.phoneNumber.update({
        where: { id: number.id },
        data: {
          ...(voiceAgentId !== undefined ? { voiceAgentId } : {}),
          ...(flowId !== undefined ? { flowId } : {}),
          ...(voiceAgentId ? { flowId: null } : {}),
          ...(flowId ? { voiceAgentId: null } : {}),
        },
      });
      await request.audit('phone_number.assigned', {
        targetType: 'phone_number',
        targetId: row.id,
        details: { e164: row.e164, voiceAgentId: row.voiceAgentId, flowId: row.flowId },
      });
      return toPhoneNumber(row);
    },
  );

  app.delete(
    '/phone-numbers/:id',
    {
      config: { permission: 'numbers.write' },
      schema: {
        tags: ['phone-numbers'],
        summary: 'Release a number back to the provider',
        params: IdParamsSchema,
        response: { 204: z.null(), ...providerErrors },
      },
    },
    async (request, reply) => {
      const number = await loadNumber(request, request.params.id);
      const { numbers } = await loadNumberChannel(request, number.channelId, app.secrets);
      // Releasing one the provider no longer has for us is done already (the adapter says so).
      await atProvider(`releasing ${number.e164} failed`, () => numbers.release(number.providerSid));
      await request.tenantDb.phoneNumber.deleteMany({ where: { id: number.id } });
      await request.audit('phone_number.released', {
        targetType: 'phone_number',
        targetId: number.id,
        details: { e164: number.e164, channelId: number.channelId, providerSid: number.providerSid },
      });
      return reply.status(204).send(null);
    },
  );
};

export default phoneNumberRoutes;
