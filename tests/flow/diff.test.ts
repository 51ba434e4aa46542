import { describe, expect, it } from 'vitest';
import { diffFlows, type Flow } from '../../flow';
import { edge, end, node, richFlow } from './build';

const nodeOf = (f: Flow, id: string) => {
  const n = f.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
};

describe('diffFlows', () => {
  it('finds nothing between a flow and itself', () => {
    const d = diffFlows(richFlow(), richFlow());
    expect(d.identical).toBe(true);
    expect(d.nameChanged).toBe(false);
    expect(d.nodes).toEqual({ added: [], removed: [], changed: [] });
    expect(d.edges).toEqual({ added: [], removed: [] });
  });

  it('treats ui-only changes, edge ids and node order as identical', () => {
    const to = richFlow();
    to.nodes.forEach((n, i) => {
      n.ui = { position: { x: i, y: i * 2 } };
    });
    to.edges.forEach((e, i) => {
      e.id = `edge-${i}`;
    });
    to.nodes.reverse();
    expect(diffFlows(richFlow(), to).identical).toBe(true);
  });

  it('lists added and removed nodes with their types', () => {
    const to = richFlow();
    to.nodes = to.nodes.filter((n) => n.id !== 'lost');
    to.nodes.push(node('wait2', 'delay', { mode: 'duration', duration: '1h' }));
    const d = diffFlows(richFlow(), to);
    expect(d.nodes.added).toEqual([{ id: 'wait2', type: 'delay' }]);
    expect(d.nodes.removed).toEqual([{ id: 'lost', type: 'end' }]);
    expect(d.identical).toBe(false);
  });

  it('names changed params by leaf path with before and after values', () => {
    const to = richFlow();
    nodeOf(to, 'hello').params.text = 'Hello!';
    nodeOf(to, 'human').params.priority = 'high';
    const d = diffFlows(richFlow(), to);
    expect(d.nodes.changed).toEqual([
      {
        id: 'hello',
        type: 'send-message',
        changes: [{ path: 'params.text', before: 'Hi {{contact.firstName | default: "there"}}!', after: 'Hello!' }],
      },
      { id: 'human', type: 'handoff', changes: [{ path: 'params.priority', before: undefined, after: 'high' }] },
    ]);
  });

  it('descends into nested params, and reports a changed array as a whole', () => {
    const from = richFlow();
    nodeOf(from, 'notify').params.headers = { 'x-a': '1', 'x-b': '2' };
    const to = structuredClone(from);
    nodeOf(to, 'notify').params.headers = { 'x-a': '1', 'x-b': '3', 'x-c': '4' };
    nodeOf(to, 'tag').params.addTags = ['interested', 'hot'];
    const d = diffFlows(from, to);
    expect(d.nodes.changed).toEqual([
      {
        id: 'tag',
        type: 'update-contact',
        changes: [{ path: 'params.addTags', before: ['interested'], after: ['interested', 'hot'] }],
      },
      {
        id: 'notify',
        type: 'http-request',
        changes: [
          { path: 'params.headers.x-b', before: '2', after: '3' },
          { path: 'params.headers.x-c', before: undefined, after: '4' },
        ],
      },
    ]);
  });

  it('reports changes of type and maxVisits', () => {
    const to = richFlow();
    nodeOf(to, 'ask').maxVisits = 5;
    const lost = nodeOf(to, 'lost');
    lost.type = 'handoff';
    lost.params = { team: 'sales' };
    const d = diffFlows(richFlow(), to);
    expect(d.nodes.changed).toContainEqual({
      id: 'ask',
      type: 'wait-for-reply',
      changes: [{ path: 'maxVisits', before: 3, after: 5 }],
    });
    expect(d.nodes.changed).toContainEqual({
      id: 'lost',
      type: 'handoff',
      changes: [
        { path: 'params.outcome', before: 'no-reply', after: undefined },
        { path: 'params.team', before: undefined, after: 'sales' },
        { path: 'type', before: 'end', after: 'handoff' },
      ],
    });
  });

  it('compares edges by what they connect: a retargeted edge is one removed and one added', () => {
    const to = richFlow();
    const e = to.edges.find((x) => x.source === 'notify' && x.sourceHandle === 'error');
    if (!e) throw new Error('fixture changed');
    e.target = 'lost';
    to.nodes.push(end('extra'));
    to.edges.push(edge('route', 'later', 'extra'));
    const d = diffFlows(richFlow(), to);
    expect(d.edges.removed).toEqual([{ source: 'notify', sourceHandle: 'error', target: 'done' }]);
    expect(d.edges.added).toEqual([
      { source: 'notify', sourceHandle: 'error', target: 'lost' },
      { source: 'route', sourceHandle: 'later', target: 'extra' },
    ]);
  });

  it('notices a new name, and only the name', () => {
    const d = diffFlows(richFlow(), { ...richFlow(), name: 'Rich v2' });
    expect(d.nameChanged).toBe(true);
    expect(d.identical).toBe(false);
    expect(d.nodes.changed).toEqual([]);
  });
});
