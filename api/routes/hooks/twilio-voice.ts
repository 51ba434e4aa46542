import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sessionForAgent } from '../../../activities/calls/agents';
import { webhookTokenOf } from '../../../activities/calls/provider';
import { applyCallStatus } from '../../../activities/calls/records';
import { ChannelUnreadable, type LoadedChannel, loadChannel } from '../../../activities/channels/store';
import { parseTwilioWebhook } from '../../../activities/providers/twilio/inbound';
import { verifyTwilioWebhook } from '../../../activities/providers/twilio/signature';
import { WebhookRejected } from '../../../activities/providers/types';
import type { KnowledgeAnswerer } from '../../../activities/rag/answerer';
import { type Call, type Contact, Prisma } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { startRun } from '../../runs/start';
import { answerCall, continueCall, type LoopUrls } from '../../voice/loop';
import { closingTwiml, TWIML_CONTENT_TYPE } from '../../voice/twiml';
import { type FormParams, field, HOOK_BODY_LIMIT, publicOriginOf, rawWebhookOf } from './context';

export interface TwilioVoiceHooksOptions {
  /** The public origin providers post to (SWITCHBOARD_PUBLIC_URL); the request's Host otherwise. */
  publicUrl?: string;
  answerer: KnowledgeAnswerer;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_SPEECH = { voice: 'Polly.Joanna', language: 'en-US' };

export const LINES = {
  notInService: 'Sorry, this number is not in service.',
  holding: 'Thanks for calling. We have your number and will get back to you shortly. Goodbye.',
} as const;

type ChannelParams = { channelId: string };
type Verified = { channel: LoadedChannel; params: FormParams };

function formOf(body: unknown): FormParams {
  if (!body || typeof body !== 'object' || Buffer.isBuffer(body) || Array.isArray(body)) return {};
  const out: FormParams = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) out[k] = v;
  }
  return out;
}

function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Voice webhooks for Twilio channels and sandbox channels (the sandbox network speaks Twilio's
 * dialect): the answer, gather and status callbacks of the calls we place, and inbound calls to
 * our numbers. Every request is checked in the same order: the channel exists (else 404), the
 * X-Twilio-Signature is its auth token's (else 401/403, nothing recorded), and only then acted on.
 * Replies are TwiML; refusals use the /hooks scope's `{ error, message }` shape.
 */
