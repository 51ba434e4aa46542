import type { NodeDescriptor } from './descriptor';
import { endNode } from './end';
import { sendMessageNode } from './send-message';
import { triggerNode } from './trigger';

/** Every node type the engine knows, by `type`. */
export const nodeCatalog: Readonly<Record<string, NodeDescriptor>> = Object.freeze({
  [triggerNode.type]: triggerNode,
  [sendMessageNode.type]: sendMessageNode,
  [endNode.type]: endNode,
});

export function getNodeDescriptor(type: string): NodeDescriptor | undefined {
  return Object.hasOwn(nodeCatalog, type) ? nodeCatalog[type] : undefined;
}

export type { NodeDescriptor } from './descriptor';
export { endNode, sendMessageNode, triggerNode };
