/**
 * Helpers for reading the JSON Schemas zod 4 produces (`z.toJSONSchema(…, { io: 'input' })`) and for
 * updating a params value immutably. No React in here, so it is easy to test and reuse.
 */

export type JsonSchema = Readonly<Record<string, unknown>>;
export type PathSegment = string | number;
export type Path = readonly PathSegment[];
export type Primitive = string | number | boolean | null;

/** How a schema is edited. */
export type FieldKind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'enum'
  | 'const'
  | 'null'
  | 'object'
  | 'record'
  | 'list'
  | 'enum-list'
  | 'object-list'
  | 'union'
  | 'mixed'
  | 'json';

export interface Classified {
  kind: FieldKind;
  /** The schema to edit with (after `$ref`, nullable and `allOf` are resolved). */
  schema: JsonSchema;
  /** `enum`: the allowed values. */
  options?: readonly Primitive[];
  /** `union`: the property whose `const` tells the branches apart. */
  discriminator?: string;
  /** `union` and `mixed`: the alternatives. */
  branches?: readonly JsonSchema[];
}

const EMPTY: JsonSchema = Object.freeze({});
export const STRING_SCHEMA: JsonSchema = Object.freeze({ type: 'string' });
const TYPE_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  string: STRING_SCHEMA,
  number: Object.freeze({ type: 'number' }),
  integer: Object.freeze({ type: 'integer' }),
  boolean: Object.freeze({ type: 'boolean' }),
  null: Object.freeze({ type: 'null' }),
};

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function asSchema(x: unknown): JsonSchema {
  return isRecord(x) ? x : EMPTY;
}

function isPrimitive(x: unknown): x is Primitive {
  return x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
}

export function numberOf(s: JsonSchema, key: string): number | undefined {
  const v = s[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function stringOf(s: JsonSchema, key: string): string | undefined {
  const v = s[key];
  return typeof v === 'string' ? v : undefined;
}

export function typesOf(s: JsonSchema): string[] {
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === 'string');
  return [];
}

// ---------------------------------------------------------------------------------------------
// $ref and allOf. Results are cached per source object so sub-schemas keep their identity from one
// render to the next (the memoised fields compare them with Object.is).

const refCache = new WeakMap<JsonSchema, WeakMap<JsonSchema, JsonSchema>>();

function lookupPointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isRecord(node) ? node[seg] : undefined;
  }
  return isRecord(node) ? node : undefined;
}

export function resolveRef(s: JsonSchema, root: JsonSchema): JsonSchema {
  if (typeof s.$ref !== 'string') return s;
  let perRoot = refCache.get(root);
  if (!perRoot) {
    perRoot = new WeakMap();
    refCache.set(root, perRoot);
  }
  const cached = perRoot.get(s);
  if (cached) return cached;
  let result: JsonSchema = s;
  const seen = new Set<JsonSchema>();
  while (typeof result.$ref === 'string' && !seen.has(result)) {
    seen.add(result);
    const target = lookupPointer(root, result.$ref);
    if (!target) break;
    // Keywords next to `$ref` (a description, a default) win over the target's.
    const { $ref: _ref, ...siblings } = result;
    result = Object.keys(siblings).length > 0 ? { ...target, ...siblings } : target;
  }
  perRoot.set(s, result);
  return result;
}

const allOfCache = new WeakMap<JsonSchema, JsonSchema>();

function mergeAllOf(s: JsonSchema, root: JsonSchema): JsonSchema | undefined {
  const cached = allOfCache.get(s);
  if (cached) return cached;
  const parts = Array.isArray(s.allOf) ? s.allOf.map((p) => resolveRef(asSchema(p), root)) : [];
  if (parts.length === 0 || !parts.every((p) => isRecord(p.properties))) return undefined;
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  for (const p of parts) {
    Object.assign(properties, p.properties);
    for (const r of requiredOf(p)) required.add(r);
  }
  const { allOf: _allOf, ...rest } = s;
  const merged: JsonSchema = { ...rest, type: 'object', properties, required: [...required] };
  allOfCache.set(s, merged);
  return merged;
}

