import { aiReplyNode } from './ai-reply';
import { branchNode } from './branch';
import { delayNode } from './delay';
import type { NodeDescriptor } from './descriptor';
import { endNode } from './end';
import { handoffNode } from './handoff';
import { httpRequestNode } from './http-request';
import { placeCallNode } from './place-call';
import { sendMessageNode } from './send-message';
import { splitNode } from './split';
import { startFlowNode } from './start-flow';
import { triggerNode } from './trigger';
import { updateContactNode } from './update-contact';
import { waitForReplyNode } from './wait-for-reply';

/** Every node type the engine knows, in palette order. */
export const nodeDescriptors = [
  triggerNode,
  sendMessageNode,
  placeCallNode,
  waitForReplyNode,
  delayNode,
  branchNode,
  splitNode,
  aiReplyNode,
  updateContactNode,
  handoffNode,
  httpRequestNode,
  startFlowNode,
  endNode,
] as const satisfies readonly NodeDescriptor[];

export type NodeType = (typeof nodeDescriptors)[number]['type'];

const byType: ReadonlyMap<string, NodeDescriptor> = new Map(nodeDescriptors.map((d) => [d.type, d as NodeDescriptor]));

export function getNodeDescriptor(type: string): NodeDescriptor | undefined {
  return byType.get(type);
}

export * from './ai-reply';
export * from './branch';
export * from './delay';
export { type NodeDescriptor, outputsOf } from './descriptor';
export * from './end';
export * from './handoff';
export * from './http-request';
export * from './place-call';
export * from './send-message';
export * from './split';
export * from './start-flow';
export * from './trigger';
export * from './update-contact';
export * from './wait-for-reply';
