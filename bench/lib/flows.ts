import type { Flow } from '../../flow';

/** Five sends in a row, each failure ending the flow: the flow-overhead benchmark's journey. */
export function fiveSendFlow(): Flow {
  const sends = Array.from({ length: 5 }, (_, i) => ({
    id: `send-${i + 1}`,
    type: 'send-message',
    params: { channel: 'sms', text: `Message ${i + 1}` },
  }));
  const nodes = [
    { id: 'start', type: 'trigger', params: { source: 'api' } },
    ...sends,
    { id: 'end', type: 'end', params: {} },
  ];
  const ids = nodes.map((n) => n.id);
  const edges = ids.slice(0, -1).flatMap((id, i) => {
    const handle = id === 'start' ? 'next' : 'sent';
    const e = [{ id: `e${i}`, source: id, sourceHandle: handle, target: ids[i + 1] as string }];
    if (id !== 'start') e.push({ id: `f${i}`, source: id, sourceHandle: 'failed', target: 'end' });
    return e;
  });
  return { name: 'five sends', version: 0, nodes, edges };
}

/** A chain of `length` nodes (trigger, sends, two ends), for size benchmarks. */
export function chainFlow(length: number): Flow {
  const nodes: Flow['nodes'] = [{ id: 'start', type: 'trigger', params: { source: 'api' } }];
  const edges: Flow['edges'] = [];
  let prev = 'start';
  let handle = 'next';
  for (let i = 0; i < length - 3; i++) {
    const id = `n${i}`;
    nodes.push({ id, type: 'send-message', params: { channel: 'sms', text: `Step ${i} for {{contact.firstName}}` } });
    edges.push({ id: `e${i}`, source: prev, sourceHandle: handle, target: id });
    edges.push({ id: `f${i}`, source: id, sourceHandle: 'failed', target: 'failed' });
    prev = id;
    handle = 'sent';
  }
  nodes.push({ id: 'done', type: 'end', params: {} }, { id: 'failed', type: 'end', params: { outcome: 'failed' } });
  edges.push({ id: 'last', source: prev, sourceHandle: handle, target: 'done' });
  return { name: `${length} nodes`, version: 0, nodes, edges };
}
