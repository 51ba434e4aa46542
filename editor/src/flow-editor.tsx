import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useState } from 'react';
import { FlowSchema } from '../../flow';
import type { Api } from './api-client';
import { Canvas } from './canvas/canvas';
import { Inspector } from './inspector/inspector';
import { Palette } from './panels/palette';
import { Problems } from './panels/problems';
import { PublishPanel } from './panels/publish-panel';
import { RunView } from './panels/run-view';
import { RunsPanel } from './panels/runs-panel';
import { SimulatePanel } from './panels/simulate-panel';
import { VersionsPanel } from './panels/versions-panel';
import { navigate } from './router';
import { useEditor } from './store';
import { readBackup, useAutosave } from './use-autosave';

type Tab = 'problems' | 'simulate' | 'publish' | 'versions' | 'runs';
const TABS: { id: Tab; label: string }[] = [
  { id: 'problems', label: 'Problems' },
  { id: 'simulate', label: 'Simulate' },
  { id: 'publish', label: 'Publish' },
  { id: 'versions', label: 'Versions' },
  { id: 'runs', label: 'Runs' },
];

const SAVE_LABEL = {
  saved: 'Saved',
  dirty: 'Unsaved changes',
  saving: 'Saving…',
  error: 'Save failed',
  conflict: 'Changed elsewhere',
} as const;

/** The flow editor: palette, canvas, inspector, and the panels around them. */
export function FlowEditor({ api, flowId, runId }: { api: Api; flowId: string; runId: string | null }) {
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>(runId ? 'runs' : 'problems');
  useAutosave(api);

  const loadDraft = useCallback(async () => {
    try {
      const flow = await api.getFlow(flowId);
      const backup = readBackup(flowId, flow.revision);
      const restored = backup ? FlowSchema.safeParse(backup.definition) : null;
      useEditor.getState().load({
        flowId,
        name: backup?.name ?? flow.name,
        definition: restored?.success ? restored.data : flow.definition,
        revision: flow.revision,
        publishedVersion: flow.publishedVersion,
      });
      // Unsaved local changes from before a reload are restored and saved.
      if (restored?.success) useEditor.getState().setSaveState('dirty');
      setLoaded(true);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [api, flowId]);

  useEffect(() => {
    if (!runId) void loadDraft();
    else setLoaded(true);
  }, [loadDraft, runId]);

  const name = useEditor((s) => s.name);
  const saveState = useEditor((s) => s.saveState);
  const saveError = useEditor((s) => s.saveError);
  const published = useEditor((s) => s.publishedVersion);
  const viewing = useEditor((s) => s.viewingVersion);
  const problems = useEditor((s) => s.issues.length);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);

  if (error) return <p className="warn page-error">{error}</p>;
  if (!loaded) return <p className="muted page-error">Loading…</p>;
  return (
    <ReactFlowProvider>
      <div className="editor">
        <div className="editor-bar" role="toolbar" aria-label="Flow">
          <button type="button" onClick={() => navigate('/')} aria-label="All flows">
            ←
          </button>
          <input
            className="flow-name"
            aria-label="Flow name"
            value={name}
            disabled={viewing !== null}
            onChange={(e) => useEditor.getState().setName(e.target.value)}
          />
          <span className={`save-state save-${saveState}`} title={saveError ?? ''} data-testid="save-state">
            {viewing !== null ? `Version ${viewing} (read-only)` : SAVE_LABEL[saveState]}
          </span>
          {saveState === 'conflict' && (
            <button type="button" onClick={() => void loadDraft()}>
              Load the latest
            </button>
          )}
          <span className="muted">{published === null ? 'never published' : `published v${published}`}</span>
          <span className="spacer" />
          <button type="button" onClick={() => useEditor.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button
            type="button"
            onClick={() => useEditor.getState().redo()}
            disabled={!canRedo}
            title="Redo (Ctrl+Shift+Z)"
          >
            Redo
          </button>
          <button
            type="button"
            onClick={() => useEditor.getState().layout()}
            disabled={viewing !== null}
            title="Auto-layout (Shift+L)"
          >
            Tidy up
          </button>
        </div>
        <Palette />
        <main className="editor-canvas">
          <Canvas />
        </main>
        <div className="editor-side">
          <Inspector />
          <div className="tabs" role="tablist" aria-label="Panels">
            {TABS.map((t) => (
              <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} onClick={() => setTab(t.id)}>
                {t.label}
                {t.id === 'problems' && problems > 0 ? ` (${problems})` : ''}
              </button>
            ))}
          </div>
          <div role="tabpanel">
            {tab === 'problems' && <Problems />}
            {tab === 'simulate' && <SimulatePanel api={api} />}
            {tab === 'publish' && <PublishPanel api={api} />}
            {tab === 'versions' && <VersionsPanel api={api} onBackToDraft={() => void loadDraft()} />}
            {tab === 'runs' && (runId ? <RunView api={api} flowId={flowId} runId={runId} /> : <RunsPanel api={api} />)}
          </div>
        </div>
      </div>
    </ReactFlowProvider>
  );
}
