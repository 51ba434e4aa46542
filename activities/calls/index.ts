import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import type { Secrets } from '../../api/crypto/secrets';
import { PlaceCallInputSchema, PlaceCallOutputSchema } from '../../flow/engine/contracts';
import type { Call, VoiceAgent } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import type { LoadedChannel } from '../channels/store';
import { BusinessError } from '../errors';
import { onceByKey } from '../ledger';
import { checkSend } from '../messaging/compliance';
import { type CallSnapshot, type HostedCallSpec, PermanentSendError, type VoiceProvider } from '../providers/types';
import { sessionFor } from './agents';
import { resolveVoiceChannel } from './channel';
import { type CallResult, callerNumberFor, voiceProviderFor } from './provider';
import { applyCallStatus, type CallSession, isTerminalStatus, sessionOf } from './records';
import { SandboxCallProvider } from './sandbox';
import { type CallWaitTimings, callResultOf, DEFAULT_WAIT_TIMINGS, waitForCallEnd } from './wait';

export { stopCall } from './stop';

export interface CallActivityDeps {
  db: Db;
  /** Opens channel credentials (the same keys the API seals them with). */
  secrets: Secrets;
  /** Our public origin, where providers post webhooks (SWITCHBOARD_PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  /**
   * The sandbox phone network of this process. Given, tenants without a voice channel call through
   * it (a "Sandbox voice" channel is created for them); absent, they fail ChannelNotConfigured.
   * Sandbox channels use it either way (a default network when absent).
   */
  fallback?: SandboxCallProvider;
  /** How the activity watches a call (tests shorten the poll). */
  timings?: Partial<CallWaitTimings>;
  /** How long one request to a hosted voice platform (Vapi) may take before its outcome is unknown. */
  hostedTimeoutMs?: number;
}

/** Rings for this long before the provider gives up (no-answer). */
const RING_TIMEOUT_SECONDS = 30;
/** The TwiML loop closes politely at the session's limit; the provider's hard cap comes later. */
const TIME_LIMIT_MARGIN_SECONDS = 30;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createCallActivities(deps: CallActivityDeps) {
  const { db, secrets } = deps;
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const sandbox = deps.fallback ?? new SandboxCallProvider();
  const baseTimings = { ...DEFAULT_WAIT_TIMINGS, ...deps.timings };

  return {
    /**
     * The place-call node's side effect, once per idempotency key: a Call row, one call through
     * the tenant's voice channel (the TwiML loop in api/voice talks to the customer), then the
     * wait for it to end, heartbeating. A retry after a crash finds the call it placed (by the
     * row, else by asking the provider) instead of dialling again.
     */
    async placeCall(raw: z.input<typeof PlaceCallInputSchema>): Promise<CallResult> {
      const input = PlaceCallInputSchema.parse(raw);
      const channel = await resolveVoiceChannel(db, secrets, input.tenantId, deps.fallback !== undefined);
      const from = await callerNumberFor(db, channel);
      if (!from) {
        throw ApplicationFailure.create({
          type: 'ChannelNotConfigured',
          message: `voice channel ${channel.row.id} has no number to call from: buy one or set "from"`,
          nonRetryable: true,
        });
      }
      const agent = await loadAgent(db, input.tenantId, input.voiceAgentId);
      const session = sessionFor(input, agent);
      const provider = voiceProviderFor(
        channel,
        sandbox,
        undefined,
        deps.hostedTimeoutMs ? { timeoutMs: deps.hostedTimeoutMs } : {},
      );
      // In-process sandbox calls are cheap to ask about; Twilio is asked sparingly.
      const timings =
        provider.name === 'sandbox' ? { ...baseTimings, providerCheckMs: baseTimings.pollMs } : baseTimings;
      const hooks = (callId: string, what: 'answer' | 'status') =>
        `${publicUrl}/hooks/twilio/${channel.row.id}/voice/${what}?call=${callId}`;
      const deadlineOf = (call: Call) =>
        new Date(call.startedAt.getTime() + (RING_TIMEOUT_SECONDS + sessionOf(call).maxDurationSeconds + 120) * 1000);
      const wait = (call: Call, providerCallId: string) =>
        waitForCallEnd({ db, provider, callId: call.id, providerCallId, deadline: deadlineOf(call), timings });

      const ensureRow = () =>
        upsertCallRow(db, {
          tenantId: input.tenantId,
          channel,
          idempotencyKey: input.idempotencyKey,
          workflowId: input.workflowId,
          contactId: input.contactId,
          agent,
          from,
          to: input.to,
          session,
        });

      const perform = async (): Promise<CallResult> => {
        const call = await ensureRow();
        if (isTerminalStatus(call.status)) return callResultOf(call);
        if (call.providerCallId) return wait(call, call.providerCallId);
        if (sessionOf(call).stopRequestedAt) {
          // Stopped before it was dialled: it never rang.
          return callResultOf((await applyCallStatus(db, call.id, { status: 'canceled' })) ?? call);
        }
        // Compliance, last thing before dialling: DNC, voice consent, calling hours in their zone.
        const contact = /^[0-9a-f-]{36}$/i.test(input.contactId)
          ? await db.contact.findFirst({ where: { id: input.contactId, tenantId: input.tenantId } })
          : null;
        const block = checkSend({
          kind: 'voice',
          purpose: 'call',
          contact,
          now: new Date(),
          lastInboundAt: null,
          hasTemplate: false,
        });
        if (block) {
          await db.call.update({
            where: { id: call.id },
            data: {
              status: 'canceled',
              outcome: 'failed',
              endedAt: new Date(),
              session: toJson({ ...sessionOf(call), blocked: block }),
            },
          });
          throw new BusinessError(block.type, block.reason);
        }
        let placed: CallSnapshot;
        try {
          placed = await provider.createCall(
            {
              to: input.to,
              from,
              answerUrl: hooks(call.id, 'answer'),
              statusCallbackUrl: hooks(call.id, 'status'),
              machineDetection: session.voicemailMessage ? 'DetectMessageEnd' : 'Enable',
              ringTimeoutSeconds: RING_TIMEOUT_SECONDS,
              timeLimitSeconds: session.maxDurationSeconds + TIME_LIMIT_MARGIN_SECONDS,
              record: false,
              // Only hosted platforms (Vapi) read this: they run the conversation from the row's session.
              hosted: hostedCallSpec(call, `${publicUrl}/hooks/vapi/${channel.row.id}?call=${call.id}`),
            },
            { idempotencyKey: input.idempotencyKey },
          );
        } catch (err) {
          // The provider refused for good (an invalid number): the row says so too.
          if (err instanceof PermanentSendError) await applyCallStatus(db, call.id, { status: 'failed' });
          throw err;
        }
        const updated = await applySnapshot(db, call.id, placed);
        return wait(updated ?? call, placed.providerCallId);
      };

      const reconcile = async (since: Date): Promise<CallResult | null> => {
        const known = await db.call.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
        if (known && isTerminalStatus(known.status)) return callResultOf(known);
        if (known?.providerCallId) return wait(known, known.providerCallId);
        const found = await findPlacedCall(
          provider,
          { to: input.to, from, idempotencyKey: input.idempotencyKey },
          since,
        );
        if (!found) return null;
        const call = known ?? (await ensureRow());
        const updated = await applySnapshot(db, call.id, found);
        return wait(updated ?? call, found.providerCallId);
      };

      return onceByKey(
        db,
        {
          tenantId: input.tenantId,
          idempotencyKey: input.idempotencyKey,
          workflowId: input.workflowId,
          kind: 'call',
          request: {
            channelId: channel.row.id,
            provider: channel.provider,
            from,
            to: input.to,
            voiceAgentId: agent?.id,
          },
        },
        PlaceCallOutputSchema,
        perform,
        { reconcile },
      );
    },
  };
}

