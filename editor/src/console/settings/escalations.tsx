import { type FormEvent, useState } from 'react';
import { ESCALATION_CHANNELS, type EscalationChannel, type EscalationTarget } from '../../../../flow/escalation';
import { useAction, useResource } from '../hooks';
import { Empty, Field, Loading, useToast } from '../ui';
import { type LadderOut, type LadderWrite, type Member, useSettingsApi } from './api';
import { ApiErrorNotice, CheckboxGroup, ConfirmButton } from './form-parts';

type TargetType = EscalationTarget['type'];
const TARGET_TYPES: Record<TargetType, string> = {
  user: 'A member',
  team: 'Everyone on a team',
  on_call: "A team's on-call member",
};
const CHANNEL_LABELS: Record<EscalationChannel, string> = {
  in_app: 'in the inbox',
  email: 'email',
  sms: 'SMS',
  webhook: 'webhook',
};

/** A target as typed: `value` is a user id or a team name, by type. */
interface TargetRow {
  type: TargetType;
  value: string;
}
interface LevelRow {
  targets: TargetRow[];
  channels: EscalationChannel[];
  ackTimeoutMinutes: string;
}
interface Draft {
  name: string;
  repeat: string;
  levels: LevelRow[];
}

const newLevel = (): LevelRow => ({
  targets: [{ type: 'on_call', value: '' }],
  channels: ['in_app'],
  ackTimeoutMinutes: '15',
});
const emptyDraft = (): Draft => ({ name: '', repeat: '0', levels: [newLevel()] });

const draftOf = (l: LadderOut): Draft => ({
  name: l.name,
  repeat: String(l.repeat),
  levels: l.levels.map((lv) => ({
    targets: lv.targets.map((t) => ({ type: t.type, value: t.type === 'user' ? t.userId : t.team })),
    channels: [...lv.channels],
    ackTimeoutMinutes: String(lv.ackTimeoutMinutes),
  })),
});

const bodyOf = (d: Draft): LadderWrite => ({
  name: d.name,
  repeat: Number(d.repeat || 0),
  levels: d.levels.map((lv) => ({
    targets: lv.targets.map((t) =>
      t.type === 'user' ? { type: 'user', userId: t.value } : { type: t.type, team: t.value.trim() },
    ),
    channels: lv.channels,
    ackTimeoutMinutes: lv.ackTimeoutMinutes.trim() === '' ? Number.NaN : Number(lv.ackTimeoutMinutes),
  })),
});

function describeTarget(t: EscalationTarget, members: Member[]) {
  if (t.type === 'user') return members.find((m) => m.userId === t.userId)?.name ?? `member ${t.userId.slice(0, 8)}`;
  return t.type === 'team' ? `team ${t.team}` : `on-call of ${t.team}`;
}

export function EscalationsSection() {
  const api = useSettingsApi();
  const toast = useToast();
  const ladders = useResource(() => api.ladders(), 'ladders');
  const members = useResource(() => api.members(), 'members');
  const [editing, setEditing] = useState<LadderOut | null>(null);
  const remove = useAction(async (l: LadderOut) => {
    await api.deleteLadder(l.id);
    toast(`Deleted ${l.name}`);
    if (editing?.id === l.id) setEditing(null);
    ladders.reload();
  });
  const people = members.data?.items ?? [];
  return (
    <>
      <LadderForm
        key={editing?.id ?? 'new'}
        editing={editing}
        members={people}
        onSaved={(l) => {
          toast(`Saved ${l.name}`);
          setEditing(null);
          ladders.reload();
        }}
        onCancel={() => setEditing(null)}
      />
      <h2>Escalation ladders</h2>
      <ApiErrorNotice error={ladders.error ?? remove.error} onDismiss={remove.clear} />
      {ladders.loading && !ladders.data ? (
        <Loading />
      ) : ladders.data?.items.length === 0 ? (
        <Empty>No escalation ladders yet.</Empty>
      ) : (
        ladders.data?.items.map((l) => (
          <article key={l.id} className="panel" aria-label={`Ladder ${l.name}`}>
            <div className="row" style={{ justifyContent: 'space-between' }}>
              <h2>{l.name}</h2>
              <div className="actions">
                <button type="button" onClick={() => setEditing(l)} aria-label={`Edit ${l.name}`}>
                  Edit
                </button>
                <ConfirmButton label="Delete" confirm={`Delete ${l.name}`} onConfirm={() => void remove.run(l)} />
              </div>
            </div>
            <ol>
              {l.levels.map((lv, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a level is its place on the ladder.
                <li key={i}>
                  Notify {lv.targets.map((t) => describeTarget(t, people)).join(', ')} by{' '}
                  {lv.channels.map((c) => CHANNEL_LABELS[c]).join(', ')}; unacknowledged after {lv.ackTimeoutMinutes}{' '}
                  min → {i + 1 < l.levels.length ? 'next level' : l.repeat ? `start over (${l.repeat}×)` : 'stop'}
                </li>
              ))}
            </ol>
          </article>
        ))
      )}
    </>
  );
}

