import { z } from 'zod';
import { lookupPath, resolveValue } from './expressions';

export const OPERATORS = [
  'eq',
  'neq',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'not_exists',
  'in',
  'not_in',
  'is_true',
  'is_false',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** One comparison: a path read from the run's scope, an operator, and a value (itself maybe an expression). */
export const ConditionSchema = z.object({
  field: z
    .string()
    .min(1)
    .max(200)
    .regex(/^(contact|vars|nodes|trigger|run)(\.[\w-]+)+$/, 'a path such as contact.tags or nodes.ask.output.intent'),
  operator: z.enum(OPERATORS),
  value: z
    .union([z.string().max(1000), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()])).max(100)])
    .optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

/** A rule matches when all (or any) of its conditions hold. */
export const RuleSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "_" and "-"'),
  label: z.string().max(100).optional(),
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(ConditionSchema).min(1).max(50),
});
export type Rule = z.infer<typeof RuleSchema>;

const norm = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);
const asNumber = (v: unknown) =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
/** Equal as text (case-insensitive) or as numbers, so "42" matches 42. */
const same = (a: unknown, b: unknown) => norm(a) === norm(b) || asNumber(a) === asNumber(b);

export function evaluateCondition(c: Condition, scope: Record<string, unknown>): boolean {
  const actual = lookupPath(scope, c.field);
  const expected = Array.isArray(c.value) ? c.value : resolveValue(c.value, scope);
  switch (c.operator) {
    case 'exists':
      return actual !== undefined && actual !== null && actual !== '';
    case 'not_exists':
      return actual === undefined || actual === null || actual === '';
    case 'is_true':
      return actual === true || norm(actual) === 'true';
    case 'is_false':
      return actual === false || norm(actual) === 'false';
    case 'eq':
      return Array.isArray(actual) ? false : same(actual, expected);
    case 'neq':
      return !evaluateCondition({ ...c, operator: 'eq' }, scope);
    case 'contains':
      if (Array.isArray(actual)) return actual.some((a) => same(a, expected));
      return typeof actual === 'string' && actual.toLowerCase().includes(String(norm(expected) ?? ''));
    case 'not_contains':
      return !evaluateCondition({ ...c, operator: 'contains' }, scope);
    case 'starts_with':
      return typeof actual === 'string' && actual.toLowerCase().startsWith(String(norm(expected) ?? ''));
    case 'ends_with':
      return typeof actual === 'string' && actual.toLowerCase().endsWith(String(norm(expected) ?? ''));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = asNumber(actual);
      const b = asNumber(expected);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return c.operator === 'gt' ? a > b : c.operator === 'gte' ? a >= b : c.operator === 'lt' ? a < b : a <= b;
    }
    case 'in':
      return Array.isArray(expected) && expected.some((e) => same(e, actual));
    case 'not_in':
      return !evaluateCondition({ ...c, operator: 'in' }, scope);
  }
}

export function evaluateRule(rule: Rule, scope: Record<string, unknown>): boolean {
  return rule.match === 'all'
    ? rule.conditions.every((c) => evaluateCondition(c, scope))
    : rule.conditions.some((c) => evaluateCondition(c, scope));
}
