import type { Edge, Node } from '@xyflow/react';
import { type FlowIssue, getNodeDescriptor, outputsOf } from '../../../flow';
import type { Flow, FlowNode } from '../../../flow/schema';

/** What a step on the canvas carries. Identity matters: unchanged steps keep the same object. */
export interface StepData extends Record<string, unknown> {
  type: string;
  params: Record<string, unknown>;
  maxVisits?: number;
  issues: readonly FlowIssue[];
  /** 'current' while a run (or simulation) is here; 'visited' once it has passed. */
  highlight: 'current' | 'visited' | null;
  funnel: { through: number; at: number } | null;
}
export type StepNode = Node<StepData, 'step'>;

const NO_ISSUES: readonly FlowIssue[] = Object.freeze([]);

/** The outputs a step offers, from its descriptor and current params (branch rules, split arms). */
export function stepOutputs(type: string, params: unknown): readonly string[] {
  const d = getNodeDescriptor(type);
  if (!d) return [];
  if (typeof d.outputs !== 'function') return d.outputs;
  const parsed = d.params.safeParse(params);
  return parsed.success ? outputsOf(d, parsed.data) : [];
}

export function toStep(n: FlowNode, position: { x: number; y: number }): StepNode {
  return {
    id: n.id,
    type: 'step',
    position: n.ui?.position ?? position,
    data: {
      type: n.type,
      params: n.params,
      ...(n.maxVisits === undefined ? {} : { maxVisits: n.maxVisits }),
      issues: NO_ISSUES,
      highlight: null,
      funnel: null,
    },
  };
}

export function toCanvasEdge(e: Flow['edges'][number]): Edge {
  return { id: e.id, source: e.source, sourceHandle: e.sourceHandle, target: e.target, label: e.sourceHandle };
}

/** The one place the canvas becomes a stored Flow again. Only engine data and positions survive. */
export function toFlow(name: string, nodes: StepNode[], edges: Edge[]): Flow {
  return {
    name,
    version: 0,
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.data.type,
      params: n.data.params,
      ...(n.data.maxVisits === undefined ? {} : { maxVisits: n.data.maxVisits }),
      ui: { position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } },
    })),
    edges: edges.map((e) => ({ id: e.id, source: e.source, sourceHandle: e.sourceHandle ?? '', target: e.target })),
  };
}

/** Layers by distance from the trigger, for flows saved without positions. */
export function layeredPositions(flow: Flow): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>();
  const start = flow.nodes.find((n) => n.type === 'trigger')?.id;
  const queue = start ? [start] : [];
  if (start) depth.set(start, 0);
  while (queue.length) {
    const id = queue.shift() as string;
    for (const e of flow.edges) {
      if (e.source === id && !depth.has(e.target)) {
        depth.set(e.target, (depth.get(id) ?? 0) + 1);
        queue.push(e.target);
      }
    }
  }
  const perLayer = new Map<number, number>();
  const positions = new Map<string, { x: number; y: number }>();
  for (const n of flow.nodes) {
    const d = depth.get(n.id) ?? 0;
    const i = perLayer.get(d) ?? 0;
    perLayer.set(d, i + 1);
    positions.set(n.id, { x: i * 280, y: d * 160 });
  }
  return positions;
}

export function fromFlow(flow: Flow): { nodes: StepNode[]; edges: Edge[] } {
  const layout = layeredPositions(flow);
  return {
    nodes: flow.nodes.map((n) => toStep(n, layout.get(n.id) ?? { x: 0, y: 0 })),
    edges: flow.edges.map(toCanvasEdge),
  };
}

/** One-line summary of a step's params, shown on the canvas. */
export function summarize(type: string, params: Record<string, unknown>): string {
  switch (type) {
    case 'trigger':
      return String(params.source ?? '');
    case 'send-message':
      return `${String(params.channel ?? '')}: ${String(params.text ?? '')}`;
    case 'place-call':
      return String(params.firstMessage ?? '');
    case 'wait-for-reply':
      return `up to ${String(params.timeout ?? '?')}${params.channel ? ` on ${String(params.channel)}` : ''}`;
    case 'delay':
      return params.mode === 'duration'
        ? `for ${String(params.duration ?? '?')}`
        : params.mode === 'quiet-hours'
          ? `outside ${String(params.start ?? '')}–${String(params.end ?? '')}`
          : 'until the window opens';
    case 'handoff':
      return `to ${String(params.team ?? '?')}`;
    case 'http-request':
      return `${String(params.method ?? 'POST')} ${String(params.url ?? '')}`;
    case 'end':
      return String(params.outcome ?? 'completed');
    case 'update-contact': {
      const parts = [
        ...Object.keys((params.set as object) ?? {}),
        ...((params.addTags as string[]) ?? []).map((t) => `+${t}`),
        ...((params.removeTags as string[]) ?? []).map((t) => `-${t}`),
      ];
      if (params.leadStatus) parts.push(`status ${String(params.leadStatus)}`);
      return parts.join(', ');
    }
    default:
      return '';
  }
}
