import type { Flow, FlowNode } from './schema';
import { canonicalJson } from './sha256';

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface FlowDiff {
  nodes: {
    added: { id: string; type: string }[];
    removed: { id: string; type: string }[];
    changed: { id: string; type: string; changes: FieldChange[] }[];
  };
  edges: {
    added: { source: string; sourceHandle: string; target: string }[];
    removed: { source: string; sourceHandle: string; target: string }[];
  };
  nameChanged: boolean;
  identical: boolean;
}

/** Leaf-level differences between two values, as dotted paths. */
function changes(before: unknown, after: unknown, path: string, out: FieldChange[], depth = 0): void {
  if (canonicalJson(before) === canonicalJson(after)) return;
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (depth < 8 && isObj(before) && isObj(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      changes(a[key], b[key], path ? `${path}.${key}` : key, out, depth + 1);
    }
    return;
  }
  out.push({ path, before, after });
}

/**
 * What changed between two flows, as the engine sees them: nodes (type, params, visit limits) and
 * connections. Layout (`ui`) is ignored. Edges are compared by what they connect, not by id.
 */
export function diffFlows(from: Flow, to: Flow): FlowDiff {
  const a = new Map(from.nodes.map((n) => [n.id, n]));
  const b = new Map(to.nodes.map((n) => [n.id, n]));
  const engineView = (n: FlowNode) => ({ type: n.type, params: n.params, maxVisits: n.maxVisits });
  const diff: FlowDiff = {
    nodes: { added: [], removed: [], changed: [] },
    edges: { added: [], removed: [] },
    nameChanged: from.name !== to.name,
    identical: false,
  };
  for (const [id, n] of b) if (!a.has(id)) diff.nodes.added.push({ id, type: n.type });
  for (const [id, n] of a) if (!b.has(id)) diff.nodes.removed.push({ id, type: n.type });
  for (const [id, before] of a) {
    const after = b.get(id);
    if (!after) continue;
    const out: FieldChange[] = [];
    changes(engineView(before), engineView(after), '', out);
    if (out.length) diff.nodes.changed.push({ id, type: after.type, changes: out });
  }
  const key = (e: { source: string; sourceHandle: string; target: string }) =>
    `${e.source}\u0000${e.sourceHandle}\u0000${e.target}`;
  const ea = new Map(from.edges.map((e) => [key(e), e]));
  const eb = new Map(to.edges.map((e) => [key(e), e]));
  for (const [k, e] of eb)
    if (!ea.has(k)) diff.edges.added.push({ source: e.source, sourceHandle: e.sourceHandle, target: e.target });
  for (const [k, e] of ea)
    if (!eb.has(k)) diff.edges.removed.push({ source: e.source, sourceHandle: e.sourceHandle, target: e.target });
  diff.identical =
    !diff.nameChanged &&
    diff.nodes.added.length +
      diff.nodes.removed.length +
      diff.nodes.changed.length +
      diff.edges.added.length +
      diff.edges.removed.length ===
      0;
  return diff;
}
