import { parseConsent } from '../../api/contacts/model';
import { inferTimeZone } from '../../api/contacts/normalize';
import { zonedParts } from '../../flow/calendar';
import type { ChannelKind } from '../providers/types';

/**
 * Send-time compliance: the last word before a provider is called. Pure, so every rule is tested
 * directly; activities/messaging/outbound.ts and the call activity apply it and record the block.
 */

export type SendPurpose = 'transactional' | 'marketing' | 'call';

export type BlockType = 'OptedOut' | 'NoConsent' | 'QuietHours' | 'OutsideWindow';
export interface Block {
  type: BlockType;
  reason: string;
}

export interface CallingHours {
  /** Minutes after local midnight: 8:00 → 480. */
  startMinute: number;
  endMinute: number;
}
export const DEFAULT_CALLING_HOURS: CallingHours = { startMinute: 8 * 60, endMinute: 21 * 60 };

export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface SendFacts {
  kind: ChannelKind;
  purpose: SendPurpose;
  contact: { dnc: boolean; consent: unknown; timeZone: string | null; phone: string | null } | null;
  now: Date;
  /** The customer's last message on this conversation (WhatsApp's customer-service window). */
  lastInboundAt: Date | null;
  hasTemplate: boolean;
  callingHours?: CallingHours;
  /** The confirmation of an opt-out or opt-in is the one message a DNC contact still gets. */
  keywordConfirmation?: boolean;
}

export function checkSend(f: SendFacts): Block | null {
  if (f.contact && !f.keywordConfirmation) {
    if (f.contact.dnc) return { type: 'OptedOut', reason: 'the contact is on the do-not-contact list' };
    const consentKind = f.kind === 'voice' ? 'voice' : f.kind;
    const consent = parseConsent(f.contact.consent)[consentKind];
    if (consent?.status === 'denied') {
      return { type: 'OptedOut', reason: `the contact withdrew consent for ${consentKind} on ${consent.at}` };
    }
  }
  if (f.kind === 'whatsapp' && !f.hasTemplate) {
    const open = f.lastInboundAt && f.now.getTime() - f.lastInboundAt.getTime() < WHATSAPP_WINDOW_MS;
    if (!open) {
      return {
        type: 'OutsideWindow',
        reason: f.lastInboundAt
          ? `the customer last wrote ${f.lastInboundAt.toISOString()}, over 24 hours ago: WhatsApp allows only an approved template`
          : 'the customer has not written on WhatsApp: the first message must be an approved template',
      };
    }
  }
  if (f.purpose !== 'transactional') {
    const hours = f.callingHours ?? DEFAULT_CALLING_HOURS;
    const zone = recipientZone(f.contact);
    const minute = localMinute(f.now, zone);
    if (minute < hours.startMinute || minute >= hours.endMinute) {
      return {
        type: 'QuietHours',
        reason: `it is ${formatMinute(minute)} for the recipient (${zone}); ${f.purpose === 'call' ? 'calls' : 'marketing messages'} go out between ${formatMinute(hours.startMinute)} and ${formatMinute(hours.endMinute)}`,
      };
    }
  }
  return null;
}

/** The recipient's zone: the contact's own, else inferred from the number, else UTC. */
export function recipientZone(contact: { timeZone: string | null; phone: string | null } | null): string {
  return contact?.timeZone ?? (contact?.phone ? inferTimeZone(contact.phone) : null) ?? 'UTC';
}

function localMinute(at: Date, zone: string): number {
  const p = zonedParts(at.getTime(), zone);
  return p.hour * 60 + p.minute;
}

const formatMinute = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Opt-out and opt-in keywords as carriers and Twilio recognise them (whole message, any case). */
const STOP_WORDS = new Set([
  'STOP',
  'STOPALL',
  'STOP ALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'OPTOUT',
  'OPT OUT',
  'REVOKE',
  'ARRET',
  'ARRÊT',
  'BAJA',
  'ALTO',
]);
// Not YES: "Yes" answers a flow's question far more often than it re-subscribes.
const START_WORDS = new Set(['START', 'UNSTOP', 'SUBSCRIBE', 'OPTIN', 'OPT IN']);
const HELP_WORDS = new Set(['HELP', 'INFO']);

export type Keyword = 'stop' | 'start' | 'help';

export function keywordOf(text: string): Keyword | null {
  const word = text
    .normalize('NFC')
    .trim()
    .toUpperCase()
    .replace(/[-_]/g, ' ')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (STOP_WORDS.has(word)) return 'stop';
  if (START_WORDS.has(word)) return 'start';
  if (HELP_WORDS.has(word)) return 'help';
  return null;
}

export const KEYWORD_REPLIES: Record<Keyword, string> = {
  stop: 'You are unsubscribed and will receive no more messages from us. Reply START to subscribe again.',
  start: 'You are subscribed again. Reply STOP to unsubscribe at any time.',
  help: 'Reply STOP to unsubscribe, START to subscribe again. Questions? Just reply to this message.',
};
