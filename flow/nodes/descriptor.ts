import type { z } from 'zod';

export type NodeCategory = 'trigger' | 'messaging' | 'voice' | 'logic' | 'data' | 'ai' | 'people' | 'flow';

/**
 * A node type, declared once as data. The editor builds its palette, forms and connection rules
 * from it; validation checks params and outputs against it; the interpreter dispatches on `type`.
 */
export interface NodeDescriptor<P extends z.ZodType = z.ZodType> {
  type: string;
  version: number;
  label: string;
  description: string;
  category: NodeCategory;
  params: P;
  /** Named outputs an edge can leave from; a function when they depend on params (branch, split). */
  outputs: readonly string[] | ((params: z.infer<P>) => readonly string[]);
  /** Fields of this node's output, readable later as `{{nodes.<id>.output.<field>}}`. */
  outputFields: readonly string[];
  /** The activity that performs this node's side effect, if any. */
  activity?: string;
  /** True when the node can pause the run durably (a reply, a timer, a person): what makes a loop safe. */
  waits: boolean;
  /** True for nodes that end the run. */
  terminal?: boolean;
}

export function defineNode<P extends z.ZodType>(d: NodeDescriptor<P>): NodeDescriptor<P> {
  return d;
}

/** The outputs of a node with these (already validated) params. */
export function outputsOf(d: NodeDescriptor, params: unknown): readonly string[] {
  return typeof d.outputs === 'function' ? d.outputs(params) : d.outputs;
}
