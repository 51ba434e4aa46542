import { type FormEvent, useState } from 'react';
import { navigate } from '../../router';
import { useAction, useResource } from '../hooks';
import { ErrorNotice, Field, formatDateTime, Loading, PageHeader, useToast } from '../ui';
import { isBusy, parseTags, type Source, useKnowledgeApi, VISIBILITIES } from './api';
import { SourceProgress } from './source-progress';

/** One source: its details, ingestion progress, and edit / re-index / delete. */
export function SourceDetail({ sourceId }: { sourceId: string }) {
  const kb = useKnowledgeApi();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const source = useResource(
    async () => {
      const s = await kb.get(sourceId);
      setBusy(isBusy(s));
      return s;
    },
    sourceId,
    busy ? { intervalMs: 1500 } : {},
  );
  const act = useAction(async (what: 'reindex' | 'delete') => {
    const s = source.data;
    if (!s) return;
    if (what === 'delete') {
      if (!window.confirm(`Delete “${s.title}”? It stops answering at once.`)) return;
      await kb.remove(s.id);
      toast(`${s.title} deleted`);
      navigate('/knowledge');
      return;
    }
    await kb.reindex(s.id);
    toast(`${s.title}: re-indexing`);
    source.reload();
  });

  const s = source.data;
  return (
    <main className="console-page">
      <p>
        <a href="#/knowledge">← Knowledge</a>
      </p>
      {!s ? (
        <>
          <ErrorNotice error={source.error} />
          {source.loading && <Loading />}
        </>
      ) : (
        <>
          <PageHeader
            title={s.title}
            description={`${s.kind} source · revision ${s.revision}`}
            actions={
              <>
                <button type="button" disabled={act.busy || isBusy(s)} onClick={() => void act.run('reindex')}>
                  Re-index
                </button>
                <button type="button" className="danger" disabled={act.busy} onClick={() => void act.run('delete')}>
                  Delete
                </button>
              </>
            }
          />
          <ErrorNotice error={act.error} onDismiss={act.clear} />
          <div className="grid-2">
            <section className="panel" aria-label="Ingestion">
              <h2>Ingestion</h2>
              <SourceProgress source={s} />
              <dl className="kb-facts">
                <dt>Pages</dt>
                <dd>{s.pages ?? '—'}</dd>
                <dt>Embedder</dt>
                <dd>{s.embedderId ?? '—'}</dd>
                <dt>Ingested</dt>
                <dd>{formatDateTime(s.ingestedAt)}</dd>
                <dt>Added</dt>
                <dd>{formatDateTime(s.createdAt)}</dd>
                {s.filename && (
                  <>
                    <dt>File</dt>
                    <dd>
                      {s.filename} {s.contentType && <span className="muted">({s.contentType})</span>}
                    </dd>
                  </>
                )}
                {s.url && (
                  <>
                    <dt>URL</dt>
                    <dd>
                      <a href={s.url} target="_blank" rel="noreferrer noopener">
                        {s.url}
                      </a>
                    </dd>
                  </>
                )}
              </dl>
            </section>
            {/* Keyed by the saved details (not updatedAt, which ingestion bumps): after a save the form starts from them. */}
            <EditSource key={`${s.title}|${s.visibility}|${s.tags.join(',')}`} source={s} onSaved={source.reload} />
          </div>
        </>
      )}
    </main>
  );
}

function EditSource({ source, onSaved }: { source: Source; onSaved: () => void }) {
  const kb = useKnowledgeApi();
  const toast = useToast();
  const [title, setTitle] = useState(source.title);
  const [visibility, setVisibility] = useState(source.visibility);
  const [tags, setTags] = useState(source.tags.join(', '));
  const save = useAction(async () => {
    await kb.update(source.id, { title: title.trim(), visibility, tags: parseTags(tags) });
    toast('Saved');
    onSaved();
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  return (
    <form className="panel kb-edit" onSubmit={onSubmit} aria-label="Details">
      <h2>Details</h2>
      <Field label="Title">{(id) => <input id={id} value={title} onChange={(e) => setTitle(e.target.value)} />}</Field>
      <Field label="Visibility" hint="Public: may be quoted to customers; internal: agents only">
        {(id) => (
          <select
            id={id}
            value={visibility}
            onChange={(e) => setVisibility(e.target.value === 'internal' ? 'internal' : 'public')}
          >
            {VISIBILITIES.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Tags" hint="Comma-separated">
        {(id) => <input id={id} value={tags} onChange={(e) => setTags(e.target.value)} />}
      </Field>
      <ErrorNotice error={save.error} onDismiss={save.clear} />
      <div className="row">
        <button type="submit" className="primary" disabled={save.busy || !title.trim()}>
          Save
        </button>
      </div>
    </form>
  );
}
