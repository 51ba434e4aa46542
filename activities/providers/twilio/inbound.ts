import {
  type CallStatus,
  type DeliveryStatus,
  type InboundEvent,
  InboundEventSchema,
  type RawWebhook,
  WebhookRejected,
} from '../types';
import { type TwilioParams, twilioSignature } from './signature';

const WHATSAPP_PREFIX = 'whatsapp:';

/**
 * What one Twilio webhook says: an inbound SMS/WhatsApp message, a message status callback, or a
 * call status callback. Verify the signature first (signature.ts); this only reads.
 */
export function parseTwilioWebhook(params: TwilioParams): InboundEvent[] {
  const read = reader(params);
  if (read.optional('CallSid') !== undefined && read.optional('CallStatus') !== undefined) {
    return [callStatusEvent(read)];
  }
  const messageStatus = read.optional('MessageStatus') ?? read.optional('SmsStatus');
  // Inbound messages carry SmsStatus=received; every other value is a receipt for one we sent.
  if (messageStatus !== undefined && messageStatus !== 'received' && messageStatus !== 'receiving') {
    return [messageStatusEvent(read, messageStatus)];
  }
  if (read.optional('MessageSid') !== undefined || read.optional('SmsSid') !== undefined) {
    return [inboundMessageEvent(read)];
  }
  throw new WebhookRejected(
    400,
    'invalid_webhook',
    'not a Twilio message or call webhook: it has neither MessageSid/SmsSid nor CallSid with CallStatus',
  );
}

/** Decodes an application/x-www-form-urlencoded body, keeping every value of a repeated name. */
export function parseTwilioForm(rawBody: Buffer | string): TwilioParams {
  const params: TwilioParams = {};
  for (const [name, value] of new URLSearchParams(rawBody.toString())) {
    const earlier = params[name];
    if (earlier === undefined) params[name] = value;
    else params[name] = Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
  }
  return params;
}

function inboundMessageEvent(read: Reader): InboundEvent {
  const providerMessageId = read.optional('MessageSid') ?? read.required('SmsSid');
  const from = read.required('From');
  const to = read.optional('To');
  const mediaCount = read.integer('NumMedia') ?? 0;
  const media = Array.from({ length: mediaCount }, (_, i) => ({
    url: read.required(`MediaUrl${i}`),
    contentType: read.optional(`MediaContentType${i}`),
  }));
  return InboundEventSchema.parse({
    kind: 'message',
    channel: from.startsWith(WHATSAPP_PREFIX) ? 'whatsapp' : 'sms',
    providerMessageId,
    from: withoutWhatsAppPrefix(from),
    to: to === undefined ? undefined : withoutWhatsAppPrefix(to),
    // A media-only message has an empty Body; Twilio still sends the field.
    text: read.optional('Body') ?? '',
    profileName: read.optional('ProfileName') || undefined,
    media,
  });
}

function messageStatusEvent(read: Reader, twilioStatus: string): InboundEvent {
  const status = deliveryStatus(twilioStatus);
  if (!status) {
    throw new WebhookRejected(400, 'invalid_webhook', `Twilio MessageStatus "${twilioStatus}" is not one we know`);
  }
  return InboundEventSchema.parse({
    kind: 'status',
    providerMessageId: read.optional('MessageSid') ?? read.required('SmsSid'),
    status,
    errorCode: read.optional('ErrorCode') || undefined,
    errorMessage: read.optional('ErrorMessage') || undefined,
  });
}

function callStatusEvent(read: Reader): InboundEvent {
  const twilioStatus = read.required('CallStatus');
  const status = callStatus(twilioStatus);
  if (!status)
    throw new WebhookRejected(400, 'invalid_webhook', `Twilio CallStatus "${twilioStatus}" is not one we know`);
  const timestamp = read.optional('Timestamp');
  const at = timestamp === undefined ? undefined : new Date(timestamp);
  const price = read.optional('Price');
  return InboundEventSchema.parse({
    kind: 'call-status',
    providerCallId: read.required('CallSid'),
    status,
    answeredBy: answeredBy(read.optional('AnsweredBy')),
    durationSeconds: read.integer('CallDuration'),
    price: price ? positivePrice(price) : undefined,
    priceUnit: price ? read.optional('PriceUnit') || undefined : undefined,
    recordingUrl: read.optional('RecordingUrl') || undefined,
    at: at && !Number.isNaN(at.getTime()) ? at : undefined,
  });
}

/** Twilio's message statuses, as our delivery statuses. */
export function deliveryStatus(twilioStatus: string): DeliveryStatus | undefined {
  switch (twilioStatus) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return 'queued';
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'partially_delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'failed':
    case 'canceled':
      return 'failed';
    case 'undelivered':
      return 'undelivered';
    default:
      return undefined;
  }
}

/** Twilio's call statuses; `initiated` appears only in status callbacks, before ringing. */
export function callStatus(twilioStatus: string): CallStatus | undefined {
  switch (twilioStatus) {
    case 'initiated':
      return 'queued';
    case 'queued':
    case 'ringing':
    case 'in-progress':
    case 'completed':
    case 'busy':
    case 'no-answer':
    case 'failed':
    case 'canceled':
      return twilioStatus;
    default:
      return undefined;
  }
}

/** AnsweredBy (answering-machine detection): human, machine_start, machine_end_*, fax, unknown. */
export function answeredBy(value: string | null | undefined): 'human' | 'machine' | 'unknown' | undefined {
  if (!value) return undefined;
  if (value === 'human') return 'human';
  if (value.startsWith('machine_') || value === 'fax') return 'machine';
  return 'unknown';
}

/** Twilio reports what it charged as a negative decimal string ("-0.0130"); we keep a positive one. */
export function positivePrice(value: string): string | undefined {
  const trimmed = value.trim();
  if (!/^[-+]?\d+(\.\d+)?$/.test(trimmed)) return undefined;
  return trimmed.replace(/^[-+]/, '');
}

export function withoutWhatsAppPrefix(address: string): string {
  return address.startsWith(WHATSAPP_PREFIX) ? address.slice(WHATSAPP_PREFIX.length) : address;
}

interface Reader {
  optional(name: string): string | undefined;
  required(name: string): string;
  integer(name: string): number | undefined;
}

function reader(params: TwilioParams): Reader {
  const optional = (name: string) => {
    const value = params[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    optional,
    required(name) {
      const value = optional(name);
      if (value === undefined || value === '') {
        throw new WebhookRejected(400, 'invalid_webhook', `Twilio webhook is missing the ${name} parameter`);
      }
      return value;
    },
    integer(name) {
      const value = optional(name);
      if (value === undefined || value === '') return undefined;
      if (!/^\d+$/.test(value)) {
        throw new WebhookRejected(400, 'invalid_webhook', `Twilio webhook parameter ${name} is not a whole number`);
      }
      return Number(value);
    },
  };
}

/**
 * A webhook exactly as Twilio posts it: form-encoded parameters and X-Twilio-Signature over the URL
 * and those parameters. The sandbox network and tests post with it.
 */
export function buildTwilioWebhook(
  authToken: string,
  url: string,
  params: TwilioParams,
): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
  }
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-twilio-signature': twilioSignature(authToken, url, params),
      'user-agent': 'TwilioProxy/1.1',
    },
    body: form.toString(),
  };
}

/** A received webhook in RawWebhook form, e.g. to feed what buildTwilioWebhook made to the verifier. */
export function rawTwilioWebhook(url: string, built: { headers: Record<string, string>; body: string }): RawWebhook {
  return { url, method: 'POST', headers: built.headers, rawBody: Buffer.from(built.body) };
}
