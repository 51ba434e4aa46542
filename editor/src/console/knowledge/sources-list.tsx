import { useState } from 'react';
import { useAction, useResource } from '../hooks';
import { Empty, ErrorNotice, Field, formatDateTime, Loading, useToast } from '../ui';
import { isBusy, SOURCE_STATUSES, type Source, useKnowledgeApi } from './api';
import { SourceProgress } from './source-progress';

/** How often the list refreshes while a source is still being ingested. */
const POLL_MS = 1500;

/** The tenant's sources with their ingestion progress; polls while any is pending or ingesting. */
export function SourcesList({ version }: { version: number }) {
  const kb = useKnowledgeApi();
  const toast = useToast();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState('');
  const params = new URLSearchParams();
  if (search.trim()) params.set('search', search.trim());
  if (status) params.set('status', status);
  const key = `${params.toString()}#${version}`;
  const [polling, setPolling] = useState(false);
  const sources = useResource(
    async () => {
      const page = await kb.list(params);
      setPolling(page.items.some(isBusy));
      return page;
    },
    key,
    polling ? { intervalMs: POLL_MS } : {},
  );
  const act = useAction(async (what: 'reindex' | 'delete', source: Source) => {
    if (what === 'delete') {
      if (!window.confirm(`Delete “${source.title}”? It stops answering at once.`)) return;
      await kb.remove(source.id);
      toast(`${source.title} deleted`);
    } else {
      await kb.reindex(source.id);
      toast(`${source.title}: re-indexing`);
    }
    sources.reload();
  });

  const items = sources.data?.items ?? [];
  return (
    <section className="kb-sources" aria-label="Sources">
      <div className="row kb-filters">
        <Field label="Search titles">
          {(id) => <input id={id} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />}
        </Field>
        <Field label="Status">
          {(id) => (
            <select id={id} value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">Any status</option>
              {SOURCE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNotice error={sources.error ?? act.error} onDismiss={act.error ? act.clear : undefined} />
      {sources.loading && !sources.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>No sources yet: add a document, some text or a web page for the AI to answer from.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Kind</th>
                <th scope="col">Visibility</th>
                <th scope="col">Tags</th>
                <th scope="col">Ingestion</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <td>
                    <a href={`#/knowledge/sources/${encodeURIComponent(s.id)}`}>{s.title}</a>
                    {s.filename && s.filename !== s.title && <div className="muted kb-small">{s.filename}</div>}
                  </td>
                  <td>{s.kind}</td>
                  <td>{s.visibility}</td>
                  <td>{s.tags.length ? s.tags.join(', ') : <span className="muted">—</span>}</td>
                  <td className="kb-progress-cell">
                    <SourceProgress source={s} />
                  </td>
                  <td className="kb-nowrap">{formatDateTime(s.ingestedAt ?? s.updatedAt)}</td>
                  <td>
                    <div className="row kb-nowrap">
                      <button
                        type="button"
                        disabled={act.busy || isBusy(s)}
                        aria-label={`Re-index ${s.title}`}
                        onClick={() => void act.run('reindex', s)}
                      >
                        Re-index
                      </button>
                      <button
                        type="button"
                        className="danger"
                        disabled={act.busy}
                        aria-label={`Delete ${s.title}`}
                        onClick={() => void act.run('delete', s)}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
