import { useCallback, useEffect, useState } from 'react';
import type { Api, FlowVersion } from '../api-client';
import { navigate } from '../router';
import { useEditor } from '../store';
import { saveNow } from '../use-autosave';

/** Published versions: open one read-only, see its funnel, or restore it as a new version. */
export function VersionsPanel({ api, onBackToDraft }: { api: Api; onBackToDraft: () => void }) {
  const flowId = useEditor((s) => s.flowId);
  const viewing = useEditor((s) => s.viewingVersion);
  const published = useEditor((s) => s.publishedVersion);
  const [versions, setVersions] = useState<FlowVersion[]>([]);
  const [status, setStatus] = useState<string | null>(null);

  const refresh = useCallback(() => {
    if (flowId)
      api.versions(flowId).then(
        (r) => setVersions(r.items),
        (e: unknown) => setStatus(String(e)),
      );
  }, [api, flowId]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new published version means a new list
  useEffect(() => refresh(), [refresh, published]);

  if (!flowId) return null;
  const open = async (version: number) => {
    const v = await api.version(flowId, version);
    const s = useEditor.getState();
    s.load({
      flowId,
      name: s.name,
      definition: v.definition,
      revision: s.revision,
      publishedVersion: s.publishedVersion,
      viewingVersion: version,
    });
  };
  const funnel = async (version: number) => {
    if (viewing !== version) await open(version);
    const f = await api.funnel(flowId, version);
    useEditor.getState().setFunnel(f.nodes);
    setStatus(
      `Funnel of version ${version}: ${
        Object.entries(f.runs)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ') || 'no runs yet'
      }.`,
    );
  };
  const restore = async (version: number) => {
    const v = await api.version(flowId, version);
    onBackToDraft();
    await saveNow(api);
    const s = useEditor.getState();
    await api.saveFlow(flowId, { name: s.name, definition: v.definition, revision: s.revision });
    const next = await api.publish(flowId);
    setStatus(`Version ${version} restored as version ${next.version}.`);
    navigate(`/flows/${flowId}`, { reload: true });
  };
  return (
    <section className="panel" aria-label="Versions">
      {viewing !== null && (
        <p className="banner">
          Viewing version {viewing}, read-only.{' '}
          <button type="button" onClick={onBackToDraft}>
            Back to draft
          </button>
        </p>
      )}
      {versions.length === 0 && <p className="muted">No published versions yet.</p>}
      <ul className="versions">
        {versions.map((v) => (
          <li key={v.id}>
            <strong>v{v.version}</strong> <span className="muted">{new Date(v.publishedAt).toLocaleString()}</span>
            <span className="actions">
              <button type="button" onClick={() => void open(v.version)}>
                Open
              </button>
              <button type="button" onClick={() => void funnel(v.version)}>
                Funnel
              </button>
              {v.version !== published && (
                <button type="button" onClick={() => void restore(v.version)}>
                  Restore as new
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
      {status && <p role="status">{status}</p>}
    </section>
  );
}
