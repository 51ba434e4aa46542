import type { Flow, FlowNode } from './schema';

/** The node an output leads to, or undefined when the output is not connected. */
export function nextNodeId(flow: Flow, nodeId: string, output: string): string | undefined {
  return flow.edges.find((e) => e.source === nodeId && e.sourceHandle === output)?.target;
}

export function findNode(flow: Flow, nodeId: string): FlowNode | undefined {
  return flow.nodes.find((n) => n.id === nodeId);
}

export function findTrigger(flow: Flow): FlowNode | undefined {
  return flow.nodes.find((n) => n.type === 'trigger');
}