// ---------------------------------------------------------------------------------------------

export function propertiesOf(s: JsonSchema): [string, JsonSchema][] {
  return isRecord(s.properties) ? Object.entries(s.properties).map(([k, v]) => [k, asSchema(v)]) : [];
}

export function requiredOf(s: JsonSchema): Set<string> {
  return new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
}

function alternativesOf(s: JsonSchema): unknown[] | undefined {
  if (Array.isArray(s.oneOf)) return s.oneOf;
  if (Array.isArray(s.anyOf)) return s.anyOf;
  return undefined;
}

function isNullSchema(s: JsonSchema): boolean {
  const t = typesOf(s);
  return (t.length === 1 && t[0] === 'null') || ('const' in s && s.const === null);
}

/** A branch's single allowed value for `prop` (`const`, or an enum of one). */
export function constOf(branch: JsonSchema, prop: string): unknown {
  const p = isRecord(branch.properties) ? asSchema(branch.properties[prop]) : EMPTY;
  if ('const' in p) return p.const;
  if (Array.isArray(p.enum) && p.enum.length === 1) return p.enum[0];
  return undefined;
}

function hasConst(branch: JsonSchema, prop: string): boolean {
  const p = isRecord(branch.properties) ? branch.properties[prop] : undefined;
  return isRecord(p) && ('const' in p || (Array.isArray(p.enum) && p.enum.length === 1));
}

export function findDiscriminator(branches: readonly JsonSchema[]): string | undefined {
  const first = branches[0];
  if (!first || branches.length < 2) return undefined;
  for (const [name] of propertiesOf(first)) {
    if (!branches.every((b) => hasConst(b, name))) continue;
    const values = branches.map((b) => constOf(b, name));
    if (values.every(isPrimitive) && new Set(values).size === values.length) return name;
  }
  return undefined;
}

const MIXED_KINDS: ReadonlySet<FieldKind> = new Set(['string', 'number', 'boolean', 'null', 'list']);

export function classify(input: JsonSchema, root: JsonSchema): Classified {
  const s = resolveRef(input, root);
  if ('const' in s) return { kind: 'const', schema: s };
  if (Array.isArray(s.enum) && s.enum.length > 0 && s.enum.every(isPrimitive)) {
    return { kind: 'enum', schema: s, options: s.enum };
  }
  const alternatives = alternativesOf(s);
  if (alternatives) {
    const branches = alternatives.map((b) => resolveRef(asSchema(b), root));
    const nonNull = branches.filter((b) => !isNullSchema(b));
    const only = nonNull[0];
    if (only && nonNull.length === 1) return classify(only, root);
    const discriminator = findDiscriminator(branches);
    if (discriminator) return { kind: 'union', schema: s, discriminator, branches };
    if (branches.every((b) => 'const' in b && isPrimitive(b.const))) {
      return { kind: 'enum', schema: s, options: branches.map((b) => b.const as Primitive) };
    }
    if (branches.length > 0 && branches.every((b) => MIXED_KINDS.has(classify(b, root).kind))) {
      return { kind: 'mixed', schema: s, branches };
    }
    return { kind: 'json', schema: s };
  }
  if (Array.isArray(s.allOf)) {
    const merged = mergeAllOf(s, root);
    return merged ? classify(merged, root) : { kind: 'json', schema: s };
  }
  const types = typesOf(s).filter((t) => t !== 'null' || typesOf(s).length === 1);
  if (types.length > 1) {
    const branches = types.map((t) => TYPE_SCHEMAS[t]).filter((b): b is JsonSchema => b !== undefined);
    return branches.length === types.length ? { kind: 'mixed', schema: s, branches } : { kind: 'json', schema: s };
  }
  switch (types[0]) {
    case 'string':
      return { kind: 'string', schema: s };
    case 'number':
    case 'integer':
      return { kind: 'number', schema: s };
    case 'boolean':
      return { kind: 'boolean', schema: s };
    case 'null':
      return { kind: 'null', schema: s };
    case 'object':
      if (isRecord(s.properties) && Object.keys(s.properties).length > 0) return { kind: 'object', schema: s };
      if (isRecord(s.additionalProperties)) return { kind: 'record', schema: s };
      if (isRecord(s.properties)) return { kind: 'object', schema: s };
      return { kind: 'json', schema: s };
    case 'array': {
      if (!isRecord(s.items)) return { kind: 'json', schema: s };
      const item = classify(asSchema(s.items), root);
      if (item.kind === 'string' || item.kind === 'number') return { kind: 'list', schema: s };
      if (item.kind === 'mixed' && listItemSchema(s, root) === STRING_SCHEMA) return { kind: 'list', schema: s };
      if (item.kind === 'enum') return { kind: 'enum-list', schema: s, options: item.options ?? [] };
      if (item.kind === 'object' || item.kind === 'union') return { kind: 'object-list', schema: s };
      return { kind: 'json', schema: s };
    }
    default:
      return { kind: 'json', schema: s };
  }
}

