import { describe, expect, it } from 'vitest';
import {
  checkTemplate,
  EXPRESSION_ROOTS,
  evaluateExpression,
  FILTER_NAMES,
  lookupPath,
  renderTemplate,
  resolveValue,
  templatePaths,
} from '../../flow/expressions';

const scope = {
  contact: {
    firstName: 'ada',
    lastName: null,
    score: 7,
    price: '3.14159',
    padded: '  spaced out  ',
    tags: ['vip', 'beta'],
    address: { city: 'London', geo: { lat: 51.5 } },
  },
  vars: { empty: '', zero: 0, no: false, lastReply: 'Yes please' },
  nodes: { ask: { output: { text: 'hello', intent: 'yes' } } },
  trigger: { source: 'api', 'utm-source': 'mail' },
  run: { id: 'run-1' },
};

describe('renderTemplate', () => {
  it('resolves nested paths, with or without spaces inside the braces', () => {
    expect(renderTemplate('Hi {{contact.firstName}} from {{ contact.address.city }}', scope)).toBe(
      'Hi ada from London',
    );
    expect(renderTemplate('{{contact.address.geo.lat}}', scope)).toBe('51.5');
    expect(renderTemplate('{{contact.score}}', scope)).toBe('7');
  });

  it('reads every root: contact, vars, nodes, trigger, run', () => {
    expect(EXPRESSION_ROOTS).toEqual(['contact', 'vars', 'nodes', 'trigger', 'run']);
    expect(
      renderTemplate('{{vars.lastReply}}|{{nodes.ask.output.intent}}|{{trigger.utm-source}}|{{run.id}}', scope),
    ).toBe('Yes please|yes|mail|run-1');
  });

  it('renders missing values, null and undefined as empty text, and falsy values as themselves', () => {
    expect(renderTemplate('[{{vars.missing}}][{{contact.lastName}}][{{vars.zero}}][{{vars.no}}]', scope)).toBe(
      '[][][0][false]',
    );
  });

  it('renders objects and arrays as JSON', () => {
    expect(renderTemplate('{{contact.tags}}', scope)).toBe('["vip","beta"]');
    expect(renderTemplate('{{contact.address.geo}}', scope)).toBe('{"lat":51.5}');
  });

  it('reads array items by index', () => {
    expect(renderTemplate('{{contact.tags.1}}', scope)).toBe('beta');
    expect(renderTemplate('[{{contact.tags.9}}]', scope)).toBe('[]');
  });

  it('leaves placeholders with unknown roots, unknown filters or bad paths exactly as written', () => {
    const text = 'A {{secrets.apiKey}} B {{contact.firstName | shout}} C {{ contact..x }} D {{}}';
    expect(renderTemplate(text, scope)).toBe(text);
  });

  it('leaves text without placeholders, and unclosed braces, alone', () => {
    expect(renderTemplate('{{ not closed', scope)).toBe('{{ not closed');
    expect(renderTemplate('plain { text }', scope)).toBe('plain { text }');
    expect(renderTemplate('', scope)).toBe('');
  });

  it('never reaches through the prototype chain', () => {
    expect(renderTemplate('[{{contact.__proto__}}][{{contact.constructor}}][{{contact.toString}}]', scope)).toBe(
      '[][][]',
    );
    expect(renderTemplate('[{{contact.constructor.name}}][{{contact.tags.constructor}}]', scope)).toBe('[][]');
    expect(renderTemplate('[{{vars.hasOwnProperty}}]', scope)).toBe('[]');
  });

  it('renders a template up to the size limit, and cuts a longer one to 20,000 characters without evaluating it', () => {
    const unit = '{{contact.firstName}} ';
    const big = unit.repeat(190); // 190 placeholders, 4,180 characters
    expect(renderTemplate(big, scope)).toBe('ada '.repeat(190));
    const tooLong = `${'y'.repeat(20_000)}{{contact.firstName}}`;
    expect(renderTemplate(tooLong, scope)).toBe('y'.repeat(20_000));
    const nearLimit = `${'z'.repeat(19_000)}{{contact.firstName}}`;
    expect(renderTemplate(nearLimit, scope)).toBe(`${'z'.repeat(19_000)}ada`);
  });

  it('handles pathological brace sequences without blowing up', () => {
    const text = `${'{{'.repeat(4_000)}contact.firstName${'}}'.repeat(4_000)}`;
    expect(renderTemplate(text, scope)).toBe(`${'{{'.repeat(3_999)}ada${'}}'.repeat(3_999)}`);
    const unclosed = `{{contact.firstName${' x'.repeat(9_000)}`;
    expect(renderTemplate(unclosed, scope)).toBe(unclosed);
  });
});

