import { describe, expect, it } from 'vitest';
import { lookupPath, renderTemplate } from '../../flow';

describe('renderTemplate', () => {
  const scope = { contact: { firstName: 'Ada', score: 7, address: { city: 'London' } }, vars: { empty: '' } };

  it('resolves nested paths', () => {
    expect(renderTemplate('Hi {{contact.firstName}} from {{ contact.address.city }}', scope)).toBe(
      'Hi Ada from London',
    );
    expect(renderTemplate('{{contact.score}}', scope)).toBe('7');
  });

  it('uses the default for missing or empty values', () => {
    expect(renderTemplate('Hi {{contact.lastName | default: "there"}}', scope)).toBe('Hi there');
    expect(renderTemplate('[{{vars.empty | default: "none"}}]', scope)).toBe('[none]');
    expect(renderTemplate('[{{vars.missing}}]', scope)).toBe('[]');
  });

  it('never reaches through the prototype chain', () => {
    expect(lookupPath(scope, 'contact.constructor')).toBeUndefined();
    expect(renderTemplate('{{contact.__proto__}}', scope)).toBe('');
  });

  it('leaves text without placeholders alone', () => {
    expect(renderTemplate('{{ not closed', scope)).toBe('{{ not closed');
  });
});
