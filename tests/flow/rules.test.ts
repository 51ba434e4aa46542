import { describe, expect, it } from 'vitest';
import {
  type Condition,
  ConditionSchema,
  evaluateCondition,
  evaluateRule,
  OPERATORS,
  type Operator,
  type Rule,
  RuleSchema,
} from '../../flow/rules';

const scope = {
  contact: {
    firstName: 'Ada',
    city: '  London ',
    score: 42,
    age: '37',
    tags: ['VIP', 'beta', 'newsletter'],
    levels: [1, 2, 3],
    optedIn: true,
    churned: 'FALSE',
    empty: '',
    none: null,
  },
  vars: { threshold: 40, plan: 'gold', allowed: ['gold', 'platinum'] },
  nodes: { ask: { output: { text: 'Yes please, tomorrow', intent: 'yes' } } },
};

const check = (field: string, operator: Operator, value?: Condition['value']) =>
  evaluateCondition({ field, operator, ...(value === undefined ? {} : { value }) }, scope);

describe('evaluateCondition: every operator', () => {
  // [operator, field, value, expected]
  const table: Array<[Operator, string, Condition['value'] | undefined, boolean]> = [
    ['eq', 'contact.firstName', 'ada', true],
    ['eq', 'contact.firstName', 'Bob', false],
    ['eq', 'contact.city', 'london', true],
    ['eq', 'contact.score', '42', true],
    ['eq', 'contact.age', 37, true],
    ['eq', 'contact.age', '37.0', true],
    ['eq', 'contact.score', 41, false],
    ['eq', 'contact.tags', 'VIP', false],
    ['neq', 'contact.firstName', 'bob', true],
    ['neq', 'contact.firstName', 'ADA', false],
    ['neq', 'contact.score', '42', false],
    ['neq', 'contact.tags', 'VIP', true],
    ['contains', 'contact.tags', 'vip', true],
    ['contains', 'contact.tags', 'Newsletter ', true],
    ['contains', 'contact.tags', 'gold', false],
    ['contains', 'contact.levels', '2', true],
    ['contains', 'nodes.ask.output.text', 'TOMORROW', true],
    ['contains', 'nodes.ask.output.text', 'never', false],
    ['contains', 'contact.score', '4', false],
    ['contains', 'contact.missing', 'x', false],
    ['not_contains', 'contact.tags', 'vip', false],
    ['not_contains', 'contact.tags', 'gold', true],
    ['not_contains', 'nodes.ask.output.text', 'never', true],
    ['not_contains', 'contact.missing', 'x', true],
    ['starts_with', 'nodes.ask.output.text', 'yes', true],
    ['starts_with', 'nodes.ask.output.text', 'please', false],
    ['starts_with', 'contact.score', '4', false],
    ['ends_with', 'nodes.ask.output.text', 'Tomorrow', true],
    ['ends_with', 'nodes.ask.output.text', 'yes', false],
    ['gt', 'contact.score', 41, true],
    ['gt', 'contact.score', 42, false],
    ['gt', 'contact.age', '9', true], // numeric, not text, comparison: "37" > "9"
    ['gt', 'contact.firstName', 1, false],
    ['gt', 'contact.missing', -1, false],
    ['gt', 'contact.empty', -1, false],
    ['gte', 'contact.score', 42, true],
    ['gte', 'contact.score', '43', false],
    ['lt', 'contact.age', 40, true],
    ['lt', 'contact.age', '37', false],
    ['lte', 'contact.age', '37', true],
    ['lte', 'contact.score', 41.5, false],
    ['exists', 'contact.firstName', undefined, true],
    ['exists', 'contact.empty', undefined, false],
    ['exists', 'contact.none', undefined, false],
    ['exists', 'contact.missing', undefined, false],
    ['exists', 'contact.optedIn', undefined, true],
    ['not_exists', 'contact.missing', undefined, true],
    ['not_exists', 'contact.empty', undefined, true],
    ['not_exists', 'contact.none', undefined, true],
    ['not_exists', 'contact.firstName', undefined, false],
    ['in', 'vars.plan', ['silver', 'GOLD'], true],
    ['in', 'vars.plan', ['silver'], false],
    ['in', 'contact.age', [36, 37], true],
    ['in', 'contact.score', ['41', '42'], true],
    ['in', 'vars.plan', 'gold', false], // the value must be a list
    ['in', 'vars.plan', '{{vars.allowed}}', true], // …or an expression that yields one
    ['not_in', 'vars.plan', ['silver'], true],
    ['not_in', 'vars.plan', ['gold'], false],
    ['not_in', 'contact.score', [42], false],
    ['is_true', 'contact.optedIn', undefined, true],
    ['is_true', 'contact.churned', undefined, false],
    ['is_true', 'contact.missing', undefined, false],
    ['is_false', 'contact.churned', undefined, true],
    ['is_false', 'contact.optedIn', undefined, false],
    ['is_false', 'contact.missing', undefined, false],
  ];

  it('the table covers every operator', () => {
    expect(new Set(table.map(([op]) => op))).toEqual(new Set(OPERATORS));
  });

  it.each(table)('%s on %s with %j is %s', (operator, field, value, expected) => {
    expect(check(field, operator, value)).toBe(expected);
  });

  it('resolves an expression in the value before comparing', () => {
    expect(check('contact.score', 'gt', '{{vars.threshold}}')).toBe(true);
    expect(check('contact.score', 'lt', '{{vars.threshold}}')).toBe(false);
    expect(check('vars.plan', 'eq', 'GOLD')).toBe(true);
    expect(check('contact.firstName', 'eq', '{{contact.firstName | upper}}')).toBe(true);
  });

  it('compares numbers written as text in either position', () => {
    const s = { vars: { a: '10', b: '9', c: ' 10 ' } };
    expect(evaluateCondition({ field: 'vars.a', operator: 'gt', value: '{{vars.b}}' }, s)).toBe(true);
    expect(evaluateCondition({ field: 'vars.a', operator: 'eq', value: '10.00' }, s)).toBe(true);
    expect(evaluateCondition({ field: 'vars.c', operator: 'eq', value: 10 }, s)).toBe(true);
    expect(evaluateCondition({ field: 'vars.a', operator: 'gte', value: 'ten' }, s)).toBe(false);
  });

  it('never reads through the prototype chain', () => {
    expect(check('contact.constructor', 'exists')).toBe(false);
    expect(check('contact.__proto__', 'exists')).toBe(false);
  });
});

