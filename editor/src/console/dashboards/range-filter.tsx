import { useEffect, useState } from 'react';
import { Field } from '../ui';
import { customError, type Period, PRESETS, type RangeChoice, toDayString } from './range';

/**
 * The period: a preset (7, 30, 90 days up to now) or custom whole days. Custom dates apply on
 * "Apply" (or Enter) so the URL, and every panel, change once rather than on each keystroke.
 */
export function RangeFilter({
  choice,
  period,
  onChange,
}: {
  choice: RangeChoice;
  period: Period;
  onChange: (choice: RangeChoice) => void;
}) {
  const [custom, setCustom] = useState(choice.kind === 'custom');
  const lastDay = new Date(period.to.getTime() - 1);
  const [from, setFrom] = useState(choice.kind === 'custom' ? choice.from : toDayString(period.from));
  const [to, setTo] = useState(choice.kind === 'custom' ? choice.to : toDayString(lastDay));
  const [touched, setTouched] = useState(false);
  // A new URL (back button, a shared link) resets the form to what it says.
  useEffect(() => {
    setCustom(choice.kind === 'custom');
    if (choice.kind === 'custom') {
      setFrom(choice.from);
      setTo(choice.to);
    }
    setTouched(false);
  }, [choice]);
  const error = touched ? customError(from, to) : null;

  return (
    <form
      className="dash-range"
      aria-label="Date range"
      // Our own message says what is wrong (and is announced); the browser's bubble would hide it.
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (!customError(from, to)) onChange({ kind: 'custom', from, to });
      }}
    >
      <fieldset className="dash-presets">
        <legend className="visually-hidden">Period</legend>
        {PRESETS.map((p) => (
          <button
            key={p.key}
            type="button"
            aria-pressed={!custom && choice.kind === 'preset' && choice.preset === p.key}
            onClick={() => {
              setCustom(false);
              onChange({ kind: 'preset', preset: p.key });
            }}
          >
            Last {p.label}
          </button>
        ))}
        <button type="button" aria-pressed={custom} onClick={() => setCustom(true)}>
          Custom
        </button>
      </fieldset>
      {custom && (
        <div className="dash-custom">
          <Field label="From">
            {(id) => (
              <input id={id} type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
            )}
          </Field>
          <Field label="To" error={error}>
            {(id) => (
              <input id={id} type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
            )}
          </Field>
          <button type="submit" className="primary">
            Apply
          </button>
        </div>
      )}
    </form>
  );
}
