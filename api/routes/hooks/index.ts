import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordHostedMessage } from '../../../activities/calls/hosted';
import { type LoadedChannel, loadChannel } from '../../../activities/channels/store';
import { answerMetaChallenge, parseMetaWebhook, verifyMetaSignature } from '../../../activities/providers/meta/webhook';
import { parseInboundEmail, verifyInboundEmailToken } from '../../../activities/providers/smtp/inbound';
import { parseTelegramUpdate, verifyTelegramSecret } from '../../../activities/providers/telegram/webhook';
import { parseTwilioWebhook } from '../../../activities/providers/twilio/inbound';
import { verifyTwilioWebhook } from '../../../activities/providers/twilio/signature';
import { type InboundEvent, type ProviderName, WebhookRejected } from '../../../activities/providers/types';
import { parseVapiServerMessage, verifyVapiWebhook } from '../../../activities/providers/vapi/webhook';
import type { KnowledgeAnswerer } from '../../../activities/rag/answerer';
import { ingestEvents } from '../../channels/inbound';
import { type FormParams, HOOK_BODY_LIMIT, rawWebhookOf, registerRawBodyParsers } from './context';
import { twilioVoiceHooks } from './twilio-voice';

export interface HookOptions {
  /** The public base URL providers were given (signatures cover it); SWITCHBOARD_PUBLIC_URL. */
  publicUrl?: string;
  answerer: KnowledgeAnswerer;
}

/**
 * Provider webhooks: /hooks/<provider>/<channelId>/…, outside /v1 and its auth. The channel id
 * finds the tenant and the secret; the provider's signature is checked before anything is read or
 * recorded (forged, replayed-with-changes or unsigned → 401/403, nothing stored). Provider retries
 * are harmless: messages dedupe on the provider's id, receipts only move a status forward.
 */
