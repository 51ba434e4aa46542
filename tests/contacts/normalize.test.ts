import { describe, expect, it } from 'vitest';
import { inferTimeZone, normalizeEmail, normalizePhone } from '../../api/contacts/normalize';
import { COUNTRY_ZONES, NANP_AREA_CODE_ZONES } from '../../api/contacts/time-zones';

describe('normalizePhone', () => {
  it('turns international and national numbers into E.164 with their country', () => {
    expect(normalizePhone('+1 (212) 555-0100')).toEqual({ ok: true, e164: '+12125550100', country: 'US' });
    expect(normalizePhone('(415) 555-0100', 'US')).toEqual({ ok: true, e164: '+14155550100', country: 'US' });
    expect(normalizePhone('020 7946 0958', 'GB')).toEqual({ ok: true, e164: '+442079460958', country: 'GB' });
    expect(normalizePhone('0044 20 7946 0958')).toMatchObject({ ok: true, e164: '+442079460958' });
    expect(normalizePhone('+91 98765 43210')).toEqual({ ok: true, e164: '+919876543210', country: 'IN' });
  });

  it('refuses what is not a phone number, with a reason', () => {
    expect(normalizePhone('call me maybe')).toEqual({ ok: false, reason: 'not a phone number' });
    expect(normalizePhone('')).toEqual({ ok: false, reason: 'not a phone number' });
  });

  it('says a number is too short', () => {
    expect(normalizePhone('+1 212')).toEqual({ ok: false, reason: 'too short' });
    expect(normalizePhone('1234', 'GB')).toEqual({ ok: false, reason: 'too short' });
  });

  it('says which country a well-formed but unassigned number is invalid for', () => {
    expect(normalizePhone('+1 999 555 0100')).toEqual({ ok: false, reason: 'invalid for +1' });
    expect(normalizePhone('555-0100 000', 'US')).toEqual({ ok: false, reason: 'invalid for US' });
  });

  it("accepts the ranges reserved for drama and tests (Ofcom's 07700 900xxx) that the sandbox uses", () => {
    expect(normalizePhone('+44 7700 900123')).toEqual({ ok: true, e164: '+447700900123', country: 'GB' });
    expect(normalizePhone('07700 900123', 'GB')).toMatchObject({ ok: true, e164: '+447700900123' });
    expect(inferTimeZone('+447700900123')).toBe('Europe/London');
    expect(normalizePhone('+44 7700 123456').ok).toBe(true);
    expect(normalizePhone('+44 7000 00000').ok).toBe(false);
  });

  it('needs a default country for national numbers', () => {
    const r = normalizePhone('415 555 0100');
    expect(r.ok).toBe(false);
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases valid addresses and refuses invalid ones', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toEqual({ ok: true, email: 'ada.lovelace@example.com' });
    expect(normalizeEmail('not-an-email')).toEqual({ ok: false, reason: 'not an email address' });
    expect(normalizeEmail('a@b')).toMatchObject({ ok: false });
  });
});

describe('inferTimeZone', () => {
  it.each([
    ['+12125550100', 'America/New_York'],
    ['+14155550100', 'America/Los_Angeles'],
    ['+13125550100', 'America/Chicago'],
    ['+18085550100', 'Pacific/Honolulu'],
    ['+16045550100', 'America/Vancouver'],
    ['+14165550100', 'America/Toronto'],
    ['+16025550100', 'America/Phoenix'],
    ['+13035550100', 'America/Denver'],
    ['+442079460958', 'Europe/London'],
    ['+919876543210', 'Asia/Kolkata'],
    ['+61293744000', 'Australia/Sydney'],
    ['+61892223333', 'Australia/Perth'],
    ['+81312345678', 'Asia/Tokyo'],
    ['+4930123456', 'Europe/Berlin'],
    ['+551133334444', 'America/Sao_Paulo'],
    ['+559233334444', 'America/Manaus'],
    ['+526641234567', 'America/Tijuana'],
    ['+525512345678', 'America/Mexico_City'],
    ['+74951234567', 'Europe/Moscow'],
    ['+73832123456', 'Asia/Novosibirsk'],
    ['+62215551234', 'Asia/Jakarta'],
  ])('%s is in %s', (e164, zone) => {
    expect(inferTimeZone(e164)).toBe(zone);
  });

  it('answers null for mobiles of multi-zone countries, toll-free and invalid numbers', () => {
    expect(inferTimeZone('+61412345678')).toBeNull(); // AU mobile
    expect(inferTimeZone('+79161234567')).toBeNull(); // RU mobile
    expect(inferTimeZone('+18005550100')).toBeNull(); // toll-free
    expect(inferTimeZone('+19995550100')).toBeNull(); // unassigned
    expect(inferTimeZone('nonsense')).toBeNull();
  });

  it('covers the populous countries and every zone in its tables is a real IANA zone', () => {
    expect(Object.keys(COUNTRY_ZONES).length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(NANP_AREA_CODE_ZONES).length).toBeGreaterThan(380);
    for (const zone of new Set([...Object.values(COUNTRY_ZONES), ...Object.values(NANP_AREA_CODE_ZONES)])) {
      expect(() => new Intl.DateTimeFormat('en', { timeZone: zone }), zone).not.toThrow();
    }
  });
});
