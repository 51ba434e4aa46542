import { describe, expect, it } from 'vitest';
import { applyContactChange, type ContactChange } from '../../flow/contact-update';
import { type ContactSnapshot, ContactSnapshotSchema } from '../../flow/schema';

const contact = (): ContactSnapshot =>
  ContactSnapshotSchema.parse({
    id: 'c1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    phone: '+14155550123',
    timeZone: 'Europe/London',
    leadStatus: 'new',
    tags: ['lead', 'newsletter'],
    fields: { plan: 'free', seats: 3 },
  });
const change = (c: Partial<ContactChange>): ContactChange => ({ set: {}, addTags: [], removeTags: [], ...c });

describe('applyContactChange', () => {
  it('writes named attributes as text and everything else as custom fields', () => {
    const next = applyContactChange(
      contact(),
      change({ set: { firstName: 'Augusta', timeZone: 'Europe/Paris', plan: 'pro', seats: 10, vip: true } }),
    );
    expect(next.firstName).toBe('Augusta');
    expect(next.timeZone).toBe('Europe/Paris');
    expect(next.fields).toEqual({ plan: 'pro', seats: 10, vip: true });
  });

  it('converts non-text values of named attributes to text, and null clears them', () => {
    const next = applyContactChange(contact(), change({ set: { lastName: 42, email: null } }));
    expect(next.lastName).toBe('42');
    expect(next.email).toBeNull();
  });

  it('deletes a custom field set to null', () => {
    const next = applyContactChange(contact(), change({ set: { plan: null } }));
    expect(next.fields).toEqual({ seats: 3 });
    expect('plan' in next.fields).toBe(false);
  });

  it('does not let set overwrite the phone or id (they are identity, not named attributes): they become custom fields', () => {
    const next = applyContactChange(contact(), change({ set: { phone: '+10000000000', id: 'other' } }));
    expect(next.phone).toBe('+14155550123');
    expect(next.id).toBe('c1');
    expect(next.fields).toMatchObject({ phone: '+10000000000', id: 'other' });
  });

  it('adds tags once and removes tags, removal winning over an addition of the same tag', () => {
    const next = applyContactChange(
      contact(),
      change({ addTags: ['vip', 'lead', 'vip'], removeTags: ['newsletter', 'absent', 'vip'] }),
    );
    expect(next.tags).toEqual(['lead']);
    const added = applyContactChange(contact(), change({ addTags: ['vip'] }));
    expect(added.tags).toEqual(['lead', 'newsletter', 'vip']);
  });

  it('sets the lead status and adds the score delta, starting from 0 when there is no score', () => {
    const next = applyContactChange(contact(), change({ leadStatus: 'qualified', scoreDelta: 15 }));
    expect(next.leadStatus).toBe('qualified');
    expect(next.score).toBe(15);
    expect(applyContactChange({ ...next }, change({ scoreDelta: -20 })).score).toBe(-5);
  });

  it('leaves the status and score alone when the change does not mention them', () => {
    const before = { ...contact(), score: 7 };
    const next = applyContactChange(before, change({ addTags: ['x'] }));
    expect(next.leadStatus).toBe('new');
    expect(next.score).toBe(7);
  });

  it('never mutates the contact it is given', () => {
    const before = contact();
    const snapshot = structuredClone(before);
    applyContactChange(
      before,
      change({ set: { firstName: 'X', plan: null, extra: 1 }, addTags: ['t'], removeTags: ['lead'], scoreDelta: 5 }),
    );
    expect(before).toEqual(snapshot);
  });

  it('a "__proto__" key does not pollute Object.prototype', () => {
    const set = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    applyContactChange(contact(), change({ set }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