export async function hookRoutes(app: FastifyInstance, opts: HookOptions) {
  registerRawBodyParsers(app);
  const deps = () => ({ db: app.db, temporal: app.temporal, taskQueue: app.taskQueue, log: app.log });

  const channelFor = async (request: FastifyRequest, providers: ProviderName[]): Promise<LoadedChannel> => {
    const { channelId } = request.params as { channelId: string };
    const channel = await loadChannel(app.db, app.secrets, channelId);
    if (!channel || !providers.includes(channel.provider) || channel.row.status === 'disabled') {
      throw new WebhookRejected(403, 'unknown_channel', 'no channel of this provider has this id');
    }
    return channel;
  };

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof WebhookRejected) {
      request.log.warn({ code: err.code }, `webhook refused: ${err.message}`);
      return reply.status(err.statusCode).send({ error: err.code, message: err.message });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) {
      return reply
        .status(413)
        .send({ error: 'payload_too_large', message: `webhook bodies are limited to ${HOOK_BODY_LIMIT} bytes` });
    }
    if (status && status >= 400 && status < 500) {
      return reply
        .status(status)
        .send({ error: (err as { code?: string }).code ?? 'invalid_webhook', message: (err as Error).message });
    }
    request.log.error({ err }, 'webhook failed');
    // 5xx: the provider retries, and the retry is deduplicated.
    return reply
      .status(500)
      .send({ error: 'internal', message: 'the webhook could not be processed; it will be retried' });
  });

  const ok = (reply: FastifyReply, xml = false) =>
    xml
      ? reply.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>')
      : reply.status(200).send({ ok: true });

  // Twilio (and the sandbox network, which speaks Twilio's dialect): inbound SMS/WhatsApp.
  app.post('/twilio/:channelId/messages', { bodyLimit: HOOK_BODY_LIMIT }, async (request, reply) => {
    const channel = await channelFor(request, ['twilio', 'sandbox']);
    const params = formBody(request);
    verifyTwilioWebhook(secretOf(channel, 'authToken'), rawWebhookOf(request, opts.publicUrl), params);
    await ingestEvents(deps(), channel, parseTwilioWebhook(params));
    // An empty TwiML response: we answer through the API, not in the webhook reply.
    return ok(reply, true);
  });

  // Twilio delivery receipts; `key` is the send's idempotency key, put in the URL when we sent.
  app.post('/twilio/:channelId/status', { bodyLimit: HOOK_BODY_LIMIT }, async (request, reply) => {
    const channel = await channelFor(request, ['twilio', 'sandbox']);
    const params = formBody(request);
    verifyTwilioWebhook(secretOf(channel, 'authToken'), rawWebhookOf(request, opts.publicUrl), params);
    const { key } = request.query as { key?: string };
    await ingestEvents(deps(), channel, parseTwilioWebhook(params), key ? { receiptKey: key } : {});
    return ok(reply, true);
  });

  // Meta: the subscription handshake, then signed event batches (WhatsApp, Messenger, Instagram).
  app.get('/meta/:channelId', async (request, reply) => {
    const channel = await channelFor(request, ['meta']);
    const challenge = answerMetaChallenge(secretOf(channel, 'verifyToken'), request.query as Record<string, unknown>);
    return reply.type('text/plain').send(challenge);
  });
  app.post('/meta/:channelId', { bodyLimit: HOOK_BODY_LIMIT }, async (request, reply) => {
    const channel = await channelFor(request, ['meta']);
    verifyMetaSignature(secretOf(channel, 'appSecret'), rawWebhookOf(request, opts.publicUrl));
    const events = parseMetaWebhook(request.body);
    for (const event of events) {
      const { idempotencyKey, ...plain } = event;
      await ingestEvents(
        deps(),
        channel,
        [plain as InboundEvent],
        idempotencyKey ? { receiptKey: idempotencyKey } : {},
      );
    }
    return ok(reply);
  });

  app.post('/telegram/:channelId', { bodyLimit: HOOK_BODY_LIMIT }, async (request, reply) => {
    const channel = await channelFor(request, ['telegram']);
    verifyTelegramSecret(secretOf(channel, 'secretToken'), rawWebhookOf(request, opts.publicUrl));
    await ingestEvents(deps(), channel, parseTelegramUpdate(request.body));
    return ok(reply);
  });

  // Inbound email, as an email service posts it (raw MIME, SendGrid, Postmark or Mailgun fields).
  app.post('/email/:channelId', { bodyLimit: 10 * HOOK_BODY_LIMIT }, async (request, reply) => {
    const channel = await channelFor(request, ['smtp']);
    verifyInboundEmailToken(secretOf(channel, 'inboundToken'), rawWebhookOf(request, opts.publicUrl));
    const contentType = String(request.headers['content-type'] ?? 'application/octet-stream');
    const body = Buffer.isBuffer(request.body) ? request.body : (request.body as Record<string, string>);
    await ingestEvents(deps(), channel, await parseInboundEmail({ contentType, body }));
    return ok(reply);
  });

  // Vapi's server messages for the calls it runs: status updates and the end-of-call report.
  app.post('/vapi/:channelId', { bodyLimit: HOOK_BODY_LIMIT }, async (request, reply) => {
    const channel = await channelFor(request, ['vapi']);
    verifyVapiWebhook(secretOf(channel, 'webhookSecret'), rawWebhookOf(request, opts.publicUrl));
    const message = parseVapiServerMessage(request.rawBody ?? Buffer.alloc(0));
    const { call } = request.query as { call?: string };
    // An unknown call (or a message type we do not read) is acknowledged and ignored.
    await recordHostedMessage(app.db, channel.row.id, call, message);
    return ok(reply);
  });

  await app.register(twilioVoiceHooks, {
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    answerer: opts.answerer,
  });
}

function formBody(request: FastifyRequest): FormParams {
  const body = request.body;
  if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) {
    throw new WebhookRejected(400, 'invalid_webhook', 'Twilio webhooks are application/x-www-form-urlencoded');
  }
  return body as FormParams;
}

/** One of the channel's opened secrets; a channel stored without it cannot verify anything. */
function secretOf(channel: LoadedChannel, name: string): string {
  const value = (channel.secrets as Record<string, unknown>)[name];
  if (typeof value !== 'string' || !value) {
    throw new WebhookRejected(403, 'channel_not_configured', `the channel has no ${name} to verify webhooks with`);
  }
  return value;
}
