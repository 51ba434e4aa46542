import dagre from '@dagrejs/dagre';
import type { Edge } from '@xyflow/react';
import type { StepNode } from './flow-mapping';

const WIDTH = 220;
const HEIGHT = 90;

/** Top-to-bottom layered layout (dagre), keeping the trigger at the top. */
export function autoLayout(nodes: StepNode[], edges: Edge[]): StepNode[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 50, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.measured?.width ?? WIDTH, height: n.measured?.height ?? HEIGHT });
  for (const e of edges) if (e.source !== e.target) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return nodes.map((n) => {
    const p = g.node(n.id);
    if (!p) return n;
    const w = n.measured?.width ?? WIDTH;
    const h = n.measured?.height ?? HEIGHT;
    return { ...n, position: { x: p.x - w / 2, y: p.y - h / 2 } };
  });
}
