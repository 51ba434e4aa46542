import { describe, expect, it } from 'vitest';
import { compileFlow, type Flow, PlanSchema } from '../../flow';
import { edge, end, flow, node, plan, richFlow, trigger } from './build';

/** The same object with its keys in reverse order, at every depth. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    ) as T;
  }
  return value;
}

describe('compileFlow', () => {
  it('produces a plan the PlanSchema accepts, starting at the trigger', () => {
    const p = plan(richFlow());
    expect(PlanSchema.parse(p)).toEqual(p);
    expect(p.format).toBe(1);
    expect(p.name).toBe('Rich');
    expect(p.start).toBe('start');
    expect(Object.keys(p.nodes).sort()).toEqual(
      richFlow()
        .nodes.map((n) => n.id)
        .sort(),
    );
  });

  it('maps each output to the node it leads to', () => {
    const p = plan(richFlow());
    expect(p.nodes.start?.next).toEqual({ next: 'hello' });
    expect(p.nodes.ask?.next).toEqual({ replied: 'route', timeout: 'nudge' });
    expect(p.nodes.route?.next).toEqual({ yes: 'ab', stop: 'optout', else: 'answer' });
    expect(p.nodes.ab?.next).toEqual({ a: 'tag', b: 'call' });
    expect(p.nodes.done?.next).toEqual({});
  });

  it('stores params parsed, with defaults applied', () => {
    const p = plan(richFlow());
    const rules = p.nodes.route?.params.rules as Array<{ id: string; match: string }>;
    expect(rules.map((r) => [r.id, r.match])).toEqual([
      ['yes', 'all'],
      ['stop', 'all'],
    ]);
    expect(p.nodes.call?.params).toMatchObject({
      persona: 'You are a friendly assistant calling on behalf of the company.',
      script: [],
      maxDurationSeconds: 300,
    });
    expect(p.nodes.answer?.params).toEqual({
      question: '{{vars.lastReply}}',
      sourceIds: [],
      minConfidence: 0.6,
      channel: 'sms',
      send: true,
    });
    expect(p.nodes.human?.params).toMatchObject({ priority: 'normal', waitForResolution: true, timeout: '3d' });
    expect(p.nodes.notify?.params).toMatchObject({ method: 'POST', headers: {}, timeoutSeconds: 15 });
    expect(p.nodes.tag?.params).toEqual({ set: {}, addTags: ['interested'], removeTags: [] });
    const ended = plan(flow([trigger(), node('end', 'end')], [edge('start', 'next', 'end')]));
    expect(ended.nodes.end?.params).toEqual({ outcome: 'completed' });
  });

  it('drops params the node type does not declare', () => {
    const f = richFlow();
    (f.nodes[1] as { params: Record<string, unknown> }).params.color = 'red';
    expect(plan(f).nodes.hello?.params).not.toHaveProperty('color');
  });

  it('keeps maxVisits, and leaves it out when absent', () => {
    const p = plan(richFlow());
    expect(p.nodes.ask?.maxVisits).toBe(3);
    expect(p.nodes.hello).not.toHaveProperty('maxVisits');
  });

  it('does not carry editor layout into the plan', () => {
    const f = richFlow();
    for (const n of f.nodes) n.ui = { position: { x: 1, y: 2 } };
    expect(JSON.stringify(plan(f))).not.toContain('position');
  });

  describe('checksum', () => {
    it('is 64 lower-case hex characters', () => {
      expect(plan(richFlow()).checksum).toMatch(/^[a-f0-9]{64}$/);
    });

    it('is the same whatever the key order of the document', () => {
      const f = richFlow();
      expect(plan(reverseKeys(f)).checksum).toBe(plan(f).checksum);
    });

    it('is the same whatever the order of the nodes and edges', () => {
      const f = richFlow();
      const shuffled: Flow = { ...f, nodes: [...f.nodes].reverse(), edges: [...f.edges].reverse() };
      expect(plan(shuffled).checksum).toBe(plan(f).checksum);
    });

    it('is the same when only ui positions, edge ids or the flow id/version change', () => {
      const f = richFlow();
      const moved = structuredClone(f);
      moved.nodes.forEach((n, i) => {
        n.ui = { position: { x: i * 100, y: -i }, selected: true };
      });
      moved.edges.forEach((e, i) => {
        e.id = `renamed-${i}`;
      });
      moved.id = 'flow-1';
      moved.version = 9;
      expect(plan(moved).checksum).toBe(plan(f).checksum);
    });

    it('is the same when a param is written out with its default value', () => {
      const f = richFlow();
      const explicit = structuredClone(f);
      (explicit.nodes.find((n) => n.id === 'answer') as { params: Record<string, unknown> }).params.minConfidence = 0.6;
      expect(plan(explicit).checksum).toBe(plan(f).checksum);
    });

    it('changes when a param, a connection, a visit limit or the name changes', () => {
      const base = plan(richFlow()).checksum;
      const param = richFlow();
      (param.nodes[1] as { params: Record<string, unknown> }).params.text = 'Hello!';
      const connection = richFlow();
      const e = connection.edges.find((x) => x.source === 'notify' && x.sourceHandle === 'error');
      if (e) e.target = 'lost';
      const limit = richFlow();
      (limit.nodes.find((n) => n.id === 'ask') as { maxVisits?: number }).maxVisits = 4;
      const renamed = { ...richFlow(), name: 'Renamed' };
      const checksums = [param, connection, limit, renamed].map((f) => plan(f).checksum);
      expect(new Set([base, ...checksums]).size).toBe(5);
    });
  });

  it('returns the validation issues of an invalid flow instead of a plan', () => {
    const result = compileFlow(
      flow(
        [trigger(), node('send', 'send-message', { channel: 'sms', text: '{{secrets.x}}' }), end('done')],
        [edge('start', 'next', 'send'), edge('send', 'sent', 'done')],
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.code).sort()).toEqual(['invalid_expression', 'unconnected_output']);
    expect(compileFlow('not a flow')).toMatchObject({ ok: false, issues: [{ code: 'invalid_document' }] });
  });
});