function LadderForm({
  editing,
  members,
  onSaved,
  onCancel,
}: {
  editing: LadderOut | null;
  members: Member[];
  onSaved: (l: LadderOut) => void;
  onCancel: () => void;
}) {
  const api = useSettingsApi();
  const [d, setD] = useState<Draft>(() => (editing ? draftOf(editing) : emptyDraft()));
  const setLevel = (i: number, patch: Partial<LevelRow>) =>
    setD((cur) => ({ ...cur, levels: cur.levels.map((lv, j) => (j === i ? { ...lv, ...patch } : lv)) }));
  const setTarget = (i: number, k: number, patch: Partial<TargetRow>) =>
    setLevel(i, { targets: (d.levels[i]?.targets ?? []).map((t, j) => (j === k ? { ...t, ...patch } : t)) });
  const save = useAction(async () => {
    const saved = await api.saveLadder(editing?.id ?? null, bodyOf(d));
    setD(emptyDraft());
    onSaved(saved);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  return (
    <form className="panel" onSubmit={submit} aria-label={editing ? 'Edit ladder' : 'Create a ladder'} noValidate>
      <h2>{editing ? `Edit “${editing.name}”` : 'Create an escalation ladder'}</h2>
      <div className="form-grid">
        <Field label="Ladder name">
          {(id) => <input id={id} value={d.name} onChange={(e) => setD({ ...d, name: e.target.value })} />}
        </Field>
        <Field label="Run again after the last level" hint="Times, 0 to 5.">
          {(id) => (
            <input
              id={id}
              type="number"
              min={0}
              max={5}
              value={d.repeat}
              onChange={(e) => setD({ ...d, repeat: e.target.value })}
            />
          )}
        </Field>
      </div>
      {d.levels.map((lv, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a level is its place on the ladder.
        <fieldset key={i} className="level">
          <legend>Level {i + 1}</legend>
          {lv.targets.map((t, k) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place.
            <fieldset key={k} className="sub-row" aria-label={`Level ${i + 1} target ${k + 1}`}>
              <Field label="Notify">
                {(id) => (
                  <select
                    id={id}
                    value={t.type}
                    onChange={(e) => setTarget(i, k, { type: e.target.value as TargetType, value: '' })}
                  >
                    {Object.entries(TARGET_TYPES).map(([v, label]) => (
                      <option key={v} value={v}>
                        {label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {t.type === 'user' ? (
                <Field label="Member">
                  {(id) => (
                    <select id={id} value={t.value} onChange={(e) => setTarget(i, k, { value: e.target.value })}>
                      <option value="">Choose…</option>
                      {members.map((m) => (
                        <option key={m.userId} value={m.userId}>
                          {m.name} ({m.email})
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              ) : (
                <Field label="Team">
                  {(id) => (
                    <input
                      id={id}
                      value={t.value}
                      placeholder="support"
                      onChange={(e) => setTarget(i, k, { value: e.target.value })}
                    />
                  )}
                </Field>
              )}
              {lv.targets.length > 1 && (
                <button type="button" onClick={() => setLevel(i, { targets: lv.targets.filter((_, j) => j !== k) })}>
                  Remove target
                </button>
              )}
            </fieldset>
          ))}
          <div className="actions">
            <button
              type="button"
              onClick={() => setLevel(i, { targets: [...lv.targets, { type: 'team', value: '' }] })}
            >
              Add target
            </button>
          </div>
          <CheckboxGroup
            legend="By"
            options={ESCALATION_CHANNELS}
            value={lv.channels}
            labelOf={(c) => CHANNEL_LABELS[c]}
            onChange={(channels) => setLevel(i, { channels })}
          />
          <Field label={`Level ${i + 1}: next level after (minutes unacknowledged)`}>
            {(id) => (
              <input
                id={id}
                type="number"
                min={1}
                value={lv.ackTimeoutMinutes}
                onChange={(e) => setLevel(i, { ackTimeoutMinutes: e.target.value })}
              />
            )}
          </Field>
          {d.levels.length > 1 && (
            <div>
              <button type="button" onClick={() => setD({ ...d, levels: d.levels.filter((_, j) => j !== i) })}>
                Remove level {i + 1}
              </button>
            </div>
          )}
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" onClick={() => setD({ ...d, levels: [...d.levels, newLevel()] })}>
          Add level
        </button>
      </div>
      <ApiErrorNotice error={save.error} onDismiss={save.clear} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.busy}>
          {editing ? 'Save ladder' : 'Create ladder'}
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
