import { type ReactNode, useId, useState } from 'react';
import { z } from 'zod';
import { ApiError } from '../../api-client';
import { ErrorNotice } from '../ui';

// Pieces every settings form shares: the API's error with each field it names, a confirm-twice
// button for destructive actions, a secret shown once, and checkbox groups.

const IssuesSchema = z.array(z.object({ path: z.string().optional(), message: z.string() }));

/** The API's error (code and message) and, for validation errors, every field it names. */
export function ApiErrorNotice({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  const issues = error instanceof ApiError ? IssuesSchema.safeParse(error.details) : null;
  return (
    <div className="settings-error">
      <ErrorNotice error={error} {...(onDismiss ? { onDismiss } : {})} />
      {issues?.success && issues.data.length > 0 && (
        <ul className="issues" aria-label="Problems">
          {issues.data.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              {i.path && <code>{i.path}</code>} {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * A destructive action that asks once more in place (no modal): the first press turns the button
 * into "Confirm" and "Cancel".
 */
export function ConfirmButton({
  label,
  confirm,
  onConfirm,
  disabled,
}: {
  label: string;
  confirm: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="danger" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <fieldset className="row confirm" aria-label={confirm}>
      <button
        type="button"
        className="danger"
        // biome-ignore lint/a11y/noAutofocus: the question replaces the button that had focus.
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirm}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  );
}

/** A secret the API shows only once: readable, copyable, then dismissed for good. */
export function SecretOnce({
  title,
  secret,
  children,
  onDone,
}: {
  title: string;
  secret: string;
  children?: ReactNode;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState(false);
  const labelId = useId();
  return (
    <section className="panel secret-once" aria-labelledby={labelId}>
      <h2 id={labelId}>{title}</h2>
      <p className="muted">Copy it now: it is shown only this once.</p>
      <div className="row">
        <code className="secret">{secret}</code>
        <button
          type="button"
          onClick={() => {
            navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {children}
      <button type="button" className="primary" onClick={onDone}>
        Done, I have stored it
      </button>
    </section>
  );
}

/** Checkboxes over a list of values, as one labelled group. */
export function CheckboxGroup<T extends string>({
  legend,
  options,
  value,
  onChange,
  labelOf = (o) => o,
}: {
  legend: string;
  options: readonly T[];
  value: readonly T[];
  onChange: (next: T[]) => void;
  labelOf?: (option: T) => string;
}) {
  return (
    <fieldset className="checkbox-group">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o}>
          <input
            type="checkbox"
            checked={value.includes(o)}
            onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((v) => v !== o))}
          />{' '}
          {labelOf(o)}
        </label>
      ))}
    </fieldset>
  );
}

/** "a, b ,c" → ["a", "b", "c"]: the list fields (teams, tags, origins). */
export const splitList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Ids are long; tables show their start. */
export const shortId = (s: string | null | undefined) => (s ? s.slice(0, 8) : '—');
