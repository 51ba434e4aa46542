import { type FormEvent, useState } from 'react';
import { navigate } from '../../router';
import { useAction, useResource } from '../hooks';
import { Dialog, ErrorNotice, Field, formatNumber, Loading, useToast } from '../ui';
import { type Filter, type Segment, useContactsApi } from './api';

/** Saved segments: open one (its filter fills the list), or delete it. */
export function SegmentsPanel({
  segments,
  activeId,
  onChanged,
}: {
  segments: { data: Segment[] | null; error: unknown; loading: boolean };
  activeId: string | null;
  onChanged: () => void;
}) {
  const api = useContactsApi();
  const toast = useToast();
  const remove = useAction(async (segment: Segment) => {
    if (!window.confirm(`Delete the segment “${segment.name}”? Its contacts stay.`)) return;
    await api.deleteSegment(segment.id);
    toast(`Segment ${segment.name} deleted`);
    onChanged();
    if (segment.id === activeId) navigate('/contacts');
  });
  return (
    <nav className="panel ct-segments" aria-label="Segments">
      <h2>Segments</h2>
      <ErrorNotice error={segments.error ?? remove.error} />
      {segments.loading && !segments.data && <Loading />}
      <ul>
        <li>
          <a href="#/contacts" aria-current={activeId === null ? 'page' : undefined}>
            All contacts
          </a>
        </li>
        {segments.data?.map((s) => (
          <li key={s.id} className="ct-segment">
            <a
              href={`#/contacts?segment=${encodeURIComponent(s.id)}`}
              aria-current={s.id === activeId ? 'page' : undefined}
            >
              {s.name}
            </a>
            <SegmentCount id={s.id} />
            <button
              type="button"
              className="link ct-segment-delete"
              aria-label={`Delete segment ${s.name}`}
              disabled={remove.busy}
              onClick={() => void remove.run(s)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {segments.data?.length === 0 && <p className="muted ct-small">None yet: filter the list, then save it.</p>}
    </nav>
  );
}

function SegmentCount({ id }: { id: string }) {
  const api = useContactsApi();
  const count = useResource(() => api.segmentCount(id), id);
  return (
    <span className="muted ct-small" title="Contacts in the segment now">
      {count.data ? formatNumber(count.data.count) : ''}
    </span>
  );
}

/** Saves the current filter as a segment, by name. */
export function SaveSegmentDialog({
  open,
  filter,
  onClose,
  onSaved,
}: {
  open: boolean;
  filter: Filter;
  onClose: () => void;
  onSaved: (segment: Segment) => void;
}) {
  return (
    <Dialog title="Save as a segment" open={open} onClose={onClose}>
      <SaveSegmentForm filter={filter} onClose={onClose} onSaved={onSaved} />
    </Dialog>
  );
}

function SaveSegmentForm({
  filter,
  onClose,
  onSaved,
}: {
  filter: Filter;
  onClose: () => void;
  onSaved: (segment: Segment) => void;
}) {
  const api = useContactsApi();
  const [name, setName] = useState('');
  const save = useAction(async () => onSaved(await api.createSegment(name.trim(), filter)));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) void save.run();
  };
  return (
    <form className="ct-dialog-form" onSubmit={onSubmit}>
      <p className="muted">
        A segment is evaluated live: it always holds the contacts that match these {filter.conditions.length} condition
        {filter.conditions.length === 1 ? '' : 's'} now.
      </p>
      <Field label="Segment name">
        {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <ErrorNotice error={save.error} onDismiss={save.clear} />
      <div className="row ct-dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!name.trim() || save.busy}>
          Save segment
        </button>
      </div>
    </form>
  );
}
