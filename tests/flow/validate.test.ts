import { describe, expect, it } from 'vitest';
import { compileFlow, type Flow, validateFlow } from '../../flow';
import { welcomeFlow } from '../helpers/fixtures';
import { around, edge, end, flow, node, prng, richFlow, trigger } from './build';

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

  it('2,000 random mutations of a valid flow never throw, never hit an internal error, and every refusal has an issue', () => {
    const r = prng(2026);
    const junk: unknown[] = [
      null,
      0,
      -1,
      1.5,
      5000,
      '',
      'x',
      '💥'.repeat(300),
      [],
      [null],
      {},
      true,
      { id: 1 },
      JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {}}}'),
    ];
    const texts = [
      '{{contact.firstName}}',
      '{{nope.x}}',
      '{{nodes.ghost.output.text}}',
      '{{nodes.ask.output.text | upper}}',
      '{{contact.x | shout}}',
      '{{contact.__proto__.polluted}}',
      '{{ contact.constructor }}',
      '{{',
      '}}{{',
      '{{contact.a.b.c.d.e.f.g.h.i.j.k.l.m}}',
      '{{contact.x | truncate: -5 | number: -1}}',
      'x'.repeat(5000),
    ];
    const handles = ['next', 'sent', 'failed', 'replied', 'timeout', 'yes', 'else', 'a', 'b', 'ok', 'bogus', ''];
    const types = ['trigger', 'send-message', 'wait-for-reply', 'branch', 'split', 'end', 'teleport', 'delay'];
    const mutate = (doc: Record<string, unknown>) => {
      // Earlier mutations may have left junk where the lists or their items were.
      const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
      const nodes: unknown[] = Array.isArray(doc.nodes) ? doc.nodes : [];
      const edges: unknown[] = Array.isArray(doc.edges) ? doc.edges : [];
      const someOf = (list: unknown[]) => {
        const objects = list.filter(isObject);
        return objects.length ? r.pick(objects) : undefined;
      };
      const someNode = () => someOf(nodes);
      const someEdge = () => someOf(edges);
      const ids = [...nodes.filter(isObject).map((n) => n.id), 'ghost', 'start'];
      switch (r.int(14)) {
        case 0:
          nodes.splice(r.int(nodes.length), 1);
          break;
        case 1:
          edges.splice(r.int(edges.length), 1);
          break;
        case 2: {
          const n = someNode();
          if (n) n[r.pick(['id', 'type', 'params', 'maxVisits', 'ui'])] = r.pick(junk);
          break;
        }
        case 3: {
          const params = someNode()?.params as Record<string, unknown> | undefined;
          if (params && typeof params === 'object') {
            const keys = Object.keys(params);
            const key = keys.length && r.next() < 0.7 ? r.pick(keys) : r.pick(['text', 'rules', 'arms', 'timeout']);
            if (r.next() < 0.3) delete params[key];
            else params[key] = r.pick(junk);
          }
          break;
        }
        case 4: {
          const e = someEdge();
          if (e) e[r.pick(['source', 'target'])] = r.pick(ids);
          break;
        }
        case 5: {
          const e = someEdge();
          if (e) e.sourceHandle = r.pick(handles);
          break;
        }
        case 6:
          if (nodes.length) nodes.push(structuredClone(r.pick(nodes)));
          break;
        case 7:
          edges.push({
            id: `fz${r.int(1e6)}`,
            source: r.pick(ids),
            sourceHandle: r.pick(handles),
            target: r.pick(ids),
          });
          break;
        case 8: {
          const params = someNode()?.params as Record<string, unknown> | undefined;
          if (params && typeof params === 'object')
            params[r.pick(['text', 'note', 'url', 'question', 'firstMessage'])] = r.pick(texts);
          break;
        }
        case 9:
          doc[r.pick(['name', 'nodes', 'edges', 'version', 'id'])] = r.pick(junk);
          break;
        case 10: {
          const n = someNode();
          if (n) n.type = r.pick(types);
          break;
        }
        case 11: {
          const n = someNode();
          if (n) n.maxVisits = r.pick([0, -1, 1.5, 1, 3, 1000, 1001, '3']);
          break;
        }
        case 12: {
          const e = someEdge();
          if (e) e.id = r.pick([...edges.filter(isObject).map((x) => x.id), '', 7]);
          break;
        }
        default: {
          const n = someNode();
          if (n) n.id = r.pick([...ids, 'bad id', '', 'x'.repeat(65)]);
        }
      }
    };
    const bases = [welcomeFlow, richFlow()];
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const doc = structuredClone(r.pick(bases)) as unknown as Record<string, unknown>;
      const count = 1 + r.int(3);
      for (let m = 0; m < count; m++) mutate(doc);
      let result: ReturnType<typeof validateFlow> | undefined;
      expect(() => {
        result = validateFlow(doc);
      }).not.toThrow();
      if (!result) throw new Error('unreachable');
      if (result.ok) {
        accepted++;
        // Whatever validates also compiles.
        expect(compileFlow(doc).ok).toBe(true);
      } else {
        expect(result.issues.length).toBeGreaterThan(0);
        for (const issue of result.issues) {
          expect(issue.code).not.toBe('validation_error');
          expect(Array.isArray(issue.path)).toBe(true);
          expect(issue.message.length).toBeGreaterThan(0);
        }
      }
    }
    // The mutations are not all fatal (ui, a duplicate edge id…) nor all harmless.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(2000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** The issues of a flow, as [code, nodeId or edgeId] pairs. */
