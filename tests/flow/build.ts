// Small builders for flow documents in the flow/ unit tests (not a test file itself).
import { compileFlow, type Flow, type FlowEdge, type FlowNode, type Plan } from '../../flow';

/** A node; `params` as the editor would store them. */
export function node(id: string, type: string, params: Record<string, unknown> = {}, extra: Partial<FlowNode> = {}) {
  return { id, type, params, ...extra } as FlowNode;
}

/** An edge from `source`'s output `handle` to `target`; its id says what it connects. */
export function edge(source: string, handle: string, target: string, id = `${source}.${handle}->${target}`): FlowEdge {
  return { id, source, sourceHandle: handle, target };
}

export function flow(nodes: FlowNode[], edges: FlowEdge[], name = 'Test flow'): Flow {
  return { name, version: 0, nodes, edges };
}

export const trigger = (id = 'start') => node(id, 'trigger', { source: 'api' });
export const end = (id: string, outcome = id) => node(id, 'end', { outcome });

/** Compiles a flow that must be valid, failing the test with its issues otherwise. */
export function plan(f: Flow): Plan {
  const result = compileFlow(f);
  if (!result.ok) throw new Error(`flow is invalid: ${JSON.stringify(result.issues, null, 2)}`);
  return result.plan;
}

/** trigger → `middle` → each of `outputs` to an End node whose outcome is the output's name. */
export function around(middle: FlowNode, outputs: readonly string[]): Flow {
  return flow(
    [trigger(), middle, ...outputs.map((o) => end(`end-${o}`, o))],
    [edge('start', 'next', middle.id), ...outputs.map((o) => edge(middle.id, o, `end-${o}`))],
  );
}

/** A deterministic pseudo-random generator (mulberry32) so property tests are repeatable. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}

/** A valid flow that uses every kind of node except start-flow, with a wait loop (ask ⇄ nudge). */
export function richFlow(): Flow {
  return flow(
    [
      trigger(),
      node('hello', 'send-message', { channel: 'sms', text: 'Hi {{contact.firstName | default: "there"}}!' }),
      node('ask', 'wait-for-reply', { timeout: '1d' }, { maxVisits: 3 }),
      node('nudge', 'send-message', { channel: 'sms', text: 'Still there, {{contact.firstName}}?' }),
      node('route', 'branch', {
        rules: [
          { id: 'yes', conditions: [{ field: 'nodes.ask.output.intent', operator: 'eq', value: 'yes' }] },
          { id: 'stop', conditions: [{ field: 'nodes.ask.output.intent', operator: 'eq', value: 'stop' }] },
        ],
      }),
      node('ab', 'split', {
        arms: [
          { id: 'a', percent: 50 },
          { id: 'b', percent: 50 },
        ],
      }),
      node('tag', 'update-contact', { addTags: ['interested'] }),
      node('notify', 'http-request', { url: 'https://example.com/hooks/{{contact.id}}' }),
      node('call', 'place-call', { firstMessage: 'Hello {{contact.firstName}}, you said: {{nodes.ask.output.text}}' }),
      node('answer', 'ai-reply', { channel: 'sms' }),
      node('human', 'handoff', { team: 'sales', note: 'Reply was {{vars.lastReply}}' }),
      end('done', 'converted'),
      end('optout', 'opted-out'),
      end('bounced', 'unreachable'),
      end('lost', 'no-reply'),
    ],
    [
      edge('start', 'next', 'hello'),
      edge('hello', 'sent', 'ask'),
      edge('hello', 'failed', 'bounced'),
      edge('ask', 'replied', 'route'),
      edge('ask', 'timeout', 'nudge'),
      edge('nudge', 'sent', 'ask'),
      edge('nudge', 'failed', 'bounced'),
      edge('route', 'yes', 'ab'),
      edge('route', 'stop', 'optout'),
      edge('route', 'else', 'answer'),
      edge('ab', 'a', 'tag'),
      edge('ab', 'b', 'call'),
      edge('tag', 'next', 'notify'),
      edge('notify', 'ok', 'done'),
      edge('notify', 'error', 'done'),
      edge('call', 'answered', 'done'),
      edge('call', 'voicemail', 'lost'),
      edge('call', 'no-answer', 'lost'),
      edge('call', 'busy', 'lost'),
      edge('call', 'failed', 'lost'),
      edge('answer', 'answered', 'done'),
      edge('answer', 'unsure', 'human'),
      edge('human', 'resolved', 'done'),
      edge('human', 'unresolved', 'lost'),
    ],
    'Rich',
  );
}
