import type { Edge, Node } from '@xyflow/react';
import { getNodeDescriptor, outputsOf } from '../../flow/nodes';
import type { Flow } from '../../flow/schema';

export interface StepNodeData extends Record<string, unknown> {
  label: string;
  type: string;
  outputs: readonly string[];
  summary: string;
}

/** The one place a stored Flow becomes React Flow state (positions come from `node.ui`). */
/** Layers by distance from the trigger, for flows saved without positions. */
function layeredPositions(flow: Flow): Map<string, { x: number; y: number }> {
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
    positions.set(n.id, { x: i * 260, y: d * 150 });
  }
  return positions;
}

export function flowToCanvas(flow: Flow): { nodes: Node<StepNodeData>[]; edges: Edge[] } {
  const layout = layeredPositions(flow);
  const nodes = flow.nodes.map((n, i) => {
    const descriptor = getNodeDescriptor(n.type);
    return {
      id: n.id,
      type: 'step',
      position: n.ui?.position ?? layout.get(n.id) ?? { x: 0, y: i * 140 },
      data: {
        label: descriptor?.label ?? n.type,
        type: n.type,
        outputs: descriptorOutputs(n.type, n.params),
        summary: summarize(n.params),
      },
    };
  });
  const edges = flow.edges.map((e) => ({
    id: e.id,
    source: e.source,
    sourceHandle: e.sourceHandle,
    target: e.target,
    label: e.sourceHandle,
  }));
  return { nodes, edges };
}

function descriptorOutputs(type: string, params: unknown): readonly string[] {
  const descriptor = getNodeDescriptor(type);
  if (!descriptor) return [];
  const parsed = descriptor.params.safeParse(params);
  return parsed.success
    ? outputsOf(descriptor, parsed.data)
    : typeof descriptor.outputs === 'function'
      ? []
      : descriptor.outputs;
}

function summarize(params: Record<string, unknown>): string {
  const text = params.text ?? params.outcome ?? params.source;
  return typeof text === 'string' ? text : '';
}
