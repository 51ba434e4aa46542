import { Field } from '../ui';
import { CONSENT_CHANNELS, CONSENT_STATUSES, type Stage } from './api';
import { describeCondition, EMPTY_FORM, type FilterForm, NO_STAGE } from './filter-model';

/** The list's filters: search, lead status, tag, channel consent and do-not-contact. */
export function FilterBar({
  form,
  stages,
  onChange,
}: {
  form: FilterForm;
  stages: readonly Stage[];
  onChange: (form: FilterForm) => void;
}) {
  const set = <K extends keyof FilterForm>(key: K, value: FilterForm[K]) => onChange({ ...form, [key]: value });
  const off = form.match === 'any';
  return (
    <fieldset className="panel ct-filters" aria-label="Filters">
      <legend className="visually-hidden">Filters</legend>
      <div className="ct-filter-grid">
        <Field label="Search">
          {(id) => (
            <input
              id={id}
              type="search"
              placeholder="Name, email or phone"
              disabled={off}
              value={form.search}
              onChange={(e) => set('search', e.target.value)}
            />
          )}
        </Field>
        <Field label="Lead status">
          {(id) => (
            <select id={id} disabled={off} value={form.status} onChange={(e) => set('status', e.target.value)}>
              <option value="">Any status</option>
              {stages.map((s) => (
                <option key={s.key} value={s.key}>
                  {s.label}
                </option>
              ))}
              <option value={NO_STAGE}>No stage</option>
            </select>
          )}
        </Field>
        <Field label="Tag">
          {(id) => (
            <input
              id={id}
              disabled={off}
              value={form.tag}
              placeholder="vip"
              onChange={(e) => set('tag', e.target.value)}
            />
          )}
        </Field>
        <Field label="Consent channel">
          {(id) => (
            <select
              id={id}
              disabled={off}
              value={form.consentChannel}
              onChange={(e) => set('consentChannel', CONSENT_CHANNELS.find((c) => c === e.target.value) ?? '')}
            >
              <option value="">Any channel</option>
              {CONSENT_CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Consent">
          {(id) => (
            <select
              id={id}
              disabled={off || !form.consentChannel}
              value={form.consentStatus}
              onChange={(e) => set('consentStatus', CONSENT_STATUSES.find((s) => s === e.target.value) ?? 'granted')}
            >
              {CONSENT_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Do not contact">
          {(id) => (
            <select
              id={id}
              disabled={off}
              value={form.dnc}
              onChange={(e) => set('dnc', e.target.value === 'yes' ? 'yes' : e.target.value === 'no' ? 'no' : '')}
            >
              <option value="">Anyone</option>
              <option value="no">Contactable only</option>
              <option value="yes">Do-not-contact only</option>
            </select>
          )}
        </Field>
      </div>
      {(form.others.length > 0 || off) && (
        <div className="row ct-others">
          <span className="muted">{off ? 'Matches any of:' : 'Also:'}</span>
          {form.others.map((c, i) => (
            <span key={JSON.stringify(c)} className="ct-chip">
              {describeCondition(c)}
              {!off && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove condition ${describeCondition(c)}`}
                  onClick={() =>
                    set(
                      'others',
                      form.others.filter((_, j) => j !== i),
                    )
                  }
                >
                  ×
                </button>
              )}
            </span>
          ))}
        </div>
      )}
      <div className="row">
        <button type="button" className="link" onClick={() => onChange(EMPTY_FORM)}>
          Clear filters
        </button>
      </div>
    </fieldset>
  );
}