describe('filters', () => {
  it('lists exactly the documented filters', () => {
    expect([...FILTER_NAMES].sort()).toEqual(
      ['capitalize', 'default', 'json', 'lower', 'number', 'trim', 'truncate', 'upper'].sort(),
    );
  });

  it('default replaces undefined, null and empty text, but not 0 or false', () => {
    expect(renderTemplate('Hi {{contact.nickname | default: "there"}}', scope)).toBe('Hi there');
    expect(renderTemplate('[{{contact.lastName | default: "none"}}]', scope)).toBe('[none]');
    expect(renderTemplate('[{{vars.empty | default: "none"}}]', scope)).toBe('[none]');
    expect(renderTemplate('[{{vars.zero | default: "none"}}][{{vars.no | default: "none"}}]', scope)).toBe(
      '[0][false]',
    );
    expect(renderTemplate('[{{vars.missing | default: 5}}]', scope)).toBe('[5]');
    expect(renderTemplate('[{{vars.missing | default}}]', scope)).toBe('[]');
  });

  it('upper, lower and capitalize change case', () => {
    expect(renderTemplate('{{contact.firstName | upper}}', scope)).toBe('ADA');
    expect(renderTemplate('{{contact.address.city | lower}}', scope)).toBe('london');
    expect(renderTemplate('{{contact.firstName | capitalize}}', scope)).toBe('Ada');
    expect(renderTemplate('[{{vars.missing | capitalize}}]', scope)).toBe('[]');
  });

  it('trim removes surrounding whitespace', () => {
    expect(renderTemplate('[{{contact.padded | trim}}]', scope)).toBe('[spaced out]');
  });

  it('truncate cuts to the given length including the ellipsis, 100 by default', () => {
    expect(renderTemplate('{{contact.address.city | truncate: 4}}', scope)).toBe('Lon…');
    expect(renderTemplate('{{contact.address.city | truncate: 6}}', scope)).toBe('London');
    expect(renderTemplate('{{contact.address.city | truncate: 50}}', scope)).toBe('London');
    const long = { vars: { text: 'a'.repeat(150) } };
    expect(renderTemplate('{{vars.text | truncate}}', long)).toBe(`${'a'.repeat(99)}…`);
  });

  it('number formats with the given decimals (0 by default, at most 10)', () => {
    expect(renderTemplate('{{contact.price | number}}', scope)).toBe('3');
    expect(renderTemplate('{{contact.price | number: 2}}', scope)).toBe('3.14');
    expect(renderTemplate('{{contact.score | number: 1}}', scope)).toBe('7.0');
    expect(renderTemplate('{{contact.price | number: 30}}', scope)).toBe('3.1415900000');
  });

  it('number treats a negative decimals argument as zero instead of throwing', () => {
    expect(checkTemplate('{{contact.price | number: -1}}')).toEqual([]);
    expect(renderTemplate('{{contact.price | number: -1}}', scope)).toBe('3');
  });

  it('number leaves text that is not a number unchanged', () => {
    expect(renderTemplate('{{contact.firstName | number: 2}}', scope)).toBe('ada');
  });

  it('json serialises values, and missing ones as null', () => {
    expect(renderTemplate('{{contact.address | json}}', scope)).toBe('{"city":"London","geo":{"lat":51.5}}');
    expect(renderTemplate('{{contact.firstName | json}}', scope)).toBe('"ada"');
    expect(renderTemplate('{{vars.missing | json}}', scope)).toBe('null');
  });

  it('applies filters left to right', () => {
    expect(renderTemplate('{{contact.nickname | default: "friend" | upper}}', scope)).toBe('FRIEND');
    expect(renderTemplate('{{contact.padded | trim | upper | truncate: 5}}', scope)).toBe('SPAC…');
  });
});

describe('resolveValue', () => {
  it('keeps the raw type of a whole-placeholder value', () => {
    expect(resolveValue('{{contact.score}}', scope)).toBe(7);
    expect(resolveValue(' {{contact.tags}} ', scope)).toEqual(['vip', 'beta']);
    expect(resolveValue('{{vars.no}}', scope)).toBe(false);
    expect(resolveValue('{{contact.score | number: 1}}', scope)).toBe('7.0');
  });

  it('renders strings that mix text and placeholders', () => {
    expect(resolveValue('score: {{contact.score}}', scope)).toBe('score: 7');
  });

  it('passes non-strings and strings without placeholders through', () => {
    expect(resolveValue(42, scope)).toBe(42);
    expect(resolveValue(null, scope)).toBeNull();
    const obj = { a: 1 };
    expect(resolveValue(obj, scope)).toBe(obj);
    expect(resolveValue('plain', scope)).toBe('plain');
  });

  it('gives undefined for a whole placeholder that is missing or invalid', () => {
    expect(resolveValue('{{vars.missing}}', scope)).toBeUndefined();
    expect(resolveValue('{{secrets.key}}', scope)).toBeUndefined();
    expect(resolveValue('{{contact.__proto__}}', scope)).toBeUndefined();
  });
});

