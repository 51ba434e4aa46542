import { useEffect, useMemo, useRef, useState } from 'react';
import type { Api, RunDetail } from '../api-client';
import { navigate } from '../router';
import { useEditor } from '../store';

/**
 * One journey on the canvas: its version (read-only), the path it took and where it is now,
 * refreshed every second while it runs. Step back and forth through its history.
 */
export function RunView({ api, flowId, runId }: { api: Api; flowId: string; runId: string }) {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stepIndex, setStepIndex] = useState<number | null>(null);
  const [reply, setReply] = useState('');
  const loadedVersion = useRef<string | null>(null);

  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const d = await api.getRun(runId);
        if (stop) return;
        if (d.run.flowVersionId && loadedVersion.current !== d.run.flowVersionId) {
          const versions = await api.versions(flowId);
          const v = versions.items.find((x) => x.id === d.run.flowVersionId);
          if (v) {
            const full = await api.version(flowId, v.version);
            const s = useEditor.getState();
            s.load({
              flowId,
              name: s.name,
              definition: full.definition,
              revision: s.revision,
              publishedVersion: s.publishedVersion,
              viewingVersion: v.version,
            });
            loadedVersion.current = d.run.flowVersionId;
          }
        }
        setDetail(d);
        setError(null);
        if (d.run.status === 'running') timer = setTimeout(tick, 1000);
      } catch (err) {
        if (!stop) setError(err instanceof Error ? err.message : String(err));
        timer = setTimeout(tick, 3000);
      }
    };
    void tick();
    return () => {
      stop = true;
      clearTimeout(timer);
      useEditor.getState().setOverlay(null);
    };
  }, [api, flowId, runId]);

  const path = useMemo(() => detail?.state?.path ?? [], [detail]);
  const shown = stepIndex === null ? path.length - 1 : Math.min(stepIndex, path.length - 1);
  useEffect(() => {
    if (!detail?.state) return;
    const ids = path.slice(0, shown + 1).map((p) => p.nodeId);
    const live = stepIndex === null;
    useEditor.getState().setOverlay({
      path: ids,
      current: live ? (detail.state.currentNodeId ?? ids[ids.length - 1] ?? null) : (ids[ids.length - 1] ?? null),
    });
  }, [detail, path, shown, stepIndex]);

  const state = detail?.state;
  return (
    <section className="panel run-view" aria-label="Run">
      <p>
        <button type="button" onClick={() => navigate(`/flows/${flowId}`)}>
          ← Back to the draft
        </button>
      </p>
      {error && <p className="warn">{error}</p>}
      {detail && (
        <>
          <h3>
            Run <code>{detail.run.id.slice(0, 8)}</code>{' '}
            <span className={`badge badge-${detail.run.status}`} data-testid="run-status">
              {detail.run.status}
            </span>
          </h3>
          {state?.waitingOn && (
            <p className="muted" data-testid="run-waiting">
              Waiting for {state.waitingOn.kind} at <code>{state.waitingOn.nodeId}</code>
              {state.waitingOn.until ? ` until ${new Date(state.waitingOn.until).toLocaleString()}` : ''}
            </p>
          )}
          {state?.outcome && (
            <p>
              Outcome: <strong data-testid="run-outcome">{state.outcome}</strong>
            </p>
          )}
          {state?.waitingOn?.kind === 'reply' && (
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault();
                void api
                  .signalRun(runId, { type: 'inbound-message', channel: 'sms', text: reply })
                  .then(() => setReply(''));
              }}
            >
              <input
                aria-label="Reply as the contact"
                value={reply}
                onChange={(e) => setReply(e.target.value)}
                placeholder="Reply as the contact"
              />
              <button type="submit" disabled={!reply}>
                Send reply
              </button>
            </form>
          )}
          <div className="row stepper">
            <button
              type="button"
              onClick={() => setStepIndex(Math.max(0, shown - 1))}
              disabled={shown <= 0}
              aria-label="Previous step"
            >
              ◀
            </button>
            <span>
              step {shown + 1} of {path.length}
            </span>
            <button
              type="button"
              onClick={() => setStepIndex(shown + 1 >= path.length - 1 ? null : shown + 1)}
              disabled={stepIndex === null}
              aria-label="Next step"
            >
              ▶
            </button>
            {stepIndex !== null && (
              <button type="button" onClick={() => setStepIndex(null)}>
                Live
              </button>
            )}
          </div>
          <ol className="sim-path" data-testid="run-path">
            {path.map((s, i) => (
              <li key={`${s.nodeId}-${s.visit}`} className={i === shown ? 'is-current' : ''}>
                <span className="time">{new Date(s.enteredAt).toLocaleTimeString()}</span> <code>{s.nodeId}</code>
                {s.output ? ` → ${s.output}` : ''}
              </li>
            ))}
          </ol>
          {detail.actions.length > 0 && (
            <>
              <h4>Side effects</h4>
              <ul className="sim-effects">
                {detail.actions.map((a) => (
                  <li key={`${a.kind}-${a.createdAt}`}>
                    <strong>{a.kind}</strong> {a.status}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
