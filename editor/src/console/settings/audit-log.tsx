import { type FormEvent, useState } from 'react';
import { useResource } from '../hooks';
import { Empty, Field, formatDateTime, Loading } from '../ui';
import { type AuditEntry, type AuditFilter, useSettingsApi } from './api';
import { ApiErrorNotice, shortId } from './form-parts';

const PAGE_SIZE = 25;
/** Suggestions only: the filter takes any action, and a prefix ending in `*`. */
const COMMON_ACTIONS = [
  'api_key.*',
  'member.*',
  'channel.*',
  'webhook.*',
  'sla_policy.*',
  'business_calendar.*',
  'escalation_policy.*',
  'branding.updated',
  'two_factor.*',
  'login',
];

const detailsText = (details: unknown) => {
  if (details === null || details === undefined) return '';
  const text = JSON.stringify(details);
  return text === '{}' ? '' : text;
};

export function AuditSection() {
  const api = useSettingsApi();
  const [filter, setFilter] = useState<AuditFilter>({});
  const [draft, setDraft] = useState<AuditFilter>({});
  // Keyset paging: the cursors of the pages before this one, newest first.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const entries = useResource(
    () => api.audit(filter, cursor, PAGE_SIZE),
    `audit:${filter.action ?? ''}:${filter.actorId ?? ''}:${cursor ?? ''}`,
  );
  // Who an actor id is: a member or an API key (either list may be off limits for this key).
  const members = useResource(() => api.members().catch(() => ({ items: [] })), 'audit-members');
  const keys = useResource(() => api.apiKeys().catch(() => ({ items: [] })), 'audit-keys');
  const actors = [
    ...(members.data?.items ?? []).map((m) => ({ id: m.userId, label: `${m.name} (${m.email})` })),
    ...(keys.data?.items ?? []).map((k) => ({ id: k.id, label: `API key ${k.name}` })),
  ];
  const actorName = (e: AuditEntry) =>
    actors.find((a) => a.id === e.actorId)?.label ?? (e.actorId ? `${e.actorType} ${shortId(e.actorId)}` : e.actorType);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({
      ...(draft.action?.trim() ? { action: draft.action.trim() } : {}),
      ...(draft.actorId ? { actorId: draft.actorId } : {}),
    });
    setCursors([undefined]);
  };
  return (
    <>
      <form className="panel" onSubmit={apply} aria-label="Filter the audit log" noValidate>
        <h2>Audit log</h2>
        <div className="form-grid">
          <Field label="Action" hint="Exact, or a prefix ending in *.">
            {(id) => (
              <>
                <input
                  id={id}
                  list={`${id}-actions`}
                  value={draft.action ?? ''}
                  placeholder="api_key.*"
                  onChange={(e) => setDraft({ ...draft, action: e.target.value })}
                />
                <datalist id={`${id}-actions`}>
                  {COMMON_ACTIONS.map((a) => (
                    <option key={a} value={a} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Actor">
            {(id) => (
              <select
                id={id}
                value={draft.actorId ?? ''}
                onChange={(e) => setDraft({ ...draft, actorId: e.target.value })}
              >
                <option value="">Anyone</option>
                {actors.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            Apply filter
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft({});
              setFilter({});
              setCursors([undefined]);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ApiErrorNotice error={entries.error} />
      {entries.loading && !entries.data ? (
        <Loading />
      ) : entries.data?.items.length === 0 ? (
        <Empty>Nothing recorded{filter.action || filter.actorId ? ' for this filter' : ''}.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Audit entries">
            <thead>
              <tr>
                <th>When</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Target</th>
                <th>Details</th>
                <th>IP</th>
              </tr>
            </thead>
            <tbody>
              {entries.data?.items.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.createdAt)}</td>
                  <td>{actorName(e)}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.targetType ? `${e.targetType} ${shortId(e.targetId)}` : '—'}</td>
                  <td className="details-cell">{detailsText(e.details)}</td>
                  <td>{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="actions" aria-label="Audit pages">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span className="muted">Page {cursors.length}</span>
        <button
          type="button"
          disabled={!entries.data?.nextCursor}
          onClick={() => entries.data?.nextCursor && setCursors([...cursors, entries.data.nextCursor])}
        >
          Older
        </button>
      </nav>
    </>
  );
}
