import { beforeEach, describe, expect, it } from 'vitest';
import { isValidConnection, useEditor } from '../../editor/src/store';
import { flowTemplates } from '../../flow/templates';

const lead = flowTemplates.find((t) => t.id === 'lead-qualification')?.flow;
if (!lead) throw new Error('template missing');

const blank = {
  name: 'Blank',
  version: 0,
  nodes: [
    { id: 'start', type: 'trigger', params: { source: 'api' } },
    { id: 'done', type: 'end', params: { outcome: 'completed' } },
  ],
  edges: [{ id: 'e', source: 'start', sourceHandle: 'next', target: 'done' }],
};

const s = () => useEditor.getState();
const node = (id: string) => s().nodes.find((n) => n.id === id);

beforeEach(() => {
  s().load({ flowId: 'f1', name: blank.name, definition: blank, revision: 1, publishedVersion: null });
});

describe('editor store', () => {
  it('loads a flow with no problems and round-trips it', () => {
    s().load({ flowId: 'f2', name: lead.name, definition: lead, revision: 3, publishedVersion: 1 });
    expect(s().issues).toEqual([]);
    const back = s().flow();
    expect(back.nodes.map((n) => [n.id, n.type, n.params])).toEqual(lead.nodes.map((n) => [n.id, n.type, n.params]));
    expect(back.edges.map((e) => `${e.source}.${e.sourceHandle}>${e.target}`).sort()).toEqual(
      lead.edges.map((e) => `${e.source}.${e.sourceHandle}>${e.target}`).sort(),
    );
  });

  it('adds a step with starter params and shows its unconnected outputs as problems on it', () => {
    const id = s().addNode('send-message', { x: 0, y: 200 });
    expect(id).toBe('send-message-1');
    expect(node(id)?.data.params).toMatchObject({ channel: 'sms' });
    const codes = node(id)?.data.issues.map((i) => i.code);
    expect(codes).toContain('unconnected_output');
    expect(codes).toContain('unreachable_node');
    expect(s().saveState).toBe('dirty');
  });

  it('accepts connections only from declared outputs and never into the trigger', () => {
    const id = s().addNode('wait-for-reply', { x: 0, y: 0 });
    const nodes = s().nodes;
    expect(isValidConnection(nodes, { source: id, sourceHandle: 'replied', target: 'done' })).toBe(true);
    expect(isValidConnection(nodes, { source: id, sourceHandle: 'sent', target: 'done' })).toBe(false);
    expect(isValidConnection(nodes, { source: id, sourceHandle: 'replied', target: 'start' })).toBe(false);
    expect(isValidConnection(nodes, { source: 'done', sourceHandle: 'next', target: id })).toBe(false);
  });

  it('moves a connection when an output is connected again', () => {
    const id = s().addNode('send-message', { x: 0, y: 0 });
    s().connect({ source: 'start', sourceHandle: 'next', target: id, targetHandle: null });
    const fromStart = s().edges.filter((e) => e.source === 'start');
    expect(fromStart).toHaveLength(1);
    expect(fromStart[0]?.target).toBe(id);
  });

  it('undoes and redoes edits, coalescing a burst of typing into one step', () => {
    const id = s().addNode('send-message', { x: 0, y: 0 });
    for (const text of ['H', 'He', 'Hel', 'Hell', 'Hello']) s().updateParams(id, { channel: 'sms', text });
    expect(node(id)?.data.params.text).toBe('Hello');
    s().undo();
    expect(node(id)?.data.params.text).not.toBe('Hello');
    expect(node(id)).toBeDefined();
    s().undo();
    expect(node(id)).toBeUndefined();
    s().redo();
    s().redo();
    expect(node(id)?.data.params.text).toBe('Hello');
  });

  it('re-renders only the edited step: other steps keep their objects while typing', () => {
    s().load({ flowId: 'f2', name: lead.name, definition: lead, revision: 1, publishedVersion: 1 });
    const before = new Map(s().nodes.map((n) => [n.id, n]));
    s().updateParams('ask', { channel: 'sms', text: 'Hi! Still interested?' });
    const changed = s()
      .nodes.filter((n) => before.get(n.id) !== n)
      .map((n) => n.id);
    expect(changed).toEqual(['ask']);
  });

  it('shows a param problem on the step and clears it once fixed', () => {
    s().load({ flowId: 'f2', name: lead.name, definition: lead, revision: 1, publishedVersion: 1 });
    s().updateParams('ask', { channel: 'sms', text: '' });
    expect(node('ask')?.data.issues).toEqual([
      expect.objectContaining({ code: 'invalid_params', path: ['nodes', 1, 'params', 'text'] }),
    ]);
    s().updateParams('ask', { channel: 'sms', text: 'Back again' });
    expect(node('ask')?.data.issues).toEqual([]);
  });

  it('drops the connections of a branch rule that was removed', () => {
    s().load({ flowId: 'f2', name: lead.name, definition: lead, revision: 1, publishedVersion: 1 });
    const params = node('intent')?.data.params as { rules: { id: string }[] };
    s().updateParams('intent', { rules: params.rules.filter((r) => r.id !== 'out') });
    expect(s().edges.some((e) => e.source === 'intent' && e.sourceHandle === 'out')).toBe(false);
    expect(s().issues.some((i) => i.code === 'unreachable_node' && i.nodeId === 'tag-out')).toBe(true);
  });

  it('copies and pastes steps with the connections between them, under new ids', () => {
    s().load({ flowId: 'f2', name: lead.name, definition: lead, revision: 1, publishedVersion: 1 });
    useEditor.setState({
      nodes: s().nodes.map((n) => ({ ...n, selected: n.id === 'tag-hot' || n.id === 'to-sales' })),
    });
    s().copy();
    s().paste();
    const pasted = s()
      .nodes.filter((n) => n.selected)
      .map((n) => n.id);
    expect(pasted).toEqual(['update-contact-1', 'handoff-1']);
    expect(s().edges.some((e) => e.source === 'update-contact-1' && e.target === 'handoff-1')).toBe(true);
  });

  it('deletes the selection with its edges', () => {
    s().load({ flowId: 'f2', name: lead.name, definition: lead, revision: 1, publishedVersion: 1 });
    s().selectOnly('reminder');
    s().deleteSelected();
    expect(node('reminder')).toBeUndefined();
    expect(s().edges.some((e) => e.source === 'reminder' || e.target === 'reminder')).toBe(false);
  });

  it('refuses edits while a published version is open read-only', () => {
    s().load({ flowId: 'f2', name: lead.name, definition: lead, revision: 1, publishedVersion: 1, viewingVersion: 1 });
    s().addNode('end', { x: 0, y: 0 });
    s().updateParams('ask', { channel: 'sms', text: 'changed' });
    expect(s().nodes).toHaveLength(lead.nodes.length);
    expect(node('ask')?.data.params.text).not.toBe('changed');
  });

  it('lays the flow out top to bottom from the trigger', () => {
    s().load({ flowId: 'f2', name: lead.name, definition: lead, revision: 1, publishedVersion: 1 });
    s().layout();
    const y = (id: string) => node(id)?.position.y ?? Number.NaN;
    expect(y('start')).toBeLessThan(y('ask'));
    expect(y('ask')).toBeLessThan(y('wait'));
    expect(y('intent')).toBeLessThan(y('tag-hot'));
  });

  it('decorates the path of a run on the steps', () => {
    s().load({ flowId: 'f2', name: lead.name, definition: lead, revision: 1, publishedVersion: 1 });
    s().setOverlay({ path: ['start', 'ask', 'wait'], current: 'wait' });
    expect(node('ask')?.data.highlight).toBe('visited');
    expect(node('wait')?.data.highlight).toBe('current');
    expect(node('intent')?.data.highlight).toBeNull();
    s().setFunnel({ start: { through: 4, at: 0 }, wait: { through: 3, at: 2 } });
    expect(node('wait')?.data.funnel).toEqual({ through: 3, at: 2 });
    expect(node('intent')?.data.funnel).toEqual({ through: 0, at: 0 });
  });
});
