import { describe, expect, it } from 'vitest';
import { classifyIntent, INTENTS, type Intent } from '../../flow/intent';

describe('classifyIntent', () => {
  const examples: Record<Intent, string[]> = {
    stop: [
      'STOP',
      'stop',
      'Stop.',
      'Stop sending me these',
      'unsubscribe',
      'UNSUBSCRIBE please',
      'opt-out',
      'opt out',
      'Cancel',
      'quit',
      'end',
      'stopall',
    ],
    yes: [
      'Yes please!',
      'yes',
      'YES',
      'yeah',
      'Yep',
      'sure thing',
      'ok',
      'Okay 👍',
      'confirmed',
      'y',
      'Absolutely!',
      'sounds good',
      'Sí',
      'oui',
    ],
    no: ['nope', 'No', 'no.', 'nah', 'n', 'not now', 'Not interested', 'I am not interested', 'no thanks!'],
    reschedule: [
      'can we do later?',
      'later',
      'Can we reschedule?',
      'another time please',
      'change the date',
      'postpone',
      'No, later',
      'yes but later',
    ],
    question: [
      'What is this?',
      'how much does it cost',
      'Who are you',
      'when?',
      'Is it free?',
      '¿Qué?',
      'Does it work on Sundays',
    ],
    other: [
      '',
      '   ',
      '👍',
      '🙂🙂',
      '?!',
      'maybe',
      'yesterday was great',
      'nothing to add',
      'I love it',
      'stopped by the shop',
    ],
  };

  for (const intent of INTENTS) {
    it.each(examples[intent])(`reads %j as ${intent}`, (text) => {
      expect(classifyIntent(text)).toBe(intent);
    });
  }

  it('covers every intent', () => {
    expect(Object.keys(examples).sort()).toEqual([...INTENTS].sort());
  });

  it('puts stop before everything else', () => {
    expect(classifyIntent('STOP, yes I mean it, not later')).toBe('stop');
  });

  it('is deterministic and handles very long input', () => {
    const long = `${'blah '.repeat(5_000)}?`;
    expect(classifyIntent(long)).toBe('question');
    expect(classifyIntent(long)).toBe(classifyIntent(long));
  });
});
