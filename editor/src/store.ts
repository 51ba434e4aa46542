import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { create } from 'zustand';
import { type Flow, type FlowIssue, getNodeDescriptor, validateFlow } from '../../flow';
import { fromFlow, type StepNode, stepOutputs, toFlow } from './canvas/flow-mapping';
import { autoLayout } from './canvas/layout';
import { starterParams } from './canvas/starter-params';

interface Snapshot {
  nodes: StepNode[];
  edges: Edge[];
}

export type SaveState = 'saved' | 'dirty' | 'saving' | 'error' | 'conflict';

export interface Overlay {
  /** Node ids in the order the run (or simulation) entered them, up to the step being shown. */
  path: string[];
  current: string | null;
}

export interface EditorState {
  flowId: string | null;
  name: string;
  revision: number;
  publishedVersion: number | null;
  /** Viewing a published version: nothing can be edited. */
  viewingVersion: number | null;
  nodes: StepNode[];
  edges: Edge[];
  issues: FlowIssue[];
  past: Snapshot[];
  future: Snapshot[];
  saveState: SaveState;
  saveError: string | null;
  clipboard: Snapshot | null;
  overlay: Overlay | null;
  funnel: Record<string, { through: number; at: number }> | null;

  load(input: {
    flowId: string | null;
    name: string;
    definition: Flow;
    revision: number;
    publishedVersion: number | null;
    viewingVersion?: number | null;
  }): void;
  onNodesChange(changes: NodeChange<StepNode>[]): void;
  onEdgesChange(changes: EdgeChange[]): void;
  connect(connection: Connection): void;
  addNode(type: string, position: { x: number; y: number }): string;
  updateParams(nodeId: string, params: Record<string, unknown>): void;
  setMaxVisits(nodeId: string, maxVisits: number | undefined): void;
  setName(name: string): void;
  deleteSelected(): void;
  selectOnly(nodeId: string | null): void;
  selectAll(): void;
  copy(): void;
  paste(): void;
  undo(): void;
  redo(): void;
  layout(): void;
  setOverlay(overlay: Overlay | null): void;
  setFunnel(funnel: EditorState['funnel']): void;
  setSaveState(state: SaveState, error?: string | null, revision?: number): void;
  flow(): Flow;
}

const HISTORY_LIMIT = 100;
const COALESCE_MS = 800;
let lastCoalesce: { key: string; at: number } | null = null;
let dragging = false;

const sameIssues = (a: readonly FlowIssue[], b: readonly FlowIssue[]) =>
  a.length === b.length &&
  a.every((x, i) => x.code === b[i]?.code && x.message === b[i]?.message && x.path.join('.') === b[i]?.path.join('.'));

/**
 * Puts validation issues, the run overlay and funnel counts into each step's data. A step whose
 * decoration did not change keeps its object, so React Flow re-renders only the steps that did.
 */
function decorate(
  nodes: StepNode[],
  issues: FlowIssue[],
  overlay: Overlay | null,
  funnel: EditorState['funnel'],
): StepNode[] {
  const byNode = new Map<string, FlowIssue[]>();
  for (const i of issues) if (i.nodeId) byNode.set(i.nodeId, [...(byNode.get(i.nodeId) ?? []), i]);
  const visited = new Set(overlay?.path ?? []);
  return nodes.map((n) => {
    const nodeIssues = byNode.get(n.id) ?? [];
    const highlight = overlay?.current === n.id ? 'current' : visited.has(n.id) ? 'visited' : null;
    const f = funnel?.[n.id] ?? (funnel ? { through: 0, at: 0 } : null);
    const sameFunnel =
      f === n.data.funnel || (f && n.data.funnel && f.through === n.data.funnel.through && f.at === n.data.funnel.at);
    if (sameIssues(n.data.issues, nodeIssues) && highlight === n.data.highlight && sameFunnel) return n;
    return { ...n, data: { ...n.data, issues: nodeIssues, highlight, funnel: f } };
  });
}

function nextId(nodes: StepNode[], type: string): string {
  const base = type.replace(/[^a-z0-9]+/g, '-');
  let i = 1;
  const ids = new Set(nodes.map((n) => n.id));
  while (ids.has(`${base}-${i}`)) i++;
  return `${base}-${i}`;
}

