import { checkTemplate, templatePaths } from './expressions';
import { getNodeDescriptor, type NodeDescriptor, outputsOf } from './nodes';
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

/** Every string inside a params value, with its path (bounded depth and count). */
function stringsIn(
  value: unknown,
  path: (string | number)[] = [],
  out: { path: (string | number)[]; text: string }[] = [],
) {
  if (out.length > 2000 || path.length > 12) return out;
  if (typeof value === 'string') out.push({ path, text: value });
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) stringsIn(v, [...path, i], out);
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) stringsIn(v, [...path, k], out);
  return out;
}

const toPath = (p: PropertyKey) => (typeof p === 'symbol' ? String(p) : p);

/**
 * Checks a flow document. Never throws: anything that is not a valid flow comes back as a list of
 * issues, each pointing at its node or edge and the field concerned.
 */
export function validateFlow(input: unknown): ValidationResult {
  try {
    return validateUnsafe(input);
  } catch (err) {
    // A bug here must not take the API down with a 500: report it as an issue.
    return {
      ok: false,
      issues: [{ path: [], code: 'validation_error', message: err instanceof Error ? err.message : String(err) }],
    };
  }
}

function validateUnsafe(input: unknown): ValidationResult {
  const parsed = FlowSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.slice(0, 200).map((i) => {
        const [top, index] = i.path;
        const nodeId = top === 'nodes' && typeof index === 'number' ? idAt(input, 'nodes', index) : undefined;
        const edgeId = top === 'edges' && typeof index === 'number' ? idAt(input, 'edges', index) : undefined;
        return {
          ...(nodeId ? { nodeId } : {}),
          ...(edgeId ? { edgeId } : {}),
          path: i.path.map(toPath),
          code: 'invalid_document',
          message: i.message,
        };
      }),
    };
  }
  const flow = parsed.data;
  const issues: FlowIssue[] = [];
  const nodeIndex = new Map<string, number>();
  const descriptors = new Map<string, NodeDescriptor>();
  const outputs = new Map<string, readonly string[]>();

  for (const [index, node] of flow.nodes.entries()) {
    if (nodeIndex.has(node.id)) {
      issues.push({
        nodeId: node.id,
        path: ['nodes', index, 'id'],
        code: 'duplicate_node',
        message: `node id "${node.id}" is used twice`,
      });
      continue;
    }
    nodeIndex.set(node.id, index);
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
    descriptors.set(node.id, descriptor);
    const params = descriptor.params.safeParse(node.params);
    if (!params.success) {
      for (const i of params.error.issues) {
        issues.push({
          nodeId: node.id,
          path: ['nodes', index, 'params', ...i.path.map(toPath)],
          code: 'invalid_params',
          message: i.message,
        });
      }
      continue;
    }
    outputs.set(node.id, outputsOf(descriptor, params.data));
    // Every text in the params may hold expressions (messages, rule values, headers, bodies,
    // call scripts, contact fields to set): check them all, and the node ids they read.
    for (const { path, text } of stringsIn(params.data)) {
      const where = ['nodes', index, 'params', ...path];
      for (const problem of checkTemplate(text)) {
        issues.push({ nodeId: node.id, path: where, code: 'invalid_expression', message: problem });
      }
      const refs = [...templatePaths(text)];
      // A branch condition's `field` is a bare path rather than a template.
      if (node.type === 'branch' && path[path.length - 1] === 'field') refs.push(text);
      for (const p of refs) {
        const [root, ref] = p.split('.');
        if (root === 'nodes' && ref && !flow.nodes.some((n) => n.id === ref)) {
          issues.push({
            nodeId: node.id,
            path: where,
            code: 'unknown_node_reference',
            message: `${p.includes('{{') ? p : `{{${p}}}`} refers to node "${ref}", which does not exist`,
          });
        }
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
      ...(triggers[1] ? { nodeId: triggers[1].id } : {}),
    });
  }

  const successors = new Map<string, string[]>();
  const usedOutputs = new Set<string>();
  const edgeIds = new Set<string>();
  for (const [index, edge] of flow.edges.entries()) {
    let ok = true;
    if (edgeIds.has(edge.id)) {
      issues.push({
        edgeId: edge.id,
        path: ['edges', index, 'id'],
        code: 'duplicate_edge',
        message: `edge id "${edge.id}" is used twice`,
      });
    }
    edgeIds.add(edge.id);
    if (!nodeIndex.has(edge.source)) {
      issues.push({
        edgeId: edge.id,
        path: ['edges', index, 'source'],
        code: 'dangling_edge',
        message: `edge leaves unknown node "${edge.source}"`,
      });
      ok = false;
    } else {
      const declared = outputs.get(edge.source);
      if (declared && !declared.includes(edge.sourceHandle)) {
        issues.push({
          nodeId: edge.source,
          edgeId: edge.id,
          path: ['edges', index, 'sourceHandle'],
          code: 'unknown_output',
          message: declared.length
            ? `node "${edge.source}" has no output "${edge.sourceHandle}" (it has ${declared.join(', ')})`
            : `node "${edge.source}" ends the run and has no outputs`,
        });
        ok = false;
      }
    }
    if (!nodeIndex.has(edge.target)) {
      issues.push({
        edgeId: edge.id,
        path: ['edges', index, 'target'],
        code: 'dangling_edge',
        message: `edge enters unknown node "${edge.target}"`,
      });
      ok = false;
    } else if (descriptors.get(edge.target)?.type === 'trigger') {
      issues.push({
        edgeId: edge.id,
        path: ['edges', index, 'target'],
        code: 'edge_into_trigger',
        message: 'nothing can lead into the trigger',
      });
      ok = false;
    }
    const key = `${edge.source}\u0000${edge.sourceHandle}`;
    if (usedOutputs.has(key)) {
      issues.push({
        nodeId: edge.source,
        edgeId: edge.id,
        path: ['edges', index],
        code: 'duplicate_output_edge',
        message: `output "${edge.sourceHandle}" of node "${edge.source}" is connected twice; an output leads to one node`,
      });
      ok = false;
    }
    usedOutputs.add(key);
    if (ok) successors.set(edge.source, [...(successors.get(edge.source) ?? []), edge.target]);
  }

  // Every declared output leads somewhere: to end a path, connect it to an End node.
  for (const [nodeId, declared] of outputs) {
    for (const output of declared) {
      if (!usedOutputs.has(`${nodeId}\u0000${output}`)) {
        issues.push({
          nodeId,
          path: ['nodes', nodeIndex.get(nodeId) ?? 0],
          code: 'unconnected_output',
          message: `output "${output}" of node "${nodeId}" is not connected (connect it to an End node to finish there)`,
        });
      }
    }
  }

  const trigger = triggers[0];
  if (trigger) {
    const reached = new Set<string>([trigger.id]);
    const queue = [trigger.id];
    while (queue.length) {
      for (const next of successors.get(queue.shift() as string) ?? []) {
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    for (const node of flow.nodes) {
      if (!reached.has(node.id)) {
        issues.push({
          nodeId: node.id,
          path: ['nodes', nodeIndex.get(node.id) ?? 0],
          code: 'unreachable_node',
          message: `node "${node.id}" cannot be reached from the trigger`,
        });
      }
    }
  }

  for (const cycle of cyclicComponents([...nodeIndex.keys()], successors)) {
    const waiting = cycle.filter((id) => descriptors.get(id)?.waits);
    const limited = cycle.filter((id) => flow.nodes[nodeIndex.get(id) ?? 0]?.maxVisits !== undefined);
    const first = cycle[0] as string;
    if (waiting.length === 0) {
      issues.push({
        nodeId: first,
        path: ['nodes', nodeIndex.get(first) ?? 0],
        code: 'loop_without_wait',
        message: `the loop through ${cycle.map((id) => `"${id}"`).join(', ')} never waits (add a wait, delay, call or hand-off)`,
      });
    }
    if (limited.length === 0) {
      issues.push({
        nodeId: first,
        path: ['nodes', nodeIndex.get(first) ?? 0, 'maxVisits'],
        code: 'loop_without_limit',
        message: `the loop through ${cycle.map((id) => `"${id}"`).join(', ')} needs a visit limit (set maxVisits on one of its nodes)`,
      });
    }
  }

  return issues.length === 0 ? { ok: true, flow, issues: [] } : { ok: false, flow, issues };
}

/** Strongly connected components that contain a cycle (Tarjan, iterative so deep graphs cannot overflow the stack). */
function cyclicComponents(nodes: string[], successors: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1] as { node: string; next: number };
      const succ = successors.get(frame.node) ?? [];
      if (frame.next < succ.length) {
        const w = succ[frame.next++] as string;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(w) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.node);
        const selfLoop = component.length === 1 && (successors.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) result.push(component.reverse());
      }
    }
  }
  return result;
}

function idAt(input: unknown, key: 'nodes' | 'edges', index: number): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const list = (input as Record<string, unknown>)[key];
  if (!Array.isArray(list)) return undefined;
  const item: unknown = list[index];
  if (item && typeof item === 'object' && 'id' in item && typeof item.id === 'string') return item.id;
  return undefined;
}