const codesOf = (input: unknown) => validateFlow(input).issues.map((i) => [i.code, i.nodeId ?? i.edgeId]);

describe('validateFlow: documents', () => {
  it('accepts the rich flow and returns it parsed, with defaults applied', () => {
    const doc = richFlow() as Partial<Flow>;
    delete doc.version;
    const result = validateFlow(doc);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.flow?.version).toBe(0);
  });

  it('reports a document that is not a flow as invalid_document issues, naming the node of a bad node', () => {
    expect(validateFlow(null).issues[0]).toMatchObject({ code: 'invalid_document', path: [] });
    const f = clone(welcomeFlow);
    (f.nodes[1] as { id: string }).id = 'has spaces';
    const result = validateFlow(f);
    expect(result.ok).toBe(false);
    expect(result.issues).toContainEqual(
      expect.objectContaining({ code: 'invalid_document', nodeId: 'has spaces', path: ['nodes', 1, 'id'] }),
    );
  });

  it('names the edge of a malformed edge', () => {
    const f = clone(welcomeFlow) as unknown as { edges: Record<string, unknown>[] };
    delete (f.edges[1] as Record<string, unknown>).sourceHandle;
    expect(validateFlow(f).issues).toContainEqual(
      expect.objectContaining({ code: 'invalid_document', edgeId: 'e2', path: ['edges', 1, 'sourceHandle'] }),
    );
  });

  it('points multiple_triggers at the second trigger', () => {
    const f = clone(welcomeFlow);
    f.nodes.push(node('again', 'trigger', { source: 'campaign' }));
    expect(validateFlow(f).issues).toContainEqual(
      expect.objectContaining({ code: 'multiple_triggers', nodeId: 'again', path: ['nodes'] }),
    );
  });
});

