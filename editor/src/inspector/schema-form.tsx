/**
 * The inspector's schema-driven form: renders a node's params from the JSON Schema zod 4 produces for
 * its descriptor (`z.toJSONSchema(descriptor.params, { io: 'input', unrepresentable: 'any' })`).
 *
 * Controlled and memo-friendly: the form keeps no copy of `value`. Every field is a memoised component
 * that receives only its own slice of the value, its path, and stable helpers from context; an edit
 * builds a new params object along the edited path (nothing is mutated) and hands it to `onChange`.
 * Errors reach fields through a small subscription store, so a new `errors` object re-renders only the
 * fields whose message changed.
 */
import {
  type ChangeEvent,
  createContext,
  type FocusEvent,
  type JSX,
  type KeyboardEvent,
  memo,
  type RefObject,
  useCallback,
  useContext,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import {
  asSchema,
  classify,
  constOf,
  domId,
  getIn,
  humanize,
  initialValue,
  isRecord,
  type JsonSchema,
  labelOf,
  listItemSchema,
  lowerFirst,
  moveItem,
  newItemValue,
  numberBounds,
  numberOf,
  type Path,
  type Primitive,
  pathKey,
  pathsEqual,
  propertiesOf,
  renameKey,
  requiredOf,
  resolveRef,
  setIn,
  singular,
  stringOf,
} from './json-schema';
import './schema-form.css';

export interface VariableOption {
  label: string;
  /** What gets inserted, e.g. '{{contact.firstName}}'. */
  value: string;
  group: string;
}

export interface SchemaFormProps {
  /** JSON Schema produced by `z.toJSONSchema(descriptor.params, { io: 'input', unrepresentable: 'any' })` (zod 4). */
  schema: Record<string, unknown>;
  /** The node's current params (may be partial or invalid). */
  value: unknown;
  /** Called with the whole new params object on every edit. */
  onChange: (next: unknown) => void;
  /** Error messages keyed by dotted path inside params, e.g. 'text' or 'rules.0.conditions.1.value'. */
  errors?: Record<string, string>;
  /** Offered by a variable picker next to every text field; choosing one inserts it at the caret. */
  variables?: VariableOption[];
  /** Prefix for element ids so several forms can coexist. */
  idPrefix: string;
  readOnly?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Form-wide plumbing

type ErrorMap = Readonly<Record<string, string>>;
const NO_ERRORS: ErrorMap = Object.freeze({});
const NO_VARIABLES: readonly VariableOption[] = Object.freeze([]);
const ROOT_PATH: Path = Object.freeze([]);

/** Holds the latest `errors`; fields subscribe to their own path's message. */
class ErrorStore {
  private errors: ErrorMap;
  private readonly listeners = new Set<() => void>();

  constructor(errors: ErrorMap) {
    this.errors = errors;
  }

  get = (key: string): string | undefined => (Object.hasOwn(this.errors, key) ? this.errors[key] : undefined);

  set(next: ErrorMap): void {
    if (next === this.errors) return;
    this.errors = next;
    for (const listener of this.listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };
}

interface FormApi {
  /** Replaces the value at `path` with `updater(current)` and calls `onChange` with the new params. */
  update: (path: Path, updater: (current: unknown) => unknown) => void;
  /** The params as last rendered. */
  getValue: () => unknown;
  errors: ErrorStore;
}

interface Settings {
  idPrefix: string;
  readOnly: boolean;
}

const ApiContext = createContext<FormApi | null>(null);
const RootSchemaContext = createContext<JsonSchema>({});
const SettingsContext = createContext<Settings>({ idPrefix: 'sf', readOnly: false });
const VariablesContext = createContext<readonly VariableOption[]>(NO_VARIABLES);

function useApi(): FormApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('schema-form fields must be rendered inside <SchemaForm>');
  return api;
}

function useFieldError(key: string): string | undefined {
  const { errors } = useApi();
  const read = () => errors.get(key);
  return useSyncExternalStore(errors.subscribe, read, read);
}

interface FieldMeta {
  id: string;
  error: string | undefined;
  errorId: string | undefined;
  description: string | undefined;
  helpId: string | undefined;
  describedBy: string | undefined;
  disabled: boolean;
  idPrefix: string;
}

function useFieldMeta(path: Path, schema: JsonSchema, extraDescribedBy?: string): FieldMeta {
  const { idPrefix, readOnly } = useContext(SettingsContext);
  const error = useFieldError(pathKey(path));
  const id = domId(idPrefix, path);
  const description = stringOf(schema, 'description');
  const helpId = description ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [helpId, errorId, extraDescribedBy].filter(Boolean).join(' ') || undefined;
  return {
    id,
    error,
    errorId,
    description,
    helpId,
    describedBy,
    disabled: readOnly || schema.readOnly === true,
    idPrefix,
  };
}

interface FocusTarget {
  id: string;
  /** Focus the first control inside the element rather than the element. */
  inside?: boolean;
  /** Used when `id` is missing or disabled. */
  fallback?: string;
}

/** Moves focus, after the next commit, to a target set by an event handler. */
function usePendingFocus(): RefObject<FocusTarget | null> {
  const pending = useRef<FocusTarget | null>(null);
  useLayoutEffect(() => {
    const target = pending.current;
    if (!target) return;
    pending.current = null;
    const find = (id: string | undefined) => {
      const el = id ? document.getElementById(id) : null;
      const node = target.inside ? el?.querySelector<HTMLElement>('input, select, textarea, button') : el;
      return node && !(node as HTMLButtonElement).disabled ? node : null;
    };
    (find(target.id) ?? find(target.fallback))?.focus();
  });
  return pending;
}

let keySeq = 0;
/** React keys for list items that follow the items when they are moved or removed. */
function useStableKeys(length: number): RefObject<string[]> {
  const keys = useRef<string[]>([]);
  while (keys.current.length < length) keys.current.push(`k${++keySeq}`);
  if (keys.current.length > length) keys.current.length = length;
  return keys;
}

function nextKey(): string {
  return `k${++keySeq}`;
}

/** Memo comparison for fields: `path` is compared segment by segment, everything else by identity. */
function fieldPropsEqual<P extends { path: Path }>(a: Readonly<P>, b: Readonly<P>): boolean {
  const aKeys = Object.keys(a) as (keyof P)[];
  if (aKeys.length !== Object.keys(b).length) return false;
  for (const k of aKeys) {
    if (k === 'path') continue;
    if (!Object.is(a[k], b[k])) return false;
  }
  return pathsEqual(a.path, b.path);
}

function cls(...names: (string | false | undefined)[]): string {
  return names.filter(Boolean).join(' ');
}

function formatDefault(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The form

export function SchemaForm({
  schema,
  value,
  onChange,
  errors,
  variables,
  idPrefix,
  readOnly = false,
}: SchemaFormProps): JSX.Element {
  const valueRef = useRef(value);
  const onChangeRef = useRef(onChange);
  useLayoutEffect(() => {
    valueRef.current = value;
    onChangeRef.current = onChange;
  });
  // Created once; never updated, so it causes no re-render.
  const [api] = useState<FormApi>(() => ({
    update: (path, updater) => onChangeRef.current(setIn(valueRef.current, path, updater)),
    getValue: () => valueRef.current,
    errors: new ErrorStore(errors ?? NO_ERRORS),
  }));
  useLayoutEffect(() => {
    api.errors.set(errors ?? NO_ERRORS);
  }, [api, errors]);
  const settings = useMemo<Settings>(() => ({ idPrefix, readOnly }), [idPrefix, readOnly]);

  return (
    <ApiContext.Provider value={api}>
      <RootSchemaContext.Provider value={schema}>
        <SettingsContext.Provider value={settings}>
          <VariablesContext.Provider value={variables ?? NO_VARIABLES}>
            <div className={cls('sf-form', readOnly && 'sf-form--readonly')}>
              <Field schema={schema} path={ROOT_PATH} value={value} label="" required variant="bare" />
            </div>
          </VariablesContext.Provider>
        </SettingsContext.Provider>
      </RootSchemaContext.Provider>
    </ApiContext.Provider>
  );
}

interface FieldProps {
  schema: JsonSchema;
  path: Path;
  value: unknown;
  label: string;
  required: boolean;
  /** The property name, for the multi-line heuristic. */
  name?: string;
  /**
   * `item`: a list item or record value (compact, label only for screen readers, "" is kept as "").
   * `bare`: the root or a repeatable group's body (no fieldset of its own).
   */
  variant?: 'item' | 'bare';
}

/** Picks the editor for a schema. */
const Field = memo(function Field(props: FieldProps): JSX.Element | null {
  const root = useContext(RootSchemaContext);
  const c = classify(props.schema, root);
  const p: FieldProps = c.schema === props.schema ? props : { ...props, schema: c.schema };
  switch (c.kind) {
    case 'string':
      return <StringField {...p} />;
    case 'number':
      return <NumberField {...p} />;
    case 'boolean':
      return <BooleanField {...p} />;
    case 'enum':
      return <EnumField {...p} options={c.options ?? []} />;
    case 'const':
      return <ConstField {...p} />;
    case 'null':
      return null;
    case 'object':
      return <ObjectField {...p} />;
    case 'record':
      return <RecordField {...p} />;
    case 'list':
      return <ListField {...p} />;
    case 'enum-list':
      return <EnumListField {...p} options={c.options ?? []} />;
    case 'object-list':
      return <ObjectListField {...p} />;
    case 'union':
      return <UnionField {...p} discriminator={c.discriminator ?? ''} branches={c.branches ?? []} />;
    case 'mixed':
      return <MixedField {...p} branches={c.branches ?? []} />;
    default:
      return <JsonField {...p} />;
  }
}, fieldPropsEqual);

function Messages({ meta }: { meta: FieldMeta }): JSX.Element {
  return (
    <>
      {meta.description ? (
        <p id={meta.helpId} className="sf-help">
          {meta.description}
        </p>
      ) : null}
      {meta.error ? (
        <p id={meta.errorId} className="sf-error">
          {meta.error}
        </p>
      ) : null}
    </>
  );
}

function FieldLabel({
  htmlFor,
  label,
  required,
  hidden,
}: {
  htmlFor: string;
  label: string;
  required: boolean;
  hidden?: boolean;
}) {
  return (
    <label htmlFor={htmlFor} className={cls(hidden ? 'sf-sr-only' : 'sf-label', required && 'sf-required')}>
      {label}
    </label>
  );
}

// ---------------------------------------------------------------------------------------------
// Text

const MULTILINE_NAMES: ReadonlySet<string> = new Set(['text', 'note', 'persona', 'firstMessage', 'question']);

const StringField = memo(function StringField({ schema, path, value, label, required, name, variant }: FieldProps) {
  const api = useApi();
  const meta = useFieldMeta(path, schema);
  const item = variant === 'item';
  const el = useRef<HTMLInputElement | HTMLTextAreaElement | null>(null);
  const setEl = useCallback((node: HTMLInputElement | HTMLTextAreaElement | null) => {
    el.current = node;
  }, []);
  const caret = useRef<number | null>(null);
  const hasFocused = useRef(false);
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);

  // After a variable is inserted: focus the field and put the caret after the insertion.
  useLayoutEffect(() => {
    const pos = caret.current;
    const node = el.current;
    if (pos === null || !node) return;
    caret.current = null;
    node.focus();
    node.setSelectionRange(pos, pos);
  });

  const commit = (next: string) =>
    // An optional field left empty is removed, so its default (if any) applies.
    api.update(path, () => (next === '' && !required && !item ? undefined : next));
  const insert = (token: string) => {
    const node = el.current;
    const known = node !== null && hasFocused.current;
    const start = known ? (node.selectionStart ?? text.length) : text.length;
    const end = known ? (node.selectionEnd ?? start) : start;
    caret.current = start + token.length;
    commit(text.slice(0, start) + token + text.slice(end));
  };

  const maxLength = numberOf(schema, 'maxLength');
  const multiline = (maxLength ?? 0) > 200 || MULTILINE_NAMES.has(name ?? '');
  const placeholder = formatDefault(schema.default) || undefined;
  const onChange = (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => commit(e.target.value);
  const onFocus = () => {
    hasFocused.current = true;
  };
  const shared = {
    id: meta.id,
    ref: setEl,
    value: text,
    placeholder,
    maxLength,
    disabled: meta.disabled,
    'aria-required': required && !item ? true : undefined,
    'aria-invalid': meta.error ? true : undefined,
    'aria-describedby': meta.describedBy,
    onChange,
    onFocus,
  } as const;

  return (
    <div className={cls('sf-field', item && 'sf-field--item')}>
      <FieldLabel htmlFor={meta.id} label={label} required={required && !item} hidden={item} />
      <div className="sf-control">
        {multiline ? (
          <textarea {...shared} className={cls('sf-input', 'sf-textarea')} rows={item ? 1 : 3} />
        ) : (
          <input {...shared} type="text" className="sf-input" />
        )}
        <VariablePicker label={label} onPick={insert} disabled={meta.disabled} />
      </div>
      <Messages meta={meta} />
    </div>
  );
}, fieldPropsEqual);

// ---------------------------------------------------------------------------------------------
// Variable picker

interface PickerGroup {
  name: string;
  items: { option: VariableOption; index: number }[];
}

function VariablePicker({
  label,
  onPick,
  disabled,
}: {
  label: string;
  onPick: (value: string) => void;
  disabled: boolean;
}): JSX.Element | null {
  const variables = useContext(VariablesContext);
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const [active, setActive] = useState(0);
  const baseId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (open) search.current?.focus();
  }, [open]);

  const groups = useMemo<PickerGroup[]>(() => {
    const q = filter.trim().toLowerCase();
    const byName = new Map<string, PickerGroup>();
    let index = 0;
    for (const option of variables) {
      if (
        q &&
        !option.label.toLowerCase().includes(q) &&
        !option.value.toLowerCase().includes(q) &&
        !option.group.toLowerCase().includes(q)
      ) {
        continue;
      }
      let group = byName.get(option.group);
      if (!group) {
        group = { name: option.group, items: [] };
        byName.set(option.group, group);
      }
      group.items.push({ option, index: 0 });
    }
    // Number the options in display order (grouped), which is the keyboard order.
    const list = [...byName.values()];
    for (const g of list) for (const it of g.items) it.index = index++;
    return list;
  }, [variables, filter]);

  if (variables.length === 0) return null;

  const flat = groups.flatMap((g) => g.items);
  const listId = `${baseId}-list`;
  const optionId = (i: number) => `${baseId}-opt-${i}`;
  const current = flat[Math.min(active, flat.length - 1)];

  const close = (refocus: boolean) => {
    setOpen(false);
    setFilter('');
    if (refocus) button.current?.focus();
  };
  const choose = (option: VariableOption) => {
    close(false);
    onPick(option.value);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        setActive((a) => Math.min(flat.length - 1, a + 1));
        break;
      case 'ArrowUp':
        e.preventDefault();
        setActive((a) => Math.max(0, a - 1));
        break;
      case 'Home':
        e.preventDefault();
        setActive(0);
        break;
      case 'End':
        e.preventDefault();
        setActive(Math.max(0, flat.length - 1));
        break;
      case 'Enter':
        e.preventDefault();
        if (current) choose(current.option);
        break;
      case 'Escape':
        e.preventDefault();
        close(true);
        break;
      case 'Tab':
        close(false);
        break;
    }
  };
  // Close when focus leaves the picker (the button, the filter and the list).
  const onBlur = (e: FocusEvent<HTMLElement>) => {
    const next = e.relatedTarget;
    if (!(next instanceof Node) || !container.current?.contains(next)) close(false);
  };

  return (
    <div className="sf-picker" ref={container}>
      <button
        ref={button}
        type="button"
        className="sf-icon-btn sf-picker-btn"
        aria-label={`Insert variable into ${label}`}
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        title="Insert variable"
        disabled={disabled}
        onClick={() => {
          if (open) close(false);
          else {
            setActive(0);
            setOpen(true);
          }
        }}
      >
        {'{x}'}
      </button>
      {open ? (
        <div className="sf-picker-pop">
          <label htmlFor={`${baseId}-filter`} className="sf-sr-only">
            Filter variables
          </label>
          <input
            ref={search}
            id={`${baseId}-filter`}
            className="sf-input sf-picker-filter"
            type="text"
            role="combobox"
            aria-expanded="true"
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={current ? optionId(current.index) : undefined}
            placeholder="Filter…"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
              setActive(0);
            }}
            onKeyDown={onKeyDown}
            onBlur={onBlur}
          />
          <div
            role="listbox"
            id={listId}
            aria-label={`Variables for ${label}`}
            className="sf-picker-list"
            tabIndex={-1}
            onBlur={onBlur}
          >
            {groups.map((g) => (
              // biome-ignore lint/a11y/useSemanticElements: an ARIA group of options inside the custom listbox.
              <div key={g.name} role="group" aria-labelledby={`${baseId}-g-${g.items[0]?.index ?? 0}`}>
                <div id={`${baseId}-g-${g.items[0]?.index ?? 0}`} className="sf-picker-group" role="presentation">
                  {g.name}
                </div>
                {g.items.map(({ option, index }) => (
                  // Options are chosen with the keyboard from the combobox (aria-activedescendant), so
                  // they need no key handler of their own and are not focusable.
                  // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard handled by the combobox.
                  <div
                    key={`${option.value}-${index}`}
                    id={optionId(index)}
                    role="option"
                    tabIndex={-1}
                    aria-selected={current?.index === index}
                    className="sf-picker-option"
                    onMouseDown={(e) => e.preventDefault()}
                    onMouseEnter={() => setActive(index)}
                    onClick={() => choose(option)}
                  >
                    <span className="sf-picker-label">{option.label}</span>
                    <code className="sf-picker-value">{option.value}</code>
                  </div>
                ))}
              </div>
            ))}
            {flat.length === 0 ? <div className="sf-picker-empty">No matching variables</div> : null}
          </div>
        </div>
      ) : null}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Numbers, booleans, enums, constants

