import { getNodeDescriptor } from './nodes';
import { type Flow, FlowSchema } from './schema';

/** One problem with a flow, pointing at the node, edge and field it belongs to. */
export interface FlowIssue {
  nodeId?: string;
  edgeId?: string;
  path: (string | number)[];
  code: string;
  message: string;
}

export type ValidationResult = { ok: true; flow: Flow; issues: [] } | { ok: false; flow?: Flow; issues: FlowIssue[] };

/**
 * Checks a flow document. Never throws: anything that is not a valid flow comes back as a list
 * of issues.
 */
export function validateFlow(input: unknown): ValidationResult {
  const parsed = FlowSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => {
        const [top, index] = i.path;
        const nodeId =
          top === 'nodes' && typeof index === 'number' && input && typeof input === 'object'
            ? nodeIdAt(input as Record<string, unknown>, index)
            : undefined;
        return {
          ...(nodeId ? { nodeId } : {}),
          path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
          code: 'invalid_document',
          message: i.message,
        };
      }),
    };
  }
  const flow = parsed.data;
  const issues: FlowIssue[] = [];
  const ids = new Set<string>();
  for (const [index, node] of flow.nodes.entries()) {
    if (ids.has(node.id)) {
      issues.push({
        nodeId: node.id,
        path: ['nodes', index, 'id'],
        code: 'duplicate_node',
        message: `node id "${node.id}" is used twice`,
      });
    }
    ids.add(node.id);
    const descriptor = getNodeDescriptor(node.type);
    if (!descriptor) {
      issues.push({
        nodeId: node.id,
        path: ['nodes', index, 'type'],
        code: 'unknown_node_type',
        message: `unknown node type "${node.type}"`,
      });
      continue;
    }
    const params = descriptor.params.safeParse(node.params);
    if (!params.success) {
      for (const i of params.error.issues) {
        issues.push({
          nodeId: node.id,
          path: ['nodes', index, 'params', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
          code: 'invalid_params',
          message: i.message,
        });
      }
    }
  }
  const triggers = flow.nodes.filter((n) => n.type === 'trigger');
  if (triggers.length !== 1) {
    issues.push({
      path: ['nodes'],
      code: triggers.length === 0 ? 'missing_trigger' : 'multiple_triggers',
      message:
        triggers.length === 0 ? 'a flow needs one trigger' : `a flow has one trigger, this one has ${triggers.length}`,
    });
  }
  const byId = new Map(flow.nodes.map((n) => [n.id, n]));
  for (const [index, edge] of flow.edges.entries()) {
    const source = byId.get(edge.source);
    if (!source) {
      issues.push({
        edgeId: edge.id,
        path: ['edges', index, 'source'],
        code: 'dangling_edge',
        message: `edge leaves unknown node "${edge.source}"`,
      });
    } else {
      const outputs = getNodeDescriptor(source.type)?.outputs ?? [];
      if (!outputs.includes(edge.sourceHandle)) {
        issues.push({
          nodeId: source.id,
          edgeId: edge.id,
          path: ['edges', index, 'sourceHandle'],
          code: 'unknown_output',
          message: `node "${source.id}" has no output "${edge.sourceHandle}"`,
        });
      }
    }
    if (!byId.has(edge.target)) {
      issues.push({
        edgeId: edge.id,
        path: ['edges', index, 'target'],
        code: 'dangling_edge',
        message: `edge enters unknown node "${edge.target}"`,
      });
    }
  }
  return issues.length === 0 ? { ok: true, flow, issues: [] } : { ok: false, flow, issues };
}

function nodeIdAt(input: Record<string, unknown>, index: number): string | undefined {
  const nodes = input.nodes;
  if (!Array.isArray(nodes)) return undefined;
  const node: unknown = nodes[index];
  if (node && typeof node === 'object' && 'id' in node && typeof node.id === 'string') return node.id;
  return undefined;
}
