import { type FormEvent, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { Empty, ErrorNotice, Field, formatDateTime, Loading } from '../ui';
import { type Stage, type TimelineItem, useContactsApi } from './api';

const TYPE_LABELS: Record<TimelineItem['type'], string> = {
  note: 'Note',
  event: 'Change',
  run: 'Journey',
  message: 'Message',
  call: 'Call',
  action: 'Action',
};

const str = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : String(v));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** The contact's timeline (notes, changes, journeys, messages, calls), newest first, with a note form. */
export function Timeline({
  contactId,
  stages,
  version,
}: {
  contactId: string;
  stages: readonly Stage[];
  version: number;
}) {
  const api = useContactsApi();
  const [added, setAdded] = useState(0);
  const first = useResource(() => api.timeline(contactId, null), `${contactId}#${version}#${added}`);
  const [more, setMore] = useState<{ items: TimelineItem[]; cursor: string | null } | null>(null);
  const loadMore = useAction(async () => {
    const cursor = more ? more.cursor : (first.data?.nextCursor ?? null);
    if (!cursor) return;
    const page = await api.timeline(contactId, cursor);
    setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], cursor: page.nextCursor }));
  });
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.cursor : (first.data?.nextCursor ?? null);
  const stageLabel = (key: unknown) =>
    key === null || key === undefined ? 'none' : (stages.find((s) => s.key === key)?.label ?? String(key));

  return (
    <section className="panel ct-timeline" aria-label="Timeline">
      <h2>Timeline</h2>
      <NoteForm
        contactId={contactId}
        onAdded={() => {
          setMore(null);
          setAdded((n) => n + 1);
        }}
      />
      <ErrorNotice error={first.error ?? loadMore.error} />
      {!first.data ? (
        first.loading && <Loading />
      ) : items.length === 0 ? (
        <Empty>Nothing has happened with this contact yet.</Empty>
      ) : (
        <ol className="ct-timeline-list">
          {items.map((item) => (
            <li key={`${item.type}:${item.id}`} className={`ct-tl ct-tl-${item.type}`}>
              <div className="ct-tl-head">
                <strong>{TYPE_LABELS[item.type]}</strong>
                <time dateTime={item.at} className="muted ct-small">
                  {formatDateTime(item.at)}
                </time>
              </div>
              <div className="ct-tl-body">{describe(item, stageLabel)}</div>
            </li>
          ))}
        </ol>
      )}
      {nextCursor && (
        <button type="button" disabled={loadMore.busy} onClick={() => void loadMore.run()}>
          Older
        </button>
      )}
    </section>
  );
}

function describe(item: TimelineItem, stageLabel: (key: unknown) => string) {
  const d = item.data;
  switch (item.type) {
    case 'note':
      return <p className="ct-note">{str(d.body)}</p>;
    case 'run':
      return (
        <>
          {typeof d.flowId === 'string' && typeof d.runId === 'string' ? (
            <a href={`#/flows/${encodeURIComponent(d.flowId)}/runs/${encodeURIComponent(d.runId)}`}>Journey run</a>
          ) : (
            'Journey run'
          )}{' '}
          {str(d.status)}
          {d.outcome ? ` · outcome ${str(d.outcome)}` : ''}
        </>
      );
    case 'message':
    case 'call':
    case 'action':
      return (
        <>
          {str(d.kind)} · {str(d.status)}
        </>
      );
    case 'event':
      switch (d.event) {
        case 'lead_status_changed':
          return `Lead status: ${stageLabel(d.from)} → ${stageLabel(d.to)}`;
        case 'tags_changed': {
          const added = list(d.added).map((t) => `+${t}`);
          const removed = list(d.removed).map((t) => `−${t}`);
          return `Tags: ${[...added, ...removed].join(' ')}`;
        }
        case 'owner_changed':
          return `Owner: ${str(d.from)} → ${str(d.to)}`;
        case 'consent_changed':
          return `Consent for ${str(d.channel)}: ${str(d.from)} → ${str(d.to)}${d.source ? ` (${str(d.source)})` : ''}`;
        case 'dnc_changed':
          return d.dnc ? `Marked do-not-contact${d.reason ? `: ${str(d.reason)}` : ''}` : 'Do-not-contact cleared';
        case 'merged':
          return 'Another contact was merged into this one';
        default:
          return str(d.event).replace(/_/g, ' ');
      }
  }
}

function NoteForm({ contactId, onAdded }: { contactId: string; onAdded: () => void }) {
  const api = useContactsApi();
  const [body, setBody] = useState('');
  const add = useAction(async () => {
    await api.addNote(contactId, body.trim());
    setBody('');
    onAdded();
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (body.trim()) void add.run();
  };
  return (
    <form className="ct-note-form" onSubmit={onSubmit}>
      <Field label="Add a note">
        {(id) => <textarea id={id} rows={2} value={body} onChange={(e) => setBody(e.target.value)} />}
      </Field>
      <ErrorNotice error={add.error} onDismiss={add.clear} />
      <div className="row">
        <button type="submit" disabled={!body.trim() || add.busy}>
          Add note
        </button>
      </div>
    </form>
  );
}