export const twilioVoiceHooks: FastifyPluginAsync<TwilioVoiceHooksOptions> = async (app, opts) => {
  const originOf = (request: FastifyRequest) => publicOriginOf(request, opts.publicUrl);
  const loopUrls = (request: FastifyRequest, channelId: string, callId: string): LoopUrls => ({
    gather: (turn) => `${originOf(request)}/hooks/twilio/${channelId}/voice/gather?call=${callId}&turn=${turn}`,
  });
  const twiml = (reply: FastifyReply, xml: string) => reply.status(200).type(TWIML_CONTENT_TYPE).send(xml);
  const hangUp = (reply: FastifyReply, line?: string) => twiml(reply, closingTwiml(line, DEFAULT_SPEECH));

  /** The channel and the form, once the signature is proven; null when a refusal was sent. */
  async function verify(
    request: FastifyRequest<{ Params: ChannelParams }>,
    reply: FastifyReply,
  ): Promise<Verified | null> {
    let channel: LoadedChannel | null;
    try {
      channel = await loadChannel(app.db, app.secrets, request.params.channelId);
    } catch (err) {
      if (!(err instanceof ChannelUnreadable)) throw err;
      request.log.error({ err }, 'voice webhook for a channel whose settings cannot be read');
      channel = null;
    }
    const token = channel ? webhookTokenOf(channel) : null;
    if (!channel || !token || channel.row.status === 'disabled') {
      await reply.status(404).send({ error: 'not_found', message: 'no voice channel has this id' });
      return null;
    }
    const params = formOf(request.body);
    try {
      verifyTwilioWebhook(token, rawWebhookOf(request, opts.publicUrl), params);
    } catch (err) {
      if (!(err instanceof WebhookRejected)) throw err;
      request.log.warn({ code: err.code, channelId: channel.row.id }, 'voice webhook refused');
      await reply.status(err.statusCode).send({ error: err.code, message: err.message });
      return null;
    }
    return { channel, params };
  }

  /** The call a callback is about: by our id in the URL, else by the provider's CallSid. */
  async function callOf(request: FastifyRequest, channel: LoadedChannel, params: FormParams): Promise<Call | null> {
    const id = queryValue(request, 'call');
    if (id && UUID.test(id)) {
      const byId = await app.db.call.findFirst({ where: { id, channelId: channel.row.id } });
      if (byId) return byId;
    }
    const sid = field(params, 'CallSid');
    return sid ? app.db.call.findFirst({ where: { channelId: channel.row.id, providerCallId: sid } }) : null;
  }

  // Not part of the public API document; provider webhooks are small.
  const hide = { schema: { hide: true }, bodyLimit: HOOK_BODY_LIMIT };

  app.post<{ Params: ChannelParams }>('/twilio/:channelId/voice/answer', hide, async (request, reply) => {
    const verified = await verify(request, reply);
    if (!verified) return reply;
    const { channel, params } = verified;
    const call = await callOf(request, channel, params);
    if (!call) return hangUp(reply);
    const sid = field(params, 'CallSid');
    const answeredBy = field(params, 'AnsweredBy');
    const xml = await answerCall(
      app.db,
      call,
      { ...(answeredBy ? { answeredBy } : {}), ...(sid ? { providerCallId: sid } : {}) },
      loopUrls(request, channel.row.id, call.id),
    );
    return twiml(reply, xml);
  });

  app.post<{ Params: ChannelParams }>('/twilio/:channelId/voice/gather', hide, async (request, reply) => {
    const verified = await verify(request, reply);
    if (!verified) return reply;
    const { channel, params } = verified;
    const call = await callOf(request, channel, params);
    if (!call) return hangUp(reply);
    const turn = Number(queryValue(request, 'turn'));
    const xml = await continueCall(
      app.db,
      call,
      { speech: field(params, 'SpeechResult') ?? '', ...(Number.isInteger(turn) && turn > 0 ? { turn } : {}) },
      opts.answerer,
      loopUrls(request, channel.row.id, call.id),
    );
    return twiml(reply, xml);
  });

  app.post<{ Params: ChannelParams }>('/twilio/:channelId/voice/status', hide, async (request, reply) => {
    const verified = await verify(request, reply);
    if (!verified) return reply;
    const { channel, params } = verified;
    let event: ReturnType<typeof parseTwilioWebhook>[number] | undefined;
    try {
      event = parseTwilioWebhook(params).find((e) => e.kind === 'call-status');
    } catch (err) {
      if (!(err instanceof WebhookRejected)) throw err;
      return reply.status(err.statusCode).send({ error: err.code, message: err.message });
    }
    if (event?.kind !== 'call-status') {
      return reply.status(400).send({ error: 'invalid_webhook', message: 'not a call status callback' });
    }
    const call = await callOf(request, channel, params);
    // A callback for a call we never recorded (placed outside Switchboard): acknowledged, ignored.
    if (!call) return reply.status(204).send();
    await applyCallStatus(app.db, call.id, {
      status: event.status,
      providerCallId: event.providerCallId,
      ...(event.answeredBy ? { answeredBy: event.answeredBy } : {}),
      ...(event.durationSeconds !== undefined ? { durationSeconds: event.durationSeconds } : {}),
      ...(event.price ? { price: event.price } : {}),
      ...(event.priceUnit ? { priceUnit: event.priceUnit } : {}),
      ...(event.recordingUrl ? { recordingUrl: event.recordingUrl } : {}),
      ...(event.at ? { at: event.at } : {}),
    });
    return reply.status(204).send();
  });

  app.post<{ Params: ChannelParams }>('/twilio/:channelId/voice/incoming', hide, async (request, reply) => {
    const verified = await verify(request, reply);
    if (!verified) return reply;
    const { channel, params } = verified;
    const sid = field(params, 'CallSid');
    const from = field(params, 'From');
    const to = field(params, 'To');
    if (!sid || !from || !to) {
      return reply.status(400).send({ error: 'invalid_webhook', message: 'CallSid, From and To are required' });
    }
    const tenantId = channel.row.tenantId;
    const number = await app.db.phoneNumber.findFirst({ where: { channelId: channel.row.id, e164: to } });
    const agent = number?.voiceAgentId
      ? await app.db.voiceAgent.findFirst({ where: { id: number.voiceAgentId, tenantId } })
      : null;
    const flowVersion =
      !agent && number?.flowId
        ? await app.db.flowVersion.findFirst({
            where: { tenantId, flowId: number.flowId, flow: { deletedAt: null } },
            orderBy: { version: 'desc' },
          })
        : null;
    if (!agent && !flowVersion) return hangUp(reply, LINES.notInService);

    const contact = await contactForCaller(tenantId, from);
    const inbound = {
      tenantId,
      channelId: channel.row.id,
      contactId: contact.id,
      direction: 'inbound',
      from,
      to,
      providerCallId: sid,
      status: 'in-progress',
      answeredAt: new Date(),
    };
    if (agent) {
      // One row per CallSid: a retried webhook finds the call it started.
      const call = await upsertInboundCall(channel.row.id, sid, {
        ...inbound,
        voiceAgentId: agent.id,
        answeredBy: 'human',
        session: toJson(sessionForAgent(agent)),
      });
      const xml = await answerCall(app.db, call, { answeredBy: 'human' }, loopUrls(request, channel.row.id, call.id));
      return twiml(reply, xml);
    }
    if (!flowVersion) return hangUp(reply, LINES.notInService);
    const { run, created } = await startRun(
      { db: app.db, temporal: app.temporal, taskQueue: app.taskQueue },
      {
        tenantId,
        flowVersion,
        contact,
        trigger: { source: 'inbound-call', channel: 'voice', from, to, callSid: sid },
        idempotencyKey: `call:${channel.row.id}:${sid}`,
      },
    );
    await upsertInboundCall(channel.row.id, sid, {
      ...inbound,
      workflowId: run.workflowId,
      transcript: toJson([{ role: 'agent', text: LINES.holding, at: new Date().toISOString(), turn: 0, end: true }]),
    });
    if (created) {
      const { id, workflowId, flowId, flowVersionId, contactId, status, outcome, startedAt, finishedAt } = run;
      await app.emitEvent(tenantId, 'run.started', {
        run: { id, workflowId, flowId, flowVersionId, contactId, status, outcome, startedAt, finishedAt },
      });
    }
    return hangUp(reply, LINES.holding);
  });

  /** One row per CallSid: a retried webhook (even a concurrent one) finds the call it started. */
  async function upsertInboundCall(
    channelId: string,
    providerCallId: string,
    create: Prisma.CallUncheckedCreateInput,
  ): Promise<Call> {
    const where = { channelId_providerCallId: { channelId, providerCallId } };
    try {
      return await app.db.call.upsert({ where, create, update: {} });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        return app.db.call.findUniqueOrThrow({ where });
      }
      throw err;
    }
  }

  /** The caller's contact, created by phone number when unknown (concurrent calls create one). */
  async function contactForCaller(tenantId: string, phone: string): Promise<Contact> {
    const known = await app.db.contact.findFirst({
      where: { tenantId, phone, deletedAt: null, mergedIntoId: null },
    });
    if (known) return known;
    const contact = await upsertContact(tenantId, phone);
    // The number belongs to a contact merged into another: the survivor is the caller.
    const survivor = contact.mergedIntoId
      ? await app.db.contact.findFirst({ where: { id: contact.mergedIntoId, tenantId } })
      : null;
    return survivor ?? contact;
  }

  async function upsertContact(tenantId: string, phone: string): Promise<Contact> {
    try {
      return await app.db.contact.upsert({
        where: { tenantId_phone: { tenantId, phone } },
        create: { tenantId, phone, tags: ['inbound-call'] },
        update: {},
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        return app.db.contact.findUniqueOrThrow({ where: { tenantId_phone: { tenantId, phone } } });
      }
      throw err;
    }
  }
};
