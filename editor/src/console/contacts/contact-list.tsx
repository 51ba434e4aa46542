import { useEffect, useMemo, useState } from 'react';
import { navigate } from '../../router';
import { useAction, useResource } from '../hooks';
import { Empty, ErrorNotice, formatDateTime, formatNumber, Loading, useToast } from '../ui';
import { type Contact, displayName, type Filter, isEmptyFilter, type Stage, useContactsApi } from './api';
import { ContactsHeader } from './contacts-header';
import { FilterBar } from './filter-bar';
import { EMPTY_FORM, type FilterForm, filterFromForm, formFromFilter, sameFilter } from './filter-model';
import { SaveSegmentDialog, SegmentsPanel } from './segments-panel';
import { useDebounced } from './use-debounced';

/** The contacts list with its filters, the saved segments beside it, export and save-as-segment. */
export function ContactList({ segmentId, initialFilter }: { segmentId: string | null; initialFilter: Filter | null }) {
  const api = useContactsApi();
  const toast = useToast();
  const stages = useResource(() => api.stages(), 'stages');
  const segments = useResource(() => api.segments(), 'segments');
  const segment = useResource(() => (segmentId ? api.segment(segmentId) : Promise.resolve(null)), segmentId ?? '');
  // Null until an opened segment has loaded: its filter fills the form.
  const [form, setForm] = useState<FilterForm | null>(() =>
    initialFilter ? formFromFilter(initialFilter) : segmentId ? null : EMPTY_FORM,
  );
  useEffect(() => {
    if (form === null && segment.data) setForm(formFromFilter(segment.data.filter));
  }, [form, segment.data]);

  const stageKeys = useMemo(() => stages.data?.items.map((s) => s.key) ?? [], [stages.data]);
  const current = form ? filterFromForm(form, stageKeys) : null;
  const applied = useDebounced(current, 250, (a, b) => (a && b ? sameFilter(a, b) : a === b));
  const appliedKey = applied ? JSON.stringify(applied) : '';

  // The URL keeps the filter (a reload or a shared link shows the same list) without a history entry per key.
  useEffect(() => {
    if (!applied) return;
    const params = new URLSearchParams();
    if (segmentId) params.set('segment', segmentId);
    const fromSegment = segment.data && sameFilter(segment.data.filter, applied);
    if (!isEmptyFilter(applied) && !fromSegment) params.set('filter', JSON.stringify(applied));
    const q = params.toString();
    history.replaceState(null, '', `#/contacts${q ? `?${q}` : ''}`);
  }, [applied, segmentId, segment.data]);

  const [saving, setSaving] = useState(false);
  const exporting = useAction(async () => {
    if (applied) await api.exportCsv(applied);
  });
  const updateSegment = useAction(async () => {
    if (!segment.data || !applied) return;
    await api.updateSegment(segment.data.id, segment.data.name, applied);
    toast(`Segment ${segment.data.name} updated`);
    segment.reload();
    segments.reload();
  });
  const segmentChanged = Boolean(segment.data && applied && !sameFilter(segment.data.filter, applied));

  return (
    <main className="console-page">
      <ContactsHeader
        view="list"
        actions={
          <>
            {segmentChanged && (
              <button type="button" disabled={updateSegment.busy} onClick={() => void updateSegment.run()}>
                Update segment
              </button>
            )}
            <button type="button" disabled={!applied || isEmptyFilter(applied)} onClick={() => setSaving(true)}>
              Save as segment
            </button>
            <button type="button" disabled={!applied || exporting.busy} onClick={() => void exporting.run()}>
              {exporting.busy ? 'Exporting…' : 'Export CSV'}
            </button>
          </>
        }
      />
      <ErrorNotice error={exporting.error ?? updateSegment.error} />
      <div className="ct-layout">
        <SegmentsPanel
          segments={{ data: segments.data?.items ?? null, error: segments.error, loading: segments.loading }}
          activeId={segmentId}
          onChanged={segments.reload}
        />
        <div className="ct-main">
          {segment.data && <h2 className="ct-segment-title">Segment: {segment.data.name}</h2>}
          <ErrorNotice error={segment.error ?? stages.error} />
          {form && <FilterBar form={form} stages={stages.data?.items ?? []} onChange={setForm} />}
          {applied ? <ContactTable key={appliedKey} filter={applied} stages={stages.data?.items ?? []} /> : <Loading />}
        </div>
      </div>
      {applied && (
        <SaveSegmentDialog
          open={saving}
          filter={applied}
          onClose={() => setSaving(false)}
          onSaved={(s) => {
            setSaving(false);
            toast(`Segment ${s.name} saved`);
            segments.reload();
            navigate(`/contacts?segment=${encodeURIComponent(s.id)}`);
          }}
        />
      )}
    </main>
  );
}

/** One filter's contacts, 50 at a time, with how many match in all. */
function ContactTable({ filter, stages }: { filter: Filter; stages: readonly Stage[] }) {
  const api = useContactsApi();
  const key = JSON.stringify(filter);
  const first = useResource(() => api.list(filter, null), key);
  const total = useResource(() => api.preview(filter), key);
  const [more, setMore] = useState<{ items: Contact[]; cursor: string | null } | null>(null);
  const loadMore = useAction(async () => {
    const cursor = more ? more.cursor : (first.data?.nextCursor ?? null);
    if (!cursor) return;
    const page = await api.list(filter, cursor);
    setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], cursor: page.nextCursor }));
  });
  const rows = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.cursor : (first.data?.nextCursor ?? null);
  const stageLabel = (key: string | null) => (key ? (stages.find((s) => s.key === key)?.label ?? key) : null);

  if (first.error) return <ErrorNotice error={first.error} />;
  if (!first.data) return <Loading />;
  return (
    <>
      <p className="muted ct-count" aria-live="polite">
        {total.data ? `${formatNumber(total.data.count)} contact${total.data.count === 1 ? '' : 's'} match` : ' '}
      </p>
      {rows.length === 0 ? (
        <Empty>No contact matches these filters.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Contacts">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Phone</th>
                <th scope="col">Email</th>
                <th scope="col">Lead status</th>
                <th scope="col">Tags</th>
                <th scope="col">Consent</th>
                <th scope="col">Last contacted</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`#/contacts/${encodeURIComponent(c.id)}`}>{displayName(c)}</a>
                    {c.dnc && <span className="badge badge-skipped ct-dnc">do not contact</span>}
                  </td>
                  <td className="ct-nowrap">{c.phone ?? '—'}</td>
                  <td>{c.email ?? '—'}</td>
                  <td>{stageLabel(c.leadStatus) ?? <span className="muted">—</span>}</td>
                  <td>
                    {c.tags.map((t) => (
                      <span key={t} className="ct-tag">
                        {t}
                      </span>
                    ))}
                  </td>
                  <td className="ct-small">
                    {Object.entries(c.consent)
                      .filter(([, v]) => v.status === 'granted')
                      .map(([k]) => k)
                      .join(', ') || <span className="muted">—</span>}
                  </td>
                  <td className="ct-nowrap">{formatDateTime(c.lastContactedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorNotice error={loadMore.error} />
      {nextCursor && (
        <div className="row">
          <button type="button" disabled={loadMore.busy} onClick={() => void loadMore.run()}>
            Load more
          </button>
        </div>
      )}
    </>
  );
}
