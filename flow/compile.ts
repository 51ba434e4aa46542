import { z } from 'zod';
import { getNodeDescriptor } from './nodes';
import type { Flow } from './schema';
import { canonicalJson, sha256Hex } from './sha256';
import { type FlowIssue, validateFlow } from './validate';

/** One executable step: params already parsed (defaults applied), outputs resolved to node ids. */
export const PlanNodeSchema = z.object({
  id: z.string(),
  type: z.string(),
  params: z.record(z.string(), z.unknown()),
  next: z.record(z.string(), z.string()),
  maxVisits: z.number().int().positive().optional(),
});
export type PlanNode = z.infer<typeof PlanNodeSchema>;

/**
 * The immutable executable form of a flow version. It travels in the workflow input, so a run's
 * history holds everything needed to replay it. `checksum` covers everything the engine reads
 * (not editor layout).
 */
export const PlanSchema = z.object({
  format: z.literal(1),
  name: z.string(),
  start: z.string(),
  nodes: z.record(z.string(), PlanNodeSchema),
  checksum: z.string().regex(/^[a-f0-9]{64}$/),
});
export type Plan = z.infer<typeof PlanSchema>;

export type CompileResult = { ok: true; plan: Plan } | { ok: false; issues: FlowIssue[] };

/**
 * The plan of a flow as it stands, without the graph rules of validation (every output connected,
 * loops limited…). Only for flows that ran before those rules existed: the issue-2 interpreter
 * took a flow document as input and ended a run at an unconnected output, and its histories must
 * still replay. Params that no longer parse are kept as they were.
 */
export function planWithoutGraphRules(flow: Flow): Plan {
  const nodes: Record<string, PlanNode> = {};
  for (const node of flow.nodes) {
    const parsed = getNodeDescriptor(node.type)?.params.safeParse(node.params);
    const next: Record<string, string> = {};
    for (const edge of flow.edges) if (edge.source === node.id) next[edge.sourceHandle] = edge.target;
    nodes[node.id] = {
      id: node.id,
      type: node.type,
      params: parsed?.success ? (parsed.data as Record<string, unknown>) : node.params,
      next,
      ...(node.maxVisits === undefined ? {} : { maxVisits: node.maxVisits }),
    };
  }
  const start = flow.nodes.find((n) => n.type === 'trigger')?.id ?? flow.nodes[0]?.id ?? '';
  const body = { format: 1 as const, name: flow.name, start, nodes };
  return { ...body, checksum: sha256Hex(canonicalJson(body)) };
}

export function compileFlow(input: unknown): CompileResult {
  const validation = validateFlow(input);
  if (!validation.ok) return { ok: false, issues: validation.issues };
  const flow = validation.flow;
  const nodes: Record<string, PlanNode> = {};
  for (const node of flow.nodes) {
    const descriptor = getNodeDescriptor(node.type);
    if (!descriptor) throw new Error(`validated flow has unknown node type ${node.type}`);
    const next: Record<string, string> = {};
    for (const edge of flow.edges) if (edge.source === node.id) next[edge.sourceHandle] = edge.target;
    nodes[node.id] = {
      id: node.id,
      type: node.type,
      params: descriptor.params.parse(node.params) as Record<string, unknown>,
      next,
      ...(node.maxVisits === undefined ? {} : { maxVisits: node.maxVisits }),
    };
  }
  const start = flow.nodes.find((n) => n.type === 'trigger')?.id as string;
  const body = { format: 1 as const, name: flow.name, start, nodes };
  return { ok: true, plan: { ...body, checksum: sha256Hex(canonicalJson(body)) } };
}
