/**
 * Expressions: `{{contact.firstName}}`, `{{vars.score}}`, `{{nodes.ask.output.text}}`, with filters
 * `{{contact.firstName | default: "there" | capitalize}}`. A pure path lookup plus a fixed set of
 * formatting filters: no evaluation, no user code, bounded in size and depth.
 */
export const EXPRESSION_ROOTS = ['contact', 'vars', 'nodes', 'trigger', 'run'] as const;
const MAX_PATH_DEPTH = 12;
const MAX_TEMPLATE_LENGTH = 20_000;
const MAX_PLACEHOLDERS = 200;

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const PATH = /^[A-Za-z_][\w-]*(\.[A-Za-z0-9_][\w-]*)*$/;
const FILTER = /^([a-z]+)(?:\s*:\s*(?:"([^"]*)"|(-?\d+)))?$/;

type Filter = (value: unknown, arg: string | undefined) => unknown;
const FILTERS: Record<string, Filter> = {
  default: (v, arg) => (v === undefined || v === null || v === '' ? (arg ?? '') : v),
  upper: (v) => str(v).toUpperCase(),
  lower: (v) => str(v).toLowerCase(),
  capitalize: (v) => {
    const s = str(v);
    return s.charAt(0).toUpperCase() + s.slice(1);
  },
  trim: (v) => str(v).trim(),
  truncate: (v, arg) => {
    const n = Number(arg ?? 100);
    const s = str(v);
    return s.length > n ? `${s.slice(0, Math.max(0, n - 1))}…` : s;
  },
  number: (v, arg) => {
    const n = typeof v === 'number' ? v : Number(str(v));
    // toFixed throws outside 0…100 digits: a negative argument means none.
    return Number.isFinite(n) ? n.toFixed(arg === undefined ? 0 : Math.min(Math.max(Number(arg), 0), 10)) : str(v);
  },
  json: (v) => JSON.stringify(v ?? null),
};
export const FILTER_NAMES = Object.keys(FILTERS);

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Reads `a.b.c` from a scope, never through prototypes; undefined when absent. */
export function lookupPath(scope: unknown, path: string): unknown {
  const parts = path.split('.');
  if (parts.length > MAX_PATH_DEPTH) return undefined;
  let value: unknown = scope;
  for (const part of parts) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

interface ParsedPlaceholder {
  path: string;
  filters: { name: string; arg: string | undefined }[];
}

function parsePlaceholder(inner: string): ParsedPlaceholder | string {
  const [rawPath, ...rawFilters] = inner.split('|').map((s) => s.trim());
  if (!rawPath || !PATH.test(rawPath)) return `"${rawPath ?? ''}" is not a path like contact.firstName`;
  const depth = rawPath.split('.').length;
  if (depth > MAX_PATH_DEPTH) return `"${rawPath}" is nested deeper than ${MAX_PATH_DEPTH} levels`;
  const root = rawPath.split('.')[0] as string;
  if (!(EXPRESSION_ROOTS as readonly string[]).includes(root)) {
    return `"${rawPath}" must start with one of ${EXPRESSION_ROOTS.join(', ')}`;
  }
  const filters: ParsedPlaceholder['filters'] = [];
  for (const f of rawFilters) {
    const m = FILTER.exec(f);
    if (!m?.[1] || !Object.hasOwn(FILTERS, m[1])) return `unknown filter "${f}" (known: ${FILTER_NAMES.join(', ')})`;
    filters.push({ name: m[1], arg: m[2] ?? m[3] });
  }
  return { path: rawPath, filters };
}

/** Problems with a template's placeholders, for validation. Empty when it is fine. */
export function checkTemplate(text: string): string[] {
  if (text.length > MAX_TEMPLATE_LENGTH) return [`longer than ${MAX_TEMPLATE_LENGTH} characters`];
  const problems: string[] = [];
  let count = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (++count > MAX_PLACEHOLDERS) return [`more than ${MAX_PLACEHOLDERS} placeholders`];
    const parsed = parsePlaceholder(m[1] ?? '');
    if (typeof parsed === 'string') problems.push(parsed);
  }
  return problems;
}

/** The paths a template reads (e.g. to check `nodes.<id>` refers to an existing node). */
export function templatePaths(text: string): string[] {
  const paths: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const parsed = parsePlaceholder(m[1] ?? '');
    if (typeof parsed !== 'string') paths.push(parsed.path);
  }
  return paths;
}

/** Evaluates one placeholder body (`path | filter…`) to a value. Invalid bodies give undefined. */
export function evaluateExpression(inner: string, scope: Record<string, unknown>): unknown {
  const parsed = parsePlaceholder(inner);
  if (typeof parsed === 'string') return undefined;
  let value = lookupPath(scope, parsed.path);
  for (const f of parsed.filters) value = (FILTERS[f.name] as Filter)(value, f.arg);
  return value;
}

/** Replaces every placeholder with its value; unknown paths render as empty text. */
export function renderTemplate(template: string, scope: Record<string, unknown>): string {
  if (template.length > MAX_TEMPLATE_LENGTH) return template.slice(0, MAX_TEMPLATE_LENGTH);
  return template.replace(PLACEHOLDER, (whole, inner: string) => {
    const parsed = parsePlaceholder(inner);
    if (typeof parsed === 'string') return whole;
    return str(evaluateExpression(inner, scope));
  });
}

/**
 * A value that may be a whole-placeholder expression: `"{{vars.score}}"` yields the raw value
 * (a number stays a number); other strings are rendered as templates; other values pass through.
 */
export function resolveValue(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value !== 'string') return value;
  const whole = /^\{\{([^{}]*)\}\}$/.exec(value.trim());
  if (whole) return evaluateExpression(whole[1] ?? '', scope);
  return value.includes('{{') ? renderTemplate(value, scope) : value;
}