describe('evaluateRule', () => {
  const rule = (match: 'all' | 'any', conditions: Condition[]): Rule =>
    RuleSchema.parse({ id: 'r', match, conditions });
  const yes: Condition = { field: 'contact.tags', operator: 'contains', value: 'vip' };
  const no: Condition = { field: 'contact.score', operator: 'lt', value: 10 };

  it("'all' needs every condition", () => {
    expect(evaluateRule(rule('all', [yes, yes]), scope)).toBe(true);
    expect(evaluateRule(rule('all', [yes, no]), scope)).toBe(false);
  });

  it("'any' needs one condition", () => {
    expect(evaluateRule(rule('any', [no, yes]), scope)).toBe(true);
    expect(evaluateRule(rule('any', [no, no]), scope)).toBe(false);
  });

  it("match defaults to 'all'", () => {
    const parsed = RuleSchema.parse({ id: 'r', conditions: [yes, no] });
    expect(parsed.match).toBe('all');
    expect(evaluateRule(parsed, scope)).toBe(false);
  });
});

describe('ConditionSchema and RuleSchema', () => {
  it('accepts fields under the expression roots only, at least two segments deep', () => {
    expect(ConditionSchema.safeParse({ field: 'contact.tags', operator: 'contains', value: 'x' }).success).toBe(true);
    expect(ConditionSchema.safeParse({ field: 'nodes.ask.output.intent', operator: 'eq', value: 'yes' }).success).toBe(
      true,
    );
    expect(ConditionSchema.safeParse({ field: 'contact', operator: 'exists' }).success).toBe(false);
    expect(ConditionSchema.safeParse({ field: 'process.env.SECRET', operator: 'exists' }).success).toBe(false);
    expect(ConditionSchema.safeParse({ field: 'contact.x', operator: 'matches' }).success).toBe(false);
  });

  it('rule ids are lower-case slugs and rules have at least one condition', () => {
    expect(RuleSchema.safeParse({ id: 'Hot', conditions: [{ field: 'contact.x', operator: 'exists' }] }).success).toBe(
      false,
    );
    expect(RuleSchema.safeParse({ id: 'hot', conditions: [] }).success).toBe(false);
  });
});
