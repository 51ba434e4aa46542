import { z } from 'zod';
import type { TwilioConfigSchema, TwilioSecretsSchema } from '../config';
import {
  type AvailableNumber,
  type CallSnapshot,
  type CreateCallRequest,
  type NumberProvider,
  type OwnedNumber,
  PermanentSendError,
  TransientSendError,
  type VoiceProvider,
} from '../types';
import { describeTwilioAccount, type TwilioClient, twilioClientPool } from './client';
import { toTwilioSendError } from './errors';
import { answeredBy, callStatus, positivePrice } from './inbound';

/** Voice and numbers need the account only, not a messaging sender. */
export type TwilioAccountConfig = Pick<z.output<typeof TwilioConfigSchema>, 'accountSid' | 'apiBaseUrl'>;
type TwilioSecrets = z.output<typeof TwilioSecretsSchema>;

const CLOCK_SKEW_MS = 5_000;
const RECENT_PAGE = 50;
/** "Call is not in-progress": the call ended between our fetch and our hangup. */
const CALL_NOT_IN_PROGRESS = '21220';
const NOT_FOUND = '20404';

const CallSchema = z.object({
  sid: z.string().regex(/^CA[0-9a-fA-F]{32}$/),
  status: z.string(),
  answeredBy: z.string().nullish(),
  duration: z.coerce.number().int().nonnegative().nullish().catch(undefined),
  price: z.string().nullish(),
  priceUnit: z.string().nullish(),
  dateCreated: z.coerce.date().nullish().catch(undefined),
});
type TwilioCall = z.infer<typeof CallSchema>;

/** Outbound calls through Twilio Programmable Voice. */
export class TwilioVoiceProvider implements VoiceProvider {
  readonly name = 'twilio' as const;
  private readonly client: () => TwilioClient;

  constructor(config: TwilioAccountConfig, secrets: TwilioSecrets) {
    const pool = twilioClientPool({
      accountSid: config.accountSid,
      authToken: secrets.authToken,
      apiBaseUrl: config.apiBaseUrl,
    });
    this.client = () => pool();
  }

  // Twilio's Calls API takes no idempotency key; a retry after an unknown outcome uses findCall.
  async createCall(request: CreateCallRequest, _ctx: { idempotencyKey: string }): Promise<CallSnapshot> {
    const amd =
      request.machineDetection === 'off'
        ? {}
        : // Synchronous AMD: Twilio fetches the answer URL only once it knows human or machine,
          // so the first TwiML can already choose between the conversation and the voicemail.
          { machineDetection: request.machineDetection, asyncAmd: 'false' };
    return this.call(() =>
      this.client().calls.create({
        to: request.to,
        from: request.from,
        url: request.answerUrl,
        method: 'POST',
        statusCallback: request.statusCallbackUrl,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        ...amd,
        timeout: request.ringTimeoutSeconds,
        timeLimit: request.timeLimitSeconds,
        record: request.record,
      }),
    );
  }

  async fetchCall(providerCallId: string): Promise<CallSnapshot> {
    return this.call(() => this.client().calls(providerCallId).fetch());
  }

  /** Twilio cancels a call not yet answered (`canceled`) and hangs up one in progress (`completed`). */
  async hangup(providerCallId: string): Promise<void> {
    const current = await this.fetchCall(providerCallId);
    if (isOver(current.status)) return;
    try {
      if (current.status === 'queued' || current.status === 'ringing') {
        const after = await this.call(() => this.client().calls(providerCallId).update({ status: 'canceled' }));
        // Answered in between: `canceled` leaves an answered call alone.
        if (isOver(after.status)) return;
      }
      await this.call(() => this.client().calls(providerCallId).update({ status: 'completed' }));
    } catch (err) {
      if (err instanceof PermanentSendError && err.providerCode === CALL_NOT_IN_PROGRESS) return;
      throw err;
    }
  }

  async findCall(request: Pick<CreateCallRequest, 'to' | 'from'>, since: Date): Promise<CallSnapshot | null> {
    const filter = { to: request.to, from: request.from };
    let listed: unknown[];
    try {
      const [startedSince, newest] = await Promise.all([
        this.client().calls.list({ ...filter, startTimeAfter: startOfUtcDay(since), pageSize: 100, limit: 200 }),
        // start_time stays empty until Twilio dials, so StartTime filters miss a call still queued.
        this.client().calls.list({ ...filter, pageSize: RECENT_PAGE, limit: RECENT_PAGE }),
      ]);
      listed = [...startedSince, ...newest];
    } catch (err) {
      throw toTwilioSendError(err);
    }
    const notBefore = since.getTime() - CLOCK_SKEW_MS;
    const earliest = listed
      .map((c) => CallSchema.safeParse(c))
      .flatMap((r) => (r.success ? [r.data] : []))
      .filter((c) => c.dateCreated && c.dateCreated.getTime() >= notBefore)
      .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0))[0];
    return earliest ? callSnapshot(earliest) : null;
  }

  async testConnection(): Promise<{ detail: string }> {
    return describeTwilioAccount(this.client());
  }

  private async call(request: () => Promise<unknown>): Promise<CallSnapshot> {
    let answer: unknown;
    try {
      answer = await request();
    } catch (err) {
      throw toTwilioSendError(err);
    }
    const parsed = CallSchema.safeParse(answer);
    if (!parsed.success) {
      throw new TransientSendError(`Twilio's call answer was unreadable: ${parsed.error.message}`, 'unknown');
    }
    return callSnapshot(parsed.data);
  }
}