describe('evaluateExpression', () => {
  it('evaluates a placeholder body to a value', () => {
    expect(evaluateExpression('contact.address.geo.lat', scope)).toBe(51.5);
    expect(evaluateExpression(' contact.firstName | upper ', scope)).toBe('ADA');
    expect(evaluateExpression('contact.firstName | nope', scope)).toBeUndefined();
  });
});

describe('lookupPath', () => {
  it('reads own properties along a dotted path', () => {
    expect(lookupPath(scope, 'contact.address.city')).toBe('London');
    expect(lookupPath(scope, 'contact')).toBe(scope.contact);
    expect(lookupPath(scope, 'contact.tags.0')).toBe('vip');
  });

  it('gives undefined for missing segments and for walking through primitives or null', () => {
    expect(lookupPath(scope, 'contact.nope.deeper')).toBeUndefined();
    expect(lookupPath(scope, 'contact.firstName.length')).toBeUndefined();
    expect(lookupPath(scope, 'contact.lastName.x')).toBeUndefined();
    expect(lookupPath(null, 'a')).toBeUndefined();
    expect(lookupPath('text', 'length')).toBeUndefined();
  });

  it('never reaches through the prototype chain', () => {
    expect(lookupPath(scope, 'contact.constructor')).toBeUndefined();
    expect(lookupPath(scope, 'contact.__proto__')).toBeUndefined();
    expect(lookupPath(scope, 'contact.__proto__.polluted')).toBeUndefined();
    expect(lookupPath(scope, 'contact.hasOwnProperty')).toBeUndefined();
    expect(lookupPath(Object.create({ inherited: 1 }), 'inherited')).toBeUndefined();
  });

  it('reads an own "__proto__" key of parsed JSON as plain data, without touching prototypes', () => {
    const parsed = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    expect(lookupPath(parsed, '__proto__.x')).toBe(1);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('gives undefined beyond 12 levels, even when the value exists', () => {
    let deep: Record<string, unknown> = { leaf: 'found' };
    for (let i = 11; i >= 1; i--) deep = { [`l${i}`]: deep };
    const twelve = `${Array.from({ length: 11 }, (_, i) => `l${i + 1}`).join('.')}.leaf`;
    expect(lookupPath(deep, twelve)).toBe('found');
    const thirteen = { l0: deep };
    expect(lookupPath(thirteen, `l0.${twelve}`)).toBeUndefined();
    expect(resolveValue(`{{vars.${twelve}}}`, { vars: deep })).toBeUndefined(); // 13 segments with the root
    expect(checkTemplate(`{{vars.${twelve}}}`)[0]).toContain('nested deeper than 12 levels');
  });
});

describe('checkTemplate', () => {
  it('accepts well-formed placeholders and plain text', () => {
    expect(
      checkTemplate('Hi {{contact.firstName | default: "there" | capitalize}}, {{ vars.x | truncate: 10 }}'),
    ).toEqual([]);
    expect(checkTemplate('no placeholders at all')).toEqual([]);
  });

  it('reports unknown roots, unknown filters and malformed paths, one problem each', () => {
    const problems = checkTemplate('{{secrets.key}} {{contact.x | shout}} {{contact x}} {{contact.x | truncate: ten}}');
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('must start with one of contact, vars, nodes, trigger, run');
    expect(problems[1]).toContain('unknown filter "shout"');
    expect(problems[2]).toContain('is not a path');
    expect(problems[3]).toContain('unknown filter "truncate: ten"');
  });

  it('refuses templates longer than 20,000 characters', () => {
    expect(checkTemplate('x'.repeat(20_000))).toEqual([]);
    expect(checkTemplate('x'.repeat(20_001))).toEqual(['longer than 20000 characters']);
  });

  it('refuses more than 200 placeholders', () => {
    expect(checkTemplate('{{vars.a}}'.repeat(200))).toEqual([]);
    expect(checkTemplate('{{vars.a}}'.repeat(201))).toEqual(['more than 200 placeholders']);
  });
});

describe('templatePaths', () => {
  it('lists the paths of the valid placeholders, in order, without filters', () => {
    expect(
      templatePaths('{{contact.a}} {{secrets.b}} {{nodes.ask.output.text | upper}} {{bad path}} {{ run.id }}'),
    ).toEqual(['contact.a', 'nodes.ask.output.text', 'run.id']);
    expect(templatePaths('nothing here')).toEqual([]);
  });
});
