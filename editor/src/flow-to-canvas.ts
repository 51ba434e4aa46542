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
export function flowToCanvas(flow: Flow): { nodes: Node<StepNodeData>[]; edges: Edge[] } {
  const nodes = flow.nodes.map((n, i) => {
    const descriptor = getNodeDescriptor(n.type);
    return {
      id: n.id,
      type: 'step',
      position: n.ui?.position ?? { x: 0, y: i * 140 },
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
