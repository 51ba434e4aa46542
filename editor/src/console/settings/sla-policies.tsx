import { type FormEvent, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { Empty, Field, Loading, StatusBadge, useToast } from '../ui';
import { type SlaPolicyOut, type SlaPolicyWrite, useSettingsApi } from './api';
import { ApiErrorNotice, CheckboxGroup, ConfirmButton, splitList } from './form-parts';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
type Priority = (typeof PRIORITIES)[number];
const TARGETS = [
  { key: 'firstResponse', label: 'First response' },
  { key: 'nextResponse', label: 'Next response' },
  { key: 'resolution', label: 'Resolution' },
] as const;
type TargetKey = (typeof TARGETS)[number]['key'];
type Clock = 'business' | 'calendar';

/** The form's state: numbers as the text typed, so a half-typed value is never lost or coerced. */
interface Draft {
  name: string;
  targets: Record<TargetKey, { minutes: string; clock: Clock }>;
  warnAt: string;
  channels: string;
  teams: string;
  tags: string;
  priorities: Priority[];
  calendarId: string;
  escalationPolicyId: string;
  rank: string;
  enabled: boolean;
}

const EMPTY: Draft = {
  name: '',
  targets: {
    firstResponse: { minutes: '', clock: 'business' },
    nextResponse: { minutes: '', clock: 'business' },
    resolution: { minutes: '', clock: 'business' },
  },
  warnAt: '75',
  channels: '',
  teams: '',
  tags: '',
  priorities: [],
  calendarId: '',
  escalationPolicyId: '',
  rank: '100',
  enabled: true,
};

const draftOf = (p: SlaPolicyOut): Draft => ({
  name: p.name,
  targets: {
    firstResponse: { minutes: String(p.firstResponse?.minutes ?? ''), clock: p.firstResponse?.clock ?? 'business' },
    nextResponse: { minutes: String(p.nextResponse?.minutes ?? ''), clock: p.nextResponse?.clock ?? 'business' },
    resolution: { minutes: String(p.resolution?.minutes ?? ''), clock: p.resolution?.clock ?? 'business' },
  },
  warnAt: p.warnAt.map((w) => Math.round(w * 100)).join(', '),
  channels: p.appliesTo.channels.join(', '),
  teams: p.appliesTo.teams.join(', '),
  tags: p.appliesTo.tags.join(', '),
  priorities: [...p.appliesTo.priorities],
  calendarId: p.calendarId ?? '',
  escalationPolicyId: p.escalationPolicyId ?? '',
  rank: String(p.rank),
  enabled: p.enabled,
});

/** Text to numbers as typed; a value that is not a number goes to the API as is, which names it. */
const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

function bodyOf(d: Draft): SlaPolicyWrite {
  const target = (k: TargetKey) =>
    d.targets[k].minutes.trim() ? { minutes: num(d.targets[k].minutes), clock: d.targets[k].clock } : null;
  return {
    name: d.name,
    appliesTo: {
      channels: splitList(d.channels),
      teams: splitList(d.teams),
      tags: splitList(d.tags),
      priorities: d.priorities,
    },
    firstResponse: target('firstResponse'),
    nextResponse: target('nextResponse'),
    resolution: target('resolution'),
    warnAt: splitList(d.warnAt).map((w) => num(w) / 100),
    calendarId: d.calendarId || null,
    escalationPolicyId: d.escalationPolicyId || null,
    rank: num(d.rank),
    enabled: d.enabled,
  };
}

const describeTarget = (t: SlaPolicyOut['firstResponse']) =>
  t ? `${t.minutes} min${t.clock === 'business' ? ' (business)' : ''}` : '—';

export function SlaPoliciesSection() {
  const api = useSettingsApi();
  const toast = useToast();
  const policies = useResource(() => api.slaPolicies(), 'sla-policies');
  const calendars = useResource(() => api.calendars(), 'calendars');
  const ladders = useResource(() => api.ladders(), 'ladders');
  const [editing, setEditing] = useState<SlaPolicyOut | null>(null);
  const remove = useAction(async (p: SlaPolicyOut) => {
    await api.deleteSlaPolicy(p.id);
    toast(`Deleted ${p.name}`);
    if (editing?.id === p.id) setEditing(null);
    policies.reload();
  });
  const nameOf = (list: Array<{ id: string; name: string }> | undefined, id: string | null) =>
    id ? (list?.find((x) => x.id === id)?.name ?? id.slice(0, 8)) : 'default';
  return (
    <>
      <SlaPolicyForm
        key={editing?.id ?? 'new'}
        editing={editing}
        calendars={calendars.data?.items ?? []}
        ladders={ladders.data?.items ?? []}
        onSaved={(p) => {
          toast(`Saved ${p.name}`);
          setEditing(null);
          policies.reload();
        }}
        onCancel={() => setEditing(null)}
      />
      <h2>SLA policies</h2>
      <p className="muted">A conversation follows the first enabled policy, by rank, that matches it.</p>
      <ApiErrorNotice error={policies.error ?? remove.error} onDismiss={remove.clear} />
      {policies.loading && !policies.data ? (
        <Loading />
      ) : policies.data?.items.length === 0 ? (
        <Empty>No SLA policies yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="SLA policies">
            <thead>
              <tr>
                <th>Rank</th>
                <th>Name</th>
                <th>First response</th>
                <th>Next response</th>
                <th>Resolution</th>
                <th>Calendar</th>
                <th>Escalation</th>
                <th>Status</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {policies.data?.items.map((p) => (
                <tr key={p.id}>
                  <td>{p.rank}</td>
                  <td>{p.name}</td>
                  <td>{describeTarget(p.firstResponse)}</td>
                  <td>{describeTarget(p.nextResponse)}</td>
                  <td>{describeTarget(p.resolution)}</td>
                  <td>{nameOf(calendars.data?.items, p.calendarId)}</td>
                  <td>{p.escalationPolicyId ? nameOf(ladders.data?.items, p.escalationPolicyId) : 'none'}</td>
                  <td>
                    <StatusBadge status={p.enabled ? 'enabled' : 'disabled'} />
                  </td>
                  <td>
                    <div className="actions">
                      <button type="button" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
                        Edit
                      </button>
                      <ConfirmButton label="Delete" confirm={`Delete ${p.name}`} onConfirm={() => void remove.run(p)} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function SlaPolicyForm({
  editing,
  calendars,
  ladders,
  onSaved,
  onCancel,
}: {
  editing: SlaPolicyOut | null;
  calendars: Array<{ id: string; name: string }>;
  ladders: Array<{ id: string; name: string }>;
  onSaved: (p: SlaPolicyOut) => void;
  onCancel: () => void;
}) {
  const api = useSettingsApi();
  const [d, setD] = useState<Draft>(() => (editing ? draftOf(editing) : EMPTY));
  const set = (patch: Partial<Draft>) => setD((cur) => ({ ...cur, ...patch }));
  const save = useAction(async () => {
    const saved = await api.saveSlaPolicy(editing?.id ?? null, bodyOf(d));
    setD(EMPTY);
    onSaved(saved);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  return (
    <form
      className="panel"
      onSubmit={submit}
      aria-label={editing ? 'Edit SLA policy' : 'Create an SLA policy'}
      noValidate
    >
      <h2>{editing ? `Edit “${editing.name}”` : 'Create an SLA policy'}</h2>
      <div className="form-grid">
        <Field label="Policy name">
          {(id) => <input id={id} value={d.name} onChange={(e) => set({ name: e.target.value })} />}
        </Field>
        <Field label="Rank" hint="Lower is tried first.">
          {(id) => (
            <input id={id} type="number" min={0} value={d.rank} onChange={(e) => set({ rank: e.target.value })} />
          )}
        </Field>
        <Field label="Warn at (% of target)" hint="Comma-separated, e.g. 50, 75.">
          {(id) => <input id={id} value={d.warnAt} onChange={(e) => set({ warnAt: e.target.value })} />}
        </Field>
      </div>
      <div className="form-grid">
        {TARGETS.map((t) => (
          <div key={t.key} className="sub-row">
            <Field label={`${t.label} (minutes)`}>
              {(id) => (
                <input
                  id={id}
                  type="number"
                  min={1}
                  value={d.targets[t.key].minutes}
                  onChange={(e) =>
                    set({ targets: { ...d.targets, [t.key]: { ...d.targets[t.key], minutes: e.target.value } } })
                  }
                />
              )}
            </Field>
            <Field label={`${t.label} clock`}>
              {(id) => (
                <select
                  id={id}
                  value={d.targets[t.key].clock}
                  onChange={(e) =>
                    set({
                      targets: { ...d.targets, [t.key]: { ...d.targets[t.key], clock: e.target.value as Clock } },
                    })
                  }
                >
                  <option value="business">Business hours</option>
                  <option value="calendar">Around the clock</option>
                </select>
              )}
            </Field>
          </div>
        ))}
      </div>
      <div className="form-grid">
        <Field label="Business calendar">
          {(id) => (
            <select id={id} value={d.calendarId} onChange={(e) => set({ calendarId: e.target.value })}>
              <option value="">The team's or tenant's default</option>
              {calendars.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Escalation ladder on breach">
          {(id) => (
            <select id={id} value={d.escalationPolicyId} onChange={(e) => set({ escalationPolicyId: e.target.value })}>
              <option value="">None</option>
              {ladders.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Channels" hint="Comma-separated; all when empty.">
          {(id) => (
            <input
              id={id}
              value={d.channels}
              placeholder="sms, whatsapp"
              onChange={(e) => set({ channels: e.target.value })}
            />
          )}
        </Field>
        <Field label="Teams" hint="Comma-separated; all when empty.">
          {(id) => <input id={id} value={d.teams} onChange={(e) => set({ teams: e.target.value })} />}
        </Field>
        <Field label="Tags" hint="Any of them; all when empty.">
          {(id) => <input id={id} value={d.tags} onChange={(e) => set({ tags: e.target.value })} />}
        </Field>
      </div>
      <CheckboxGroup
        legend="Priorities (all when none)"
        options={PRIORITIES}
        value={d.priorities}
        onChange={(priorities) => set({ priorities })}
      />
      <label>
        <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
      </label>
      <ApiErrorNotice error={save.error} onDismiss={save.clear} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.busy}>
          {editing ? 'Save policy' : 'Create policy'}
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