describe('validateFlow: params of every node type', () => {
  // [type, bad params, the params path the issue must point at]
  const cases: Array<[string, Record<string, unknown>, (string | number)[]]> = [
    ['trigger', { source: 'smoke-signal' }, ['source']],
    ['trigger', { source: 'schedule', cron: 'every day' }, ['cron']],
    ['send-message', { channel: 'fax', text: 'hi' }, ['channel']],
    ['send-message', { channel: 'sms', text: 'x'.repeat(4097) }, ['text']],
    ['place-call', { persona: 'friendly' }, ['firstMessage']],
    ['place-call', { firstMessage: 'hi', maxDurationSeconds: 5 }, ['maxDurationSeconds']],
    ['wait-for-reply', { timeout: 'soon' }, ['timeout']],
    ['wait-for-reply', { timeout: '1h', channel: 'pager' }, ['channel']],
    ['delay', { mode: 'duration', duration: '0s' }, ['duration']],
    ['delay', { mode: 'until-window', window: { start: '25:00', end: '10:00' } }, ['window', 'start']],
    ['delay', { mode: 'until-window', window: { days: [0], start: '09:00', end: '10:00' } }, ['window', 'days', 0]],
    ['delay', { mode: 'until-window', window: { start: '24:00', end: '00:00' } }, ['window']],
    [
      'delay',
      { mode: 'quiet-hours', start: '21:00', end: '08:00', fallbackTimeZone: 'Mars/Olympus' },
      ['fallbackTimeZone'],
    ],
    ['delay', { mode: 'sometime' }, ['mode']],
    ['branch', { rules: [] }, ['rules']],
    ['branch', { rules: [{ id: 'else', conditions: [{ field: 'contact.x', operator: 'exists' }] }] }, ['rules']],
    [
      'branch',
      { rules: [{ id: 'a', conditions: [{ field: 'contact.x', operator: 'like' }] }] },
      ['rules', 0, 'conditions', 0, 'operator'],
    ],
    [
      'branch',
      { rules: [{ id: 'a', conditions: [{ field: 'secrets.x', operator: 'exists' }] }] },
      ['rules', 0, 'conditions', 0, 'field'],
    ],
    [
      'split',
      {
        arms: [
          { id: 'a', percent: 50 },
          { id: 'b', percent: 40 },
        ],
      },
      ['arms'],
    ],
    [
      'split',
      {
        arms: [
          { id: 'a', percent: 50 },
          { id: 'a', percent: 50 },
        ],
      },
      ['arms'],
    ],
    ['ai-reply', { channel: 'sms', minConfidence: 2 }, ['minConfidence']],
    ['ai-reply', {}, ['channel']],
    ['update-contact', {}, []],
    ['update-contact', { scoreDelta: 1.5 }, ['scoreDelta']],
    ['handoff', { note: 'help' }, ['team']],
    ['handoff', { team: 'sales', priority: 'asap' }, ['priority']],
    ['http-request', { url: 'ftp://example.com' }, ['url']],
    ['http-request', { url: 'https://example.com', method: 'TRACE' }, ['method']],
    ['start-flow', { flowId: 'not-a-uuid' }, ['flowId']],
    ['end', { outcome: '' }, ['outcome']],
  ];

  it.each(cases)('%s with %j is invalid_params at params.%j', (type, params, path) => {
    const f = flow([trigger(), node('n', type, params)], [edge('start', 'next', 'n')]);
    const issues = validateFlow(f).issues.filter((i) => i.code === 'invalid_params');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues).toContainEqual(expect.objectContaining({ nodeId: 'n', path: ['nodes', 1, 'params', ...path] }));
  });

  it('does not report outputs of a node whose params are invalid (its outputs are unknown)', () => {
    const f = flow([trigger(), node('n', 'branch', { rules: [] })], [edge('start', 'next', 'n')]);
    const codes = validateFlow(f).issues.map((i) => i.code);
    expect(codes).toEqual(['invalid_params']);
  });
});

