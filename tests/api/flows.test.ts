import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../../flow';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant, welcomeFlow } from '../helpers/fixtures';
import { loadGoldenFlows } from '../helpers/golden';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let token: string;
let otherToken: string;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  token = (await seedTenant(database.db, 'flows-a')).token;
  otherToken = (await seedTenant(database.db, 'flows-b')).token;
});
afterAll(() => stopApiTestServer({ app, env, database }));

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, key = token) =>
  app.inject({ method, url, headers: auth(key), ...(payload === undefined ? {} : { payload: payload as object }) });

async function createFlow(definition: Flow = welcomeFlow, name = definition.name) {
  const res = await call('POST', '/v1/flows', { name, definition });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; revision: number; issues: unknown[] };
}

describe('drafts', () => {
  it('creates, lists, searches, updates with revisions and deletes drafts', async () => {
    const flow = await createFlow(welcomeFlow, 'Spring promo');
    expect(flow.issues).toEqual([]);
    const listed = (await call('GET', '/v1/flows?search=spring')).json() as { items: { id: string; status: string }[] };
    expect(listed.items).toEqual([expect.objectContaining({ id: flow.id, status: 'draft' })]);

    const edited = {
      ...welcomeFlow,
      nodes: welcomeFlow.nodes.map((n) =>
        n.id === 'welcome' ? { ...n, params: { channel: 'sms', text: 'Hello!' } } : n,
      ),
    };
    const saved = await call('PUT', `/v1/flows/${flow.id}`, { definition: edited, revision: flow.revision });
    expect(saved.statusCode).toBe(200);
    expect((saved.json() as { revision: number }).revision).toBe(flow.revision + 1);

    // A second editor still holding the old revision cannot overwrite the newer draft.
    const stale = await call('PUT', `/v1/flows/${flow.id}`, { definition: welcomeFlow, revision: flow.revision });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: { code: 'stale_revision' } });

    expect((await call('DELETE', `/v1/flows/${flow.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/v1/flows/${flow.id}`)).statusCode).toBe(404);
  });

  it('validates a document without saving it', async () => {
    const res = await call('POST', '/v1/flows/validate', { definition: { name: 'x', nodes: [], edges: [] } });
    expect(res.json()).toEqual({ ok: false, issues: [expect.objectContaining({ code: 'missing_trigger' })] });
  });

  it("hides another tenant's flows", async () => {
    const flow = await createFlow();
    for (const [method, url] of [
      ['GET', `/v1/flows/${flow.id}`],
      ['PUT', `/v1/flows/${flow.id}`],
      ['DELETE', `/v1/flows/${flow.id}`],
      ['POST', `/v1/flows/${flow.id}/publish`],
      ['GET', `/v1/flows/${flow.id}/versions`],
      ['POST', `/v1/flows/${flow.id}/simulate`],
    ] as const) {
      const res = await call(
        method,
        url,
        method === 'PUT' ? { definition: welcomeFlow } : method === 'POST' ? {} : undefined,
        otherToken,
      );
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
  });
});

describe('publishing', () => {
  it('publishes immutable versions with checksums, and an unchanged draft publishes nothing new', async () => {
    const flow = await createFlow();
    const v1 = await call('POST', `/v1/flows/${flow.id}/publish`);
    expect(v1.statusCode).toBe(201);
    expect(v1.json()).toMatchObject({ version: 1, checksum: expect.stringMatching(/^[a-f0-9]{64}$/) });
    const again = await call('POST', `/v1/flows/${flow.id}/publish`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ version: 1 });

    const changed = structuredClone(welcomeFlow);
    const send = changed.nodes.find((n) => n.id === 'welcome');
    if (send) send.params = { channel: 'email', text: 'Welcome aboard' };
    await call('PUT', `/v1/flows/${flow.id}`, { definition: changed });
    const v2 = await call('POST', `/v1/flows/${flow.id}/publish`);
    expect(v2.json()).toMatchObject({ version: 2 });

    const versions = (await call('GET', `/v1/flows/${flow.id}/versions`)).json() as { items: { version: number }[] };
    expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    const first = (await call('GET', `/v1/flows/${flow.id}/versions/1`)).json() as {
      definition: Flow;
      plan: { checksum: string };
    };
    expect(first.definition.nodes.find((n) => n.id === 'welcome')?.params).toEqual(welcomeFlow.nodes[1]?.params);

    const diff = (await call('GET', `/v1/flows/${flow.id}/diff?from=1&to=2`)).json() as {
      nodes: { changed: { id: string; changes: { path: string; before: unknown; after: unknown }[] }[] };
      identical: boolean;
    };
    expect(diff.identical).toBe(false);
    expect(diff.nodes.changed).toEqual([
      {
        id: 'welcome',
        type: 'send-message',
        changes: expect.arrayContaining([
          { path: 'params.channel', before: 'sms', after: 'email' },
          { path: 'params.text', before: 'Hi {{contact.firstName}}!', after: 'Welcome aboard' },
        ]),
      },
    ]);
    const draftDiff = (await call('GET', `/v1/flows/${flow.id}/diff?from=2`)).json() as { identical: boolean };
    expect(draftDiff.identical).toBe(true);
  });

  it('refuses to publish an invalid draft, with the issues per node', async () => {
    const broken = structuredClone(welcomeFlow);
    broken.edges = broken.edges.filter((e) => e.sourceHandle !== 'failed');
    const flow = await createFlow(broken, 'Broken');
    const res = await call('POST', `/v1/flows/${flow.id}/publish`);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: {
        code: 'invalid_flow',
        details: {
          issues: expect.arrayContaining([expect.objectContaining({ code: 'unconnected_output', nodeId: 'welcome' })]),
        },
      },
    });
  });
});