/** The schema each item of a primitive list is edited with: items of several types (string | number) are text. */
export function listItemSchema(list: JsonSchema, root: JsonSchema): JsonSchema {
  const items = resolveRef(asSchema(list.items), root);
  const c = classifyShallow(items);
  return c === 'mixed-text' ? STRING_SCHEMA : items;
}

function classifyShallow(items: JsonSchema): 'mixed-text' | 'other' {
  const types = typesOf(items);
  if (types.length > 1 && types.includes('string') && types.every((t) => t === 'string' || t === 'number')) {
    return 'mixed-text';
  }
  const alts = alternativesOf(items);
  if (alts?.every((a) => isRecord(a) && typesOf(a).every((t) => t === 'string' || t === 'number'))) {
    return alts.some((a) => isRecord(a) && typesOf(a).includes('string')) ? 'mixed-text' : 'other';
  }
  return 'other';
}

// ---------------------------------------------------------------------------------------------
// Labels

/** "maxDurationSeconds" → "Max duration seconds", "first_name" → "First name". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_\-.\s]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : name;
}

/** "Rules" → "Rule", "Entries" → "Entry"; anything else unchanged. */
export function singular(label: string): string {
  if (/ies$/i.test(label)) return `${label.slice(0, -3)}y`;
  if (/(ss|us|is)$/i.test(label)) return label;
  if (/s$/i.test(label)) return label.slice(0, -1);
  return label;
}

export function labelOf(s: JsonSchema, name: string): string {
  return stringOf(s, 'title') ?? humanize(name);
}

export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Values

/**
 * The value a field starts with when it is created (an optional object switched on, a new list item's
 * required parts): required strings are "", required arrays get their minimum number of items, and
 * anything without an obvious empty value (numbers, enums) is left out so the form asks for it.
 */
export function initialValue(input: JsonSchema, root: JsonSchema): unknown {
  const c = classify(input, root);
  switch (c.kind) {
    case 'string':
      return '';
    case 'object': {
      const required = requiredOf(c.schema);
      const out: [string, unknown][] = [];
      for (const [k, p] of propertiesOf(c.schema)) {
        if (!required.has(k)) continue;
        const v = initialValue(p, root);
        if (v !== undefined) out.push([k, v]);
      }
      return Object.fromEntries(out);
    }
    case 'union': {
      const first = c.branches?.[0];
      return first && c.discriminator ? { [c.discriminator]: constOf(first, c.discriminator) } : undefined;
    }
    case 'record':
      return {};
    case 'list':
    case 'enum-list':
    case 'object-list': {
      const min = numberOf(c.schema, 'minItems') ?? 0;
      return Array.from({ length: min }, () => newItemValue(asSchema(c.schema.items), root));
    }
    case 'const':
      return c.schema.const;
    default:
      return undefined;
  }
}