describe('validateFlow: edges', () => {
  it('reports an edge leaving an unknown node at its source', () => {
    const f = clone(welcomeFlow);
    f.edges.push(edge('ghost', 'next', 'done', 'e-ghost'));
    expect(validateFlow(f).issues).toContainEqual(
      expect.objectContaining({ code: 'dangling_edge', edgeId: 'e-ghost', path: ['edges', 3, 'source'] }),
    );
  });

  it('reports an edge into an unknown node at its target', () => {
    const f = clone(welcomeFlow);
    f.edges[1] = edge('welcome', 'sent', 'nowhere', 'e2');
    expect(validateFlow(f).issues).toContainEqual(
      expect.objectContaining({ code: 'dangling_edge', edgeId: 'e2', path: ['edges', 1, 'target'] }),
    );
  });

  it('reports an output the node does not declare, listing the ones it has', () => {
    const f = clone(welcomeFlow);
    f.edges[1] = edge('welcome', 'delivered', 'done', 'e2');
    const issue = validateFlow(f).issues.find((i) => i.code === 'unknown_output');
    expect(issue).toMatchObject({ nodeId: 'welcome', edgeId: 'e2', path: ['edges', 1, 'sourceHandle'] });
    expect(issue?.message).toContain('sent, failed');
  });

  it('reports any edge out of an End node, which has no outputs', () => {
    const f = clone(welcomeFlow);
    f.edges.push(edge('done', 'next', 'bounced', 'e-after-end'));
    const issue = validateFlow(f).issues.find((i) => i.code === 'unknown_output');
    expect(issue).toMatchObject({ nodeId: 'done', edgeId: 'e-after-end' });
    expect(issue?.message).toContain('has no outputs');
  });

  it('reports an output connected twice', () => {
    const f = clone(welcomeFlow);
    f.edges.push(edge('welcome', 'sent', 'bounced', 'e-twice'));
    expect(validateFlow(f).issues).toContainEqual(
      expect.objectContaining({
        code: 'duplicate_output_edge',
        nodeId: 'welcome',
        edgeId: 'e-twice',
        path: ['edges', 3],
      }),
    );
  });

  it('reports an edge into the trigger', () => {
    const f = clone(welcomeFlow);
    f.edges[2] = edge('welcome', 'failed', 'start', 'e3');
    expect(validateFlow(f).issues).toContainEqual(
      expect.objectContaining({ code: 'edge_into_trigger', edgeId: 'e3', path: ['edges', 2, 'target'] }),
    );
  });

  it('reports every declared output that leads nowhere as unconnected_output', () => {
    const f = clone(welcomeFlow);
    f.edges = f.edges.filter((e) => e.id !== 'e3');
    f.nodes = f.nodes.filter((n) => n.id !== 'bounced');
    const issues = validateFlow(f).issues;
    expect(issues).toEqual([
      expect.objectContaining({ code: 'unconnected_output', nodeId: 'welcome', path: ['nodes', 1] }),
    ]);
    expect(issues[0]?.message).toContain('"failed"');
  });

  it('reports nodes the trigger cannot reach', () => {
    const f = clone(welcomeFlow);
    f.nodes.push(end('orphan'));
    expect(codesOf(f)).toEqual([['unreachable_node', 'orphan']]);
  });

  it('reports a node reached only through an invalid edge as unreachable', () => {
    const f = clone(welcomeFlow);
    f.edges[1] = edge('welcome', 'delivered', 'done', 'e2');
    expect(codesOf(f)).toEqual(
      expect.arrayContaining([
        ['unknown_output', 'welcome'],
        ['unconnected_output', 'welcome'],
        ['unreachable_node', 'done'],
      ]),
    );
  });
});

describe('validateFlow: loops', () => {
  const sendLoop = (maxVisits?: number) =>
    flow(
      [
        trigger(),
        node('retry', 'send-message', { channel: 'sms', text: 'hi' }, maxVisits ? { maxVisits } : {}),
        end('done'),
      ],
      [edge('start', 'next', 'retry'), edge('retry', 'failed', 'retry'), edge('retry', 'sent', 'done')],
    );

  it('refuses a loop that never waits, even with a visit limit', () => {
    expect(codesOf(sendLoop(3))).toEqual([['loop_without_wait', 'retry']]);
  });

  it('refuses a loop without maxVisits, pointing at the maxVisits field', () => {
    const issues = validateFlow(sendLoop()).issues;
    expect(issues.map((i) => i.code).sort()).toEqual(['loop_without_limit', 'loop_without_wait']);
    expect(issues.find((i) => i.code === 'loop_without_limit')?.path).toEqual(['nodes', 1, 'maxVisits']);
  });

  const replyLoop = (maxVisitsOn?: string) =>
    flow(
      [
        trigger(),
        node('ask', 'send-message', { channel: 'sms', text: 'Coming?' }, maxVisitsOn === 'ask' ? { maxVisits: 3 } : {}),
        node('wait', 'wait-for-reply', { timeout: '1d' }, maxVisitsOn === 'wait' ? { maxVisits: 3 } : {}),
        node('check', 'branch', {
          rules: [{ id: 'yes', conditions: [{ field: 'nodes.wait.output.intent', operator: 'eq', value: 'yes' }] }],
        }),
        end('done'),
        end('bounced'),
      ],
      [
        edge('start', 'next', 'ask'),
        edge('ask', 'sent', 'wait'),
        edge('ask', 'failed', 'bounced'),
        edge('wait', 'replied', 'check'),
        edge('wait', 'timeout', 'ask'),
        edge('check', 'yes', 'done'),
        edge('check', 'else', 'ask'),
      ],
    );

  it('accepts a loop through a wait-for-reply node with maxVisits on any node of the loop', () => {
    expect(validateFlow(replyLoop('wait')).issues).toEqual([]);
    expect(validateFlow(replyLoop('ask')).issues).toEqual([]);
  });

  it('refuses the same loop without maxVisits (but it waits)', () => {
    expect(codesOf(replyLoop()).map(([code]) => code)).toEqual(['loop_without_limit']);
  });

  it('accepts a wait-for-reply that loops on itself with maxVisits', () => {
    const f = flow(
      [trigger(), node('wait', 'wait-for-reply', { timeout: '1h' }, { maxVisits: 5 }), end('done')],
      [edge('start', 'next', 'wait'), edge('wait', 'timeout', 'wait'), edge('wait', 'replied', 'done')],
    );
    expect(validateFlow(f).issues).toEqual([]);
  });

  it('checks loops among unreachable nodes too', () => {
    const f = clone(welcomeFlow);
    f.nodes.push(node('island', 'update-contact', { addTags: ['x'] }));
    f.edges.push(edge('island', 'next', 'island'));
    expect(codesOf(f).map(([code]) => code)).toEqual(
      expect.arrayContaining(['unreachable_node', 'loop_without_wait', 'loop_without_limit']),
    );
  });
});

