import { type FormEvent, useMemo, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { Empty, Field, formatDateTime, Loading, useToast } from '../ui';
import { type CalendarOut, type CalendarPreview, type CalendarWrite, useSettingsApi } from './api';
import { ApiErrorNotice, CheckboxGroup, ConfirmButton } from './form-parts';

const DAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
type Day = (typeof DAYS)[number];
const DAY_LABELS: Record<Day, string> = { 1: 'Mon', 2: 'Tue', 3: 'Wed', 4: 'Thu', 5: 'Fri', 6: 'Sat', 7: 'Sun' };

interface HoursRow {
  days: Day[];
  start: string;
  end: string;
}
interface HolidayRow {
  date: string;
  name: string;
  yearly: boolean;
}
interface Draft {
  name: string;
  team: string;
  timeZone: string;
  hours: HoursRow[];
  holidays: HolidayRow[];
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const emptyDraft = (): Draft => ({
  name: '',
  team: '',
  timeZone: browserZone(),
  hours: [{ days: ['1', '2', '3', '4', '5'], start: '09:00', end: '17:00' }],
  holidays: [],
});

const draftOf = (c: CalendarOut): Draft => ({
  name: c.name,
  team: c.team ?? '',
  timeZone: c.definition.timeZone,
  hours: c.definition.hours.map((h) => ({ days: h.days.map((d) => String(d) as Day), start: h.start, end: h.end })),
  holidays: c.definition.holidays.map((h) => ({ date: h.date, name: h.name ?? '', yearly: h.yearly })),
});

function bodyOf(d: Draft, closures: CalendarOut['definition']['closures']): CalendarWrite {
  return {
    name: d.name,
    team: d.team.trim() || null,
    definition: {
      timeZone: d.timeZone.trim(),
      hours: d.hours.map((h) => ({ days: h.days.map(Number), start: h.start, end: h.end })),
      holidays: d.holidays.map((h) => ({
        date: h.date.trim(),
        yearly: h.yearly,
        ...(h.name.trim() ? { name: h.name.trim() } : {}),
      })),
      // One-off closures are kept as they are; this form edits hours and holidays.
      closures,
    },
  };
}

const hoursSummary = (c: CalendarOut) =>
  c.definition.hours
    .map((h) => `${h.days.map((d) => DAY_LABELS[String(d) as Day]).join(' ')} ${h.start}–${h.end}`)
    .join('; ') || 'closed';

export function CalendarsSection() {
  const api = useSettingsApi();
  const toast = useToast();
  const calendars = useResource(() => api.calendars(), 'calendars');
  const [editing, setEditing] = useState<CalendarOut | null>(null);
  const [preview, setPreview] = useState<{ name: string; data: CalendarPreview } | null>(null);
  const remove = useAction(async (c: CalendarOut) => {
    await api.deleteCalendar(c.id);
    toast(`Deleted ${c.name}`);
    if (editing?.id === c.id) setEditing(null);
    calendars.reload();
  });
  const showPreview = useAction(async (c: CalendarOut) =>
    setPreview({ name: c.name, data: await api.previewCalendar(c.id) }),
  );
  return (
    <>
      <CalendarForm
        key={editing?.id ?? 'new'}
        editing={editing}
        onSaved={(c) => {
          toast(`Saved ${c.name}`);
          setEditing(null);
          calendars.reload();
        }}
        onCancel={() => setEditing(null)}
      />
      <h2>Business-hours calendars</h2>
      <ApiErrorNotice
        error={calendars.error ?? remove.error ?? showPreview.error}
        onDismiss={() => {
          remove.clear();
          showPreview.clear();
        }}
      />
      {calendars.loading && !calendars.data ? (
        <Loading />
      ) : calendars.data?.items.length === 0 ? (
        <Empty>No calendars yet: SLA clocks run around the clock until one exists.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Business calendars">
            <thead>
              <tr>
                <th>Name</th>
                <th>Team</th>
                <th>Time zone</th>
                <th>Hours</th>
                <th>Holidays</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {calendars.data?.items.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td>{c.team ?? 'tenant default'}</td>
                  <td>{c.definition.timeZone}</td>
                  <td>{hoursSummary(c)}</td>
                  <td>{c.definition.holidays.length}</td>
                  <td>
                    <div className="actions">
                      <button type="button" onClick={() => void showPreview.run(c)} aria-label={`Preview ${c.name}`}>
                        Next 7 days
                      </button>
                      <button type="button" onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>
                        Edit
                      </button>
                      <ConfirmButton label="Delete" confirm={`Delete ${c.name}`} onConfirm={() => void remove.run(c)} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview && (
        <section className="panel" aria-label={`Open hours of ${preview.name}`}>
          <h2>
            {preview.name}: {Math.round(preview.data.businessMinutes / 60)} business hours in the next 7 days
          </h2>
          <p className="muted">
            {preview.data.openAtFrom ? 'Open now.' : 'Closed now.'} Times in your zone; the calendar's is{' '}
            {preview.data.timeZone}.
          </p>
          <ul>
            {preview.data.intervals.slice(0, 14).map((i) => (
              <li key={i.from}>
                {formatDateTime(i.from)} – {formatDateTime(i.to)} ({i.minutes} min)
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function CalendarForm({
  editing,
  onSaved,
  onCancel,
}: {
  editing: CalendarOut | null;
  onSaved: (c: CalendarOut) => void;
  onCancel: () => void;
}) {
  const api = useSettingsApi();
  const [d, setD] = useState<Draft>(() => (editing ? draftOf(editing) : emptyDraft()));
  const set = (patch: Partial<Draft>) => setD((cur) => ({ ...cur, ...patch }));
  const zones = useMemo(() => {
    try {
      return Intl.supportedValuesOf('timeZone');
    } catch {
      return [];
    }
  }, []);
  const save = useAction(async () => {
    const saved = await api.saveCalendar(editing?.id ?? null, bodyOf(d, editing?.definition.closures ?? []));
    setD(emptyDraft());
    onSaved(saved);
  });
  const setHours = (i: number, patch: Partial<HoursRow>) =>
    set({ hours: d.hours.map((h, j) => (j === i ? { ...h, ...patch } : h)) });
  const setHoliday = (i: number, patch: Partial<HolidayRow>) =>
    set({ holidays: d.holidays.map((h, j) => (j === i ? { ...h, ...patch } : h)) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  return (
    <form className="panel" onSubmit={submit} aria-label={editing ? 'Edit calendar' : 'Create a calendar'} noValidate>
      <h2>{editing ? `Edit “${editing.name}”` : 'Create a business-hours calendar'}</h2>
      <div className="form-grid">
        <Field label="Calendar name">
          {(id) => <input id={id} value={d.name} onChange={(e) => set({ name: e.target.value })} />}
        </Field>
        <Field label="Team" hint="Empty: the tenant's default calendar.">
          {(id) => <input id={id} value={d.team} onChange={(e) => set({ team: e.target.value })} />}
        </Field>
        <Field label="Time zone">
          {(id) => (
            <>
              <input
                id={id}
                list={`${id}-zones`}
                value={d.timeZone}
                onChange={(e) => set({ timeZone: e.target.value })}
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
      <fieldset className="sub-rows">
        <legend>Weekly hours</legend>
        {d.hours.map((h, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place.
          <fieldset key={i} className="sub-row" aria-label={`Opening hours ${i + 1}`}>
            <CheckboxGroup
              legend="Days"
              options={DAYS}
              value={h.days}
              labelOf={(day) => DAY_LABELS[day]}
              onChange={(days) => setHours(i, { days })}
            />
            <Field label="Opens">
              {(id) => (
                <input id={id} type="time" value={h.start} onChange={(e) => setHours(i, { start: e.target.value })} />
              )}
            </Field>
            <Field label="Closes">
              {(id) => (
                <input id={id} type="time" value={h.end} onChange={(e) => setHours(i, { end: e.target.value })} />
              )}
            </Field>
            <button type="button" onClick={() => set({ hours: d.hours.filter((_, j) => j !== i) })}>
              Remove hours
            </button>
          </fieldset>
        ))}
        <div>
          <button
            type="button"
            onClick={() =>
              set({ hours: [...d.hours, { days: ['1', '2', '3', '4', '5'], start: '13:00', end: '17:00' }] })
            }
          >
            Add hours
          </button>
        </div>
      </fieldset>
      <fieldset className="sub-rows">
        <legend>Holidays</legend>
        {d.holidays.map((h, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place.
          <fieldset key={i} className="sub-row" aria-label={`Holiday ${i + 1}`}>
            <Field label="Date" hint={h.yearly ? 'MM-DD' : 'YYYY-MM-DD'}>
              {(id) => (
                <input
                  id={id}
                  value={h.date}
                  placeholder={h.yearly ? '12-25' : '2026-12-24'}
                  onChange={(e) => setHoliday(i, { date: e.target.value })}
                />
              )}
            </Field>
            <Field label="Holiday name">
              {(id) => <input id={id} value={h.name} onChange={(e) => setHoliday(i, { name: e.target.value })} />}
            </Field>
            <label>
              <input type="checkbox" checked={h.yearly} onChange={(e) => setHoliday(i, { yearly: e.target.checked })} />{' '}
              Every year
            </label>
            <button type="button" onClick={() => set({ holidays: d.holidays.filter((_, j) => j !== i) })}>
              Remove holiday
            </button>
          </fieldset>
        ))}
        <div>
          <button
            type="button"
            onClick={() => set({ holidays: [...d.holidays, { date: '', name: '', yearly: false }] })}
          >
            Add holiday
          </button>
        </div>
      </fieldset>
      <ApiErrorNotice error={save.error} onDismiss={save.clear} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.busy}>
          {editing ? 'Save calendar' : 'Create calendar'}
        </button>
        {editing && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