const NumberField = memo(function NumberField({ schema, path, value, label, required, variant }: FieldProps) {
  const api = useApi();
  const meta = useFieldMeta(path, schema);
  const item = variant === 'item';
  const { min, max, integer } = numberBounds(schema);
  // While typing, the raw text ("1.", "-") is kept so it is not reformatted under the caret.
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? (typeof value === 'number' ? String(value) : value == null ? '' : String(value));

  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    const raw = e.target.value;
    setDraft(raw);
    if (raw.trim() === '') {
      // Empty removes the key so the default applies; a list item keeps its last number.
      if (!item) api.update(path, () => undefined);
      return;
    }
    const n = Number(raw);
    if (Number.isFinite(n)) api.update(path, () => n);
  };
  const onBlur = () => {
    setDraft(null);
    if (typeof value !== 'number') return;
    let n = integer ? Math.round(value) : value;
    if (min !== undefined && n < min) n = min;
    if (max !== undefined && n > max) n = max;
    if (n !== value) api.update(path, () => n);
  };

  return (
    <div className={cls('sf-field', item && 'sf-field--item')}>
      <FieldLabel htmlFor={meta.id} label={label} required={required && !item} hidden={item} />
      <div className="sf-control">
        <input
          id={meta.id}
          type="number"
          className="sf-input sf-number"
          value={shown}
          min={min}
          max={max}
          step={integer ? 1 : 'any'}
          placeholder={formatDefault(schema.default)}
          disabled={meta.disabled}
          aria-required={required && !item ? true : undefined}
          aria-invalid={meta.error ? true : undefined}
          aria-describedby={meta.describedBy}
          onChange={onChange}
          onBlur={onBlur}
        />
      </div>
      <Messages meta={meta} />
    </div>
  );
}, fieldPropsEqual);