describe('validateFlow: template expressions', () => {
  const withText = (text: string, type = 'send-message', field = 'text') => {
    const params: Record<string, Record<string, unknown>> = {
      'send-message': { channel: 'sms', text: 'hi' },
      'place-call': { firstMessage: 'hi' },
      'ai-reply': { channel: 'sms' },
      handoff: { team: 'sales' },
      'http-request': { url: 'https://example.com/' },
    };
    const outputs: Record<string, string[]> = {
      'send-message': ['sent', 'failed'],
      'place-call': ['answered', 'voicemail', 'no-answer', 'busy', 'failed'],
      'ai-reply': ['answered', 'unsure'],
      handoff: ['resolved', 'unresolved'],
      'http-request': ['ok', 'error'],
    };
    const p = { ...params[type], [field]: text };
    return around(node('n', type, p), outputs[type] ?? []);
  };

  it('accepts known roots, filters and references to existing nodes', () => {
    const text =
      '{{contact.firstName | default: "there" | capitalize}} {{vars.x}} {{trigger.a}} {{run.id}} {{nodes.start.output.x | json}}';
    expect(validateFlow(withText(text)).issues).toEqual([]);
  });

  it.each([
    ['send-message', 'text'],
    ['send-message', 'subject'],
    ['place-call', 'firstMessage'],
    ['place-call', 'voicemailMessage'],
    ['ai-reply', 'question'],
    ['handoff', 'note'],
    ['http-request', 'url'],
  ])('checks %s.%s for unknown roots and filters', (type, field) => {
    const value =
      type === 'http-request'
        ? 'https://x/{{secrets.key}}/{{contact.id | shout}}'
        : 'Hi {{secrets.key}} {{contact.id | shout}}';
    const issues = validateFlow(withText(value, type, field)).issues;
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['invalid_expression', ['nodes', 1, 'params', field]],
      ['invalid_expression', ['nodes', 1, 'params', field]],
    ]);
    expect(issues[0]?.message).toContain('must start with one of');
    expect(issues[1]?.message).toContain('unknown filter "shout"');
  });

  it('reports a malformed placeholder body', () => {
    expect(validateFlow(withText('Hi {{ contact..name }}')).issues).toContainEqual(
      expect.objectContaining({ code: 'invalid_expression', nodeId: 'n' }),
    );
  });

  it('reports {{nodes.<id>}} for a node that does not exist as unknown_node_reference', () => {
    const issues = validateFlow(withText('You said {{nodes.ask.output.text}}')).issues;
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'unknown_node_reference',
        nodeId: 'n',
        path: ['nodes', 1, 'params', 'text'],
      }),
    ]);
    expect(issues[0]?.message).toContain('"ask"');
  });
});