/** A new entry in a list or record: like `initialValue`, but primitives get a concrete value. */
export function newItemValue(input: JsonSchema, root: JsonSchema): unknown {
  const c = classify(input, root);
  switch (c.kind) {
    case 'number': {
      const { min } = numberBounds(c.schema);
      return min ?? 0;
    }
    case 'boolean':
      return false;
    case 'enum':
      return c.options?.[0];
    case 'mixed':
    case 'json':
      return c.kind === 'mixed' ? newItemValue(c.branches?.[0] ?? STRING_SCHEMA, root) : null;
    case 'null':
      return null;
    default:
      return initialValue(c.schema, root);
  }
}

export function numberBounds(s: JsonSchema): { min?: number; max?: number; integer: boolean } {
  const integer = typesOf(s).includes('integer');
  let min = numberOf(s, 'minimum');
  let max = numberOf(s, 'maximum');
  const exMin = numberOf(s, 'exclusiveMinimum');
  const exMax = numberOf(s, 'exclusiveMaximum');
  if (exMin !== undefined && (min === undefined || exMin >= min)) min = integer ? Math.floor(exMin) + 1 : exMin;
  if (exMax !== undefined && (max === undefined || exMax <= max)) max = integer ? Math.ceil(exMax) - 1 : exMax;
  // zod writes Number.MAX_SAFE_INTEGER for "no limit" on ints: not worth showing as a bound.
  if (max !== undefined && Math.abs(max) >= Number.MAX_SAFE_INTEGER) max = undefined;
  if (min !== undefined && Math.abs(min) >= Number.MAX_SAFE_INTEGER) min = undefined;
  return { min, max, integer };
}

// ---------------------------------------------------------------------------------------------
// Paths and immutable updates

export function pathKey(path: Path): string {
  return path.join('.');
}

export function pathsEqual(a: Path, b: Path): boolean {
  return a === b || (a.length === b.length && a.every((seg, i) => seg === b[i]));
}

/** An element id for the field at `path`; characters ids should not carry become "_". */
export function domId(prefix: string, path: Path): string {
  const tail = path.length > 0 ? path.map(String).join('.') : 'root';
  return `${prefix}-${tail}`.replace(/[^A-Za-z0-9_.:-]/g, '_');
}

/**
 * A copy of `target` with the value at `path` replaced by `updater(current)`; containers along the
 * path are copied (never mutated) or created. Returning `undefined` for an object key removes it.
 */
export function setIn(target: unknown, path: Path, updater: (current: unknown) => unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return updater(target);
  if (typeof head === 'number') {
    const arr = Array.isArray(target) ? target.slice() : [];
    arr[head] = setIn(arr[head], rest, updater);
    return arr;
  }
  const obj = isRecord(target) ? target : {};
  const next = setIn(Object.hasOwn(obj, head) ? obj[head] : undefined, rest, updater);
  // Built with fromEntries so a key such as "__proto__" stays a plain key.
  const entries = Object.entries(obj).filter(([k]) => k !== head || next !== undefined);
  const at = entries.findIndex(([k]) => k === head);
  if (next !== undefined) {
    if (at >= 0) entries[at] = [head, next];
    else entries.push([head, next]);
  }
  return Object.fromEntries(entries);
}

export function getIn(target: unknown, path: Path): unknown {
  let node: unknown = target;
  for (const seg of path) {
    if (typeof seg === 'number') node = Array.isArray(node) ? node[seg] : undefined;
    else node = isRecord(node) && Object.hasOwn(node, seg) ? node[seg] : undefined;
  }
  return node;
}

/** A copy of `obj` with key `from` renamed to `to`, keeping the order of the keys. */
export function renameKey(obj: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k === from ? to : k, v]));
}

export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const out = items.slice();
  if (from < 0 || from >= out.length || to < 0 || to >= out.length) return out;
  const [moved] = out.splice(from, 1) as [T];
  out.splice(to, 0, moved);
  return out;
}