/** The agent a hosted platform runs, from the Call row's session: the persona with the script to cover. */
function hostedCallSpec(call: Call, webhookUrl: string): HostedCallSpec {
  const session = sessionOf(call);
  const script = session.script.map((line, i) => `${i + 1}. ${line}`).join('\n');
  const persona = script ? `${session.persona}\n\nCover these points, in order:\n${script}` : session.persona;
  return {
    callId: call.id,
    webhookUrl,
    agent: { persona, firstMessage: session.firstMessage, voice: session.voice },
    maxDurationSeconds: session.maxDurationSeconds,
  };
}

async function loadAgent(db: Db, tenantId: string, voiceAgentId: string | undefined): Promise<VoiceAgent | null> {
  if (!voiceAgentId) return null;
  const agent = UUID.test(voiceAgentId)
    ? await db.voiceAgent.findFirst({ where: { id: voiceAgentId, tenantId } })
    : null;
  if (!agent) {
    throw ApplicationFailure.create({
      type: 'VoiceAgentNotFound',
      message: `voice agent ${voiceAgentId} does not exist in this tenant`,
      nonRetryable: true,
    });
  }
  return agent;
}

async function findPlacedCall(
  provider: VoiceProvider,
  request: { to: string; from: string; idempotencyKey: string },
  since: Date,
): Promise<CallSnapshot | null> {
  return provider.findCall ? provider.findCall(request, since) : null;
}

function applySnapshot(db: Db, callId: string, snapshot: CallSnapshot) {
  return applyCallStatus(db, callId, {
    status: snapshot.status,
    providerCallId: snapshot.providerCallId,
    ...(snapshot.answeredBy ? { answeredBy: snapshot.answeredBy } : {}),
    ...(snapshot.durationSeconds !== undefined ? { durationSeconds: snapshot.durationSeconds } : {}),
    ...(snapshot.price ? { price: snapshot.price } : {}),
    ...(snapshot.priceUnit ? { priceUnit: snapshot.priceUnit } : {}),
  });
}

/** The call's row, created once per idempotency key (a retry finds the row its first attempt made). */
async function upsertCallRow(
  db: Db,
  c: {
    tenantId: string;
    channel: LoadedChannel;
    idempotencyKey: string;
    workflowId: string;
    contactId: string;
    agent: VoiceAgent | null;
    from: string;
    to: string;
    session: CallSession;
  },
): Promise<Call> {
  // The run's contact may have been deleted since; the call is still worth recording.
  const contact = UUID.test(c.contactId)
    ? await db.contact.findFirst({ where: { id: c.contactId, tenantId: c.tenantId }, select: { id: true } })
    : null;
  return db.call.upsert({
    where: { idempotencyKey: c.idempotencyKey },
    create: {
      tenantId: c.tenantId,
      channelId: c.channel.row.id,
      contactId: contact?.id ?? null,
      voiceAgentId: c.agent?.id ?? null,
      idempotencyKey: c.idempotencyKey,
      workflowId: c.workflowId,
      direction: 'outbound',
      from: c.from,
      to: c.to,
      status: 'queued',
      session: toJson(c.session),
    },
    update: {},
  });
}
