import type { z } from 'zod';

/**
 * A node type, declared once as data. The editor builds its palette and forms from it; the
 * interpreter dispatches on `type` and calls `activity` when the node has a side effect.
 */
export interface NodeDescriptor<P extends z.ZodType = z.ZodType> {
  type: string;
  version: number;
  label: string;
  category: 'trigger' | 'messaging' | 'voice' | 'logic' | 'data' | 'ai' | 'people' | 'flow';
  params: P;
  /** Named outputs an edge can leave from. Empty for terminal nodes. */
  outputs: readonly string[];
  /** Name of the activity that performs this node's side effect, if any. */
  activity?: string;
}

export function defineNode<P extends z.ZodType>(d: NodeDescriptor<P>): NodeDescriptor<P> {
  return d;
}
