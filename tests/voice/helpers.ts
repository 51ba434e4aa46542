import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createCallActivities } from '../../activities/calls';
import { type SandboxCallOptions, SandboxCallProvider } from '../../activities/calls/sandbox';
import type { CallWaitTimings } from '../../activities/calls/wait';
import { sealCredentials } from '../../activities/channels/store';
import { buildTwilioWebhook } from '../../activities/providers/twilio/inbound';
import { Secrets } from '../../api/crypto/secrets';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import { type ApiTestServer, startApiTestServer, TEST_ENCRYPTION_KEY } from '../helpers/app';

export const secrets = new Secrets([TEST_ENCRYPTION_KEY]);

/** The API (with its /hooks) listening on a port, so providers can post to it over HTTP. */
export async function startListeningServer(): Promise<ApiTestServer & { baseUrl: string }> {
  const server = await startApiTestServer();
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.app.server.address() as AddressInfo;
  return { ...server, baseUrl: `http://127.0.0.1:${port}` };
}

/** A sandbox network that plays calls out at once. */
export function instantSandbox(options: SandboxCallOptions = {}): SandboxCallProvider {
  return new SandboxCallProvider({ ...options, timings: { ringMs: 0, replyMs: 0, retryMs: 0, ...options.timings } });
}

export function callActivities(
  db: Db,
  publicUrl: string,
  options: { fallback?: SandboxCallProvider; timings?: Partial<CallWaitTimings> } = {},
) {
  return createCallActivities({
    db,
    secrets,
    publicUrl,
    ...(options.fallback ? { fallback: options.fallback } : {}),
    timings: { pollMs: 25, ...options.timings },
  });
}

export function placeCallInput(tenantId: string, contactId: string, over: Record<string, unknown> = {}) {
  const workflowId = `run-${randomUUID()}`;
  return {
    tenantId,
    runId: randomUUID(),
    workflowId,
    contactId,
    idempotencyKey: `${workflowId}:call:1`,
    to: '+14155550123',
    persona: 'You are friendly.',
    firstMessage: 'Hi Grace, this is Switchboard calling about your appointment.',
    script: ['We have a slot for you on Tuesday at 10.', 'Shall I book it?'],
    maxDurationSeconds: 300,
    ...over,
  };
}

/** A connected voice channel of `provider`, its secrets sealed as the API would. */
export async function createVoiceChannel(
  db: Db,
  tenantId: string,
  provider: 'sandbox' | 'twilio',
  config: Record<string, unknown>,
  credentials: Record<string, string>,
) {
  return db.channel.create({
    data: {
      tenantId,
      kind: 'voice',
      provider,
      name: `${provider} voice ${randomUUID().slice(0, 8)}`,
      status: 'connected',
      config: toJson(config),
      credentials: sealCredentials(secrets, credentials),
    },
  });
}

/** POSTs a webhook exactly as Twilio would, signed with `authToken`. */
export async function postTwilio(url: string, authToken: string, params: Record<string, string>) {
  const { headers, body } = buildTwilioWebhook(authToken, url, params);
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

export const TWILIO_CALL_SID = () => `CA${randomUUID().replace(/-/g, '')}`;
