import { useMemo } from 'react';
import { useResource } from '../hooks';
import { Field } from '../ui';
import type { CampaignApi } from './api';
import { type CampaignForm, type FieldKey, SINGLE_ACTION_OUTCOMES, WEEKDAYS } from './form-model';

type Patch = (p: Partial<CampaignForm>) => void;
type Errors = Partial<Record<FieldKey, string>>;

/** IANA zones the browser knows, for the default time zone's suggestions. */
function timeZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['UTC'];
}

/** When and how fast: schedule, calling windows on each recipient's clock, pace and concurrency. */
export function ScheduleSection({ form, patch, errors }: { form: CampaignForm; patch: Patch; errors: Errors }) {
  const zones = useMemo(timeZones, []);
  const toggleDay = (day: number) =>
    patch({ days: form.days.includes(day) ? form.days.filter((d) => d !== day) : [...form.days, day].sort() });
  return (
    <section className="panel" aria-labelledby="campaign-schedule">
      <h2 id="campaign-schedule">Schedule and pace</h2>
      <div className="form-grid">
        <Field label="Start at" hint="Blank: at launch." error={errors.schedule}>
          {(id) => (
            <input
              id={id}
              type="datetime-local"
              value={form.startAt}
              onChange={(e) => patch({ startAt: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label="End by" hint="Recipients not started by then are skipped.">
          {(id) => (
            <input
              id={id}
              type="datetime-local"
              value={form.endBy}
              onChange={(e) => patch({ endBy: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field
          label="Pace (starts per minute)"
          hint="Blank: as fast as the provider allows."
          error={errors.pacePerMinute}
        >
          {(id) => (
            <input
              id={id}
              type="number"
              min="0"
              step="any"
              value={form.pacePerMinute}
              onChange={(e) => patch({ pacePerMinute: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label="Max concurrent journeys" hint="Blank: no limit." error={errors.maxConcurrent}>
          {(id) => (
            <input
              id={id}
              type="number"
              min="1"
              step="1"
              value={form.maxConcurrent}
              onChange={(e) => patch({ maxConcurrent: e.currentTarget.value })}
            />
          )}
        </Field>
      </div>

      <fieldset className="subsection">
        <legend>Calling window (each recipient’s own clock)</legend>
        <label className="choice">
          <input
            type="checkbox"
            checked={form.useWindow}
            onChange={(e) => patch({ useWindow: e.currentTarget.checked })}
          />
          Only on chosen days and hours
        </label>
        {form.useWindow && (
          <>
            <fieldset className="choice-row">
              <legend className="visually-hidden">Days</legend>
              {WEEKDAYS.map((d) => (
                <label key={d.day} className="choice">
                  <input type="checkbox" checked={form.days.includes(d.day)} onChange={() => toggleDay(d.day)} />
                  {d.label}
                </label>
              ))}
            </fieldset>
            <div className="form-grid">
              <Field label="From">
                {(id) => (
                  <input
                    id={id}
                    type="time"
                    value={form.windowStart}
                    onChange={(e) => patch({ windowStart: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field label="Until">
                {(id) => (
                  <input
                    id={id}
                    type="time"
                    value={form.windowEnd}
                    onChange={(e) => patch({ windowEnd: e.currentTarget.value })}
                  />
                )}
              </Field>
            </div>
          </>
        )}
        {errors.window && (
          <p className="warn" role="alert">
            {errors.window}
          </p>
        )}
        <div className="form-grid">
          <Field
            label="Never before"
            hint="The guard holds whatever the window says (default 08:00–21:00)."
            error={errors.guard}
          >
            {(id) => (
              <input
                id={id}
                type="time"
                value={form.guardStart}
                onChange={(e) => patch({ guardStart: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field label="Never after">
            {(id) => (
              <input
                id={id}
                type="time"
                value={form.guardEnd}
                onChange={(e) => patch({ guardEnd: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field
            label="Default time zone"
            hint="For recipients with no zone of their own or from their number."
            error={errors.defaultTimeZone}
          >
            {(id) => (
              <>
                <input
                  id={id}
                  list={`${id}-zones`}
                  value={form.defaultTimeZone}
                  onChange={(e) => patch({ defaultTimeZone: e.currentTarget.value })}
                />
                <datalist id={`${id}-zones`}>
                  {zones.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        </div>
      </fieldset>
    </section>
  );
}

/** Retries (which outcomes, after how long, how many attempts) and caps across campaigns. */
export function RetrySection({
  api,
  form,
  patch,
  errors,
}: {
  api: CampaignApi;
  form: CampaignForm;
  patch: Patch;
  errors: Errors;
}) {
  const flowOutcomes = useResource(async () => {
    if (form.workKind !== 'flow' || !form.flowId) return [];
    const flow = await api.flowDefinition(form.flowId);
    const ends = flow.definition.nodes.filter((n) => n.type === 'end').map((n) => n.params?.outcome);
    return [...new Set(ends.filter((o): o is string => typeof o === 'string'))];
  }, `outcomes:${form.workKind}:${form.flowId}`);
  const outcomes = form.workKind === 'flow' ? (flowOutcomes.data ?? []) : [...SINGLE_ACTION_OUTCOMES[form.workKind]];
  const choices = [...new Set([...outcomes, ...form.retryOutcomes])];
  const toggle = (o: string) =>
    patch({
      retryOutcomes: form.retryOutcomes.includes(o)
        ? form.retryOutcomes.filter((x) => x !== o)
        : [...form.retryOutcomes, o],
    });
  return (
    <section className="panel" aria-labelledby="campaign-retries">
      <h2 id="campaign-retries">Retries and frequency caps</h2>
      <fieldset className="subsection">
        <legend>Retry when the journey ends with</legend>
        {choices.length === 0 ? (
          <p className="muted">Choose the work first: its outcomes are listed here.</p>
        ) : (
          <div className="choice-row">
            {choices.map((o) => (
              <label key={o} className="choice">
                <input type="checkbox" checked={form.retryOutcomes.includes(o)} onChange={() => toggle(o)} />
                {o}
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <div className="form-grid">
        <Field label="Retry after (minutes)" error={errors.retry}>
          {(id) => (
            <input
              id={id}
              type="number"
              min="1"
              value={form.retryAfterMinutes}
              onChange={(e) => patch({ retryAfterMinutes: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label="Attempts in all" hint="The first one included.">
          {(id) => (
            <input
              id={id}
              type="number"
              min="1"
              max="10"
              value={form.maxAttempts}
              onChange={(e) => patch({ maxAttempts: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field
          label="Touches per contact per day"
          hint="Across all campaigns. Blank: no cap."
          error={errors.frequencyCap}
        >
          {(id) => (
            <input
              id={id}
              type="number"
              min="1"
              value={form.capPerDay}
              onChange={(e) => patch({ capPerDay: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label="Touches per contact per week" hint="Blank: no cap.">
          {(id) => (
            <input
              id={id}
              type="number"
              min="1"
              value={form.capPerWeek}
              onChange={(e) => patch({ capPerWeek: e.currentTarget.value })}
            />
          )}
        </Field>
      </div>
    </section>
  );
}