describe('simulation', () => {
  it('simulates the draft of a golden flow and lists what would happen', async () => {
    const golden = loadGoldenFlows().find((g) => g.file === 'lead-qualification.json');
    if (!golden) throw new Error('golden flow missing');
    const { flow: definition } = JSON.parse(
      await import('node:fs').then((fs) =>
        fs.readFileSync(new URL('../fixtures/flows/lead-qualification.json', import.meta.url), 'utf8'),
      ),
    ) as { flow: Flow };
    const flow = await createFlow(definition);
    const res = await call('POST', `/v1/flows/${flow.id}/simulate`, {
      script: {
        replies: [{ text: 'yes', afterMinutes: 5 }],
        escalations: [{ resolveAfterMinutes: 30 }],
        contact: { firstName: 'Mia' },
      },
    });
    expect(res.statusCode).toBe(200);
    const result = res.json() as {
      path: { nodeId: string; enteredAt: string }[];
      effects: { kind: string; detail: Record<string, unknown> }[];
      outcome: string;
      durationMs: number;
    };
    expect(result.path.map((s) => s.nodeId)).toEqual(['start', 'ask', 'wait', 'intent', 'tag-hot', 'to-sales', 'won']);
    expect(result.outcome).toBe('hot-lead-closed');
    expect(result.effects.find((e) => e.kind === 'message')?.detail.text).toBe(
      'Hi Mia, are you still interested in a demo? Reply YES or NO.',
    );
    expect(result.durationMs).toBe(35 * 60_000);
  });

  it('simulates an unsaved document, and refuses an invalid script or flow', async () => {
    const ok = await call('POST', '/v1/flows/simulate', { definition: welcomeFlow });
    expect((ok.json() as { outcome: string }).outcome).toBe('welcomed');
    const badScript = await call('POST', '/v1/flows/simulate', { definition: welcomeFlow, script: { replies: 'yes' } });
    expect(badScript.statusCode).toBe(400);
    expect(badScript.json()).toMatchObject({ error: { code: 'invalid_script' } });
    const badFlow = await call('POST', '/v1/flows/simulate', { definition: { name: 'x', nodes: [], edges: [] } });
    expect(badFlow.statusCode).toBe(422);
  });
});

describe('bad input', () => {
  it('refuses a 7 MB flow with 413 and saves nothing', async () => {
    const nodes = Array.from({ length: 1800 }, (_, i) => ({
      id: `n${i}`,
      type: 'end',
      params: { outcome: 'x'.repeat(4000) },
    }));
    const res = await call('POST', '/v1/flows', { name: 'huge', definition: { nodes, edges: [] } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('reports deeply nested and malformed expressions per node instead of failing', async () => {
    const flow = structuredClone(welcomeFlow);
    const send = flow.nodes.find((n) => n.id === 'welcome');
    if (send)
      send.params = {
        channel: 'sms',
        text: `Hi {{contact.${'a.'.repeat(40)}b}} {{vars.x | shout}} ${'{'.repeat(500)}`,
      };
    const res = await call('POST', '/v1/flows/validate', { definition: flow });
    const { issues } = res.json() as { issues: { nodeId: string; code: string }[] };
    expect(issues.filter((i) => i.code === 'invalid_expression').map((i) => i.nodeId)).toEqual(['welcome', 'welcome']);
  });

  it('refuses unknown node types and dangling edges on publish, naming them', async () => {
    const flow = structuredClone(welcomeFlow);
    flow.nodes.push({ id: 'teleport', type: 'teleport', params: {} });
    flow.edges.push({ id: 'ghost', source: 'done', sourceHandle: 'next', target: 'nowhere' });
    const created = await createFlow(flow, 'Odd');
    const res = await call('POST', `/v1/flows/${created.id}/publish`);
    const { error } = res.json() as {
      error: { details: { issues: { code: string; nodeId?: string; edgeId?: string }[] } };
    };
    expect(error.details.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'unknown_node_type', nodeId: 'teleport' }),
        expect.objectContaining({ code: 'dangling_edge', edgeId: 'ghost' }),
      ]),
    );
  });
});
