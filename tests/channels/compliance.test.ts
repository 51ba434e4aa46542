import { describe, expect, it } from 'vitest';
import { checkSend, keywordOf, recipientZone, type SendFacts } from '../../activities/messaging/compliance';
import { smsSegments } from '../../activities/providers/types';

const contact = { dnc: false, consent: {}, timeZone: 'America/New_York', phone: '+12125550100' };
// 15:00 UTC = 10:00 in New York (EST, November).
const afternoon = new Date('2026-11-20T15:00:00Z');
const base: SendFacts = {
  kind: 'sms',
  purpose: 'transactional',
  contact,
  now: afternoon,
  lastInboundAt: null,
  hasTemplate: false,
};

describe('send-time compliance', () => {
  it('blocks every send to a DNC contact, except the opt-out confirmation itself', () => {
    expect(checkSend({ ...base, contact: { ...contact, dnc: true } })?.type).toBe('OptedOut');
    expect(checkSend({ ...base, contact: { ...contact, dnc: true }, keywordConfirmation: true })).toBeNull();
  });

  it('blocks a channel whose consent was withdrawn, and only that channel', () => {
    const denied = { ...contact, consent: { email: { status: 'denied', at: '2026-01-01T00:00:00Z' } } };
    expect(checkSend({ ...base, kind: 'email', contact: denied })?.type).toBe('OptedOut');
    expect(checkSend({ ...base, kind: 'sms', contact: denied })).toBeNull();
    const voiceDenied = { ...contact, consent: { voice: { status: 'denied', at: '2026-01-01T00:00:00Z' } } };
    expect(checkSend({ ...base, kind: 'voice', purpose: 'call', contact: voiceDenied })?.type).toBe('OptedOut');
  });

  it("keeps calls and marketing inside 8:00–21:00 of the recipient's zone; transactional messages go any time", () => {
    const lateInNewYork = new Date('2026-11-21T03:30:00Z'); // 22:30 the evening before in New York
    expect(checkSend({ ...base, purpose: 'marketing', now: lateInNewYork })).toMatchObject({
      type: 'QuietHours',
      reason: expect.stringContaining('22:30'),
    });
    expect(checkSend({ ...base, kind: 'voice', purpose: 'call', now: lateInNewYork })?.type).toBe('QuietHours');
    expect(checkSend({ ...base, purpose: 'transactional', now: lateInNewYork })).toBeNull();
    expect(checkSend({ ...base, purpose: 'marketing', now: afternoon })).toBeNull();
    // 21:00 sharp is closed, 8:00 sharp is open.
    expect(checkSend({ ...base, purpose: 'marketing', now: new Date('2026-11-21T02:00:00Z') })?.type).toBe(
      'QuietHours',
    );
    expect(checkSend({ ...base, purpose: 'marketing', now: new Date('2026-11-20T13:00:00Z') })).toBeNull();
  });

  it('reads the zone from the contact, else from the number, else UTC', () => {
    expect(recipientZone({ timeZone: 'Europe/Paris', phone: '+12125550100' })).toBe('Europe/Paris');
    expect(recipientZone({ timeZone: null, phone: '+33612345678' })).toBe('Europe/Paris');
    expect(recipientZone({ timeZone: null, phone: null })).toBe('UTC');
    // 09:00 UTC is 10:00 in Paris but 01:00 in Los Angeles.
    const morningUtc = new Date('2026-11-20T09:00:00Z');
    expect(
      checkSend({ ...base, purpose: 'marketing', now: morningUtc, contact: { ...contact, timeZone: 'Europe/Paris' } }),
    ).toBeNull();
    expect(
      checkSend({
        ...base,
        purpose: 'marketing',
        now: morningUtc,
        contact: { ...contact, timeZone: 'America/Los_Angeles' },
      })?.type,
    ).toBe('QuietHours');
  });

  it("allows free-form WhatsApp only within 24 hours of the customer's last message; templates any time", () => {
    const wa = { ...base, kind: 'whatsapp' as const };
    expect(checkSend({ ...wa })?.type).toBe('OutsideWindow');
    expect(checkSend({ ...wa, hasTemplate: true })).toBeNull();
    expect(checkSend({ ...wa, lastInboundAt: new Date(afternoon.getTime() - 23 * 3600_000) })).toBeNull();
    expect(checkSend({ ...wa, lastInboundAt: new Date(afternoon.getTime() - 25 * 3600_000) })?.type).toBe(
      'OutsideWindow',
    );
  });
});

describe('opt-out keywords', () => {
  it.each([
    'STOP',
    'stop',
    ' Stop. ',
    'STOPALL',
    'stop all',
    'Unsubscribe',
    'CANCEL',
    'end',
    'QUIT',
    'opt-out',
    'OPTOUT',
    'revoke',
    'STOP!',
    'Arrêt',
  ])('%j opts out', (text) => {
    expect(keywordOf(text)).toBe('stop');
  });

  it.each(['START', 'unstop', 'Subscribe'])('%j opts back in', (text) => {
    expect(keywordOf(text)).toBe('start');
  });

  it.each(['stop calling me after 5', 'Please stop', 'yes', 'Yes', 'I want to end my contract', '', '🛑'])(
    '%j is an ordinary message',
    (text) => {
      expect(keywordOf(text)).toBeNull();
    },
  );
});

describe('SMS segments', () => {
  it('counts GSM-7 and UCS-2 as carriers bill them', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(smsSegments('a'.repeat(161))).toEqual({ segments: 2, encoding: 'GSM-7' });
    expect(smsSegments('a'.repeat(2000))).toEqual({ segments: 14, encoding: 'GSM-7' });
    // Extension characters take two septets.
    expect(smsSegments('€'.repeat(80))).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(smsSegments('€'.repeat(81))).toEqual({ segments: 2, encoding: 'GSM-7' });
    expect(smsSegments('é'.repeat(70))).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(smsSegments('ñ')).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(smsSegments('ã')).toEqual({ segments: 1, encoding: 'UCS-2' });
    // An emoji is two UTF-16 units.
    expect(smsSegments('🎉'.repeat(35))).toEqual({ segments: 1, encoding: 'UCS-2' });
    expect(smsSegments('🎉'.repeat(36))).toEqual({ segments: 2, encoding: 'UCS-2' });
  });
});
