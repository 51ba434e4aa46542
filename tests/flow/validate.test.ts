import { describe, expect, it } from 'vitest';
import { type Flow, validateFlow } from '../../flow';
import { welcomeFlow } from '../helpers/fixtures';

const clone = (f: Flow): Flow => structuredClone(f);

describe('validateFlow', () => {
  it('accepts a well-formed flow', () => {
    const result = validateFlow(welcomeFlow);
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([]);
  });

  it('requires exactly one trigger', () => {
    const f = clone(welcomeFlow);
    f.nodes = f.nodes.filter((n) => n.type !== 'trigger');
    f.edges = f.edges.filter((e) => e.source !== 'start');
    expect(validateFlow(f).issues).toContainEqual(expect.objectContaining({ code: 'missing_trigger' }));
    const two = clone(welcomeFlow);
    two.nodes.push({ id: 'start2', type: 'trigger', params: {} });
    expect(validateFlow(two).issues).toContainEqual(expect.objectContaining({ code: 'multiple_triggers' }));
  });

  it('names the node and field of bad params', () => {
    const f = clone(welcomeFlow);
    const send = f.nodes.find((n) => n.id === 'welcome');
    if (!send) throw new Error('fixture changed');
    send.params = { channel: 'carrier-pigeon', text: '' };
    const issues = validateFlow(f).issues;
    expect(issues).toContainEqual(
      expect.objectContaining({ nodeId: 'welcome', code: 'invalid_params', path: ['nodes', 1, 'params', 'channel'] }),
    );
    expect(issues).toContainEqual(expect.objectContaining({ nodeId: 'welcome', path: ['nodes', 1, 'params', 'text'] }));
  });

  it('refuses unknown node types, dangling edges and undeclared outputs', () => {
    const f = clone(welcomeFlow);
    f.nodes.push({ id: 'mystery', type: 'teleport', params: {} });
    f.edges.push({ id: 'e9', source: 'welcome', sourceHandle: 'delivered', target: 'ghost' });
    const codes = validateFlow(f).issues.map((i) => [i.code, i.nodeId ?? i.edgeId]);
    expect(codes).toContainEqual(['unknown_node_type', 'mystery']);
    expect(codes).toContainEqual(['unknown_output', 'welcome']);
    expect(codes).toContainEqual(['dangling_edge', 'e9']);
  });

  it('reports duplicate node ids', () => {
    const f = clone(welcomeFlow);
    f.nodes.push({ id: 'done', type: 'end', params: {} });
    expect(validateFlow(f).issues).toContainEqual(expect.objectContaining({ code: 'duplicate_node', nodeId: 'done' }));
  });

  it('never throws, whatever it is given', () => {
    const samples: unknown[] = [
      null,
      undefined,
      0,
      'flow',
      [],
      {},
      { nodes: 'x' },
      { name: 'x', nodes: [null], edges: [1] },
    ];
    // Deterministic pseudo-random documents built from the valid one.
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const junk = [null, 1, 'x', [], {}, true, { id: 1 }, -1, '💥'.repeat(50)];
    for (let i = 0; i < 500; i++) {
      const doc: Record<string, unknown> = JSON.parse(JSON.stringify(welcomeFlow));
      const nodes = doc.nodes as Record<string, unknown>[];
      const node = nodes[Math.floor(rand() * nodes.length)] as Record<string, unknown>;
      const keys = ['id', 'type', 'params', 'ui'];
      node[keys[Math.floor(rand() * keys.length)] as string] = junk[Math.floor(rand() * junk.length)];
      if (rand() < 0.3) doc.edges = junk[Math.floor(rand() * junk.length)];
      samples.push(doc);
    }
    for (const s of samples) {
      const result = validateFlow(s);
      expect(typeof result.ok).toBe('boolean');
      if (!result.ok) expect(result.issues.length).toBeGreaterThan(0);
    }
  });
});