function isOver(status: CallSnapshot['status']): boolean {
  return ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status);
}

function callSnapshot(call: TwilioCall): CallSnapshot {
  const price = call.price ? positivePrice(call.price) : undefined;
  const verdict = answeredBy(call.answeredBy);
  return {
    providerCallId: call.sid,
    // A status this code does not know yet is treated as still going, never as finished.
    status: callStatus(call.status) ?? 'queued',
    ...(verdict ? { answeredBy: verdict } : {}),
    ...(call.duration != null ? { durationSeconds: call.duration } : {}),
    ...(price ? { price, ...(call.priceUnit ? { priceUnit: call.priceUnit } : {}) } : {}),
  };
}

const CapabilitiesSchema = z.record(z.string(), z.unknown()).catch({});
/** AvailablePhoneNumbers says "SMS"/"MMS", IncomingPhoneNumbers "sms"/"mms": read either. */
function capabilities(raw: z.infer<typeof CapabilitiesSchema>): AvailableNumber['capabilities'] {
  const has = (name: string) => Object.entries(raw).some(([k, v]) => k.toLowerCase() === name && v === true);
  return { voice: has('voice'), sms: has('sms'), mms: has('mms') };
}

const AvailableNumberSchema = z.object({
  phoneNumber: z.string(),
  locality: z.string().nullish(),
  region: z.string().nullish(),
  capabilities: CapabilitiesSchema,
});

const IncomingNumberSchema = z.object({
  sid: z.string().regex(/^PN[0-9a-fA-F]{32}$/),
  phoneNumber: z.string(),
  capabilities: CapabilitiesSchema,
});

/** Searches, buys, lists and releases Twilio numbers, pointing their webhooks at us. */
export class TwilioNumberProvider implements NumberProvider {
  private readonly client: () => TwilioClient;

  constructor(config: TwilioAccountConfig, secrets: TwilioSecrets) {
    const pool = twilioClientPool({
      accountSid: config.accountSid,
      authToken: secrets.authToken,
      apiBaseUrl: config.apiBaseUrl,
    });
    this.client = () => pool();
  }

  async searchAvailable(query: {
    country: string;
    areaCode?: string;
    contains?: string;
    limit?: number;
  }): Promise<AvailableNumber[]> {
    if (query.areaCode !== undefined && !/^\d{2,5}$/.test(query.areaCode)) {
      throw new PermanentSendError('InvalidRequest', `area code "${query.areaCode}" is not a number`);
    }
    const limit = query.limit ?? 20;
    const found = await this.attempt(() =>
      this.client()
        .availablePhoneNumbers(query.country.toUpperCase())
        .local.list({
          ...(query.areaCode !== undefined ? { areaCode: Number(query.areaCode) } : {}),
          ...(query.contains ? { contains: query.contains } : {}),
          pageSize: limit,
          limit,
        }),
    );
    return found.flatMap((n) => {
      const parsed = AvailableNumberSchema.safeParse(n);
      if (!parsed.success) return [];
      const { phoneNumber, locality, region } = parsed.data;
      return [
        {
          e164: phoneNumber,
          ...(locality ? { locality } : {}),
          ...(region ? { region } : {}),
          capabilities: capabilities(parsed.data.capabilities),
        },
      ];
    });
  }

  async buy(
    e164: string,
    hooks: { voiceUrl: string; smsUrl: string; statusCallbackUrl: string },
  ): Promise<OwnedNumber> {
    const bought = await this.attempt(() =>
      this.client().incomingPhoneNumbers.create({
        phoneNumber: e164,
        voiceUrl: hooks.voiceUrl,
        voiceMethod: 'POST',
        smsUrl: hooks.smsUrl,
        smsMethod: 'POST',
        statusCallback: hooks.statusCallbackUrl,
        statusCallbackMethod: 'POST',
      }),
    );
    const parsed = IncomingNumberSchema.safeParse(bought);
    if (!parsed.success) {
      throw new TransientSendError(`Twilio's purchase answer was unreadable: ${parsed.error.message}`, 'unknown');
    }
    return ownedNumber(parsed.data);
  }

  /** Releasing a number Twilio no longer has for us is done already. */
  async release(providerSid: string): Promise<void> {
    try {
      await this.attempt(() => this.client().incomingPhoneNumbers(providerSid).remove());
    } catch (err) {
      if (err instanceof PermanentSendError && err.providerCode === NOT_FOUND) return;
      throw err;
    }
  }

  async list(): Promise<OwnedNumber[]> {
    const owned = await this.attempt(() => this.client().incomingPhoneNumbers.list({ pageSize: 100 }));
    return owned.flatMap((n) => {
      const parsed = IncomingNumberSchema.safeParse(n);
      return parsed.success ? [ownedNumber(parsed.data)] : [];
    });
  }

  private async attempt<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw toTwilioSendError(err);
    }
  }
}

function ownedNumber(n: z.infer<typeof IncomingNumberSchema>): OwnedNumber {
  return { providerSid: n.sid, e164: n.phoneNumber, capabilities: capabilities(n.capabilities) };
}

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}
