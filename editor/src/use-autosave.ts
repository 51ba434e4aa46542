import { useEffect } from 'react';
import { type Api, ApiError } from './api-client';
import { useEditor } from './store';

const backupKey = (flowId: string) => `switchboard.draft.${flowId}`;

/** Unsaved changes kept in the browser, so a reload (or a failed save) loses nothing. */
export function readBackup(flowId: string, revision: number): { name: string; definition: unknown } | null {
  try {
    const raw = localStorage.getItem(backupKey(flowId));
    if (!raw) return null;
    const b = JSON.parse(raw) as { baseRevision: number; name: string; definition: unknown };
    return b.baseRevision === revision ? { name: b.name, definition: b.definition } : null;
  } catch {
    return null;
  }
}

/**
 * Saves the draft a moment after each change (and keeps a local copy until the server has it).
 * A save over someone else's newer revision is refused by the API; the editor then says so
 * instead of overwriting their work.
 */
export function useAutosave(api: Api, delayMs = 700) {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let saving = false;
    const save = async () => {
      const s = useEditor.getState();
      if (!s.flowId || s.viewingVersion !== null || s.saveState !== 'dirty' || saving) return;
      saving = true;
      const flowId = s.flowId;
      const definition = s.flow();
      localStorage.setItem(backupKey(flowId), JSON.stringify({ baseRevision: s.revision, name: s.name, definition }));
      s.setSaveState('saving');
      try {
        const saved = await api.saveFlow(flowId, { name: s.name, definition, revision: s.revision });
        localStorage.removeItem(backupKey(flowId));
        const now = useEditor.getState();
        // Edits made while saving stay dirty and save next.
        const changedSince = JSON.stringify(now.flow()) !== JSON.stringify(definition) || now.name !== s.name;
        now.setSaveState(changedSince ? 'dirty' : 'saved', null, saved.revision);
        useEditor.setState({ publishedVersion: saved.publishedVersion });
      } catch (err) {
        const conflict = err instanceof ApiError && err.code === 'stale_revision';
        useEditor
          .getState()
          .setSaveState(conflict ? 'conflict' : 'error', err instanceof Error ? err.message : String(err));
      } finally {
        saving = false;
        if (useEditor.getState().saveState === 'dirty') timer = setTimeout(save, delayMs);
      }
    };
    const unsubscribe = useEditor.subscribe((state, prev) => {
      if (
        state.saveState === 'dirty' &&
        (prev.saveState !== 'dirty' ||
          state.nodes !== prev.nodes ||
          state.edges !== prev.edges ||
          state.name !== prev.name)
      ) {
        clearTimeout(timer);
        timer = setTimeout(save, delayMs);
      }
    });
    const flushOnLeave = () => {
      const s = useEditor.getState();
      if (s.flowId && s.saveState !== 'saved' && s.viewingVersion === null) {
        localStorage.setItem(
          backupKey(s.flowId),
          JSON.stringify({ baseRevision: s.revision, name: s.name, definition: s.flow() }),
        );
      }
    };
    window.addEventListener('beforeunload', flushOnLeave);
    return () => {
      unsubscribe();
      clearTimeout(timer);
      window.removeEventListener('beforeunload', flushOnLeave);
    };
  }, [api, delayMs]);
}

/** Saves now (before publishing or simulating a saved version). Resolves when the server has it. */
export async function saveNow(api: Api): Promise<void> {
  // An autosave in flight always ends (saved, dirty, conflict or error). Waiting a fixed 5 s, as
  // before, let a slow save be overtaken by a second one carrying the old revision: a 409 on publish.
  if (useEditor.getState().saveState === 'saving') {
    await new Promise<void>((resolve) => {
      const unsubscribe = useEditor.subscribe((state) => {
        if (state.saveState === 'saving') return;
        unsubscribe();
        resolve();
      });
    });
  }
  const s = useEditor.getState();
  if (!s.flowId || s.viewingVersion !== null || s.saveState === 'saved') return;
  const definition = s.flow();
  const saved = await api.saveFlow(s.flowId, { name: s.name, definition, revision: s.revision });
  localStorage.removeItem(backupKey(s.flowId));
  useEditor.getState().setSaveState('saved', null, saved.revision);
}