export const useEditor = create<EditorState>()((set, get) => {
  /** Applies an edit: records history, revalidates, re-decorates, marks the draft dirty. */
  function commit(next: Partial<Snapshot>, opts: { history?: boolean | string } = { history: true }) {
    const s = get();
    if (s.viewingVersion !== null) return;
    const nodes = next.nodes ?? s.nodes;
    const edges = next.edges ?? s.edges;
    let past = s.past;
    const key = typeof opts.history === 'string' ? opts.history : null;
    const now = Date.now();
    const coalesced = key !== null && lastCoalesce?.key === key && now - lastCoalesce.at < COALESCE_MS;
    if (opts.history && !coalesced) past = [...s.past, { nodes: s.nodes, edges: s.edges }].slice(-HISTORY_LIMIT);
    lastCoalesce = key ? { key, at: now } : null;
    const issues = validateFlow(toFlow(s.name, nodes, edges)).issues;
    set({
      nodes: decorate(nodes, issues, s.overlay, s.funnel),
      edges,
      issues,
      past,
      future: opts.history ? [] : s.future,
      saveState: 'dirty',
    });
  }

  return {
    flowId: null,
    name: '',
    revision: 0,
    publishedVersion: null,
    viewingVersion: null,
    nodes: [],
    edges: [],
    issues: [],
    past: [],
    future: [],
    saveState: 'saved',
    saveError: null,
    clipboard: null,
    overlay: null,
    funnel: null,

    load({ flowId, name, definition, revision, publishedVersion, viewingVersion = null }) {
      const { nodes, edges } = fromFlow(definition);
      const issues = validateFlow({ ...definition, name }).issues;
      lastCoalesce = null;
      set({
        flowId,
        name,
        revision,
        publishedVersion,
        viewingVersion,
        nodes: decorate(nodes, issues, null, null),
        edges,
        issues,
        past: [],
        future: [],
        saveState: 'saved',
        saveError: null,
        overlay: null,
        funnel: null,
      });
    },

    onNodesChange(changes) {
      const s = get();
      const structural = changes.some((c) => c.type === 'remove' || c.type === 'add');
      const moving = changes.some((c) => c.type === 'position');
      if (s.viewingVersion !== null) {
        // Read-only: selection and measurements only.
        const allowed = changes.filter((c) => c.type === 'select' || c.type === 'dimensions');
        set({ nodes: applyNodeChanges(allowed, s.nodes) });
        return;
      }
      if (structural) {
        commit({ nodes: applyNodeChanges(changes, s.nodes) });
        return;
      }
      if (moving) {
        const starting = !dragging && changes.some((c) => c.type === 'position' && c.dragging);
        const ended = changes.some((c) => c.type === 'position' && c.dragging === false);
        if (starting) {
          dragging = true;
          set({ past: [...s.past, { nodes: s.nodes, edges: s.edges }].slice(-HISTORY_LIMIT), future: [] });
        }
        set({ nodes: applyNodeChanges(changes, get().nodes), saveState: 'dirty' });
        if (ended) dragging = false;
        return;
      }
      set({ nodes: applyNodeChanges(changes, s.nodes) });
    },

    onEdgesChange(changes) {
      const s = get();
      if (s.viewingVersion !== null) {
        set({
          edges: applyEdgeChanges(
            changes.filter((c) => c.type === 'select'),
            s.edges,
          ),
        });
        return;
      }
      if (changes.some((c) => c.type === 'remove' || c.type === 'add'))
        commit({ edges: applyEdgeChanges(changes, s.edges) });
      else set({ edges: applyEdgeChanges(changes, s.edges) });
    },

    connect(c) {
      const s = get();
      if (!c.sourceHandle || !isValidConnection(s.nodes, c)) return;
      // An output leads to one node: connecting it again moves the connection.
      const kept = s.edges.filter((e) => !(e.source === c.source && e.sourceHandle === c.sourceHandle));
      const edge: Edge = {
        id: `${c.source}-${c.sourceHandle}-${c.target}`,
        source: c.source,
        sourceHandle: c.sourceHandle,
        target: c.target,
        label: c.sourceHandle,
      };
      commit({ edges: addEdge(edge, kept) });
    },

    addNode(type, position) {
      const s = get();
      const id = nextId(s.nodes, type);
      const node: StepNode = {
        id,
        type: 'step',
        position,
        selected: true,
        data: { type, params: starterParams(type), issues: [], highlight: null, funnel: null },
      };
      commit({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
      return id;
    },

    updateParams(nodeId, params) {
      const s = get();
      const outputsBefore = stepOutputs(
        s.nodes.find((n) => n.id === nodeId)?.data.type ?? '',
        s.nodes.find((n) => n.id === nodeId)?.data.params,
      );
      const nodes = s.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params } } : n));
      // Renamed or removed branch rules / split arms take their connections with them.
      const node = nodes.find((n) => n.id === nodeId);
      const outputsAfter = node ? stepOutputs(node.data.type, params) : [];
      const edges =
        outputsAfter.length && outputsBefore.join() !== outputsAfter.join()
          ? s.edges.filter((e) => e.source !== nodeId || outputsAfter.includes(e.sourceHandle ?? ''))
          : s.edges;
      commit({ nodes, edges }, { history: `params:${nodeId}` });
    },

    setMaxVisits(nodeId, maxVisits) {
      const s = get();
      commit({
        nodes: s.nodes.map((n) => {
          if (n.id !== nodeId) return n;
          const { maxVisits: _old, ...rest } = n.data;
          return { ...n, data: maxVisits === undefined ? rest : { ...rest, maxVisits } };
        }),
      });
    },

    setName(name) {
      set({ name });
      commit({}, { history: 'name' });
    },

    deleteSelected() {
      const s = get();
      const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      commit({
        nodes: s.nodes.filter((n) => !gone.has(n.id)),
        edges: s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target)),
      });
    },

    selectOnly(nodeId) {
      set({
        nodes: get().nodes.map((n) => (n.selected === (n.id === nodeId) ? n : { ...n, selected: n.id === nodeId })),
      });
    },

    selectAll() {
      set({ nodes: get().nodes.map((n) => (n.selected ? n : { ...n, selected: true })) });
    },

    copy() {
      const s = get();
      const chosen = s.nodes.filter((n) => n.selected);
      const ids = new Set(chosen.map((n) => n.id));
      set({ clipboard: { nodes: chosen, edges: s.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) } });
    },

    paste() {
      const s = get();
      if (!s.clipboard?.nodes.length) return;
      const rename = new Map<string, string>();
      const all = [...s.nodes];
      const pasted = s.clipboard.nodes.map((n) => {
        const id = nextId(all, n.data.type);
        rename.set(n.id, id);
        const copy: StepNode = { ...n, id, selected: true, position: { x: n.position.x + 40, y: n.position.y + 40 } };
        all.push(copy);
        return copy;
      });
      const edges = s.clipboard.edges.map((e) => {
        const source = rename.get(e.source) as string;
        const target = rename.get(e.target) as string;
        return { ...e, id: `${source}-${e.sourceHandle}-${target}`, source, target, selected: false };
      });
      commit({
        nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
        edges: [...s.edges, ...edges],
      });
    },

    undo() {
      const s = get();
      const previous = s.past[s.past.length - 1];
      if (!previous || s.viewingVersion !== null) return;
      lastCoalesce = null;
      const issues = validateFlow(toFlow(s.name, previous.nodes, previous.edges)).issues;
      set({
        nodes: decorate(previous.nodes, issues, s.overlay, s.funnel),
        edges: previous.edges,
        issues,
        past: s.past.slice(0, -1),
        future: [{ nodes: s.nodes, edges: s.edges }, ...s.future],
        saveState: 'dirty',
      });
    },

    redo() {
      const s = get();
      const next = s.future[0];
      if (!next || s.viewingVersion !== null) return;
      lastCoalesce = null;
      const issues = validateFlow(toFlow(s.name, next.nodes, next.edges)).issues;
      set({
        nodes: decorate(next.nodes, issues, s.overlay, s.funnel),
        edges: next.edges,
        issues,
        past: [...s.past, { nodes: s.nodes, edges: s.edges }],
        future: s.future.slice(1),
        saveState: 'dirty',
      });
    },

    layout() {
      const s = get();
      commit({ nodes: autoLayout(s.nodes, s.edges) });
    },

    setOverlay(overlay) {
      const s = get();
      set({ overlay, nodes: decorate(s.nodes, s.issues, overlay, s.funnel) });
    },

    setFunnel(funnel) {
      const s = get();
      set({ funnel, nodes: decorate(s.nodes, s.issues, s.overlay, funnel) });
    },

    setSaveState(saveState, error = null, revision) {
      set({ saveState, saveError: error, ...(revision === undefined ? {} : { revision }) });
    },

    flow() {
      const s = get();
      return toFlow(s.name, s.nodes, s.edges);
    },
  };
});

/** Connections the engine would accept: from a declared output, never into the trigger. */
export function isValidConnection(
  nodes: StepNode[],
  c: { source: string; sourceHandle?: string | null; target: string },
): boolean {
  const source = nodes.find((n) => n.id === c.source);
  const target = nodes.find((n) => n.id === c.target);
  if (!source || !target || !c.sourceHandle) return false;
  if (target.data.type === 'trigger') return false;
  if (getNodeDescriptor(source.data.type)?.terminal) return false;
  return stepOutputs(source.data.type, source.data.params).includes(c.sourceHandle);
}