const BooleanField = memo(function BooleanField({ schema, path, value, label, variant }: FieldProps) {
  const api = useApi();
  const meta = useFieldMeta(path, schema);
  const item = variant === 'item';
  const checked = typeof value === 'boolean' ? value : schema.default === true;
  return (
    <div className={cls('sf-field', 'sf-field--check', item && 'sf-field--item')}>
      <div className="sf-check">
        <input
          id={meta.id}
          type="checkbox"
          checked={checked}
          disabled={meta.disabled}
          aria-invalid={meta.error ? true : undefined}
          aria-describedby={meta.describedBy}
          onChange={(e) => api.update(path, () => e.target.checked)}
        />
        <label htmlFor={meta.id} className={item ? 'sf-sr-only' : 'sf-check-label'}>
          {label}
        </label>
        {item ? (
          <span className="sf-check-label" aria-hidden="true">
            {String(checked)}
          </span>
        ) : null}
      </div>
      <Messages meta={meta} />
    </div>
  );
}, fieldPropsEqual);

const INVALID_OPTION = '\u0000invalid';

const EnumField = memo(function EnumField({
  schema,
  path,
  value,
  label,
  required,
  variant,
  options,
}: FieldProps & { options: readonly Primitive[] }) {
  const api = useApi();
  const meta = useFieldMeta(path, schema);
  const item = variant === 'item';
  const index = options.findIndex((o) => Object.is(o, value));
  const selected = index >= 0 ? String(options[index]) : value === undefined ? '' : INVALID_OPTION;
  const fallback = formatDefault(schema.default);
  return (
    <div className={cls('sf-field', item && 'sf-field--item')}>
      <FieldLabel htmlFor={meta.id} label={label} required={required && !item} hidden={item} />
      <div className="sf-control">
        <select
          id={meta.id}
          className="sf-input sf-select"
          value={selected}
          disabled={meta.disabled}
          aria-required={required && !item ? true : undefined}
          aria-invalid={meta.error ? true : undefined}
          aria-describedby={meta.describedBy}
          onChange={(e) => {
            const raw = e.target.value;
            if (raw === '') api.update(path, () => undefined);
            else {
              const picked = options.find((o) => String(o) === raw);
              if (picked !== undefined) api.update(path, () => picked);
            }
          }}
        >
          {!required ? (
            <option value="">{fallback !== undefined ? `Default (${fallback})` : '—'}</option>
          ) : index < 0 ? (
            <option value="" disabled>
              Select…
            </option>
          ) : null}
          {selected === INVALID_OPTION ? (
            <option value={INVALID_OPTION} disabled>
              {`${String(value)} (not allowed)`}
            </option>
          ) : null}
          {options.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      </div>
      <Messages meta={meta} />
    </div>
  );
}, fieldPropsEqual);

const ConstField = memo(function ConstField({ schema, path, label, variant }: FieldProps) {
  const meta = useFieldMeta(path, schema);
  return (
    <div className={cls('sf-field', variant === 'item' && 'sf-field--item')}>
      <FieldLabel htmlFor={meta.id} label={label} required={false} hidden={variant === 'item'} />
      <input id={meta.id} className="sf-input" value={String(schema.const)} readOnly disabled />
      <Messages meta={meta} />
    </div>
  );
}, fieldPropsEqual);

// ---------------------------------------------------------------------------------------------
// Objects and discriminated unions

function ObjectProperties({
  schema,
  path,
  value,
  omit,
}: {
  schema: JsonSchema;
  path: Path;
  value: unknown;
  omit?: string;
}): JSX.Element {
  const root = useContext(RootSchemaContext);
  const obj = isRecord(value) ? value : undefined;
  const required = requiredOf(schema);
  return (
    <div className="sf-fields">
      {propertiesOf(schema)
        .filter(([k]) => k !== omit)
        .map(([k, s]) => (
          <Field
            key={k}
            schema={s}
            path={[...path, k]}
            value={obj && Object.hasOwn(obj, k) ? obj[k] : undefined}
            label={labelOf(resolveRef(s, root), k)}
            required={required.has(k)}
            name={k}
          />
        ))}
    </div>
  );
}

const ObjectField = memo(function ObjectField({ schema, path, value, label, required, variant }: FieldProps) {
  const api = useApi();
  const root = useContext(RootSchemaContext);
  const meta = useFieldMeta(path, schema);
  const body = <ObjectProperties schema={schema} path={path} value={value} />;
  if (variant === 'bare') {
    return (
      <>
        <Messages meta={meta} />
        {body}
      </>
    );
  }
  const present = value !== undefined;
  const toggleId = `${meta.id}-use`;
  return (
    <div className="sf-field sf-field--object">
      {!required ? (
        <div className="sf-check">
          <input
            id={toggleId}
            type="checkbox"
            checked={present}
            disabled={meta.disabled}
            onChange={(e) => api.update(path, () => (e.target.checked ? initialValue(schema, root) : undefined))}
          />
          <label htmlFor={toggleId} className="sf-check-label">
            Use {lowerFirst(label)}
          </label>
        </div>
      ) : null}
      {present || required ? (
        <fieldset className="sf-group" id={meta.id} aria-describedby={meta.describedBy}>
          <legend className={cls('sf-legend', required && 'sf-required')}>{label}</legend>
          <Messages meta={meta} />
          {body}
        </fieldset>
      ) : (
        <Messages meta={meta} />
      )}
    </div>
  );
}, fieldPropsEqual);

const UnionField = memo(function UnionField({
  schema,
  path,
  value,
  label,
  required,
  variant,
  discriminator,
  branches,
}: FieldProps & { discriminator: string; branches: readonly JsonSchema[] }) {
  const api = useApi();
  const meta = useFieldMeta(path, schema);
  const discPath = useMemo(() => [...path, discriminator], [path, discriminator]);
  const first = branches[0];
  const discSchema = first && isRecord(first.properties) ? asSchema(first.properties[discriminator]) : {};
  const discMeta = useFieldMeta(discPath, discSchema);
  const current = isRecord(value) ? value[discriminator] : undefined;
  const index = branches.findIndex((b) => Object.is(constOf(b, discriminator), current));
  const branch = branches[index];
  const branchHelp = branch ? stringOf(branch, 'description') : undefined;

  const select = (
    <div className="sf-field">
      <FieldLabel htmlFor={discMeta.id} label={labelOf(discSchema, discriminator)} required />
      <div className="sf-control">
        <select
          id={discMeta.id}
          className="sf-input sf-select"
          value={index >= 0 ? String(constOf(branches[index] ?? {}, discriminator)) : ''}
          disabled={discMeta.disabled}
          aria-required
          aria-invalid={discMeta.error ? true : undefined}
          aria-describedby={discMeta.describedBy}
          onChange={(e) => {
            const raw = e.target.value;
            const picked = branches.find((b) => String(constOf(b, discriminator)) === raw);
            // Switching branch keeps only the discriminator: the other fields belong to the old branch.
            api.update(path, () => (picked ? { [discriminator]: constOf(picked, discriminator) } : undefined));
          }}
        >
          {index < 0 || !required ? (
            <option value="" disabled={required}>
              {required ? 'Select…' : '—'}
            </option>
          ) : null}
          {branches.map((b) => {
            const v = String(constOf(b, discriminator));
            return (
              <option key={v} value={v}>
                {stringOf(b, 'title') ?? v}
              </option>
            );
          })}
        </select>
      </div>
      {branchHelp ? <p className="sf-help">{branchHelp}</p> : null}
      <Messages meta={discMeta} />
    </div>
  );
  const body = branch ? <ObjectProperties schema={branch} path={path} value={value} omit={discriminator} /> : null;

  if (variant === 'bare') {
    return (
      <>
        <Messages meta={meta} />
        <div className="sf-fields">
          {select}
          {body}
        </div>
      </>
    );
  }
  return (
    <fieldset className="sf-group" id={meta.id} aria-describedby={meta.describedBy}>
      <legend className={cls('sf-legend', required && 'sf-required')}>{label || humanize(discriminator)}</legend>
      <Messages meta={meta} />
      <div className="sf-fields">
        {select}
        {body}
      </div>
    </fieldset>
  );
}, fieldPropsEqual);

// ---------------------------------------------------------------------------------------------
// Unions of primitives (string | number | boolean | null | list), e.g. a condition's value

type Mode = 'string' | 'number' | 'boolean' | 'null' | 'list';
const MODE_LABELS: Readonly<Record<Mode, string>> = {
  string: 'Text',
  number: 'Number',
  boolean: 'True/false',
  null: 'Empty',
  list: 'List',
};

function modeOfValue(v: unknown): Mode | undefined {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return undefined;
}

function convertTo(mode: Mode, current: unknown): unknown {
  switch (mode) {
    case 'string':
      return current == null ? '' : Array.isArray(current) ? current.join(', ') : String(current);
    case 'number': {
      const n =
        typeof current === 'number' ? current : typeof current === 'string' && current.trim() ? Number(current) : 0;
      return Number.isFinite(n) ? n : 0;
    }
    case 'boolean':
      return current === true || current === 'true';
    case 'null':
      return null;
    case 'list':
      if (Array.isArray(current)) return current;
      return current === undefined || current === null || current === '' ? [] : [current];
  }
}

const MixedField = memo(function MixedField(props: FieldProps & { branches: readonly JsonSchema[] }) {
  const { schema, path, value, label, required, name, variant, branches } = props;
  const api = useApi();
  const root = useContext(RootSchemaContext);
  const meta = useFieldMeta(path, schema);
  const item = variant === 'item';
  const modes = useMemo(() => {
    const seen = new Map<Mode, JsonSchema>();
    for (const b of branches) {
      const kind = classify(b, root).kind as Mode;
      if (!seen.has(kind)) seen.set(kind, b);
    }
    return [...seen.entries()].map(([mode, s]) => ({ mode, schema: s }));
  }, [branches, root]);
  // The type picked last, so emptying a number (which removes the key) does not flip the field to text.
  const [picked, setPicked] = useState<Mode | null>(null);
  const valueMode = modeOfValue(value) ?? picked;
  const current = modes.find((m) => m.mode === valueMode) ?? modes[0];
  const typeId = `${meta.id}-type`;
  if (!current) return null;

  return (
    <div className={cls('sf-mixed', item && 'sf-mixed--item')}>
      <div className="sf-mixed-value">
        {current.mode === 'null' ? (
          <div className={cls('sf-field', item && 'sf-field--item')}>
            <span className={item ? 'sf-sr-only' : 'sf-label'}>{label}</span>
            <span className="sf-null">empty</span>
            <Messages meta={meta} />
          </div>
        ) : (
          <Field
            schema={current.schema}
            path={path}
            value={value}
            label={label}
            required={required}
            name={name}
            variant={variant}
          />
        )}
      </div>
      <div className="sf-mixed-type">
        <label htmlFor={typeId} className="sf-sr-only">
          {`${label} type`}
        </label>
        <select
          id={typeId}
          className="sf-input sf-select sf-select--type"
          value={current.mode}
          disabled={meta.disabled}
          onChange={(e) => {
            const mode = e.target.value as Mode;
            setPicked(mode);
            api.update(path, (cur) => convertTo(mode, cur));
          }}
        >
          {modes.map((m) => (
            <option key={m.mode} value={m.mode}>
              {MODE_LABELS[m.mode]}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}, fieldPropsEqual);

// ---------------------------------------------------------------------------------------------
// Lists of strings or numbers

function arrayDefault(schema: JsonSchema): unknown[] | undefined {
  return Array.isArray(schema.default) && schema.default.length > 0 ? schema.default : undefined;
}

const ListField = memo(function ListField({ schema, path, value, label, required }: FieldProps) {
  const api = useApi();
  const root = useContext(RootSchemaContext);
  const meta = useFieldMeta(path, schema);
  const items = Array.isArray(value) ? value : [];
  const itemSchema = listItemSchema(schema, root);
  const keys = useStableKeys(items.length);
  const focus = usePendingFocus();
  const minItems = numberOf(schema, 'minItems') ?? 0;
  const maxItems = numberOf(schema, 'maxItems') ?? Number.POSITIVE_INFINITY;
  const fallback = arrayDefault(schema);
  const usingDefault = value === undefined && fallback !== undefined;

  const add = () => {
    keys.current.push(nextKey());
    focus.current = { id: domId(meta.idPrefix, [...path, items.length]) };
    api.update(path, (cur) => [...(Array.isArray(cur) ? cur : []), newItemValue(itemSchema, root)]);
  };
  const remove = (i: number) => {
    keys.current.splice(i, 1);
    api.update(path, (cur) => (Array.isArray(cur) ? cur.filter((_, j) => j !== i) : cur));
  };

  return (
    <fieldset className="sf-group sf-list" id={meta.id} aria-describedby={meta.describedBy}>
      <legend className={cls('sf-legend', required && 'sf-required')}>{label}</legend>
      <Messages meta={meta} />
      {usingDefault ? (
        <p className="sf-default">
          Default: {fallback.map(String).join(', ')}{' '}
          <button
            type="button"
            className="sf-link-btn"
            aria-label={`Customise ${label}`}
            disabled={meta.disabled}
            onClick={() => api.update(path, () => JSON.parse(JSON.stringify(fallback)))}
          >
            Customise
          </button>
        </p>
      ) : items.length === 0 ? (
        <p className="sf-empty">None</p>
      ) : (
        <ul className="sf-list-items">
          {items.map((item, i) => (
            <li key={keys.current[i]} className="sf-list-item">
              <Field
                schema={itemSchema}
                path={[...path, i]}
                value={item}
                label={`${label} item ${i + 1}`}
                required
                variant="item"
              />
              <button
                type="button"
                className="sf-icon-btn sf-remove"
                aria-label={`Remove ${label} item ${i + 1}`}
                title="Remove"
                disabled={meta.disabled || items.length <= minItems}
                onClick={() => remove(i)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {usingDefault ? null : (
        <div className="sf-actions">
          <button
            type="button"
            className="sf-add"
            aria-label={`Add item to ${label}`}
            disabled={meta.disabled || items.length >= maxItems}
            onClick={add}
          >
            + Add
          </button>
          {fallback && value !== undefined ? (
            <button
              type="button"
              className="sf-link-btn"
              aria-label={`Reset ${label} to default`}
              disabled={meta.disabled}
              onClick={() => api.update(path, () => undefined)}
            >
              Reset
            </button>
          ) : null}
        </div>
      )}
    </fieldset>
  );
}, fieldPropsEqual);

/** An array of enum values: one checkbox per value. */
const EnumListField = memo(function EnumListField({
  schema,
  path,
  value,
  label,
  required,
  options,
}: FieldProps & { options: readonly Primitive[] }) {
  const api = useApi();
  const meta = useFieldMeta(path, schema);
  const fallback = arrayDefault(schema);
  const chosen = Array.isArray(value) ? value : (fallback ?? []);
  return (
    <fieldset className="sf-group sf-enum-list" id={meta.id} aria-describedby={meta.describedBy}>
      <legend className={cls('sf-legend', required && 'sf-required')}>{label}</legend>
      <Messages meta={meta} />
      <div className="sf-checks">
        {options.map((o, i) => {
          const id = `${meta.id}-${i}`;
          return (
            <span key={String(o)} className="sf-check">
              <input
                id={id}
                type="checkbox"
                checked={chosen.includes(o)}
                disabled={meta.disabled}
                onChange={(e) => {
                  const on = e.target.checked;
                  api.update(path, (cur) => {
                    const base = Array.isArray(cur) ? cur : (fallback ?? []);
                    return options.filter((x) => (x === o ? on : base.includes(x)));
                  });
                }}
              />
              <label htmlFor={id} className="sf-check-label">
                {String(o)}
              </label>
            </span>
          );
        })}
      </div>
    </fieldset>
  );
}, fieldPropsEqual);

// ---------------------------------------------------------------------------------------------
// Repeatable groups (arrays of objects)

/** A new item for a list of objects; a required `id` gets a fresh, unique value ("rule-2"). */
function newObjectItem(itemSchema: JsonSchema, root: JsonSchema, items: readonly unknown[], noun: string): unknown {
  const item = newItemValue(itemSchema, root);
  const c = classify(itemSchema, root);
  const idSchema = isRecord(c.schema.properties) ? asSchema(c.schema.properties.id) : undefined;
  if (!isRecord(item) || item.id !== '' || !idSchema || classify(idSchema, root).kind !== 'string') return item;
  const used = new Set(items.map((it) => (isRecord(it) ? it.id : undefined)));
  const stem =
    noun
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'item';
  let pattern: RegExp | undefined;
  try {
    const p = stringOf(idSchema, 'pattern');
    pattern = p ? new RegExp(p) : undefined;
  } catch {
    pattern = undefined;
  }
  for (let n = items.length + 1; n < items.length + 1000; n++) {
    const id = `${stem}-${n}`;
    if (used.has(id)) continue;
    return pattern && !pattern.test(id) ? item : { ...item, id };
  }
  return item;
}

function moveKeys(keys: RefObject<string[]>, from: number, to: number): void {
  keys.current = moveItem(keys.current, from, to);
}

const ObjectListField = memo(function ObjectListField({ schema, path, value, label, required }: FieldProps) {
  const api = useApi();
  const root = useContext(RootSchemaContext);
  const meta = useFieldMeta(path, schema);
  const items = Array.isArray(value) ? value : [];
  const itemSchema = resolveRef(asSchema(schema.items), root);
  const keys = useStableKeys(items.length);
  const focus = usePendingFocus();
  const noun = singular(label || 'Item');
  const minItems = numberOf(schema, 'minItems') ?? 0;
  const maxItems = numberOf(schema, 'maxItems') ?? Number.POSITIVE_INFINITY;

  const add = () => {
    const item = newObjectItem(itemSchema, root, items, noun);
    keys.current.push(nextKey());
    focus.current = { id: domId(meta.idPrefix, [...path, items.length]), inside: true };
    api.update(path, (c) => [...(Array.isArray(c) ? c : []), item]);
  };

  return (
    <fieldset className="sf-group sf-object-list" id={meta.id} aria-describedby={meta.describedBy}>
      <legend className={cls('sf-legend', required && 'sf-required')}>{label}</legend>
      <Messages meta={meta} />
      {items.length === 0 ? (
        <p className="sf-empty">None</p>
      ) : (
        <ol className="sf-items">
          {items.map((item, i) => (
            <ObjectListItem
              key={keys.current[i]}
              schema={itemSchema}
              path={[...path, i]}
              value={item}
              noun={noun}
              index={i}
              last={i === items.length - 1}
              removable={items.length > minItems}
              keys={keys}
              focus={focus}
            />
          ))}
        </ol>
      )}
      <div className="sf-actions">
        <button
          type="button"
          className="sf-add"
          disabled={meta.disabled || items.length >= maxItems}
          onClick={add}
        >{`+ Add ${noun.toLowerCase()}`}</button>
      </div>
    </fieldset>
  );
}, fieldPropsEqual);

function itemSummary(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  for (const k of ['label', 'name', 'id']) {
    const v = value[k];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return undefined;
}

const ObjectListItem = memo(function ObjectListItem({
  schema,
  path,
  value,
  noun,
  index,
  last,
  removable,
  keys,
  focus,
}: {
  schema: JsonSchema;
  path: Path;
  value: unknown;
  noun: string;
  index: number;
  last: boolean;
  removable: boolean;
  keys: RefObject<string[]>;
  focus: RefObject<FocusTarget | null>;
}) {
  const api = useApi();
  const { idPrefix, readOnly } = useContext(SettingsContext);
  const listPath = path.slice(0, -1);
  const title = `${noun} ${index + 1}`;
  const summary = itemSummary(value);
  const id = domId(idPrefix, path);
  // The bare body below shows an error on the item itself (e.g. "rules.0") as `${id}-error`.
  const error = useFieldError(pathKey(path));
  const move = (to: number) => {
    moveKeys(keys, index, to);
    // Keep focus on the moved group's button (or its other one when that is now disabled at an end).
    const target = domId(idPrefix, [...listPath, to]);
    const [same, other] = to < index ? ['up', 'down'] : ['down', 'up'];
    focus.current = { id: `${target}-${same}`, fallback: `${target}-${other}` };
    api.update(listPath, (cur) => (Array.isArray(cur) ? moveItem(cur, index, to) : cur));
  };
  const remove = () => {
    keys.current.splice(index, 1);
    api.update(listPath, (cur) => (Array.isArray(cur) ? cur.filter((_, j) => j !== index) : cur));
  };
  return (
    <li className="sf-item">
      <fieldset
        className="sf-group sf-item-group"
        id={`${id}-group`}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        <legend className="sf-legend sf-item-legend">
          {title}
          {summary ? <span className="sf-item-summary"> · {summary}</span> : null}
        </legend>
        <div className="sf-item-tools">
          <button
            id={`${id}-up`}
            type="button"
            className="sf-icon-btn"
            aria-label={`Move ${title} up`}
            title="Move up"
            disabled={readOnly || index === 0}
            onClick={() => move(index - 1)}
          >
            ↑
          </button>
          <button
            id={`${id}-down`}
            type="button"
            className="sf-icon-btn"
            aria-label={`Move ${title} down`}
            title="Move down"
            disabled={readOnly || last}
            onClick={() => move(index + 1)}
          >
            ↓
          </button>
          <button
            type="button"
            className="sf-icon-btn sf-remove"
            aria-label={`Remove ${title}`}
            title="Remove"
            disabled={readOnly || !removable}
            onClick={remove}
          >
            ×
          </button>
        </div>
        <div id={id}>
          <Field schema={schema} path={path} value={value} label={title} required variant="bare" />
        </div>
      </fieldset>
    </li>
  );
}, fieldPropsEqual);

// ---------------------------------------------------------------------------------------------
// Records (key/value rows)

const RecordField = memo(function RecordField({ schema, path, value, label, required }: FieldProps) {
  const api = useApi();
  const root = useContext(RootSchemaContext);
  const meta = useFieldMeta(path, schema);
  const focus = usePendingFocus();
  const obj = isRecord(value) ? value : {};
  const entries = Object.entries(obj);
  const valueSchema = resolveRef(asSchema(schema.additionalProperties), root);
  const keySchema = asSchema(schema.propertyNames);
  const hasBlank = Object.hasOwn(obj, '');
  const maxEntries = numberOf(schema, 'maxProperties') ?? Number.POSITIVE_INFINITY;

  const add = () => {
    focus.current = { id: `${meta.id}-key-${entries.length}` };
    api.update(path, (cur) =>
      Object.fromEntries([...Object.entries(isRecord(cur) ? cur : {}), ['', newItemValue(valueSchema, root)]]),
    );
  };

  return (
    <fieldset className="sf-group sf-record" id={meta.id} aria-describedby={meta.describedBy}>
      <legend className={cls('sf-legend', required && 'sf-required')}>{label}</legend>
      <Messages meta={meta} />
      {entries.length === 0 ? (
        <p className="sf-empty">None</p>
      ) : (
        <ul className="sf-record-rows">
          {entries.map(([k, v], i) => (
            // Rows are keyed by position so renaming a key does not remount (and blur) its input.
            <RecordRow
              // biome-ignore lint/suspicious/noArrayIndexKey: see above; the key text is being edited.
              key={i}
              path={path}
              entryKey={k}
              value={v}
              index={i}
              label={label}
              keyId={`${meta.id}-key-${i}`}
              keySchema={keySchema}
              valueSchema={valueSchema}
            />
          ))}
        </ul>
      )}
      <div className="sf-actions">
        <button
          type="button"
          className="sf-add"
          aria-label={`Add entry to ${label}`}
          title={hasBlank ? 'Name the empty entry first' : undefined}
          disabled={meta.disabled || hasBlank || entries.length >= maxEntries}
          onClick={add}
        >
          + Add
        </button>
      </div>
    </fieldset>
  );
}, fieldPropsEqual);

const RecordRow = memo(function RecordRow({
  path,
  entryKey,
  value,
  index,
  label,
  keyId,
  keySchema,
  valueSchema,
}: {
  path: Path;
  entryKey: string;
  value: unknown;
  index: number;
  label: string;
  keyId: string;
  keySchema: JsonSchema;
  valueSchema: JsonSchema;
}) {
  const api = useApi();
  const { readOnly } = useContext(SettingsContext);
  // Set only while the typed key collides with another entry (it cannot be applied yet).
  const [draft, setDraft] = useState<string | null>(null);
  const problemId = `${keyId}-error`;
  const readRecord = (): Record<string, unknown> => {
    const node = getIn(api.getValue(), path);
    return isRecord(node) ? node : {};
  };

  return (
    <li className="sf-record-row">
      <div className="sf-field sf-field--item sf-record-key">
        <label htmlFor={keyId} className="sf-sr-only">{`${label} key ${index + 1}`}</label>
        <input
          id={keyId}
          type="text"
          className="sf-input"
          placeholder="key"
          value={draft ?? entryKey}
          maxLength={numberOf(keySchema, 'maxLength')}
          disabled={readOnly}
          aria-invalid={draft !== null ? true : undefined}
          aria-describedby={draft !== null ? problemId : undefined}
          onChange={(e) => {
            const next = e.target.value;
            if (next !== entryKey && Object.hasOwn(readRecord(), next)) {
              setDraft(next);
              return;
            }
            setDraft(null);
            api.update(path, (cur) => renameKey(isRecord(cur) ? cur : {}, entryKey, next));
          }}
          onBlur={() => setDraft(null)}
        />
        {draft !== null ? (
          <p id={problemId} className="sf-error">
            Another entry already uses this key
          </p>
        ) : null}
      </div>
      <div className="sf-record-value">
        <Field
          schema={valueSchema}
          path={[...path, entryKey]}
          value={value}
          label={`${label} value ${index + 1}`}
          required
          variant="item"
        />
      </div>
      <button
        type="button"
        className="sf-icon-btn sf-remove"
        aria-label={`Remove ${label} entry ${index + 1}`}
        title="Remove"
        disabled={readOnly}
        onClick={() =>
          api.update(path, (cur) =>
            Object.fromEntries(Object.entries(isRecord(cur) ? cur : {}).filter(([k]) => k !== entryKey)),
          )
        }
      >
        ×
      </button>
    </li>
  );
}, fieldPropsEqual);

// ---------------------------------------------------------------------------------------------
// Anything else: JSON

const JsonField = memo(function JsonField({ schema, path, value, label, required, variant }: FieldProps) {
  const api = useApi();
  const item = variant === 'item';
  const [draft, setDraft] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const { idPrefix } = useContext(SettingsContext);
  const parseErrorId = `${domId(idPrefix, path)}-parse-error`;
  const meta = useFieldMeta(path, schema, parseError ? parseErrorId : undefined);
  const text = draft ?? (value === undefined ? '' : JSON.stringify(value, null, 2));

  const onBlur = () => {
    if (draft === null) return;
    let next: unknown;
    if (draft.trim() === '') next = item ? null : undefined;
    else {
      try {
        next = JSON.parse(draft);
      } catch (e) {
        setParseError(`Not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
    setParseError(null);
    setDraft(null);
    if (JSON.stringify(next) !== JSON.stringify(value)) api.update(path, () => next);
  };

  return (
    <div className={cls('sf-field', item && 'sf-field--item')}>
      <FieldLabel htmlFor={meta.id} label={label} required={required && !item} hidden={item} />
      <div className="sf-control">
        <textarea
          id={meta.id}
          className="sf-input sf-textarea sf-json"
          value={text}
          rows={item ? 1 : 4}
          spellCheck={false}
          placeholder="JSON"
          disabled={meta.disabled}
          aria-required={required && !item ? true : undefined}
          aria-invalid={meta.error || parseError ? true : undefined}
          aria-describedby={meta.describedBy}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={onBlur}
        />
      </div>
      {parseError ? (
        <p id={parseErrorId} className="sf-error">
          {parseError}
        </p>
      ) : null}
      <Messages meta={meta} />
    </div>
  );
}, fieldPropsEqual);
