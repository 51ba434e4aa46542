import { useEffect, useState } from 'react';
import { flowTemplates } from '../../flow/templates';
import type { Api, FlowSummary } from './api-client';
import { navigate } from './router';

const BLANK = {
  name: 'Untitled flow',
  version: 0,
  nodes: [
    { id: 'start', type: 'trigger', params: { source: 'api' } },
    { id: 'done', type: 'end', params: { outcome: 'completed' } },
  ],
  edges: [{ id: 'start-done', source: 'start', sourceHandle: 'next', target: 'done' }],
};

/** All flows (search, status, last edited, runs) and the template gallery for new ones. */
export function FlowsList({ api }: { api: Api }) {
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [search, setSearch] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [gallery, setGallery] = useState(false);

  useEffect(() => {
    const t = setTimeout(() => {
      api.listFlows(search).then(
        (r) => setFlows(r.items),
        (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
      );
    }, 200);
    return () => clearTimeout(t);
  }, [api, search]);

  const create = async (name: string, definition: unknown) => {
    try {
      const flow = await api.createFlow(name, definition);
      navigate(`/flows/${flow.id}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <main className="flows-page">
      <header className="row">
        <h1>Flows</h1>
        <input
          type="search"
          aria-label="Search flows"
          placeholder="Search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <button type="button" className="primary" onClick={() => setGallery(true)}>
          New flow
        </button>
      </header>
      {error && <p className="warn">{error}</p>}
      {gallery && (
        <section className="gallery" aria-label="Start from">
          <h2>Start from</h2>
          <div className="cards">
            <button type="button" className="card" onClick={() => void create('Untitled flow', BLANK)}>
              <strong>Blank flow</strong>
              <span>A trigger and an end.</span>
            </button>
            {flowTemplates.map((t) => (
              <button
                key={t.id}
                type="button"
                className="card"
                data-testid={`template-${t.id}`}
                onClick={() => void create(t.name, t.flow)}
              >
                <strong>{t.name}</strong>
                <span>{t.description}</span>
              </button>
            ))}
          </div>
          <button type="button" onClick={() => setGallery(false)}>
            Cancel
          </button>
        </section>
      )}
      {flows === null ? (
        <p className="muted">Loading…</p>
      ) : flows.length === 0 ? (
        <p className="muted">No flows yet.</p>
      ) : (
        <table className="flows-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Last edited</th>
              <th>Runs</th>
            </tr>
          </thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.id}>
                <td>
                  <a href={`#/flows/${f.id}`}>{f.name}</a>
                </td>
                <td>
                  <span className={`badge badge-${f.status}`}>
                    {f.status === 'published' ? `published v${f.publishedVersion}` : 'draft'}
                  </span>
                </td>
                <td>{new Date(f.updatedAt).toLocaleString()}</td>
                <td>{f.runs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
