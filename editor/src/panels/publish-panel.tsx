import { useEffect, useState } from 'react';
import type { Api, FlowDiff } from '../api-client';
import { useEditor } from '../store';
import { saveNow } from '../use-autosave';

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** What publishing would change, against the published version; then publish. */
export function PublishPanel({ api }: { api: Api }) {
  const flowId = useEditor((s) => s.flowId);
  const published = useEditor((s) => s.publishedVersion);
  const issues = useEditor((s) => s.issues.length);
  const saveState = useEditor((s) => s.saveState);
  const [diff, setDiff] = useState<FlowDiff | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!flowId || published === null || saveState !== 'saved') return;
    let cancelled = false;
    api
      .diff(flowId, published, 'draft')
      .then((d) => !cancelled && setDiff(d))
      .catch((err: unknown) => !cancelled && setStatus(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
    };
  }, [api, flowId, published, saveState]);

  const publish = async () => {
    if (!flowId) return;
    setBusy(true);
    setStatus(null);
    try {
      await saveNow(api);
      const v = await api.publish(flowId);
      useEditor.setState({ publishedVersion: v.version });
      setStatus(`Published version ${v.version}.`);
    } catch (err) {
      setStatus(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-label="Publish">
      <h3>{published === null ? 'Not published yet' : `Changes since version ${published}`}</h3>
      {published !== null && saveState !== 'saved' && <p className="muted">Saving the draft…</p>}
      {published === null && (
        <p className="muted">Publishing creates version 1. Runs always use a published version.</p>
      )}
      {diff && diff.identical && <p className="muted">The draft is the same as version {published}.</p>}
      {diff && !diff.identical && (
        <ul className="diff" aria-label="Changes">
          {diff.nodes.added.map((n) => (
            <li key={`a-${n.id}`} className="diff-added">
              + step <code>{n.id}</code> ({n.type})
            </li>
          ))}
          {diff.nodes.removed.map((n) => (
            <li key={`r-${n.id}`} className="diff-removed">
              − step <code>{n.id}</code> ({n.type})
            </li>
          ))}
          {diff.nodes.changed.map((n) => (
            <li key={`c-${n.id}`} className="diff-changed">
              ~ step <code>{n.id}</code>
              <ul>
                {n.changes.map((c) => (
                  <li key={c.path}>
                    {c.path}: <del>{show(c.before)}</del> → <ins>{show(c.after)}</ins>
                  </li>
                ))}
              </ul>
            </li>
          ))}
          {diff.edges.added.map((e) => (
            <li key={`ea-${e.source}-${e.sourceHandle}`} className="diff-added">
              + {e.source}.{e.sourceHandle} → {e.target}
            </li>
          ))}
          {diff.edges.removed.map((e) => (
            <li key={`er-${e.source}-${e.sourceHandle}`} className="diff-removed">
              − {e.source}.{e.sourceHandle} → {e.target}
            </li>
          ))}
        </ul>
      )}
      {issues > 0 && (
        <p className="warn">
          Fix the {issues} problem{issues === 1 ? '' : 's'} before publishing.
        </p>
      )}
      <button
        type="button"
        className="primary"
        onClick={publish}
        disabled={busy || issues > 0 || diff?.identical === true}
      >
        {busy ? 'Publishing…' : 'Publish'}
      </button>
      {status && <p role="status">{status}</p>}
    </section>
  );
}
