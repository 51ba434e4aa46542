import { useCallback, useEffect, useState } from 'react';
import type { Api, Run } from '../api-client';
import { navigate } from '../router';
import { useEditor } from '../store';

type ContactOption = { id: string; firstName: string | null; lastName: string | null; phone: string | null };

/** The flow's journeys: start a test run for a contact, open any run to watch it on the canvas. */
export function RunsPanel({ api }: { api: Api }) {
  const flowId = useEditor((s) => s.flowId);
  const published = useEditor((s) => s.publishedVersion);
  const [runs, setRuns] = useState<Run[]>([]);
  const [contacts, setContacts] = useState<ContactOption[]>([]);
  const [contactId, setContactId] = useState('');
  const [status, setStatus] = useState<string | null>(null);

  const refresh = useCallback(() => {
    if (!flowId) return;
    api.listRuns(flowId).then(
      (r) => setRuns(r.items),
      (e: unknown) => setStatus(String(e)),
    );
  }, [api, flowId]);

  useEffect(() => {
    refresh();
    const t = setInterval(refresh, 3000);
    return () => clearInterval(t);
  }, [refresh]);
  useEffect(() => {
    api.listContacts().then(
      (r) => {
        setContacts(r.items);
        setContactId((c) => c || r.items[0]?.id || '');
      },
      () => setContacts([]),
    );
  }, [api]);

  if (!flowId) return null;
  const start = async () => {
    try {
      const run = await api.startRun(flowId, contactId);
      navigate(`/flows/${flowId}/runs/${run.id}`);
    } catch (err) {
      setStatus(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section className="panel" aria-label="Runs">
      {published === null ? (
        <p className="muted">Publish the flow to start journeys.</p>
      ) : (
        <div className="row">
          <label>
            Contact
            <select value={contactId} onChange={(e) => setContactId(e.target.value)}>
              {contacts.map((c) => (
                <option key={c.id} value={c.id}>
                  {[c.firstName, c.lastName].filter(Boolean).join(' ') || c.phone || c.id}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="primary" disabled={!contactId} onClick={() => void start()}>
            Start a run
          </button>
        </div>
      )}
      {status && <p className="warn">{status}</p>}
      <ul className="runs">
        {runs.map((r) => (
          <li key={r.id}>
            <button type="button" onClick={() => navigate(`/flows/${flowId}/runs/${r.id}`)}>
              <span className={`badge badge-${r.status}`}>{r.status}</span> {r.outcome ?? ''}{' '}
              <span className="muted">{new Date(r.startedAt).toLocaleString()}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