describe('validateFlow: outputs that depend on params', () => {
  const branch = node('b', 'branch', {
    rules: [
      { id: 'hot', conditions: [{ field: 'contact.score', operator: 'gte', value: 80 }] },
      { id: 'warm', conditions: [{ field: 'contact.score', operator: 'gte', value: 40 }] },
    ],
  });
  const split = node('s', 'split', {
    arms: [
      { id: 'control', percent: 34 },
      { id: 'short', percent: 33 },
      { id: 'long', percent: 33 },
    ],
  });

  it('a branch has one output per rule id and "else"', () => {
    expect(validateFlow(around(branch, ['hot', 'warm', 'else'])).issues).toEqual([]);
    expect(codesOf(around(branch, ['hot', 'warm']))).toEqual([['unconnected_output', 'b']]);
    const extra = around(branch, ['hot', 'warm', 'else']);
    extra.edges.push(edge('b', 'cold', 'end-else'));
    expect(codesOf(extra)).toEqual([['unknown_output', 'b']]);
  });

  it('a split has one output per arm', () => {
    expect(validateFlow(around(split, ['control', 'short', 'long'])).issues).toEqual([]);
    const missing = validateFlow(around(split, ['control', 'short'])).issues;
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ code: 'unconnected_output', nodeId: 's' });
    expect(missing[0]?.message).toContain('"long"');
    expect(codesOf(around(split, ['control', 'short', 'long', 'else']))).toEqual([
      ['unknown_output', 's'],
      ['unreachable_node', 'end-else'], // only the refused edge led there
    ]);
  });
});

describe('validateFlow: size', () => {
  it('accepts a 300-node chain of send-message nodes ending in an End node', () => {
    const sends = Array.from({ length: 298 }, (_, i) =>
      node(`send-${i}`, 'send-message', { channel: 'sms', text: `Message ${i} for {{contact.firstName}}` }),
    );
    const f = flow(
      [trigger(), ...sends, end('done')],
      [
        edge('start', 'next', 'send-0'),
        ...sends.flatMap((s, i) => [edge(s.id, 'sent', sends[i + 1]?.id ?? 'done'), edge(s.id, 'failed', 'done')]),
      ],
    );
    expect(f.nodes).toHaveLength(300);
    const result = validateFlow(f);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
  });
});

describe('expressions anywhere in params', () => {
  it('checks expressions in branch rules, contact updates, headers and call scripts, and their node references', () => {
    const flow = {
      name: 'refs',
      nodes: [
        { id: 'start', type: 'trigger', params: { source: 'api' } },
        {
          id: 'b',
          type: 'branch',
          params: {
            rules: [
              {
                id: 'r',
                conditions: [{ field: 'nodes.ghost.output.intent', operator: 'eq', value: '{{vars.x | shout}}' }],
              },
            ],
          },
        },
        { id: 'u', type: 'update-contact', params: { set: { seen: '{{nodes.phantom.output.text}}' } } },
        { id: 'h', type: 'http-request', params: { url: 'https://x.test', headers: { 'x-who': '{{contact.}}' } } },
        { id: 'c', type: 'place-call', params: { firstMessage: 'Hi', script: ['{{nodes.nobody.output.x}}'] } },
        { id: 'end', type: 'end', params: {} },
      ],
      edges: [
        { id: 'e1', source: 'start', sourceHandle: 'next', target: 'b' },
        { id: 'e2', source: 'b', sourceHandle: 'r', target: 'u' },
        { id: 'e3', source: 'b', sourceHandle: 'else', target: 'end' },
        { id: 'e4', source: 'u', sourceHandle: 'next', target: 'h' },
        { id: 'e5', source: 'h', sourceHandle: 'ok', target: 'c' },
        { id: 'e6', source: 'h', sourceHandle: 'error', target: 'end' },
        ...['answered', 'voicemail', 'no-answer', 'busy', 'failed'].map((o) => ({
          id: `c-${o}`,
          source: 'c',
          sourceHandle: o,
          target: 'end',
        })),
      ],
    };
    const issues = validateFlow(flow).issues.map((i) => [i.nodeId, i.code, i.path.slice(3).join('.')]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ['b', 'unknown_node_reference', 'rules.0.conditions.0.field'],
        ['b', 'invalid_expression', 'rules.0.conditions.0.value'],
        ['u', 'unknown_node_reference', 'set.seen'],
        ['h', 'invalid_expression', 'headers.x-who'],
        ['c', 'unknown_node_reference', 'script.0'],
      ]),
    );
  });

  it('reports an edge id used twice', () => {
    const flow = {
      name: 'dup',
      nodes: [
        { id: 'start', type: 'trigger', params: { source: 'api' } },
        { id: 'end', type: 'end', params: {} },
        { id: 'end2', type: 'end', params: {} },
      ],
      edges: [
        { id: 'e', source: 'start', sourceHandle: 'next', target: 'end' },
        { id: 'e', source: 'start', sourceHandle: 'next', target: 'end2' },
      ],
    };
    expect(validateFlow(flow).issues.map((i) => i.code)).toContain('duplicate_edge');
  });
});
