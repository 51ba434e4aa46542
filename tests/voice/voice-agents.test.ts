import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionFor } from '../../activities/calls/agents';
import { type ApiTestServer, auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import { seedTenant } from '../helpers/fixtures';
import { createVoiceChannel } from './helpers';

let server: ApiTestServer;
let token: string;
let otherToken: string;
let tenantId: string;

beforeAll(async () => {
  server = await startApiTestServer();
  const seeded = await seedTenant(server.database.db, 'agents-a');
  token = seeded.token;
  tenantId = seeded.tenant.id;
  otherToken = (await seedTenant(server.database.db, 'agents-b')).token;
});
afterAll(() => stopApiTestServer(server ?? {}));

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, as = token) =>
  server.app.inject({ method, url, headers: auth(as), ...(payload ? { payload } : {}) });

describe('voice agents', () => {
  it('offers starting templates and creates an agent from one, with overrides', async () => {
    const templates = await api('GET', '/v1/voice-agents/templates');
    expect(templates.statusCode).toBe(200);
    const items = templates.json().items as Array<{ id: string; agent: { firstMessage: string; script: string[] } }>;
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items.map((t) => t.id)).toEqual(
      expect.arrayContaining(['appointment-reminder', 'lead-qualifier', 'support-line']),
    );
    const reminder = items.find((t) => t.id === 'appointment-reminder');

    const created = await api('POST', '/v1/voice-agents', {
      template: 'appointment-reminder',
      name: 'Dental reminders',
      maxTurns: 5,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'Dental reminders',
      firstMessage: reminder?.agent.firstMessage,
      script: reminder?.agent.script,
      maxTurns: 5,
      bargeIn: true,
      voice: { provider: 'twilio', voiceId: 'Polly.Joanna', language: 'en-US' },
      model: { provider: 'openai' },
    });
    expect(created.json().voicemailMessage).toMatch(/reminder/);
  });

  it('creates, reads, lists, changes and deletes an agent, scoped to the tenant', async () => {
    const body = {
      name: `Qualifier ${randomUUID().slice(0, 6)}`,
      persona: 'Curious and brief.',
      firstMessage: 'Hi! Two quick questions?',
      voice: { provider: 'twilio', voiceId: 'Google.en-GB-Neural2-A', language: 'en-GB' },
      model: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2 },
      script: ['How big is your team?'],
      knowledgeSourceIds: ['demo-pricing'],
      maxTurns: 10,
      maxDurationSeconds: 300,
      bargeIn: false,
      voicemailMessage: null,
    };
    const created = await api('POST', '/v1/voice-agents', body);
    expect(created.statusCode).toBe(201);
    const agent = created.json();
    expect(agent).toMatchObject(body);

    expect((await api('GET', `/v1/voice-agents/${agent.id}`)).json()).toMatchObject(body);
    const listed = await api('GET', '/v1/voice-agents?limit=200');
    expect(listed.json().items.map((a: { id: string }) => a.id)).toContain(agent.id);

    const changed = await api('PATCH', `/v1/voice-agents/${agent.id}`, { script: ['One', 'Two'], bargeIn: true });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ script: ['One', 'Two'], bargeIn: true, persona: body.persona });

    // Another tenant sees none of it.
    expect((await api('GET', `/v1/voice-agents/${agent.id}`, undefined, otherToken)).statusCode).toBe(404);
    expect((await api('PATCH', `/v1/voice-agents/${agent.id}`, { maxTurns: 3 }, otherToken)).statusCode).toBe(404);
    expect((await api('DELETE', `/v1/voice-agents/${agent.id}`, undefined, otherToken)).statusCode).toBe(404);
    expect((await api('GET', '/v1/voice-agents', undefined, otherToken)).json().items).toEqual([]);

    expect((await api('DELETE', `/v1/voice-agents/${agent.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/v1/voice-agents/${agent.id}`)).statusCode).toBe(404);
  });

  it('refuses invalid agents and duplicate names', async () => {
    const missing = await api('POST', '/v1/voice-agents', { name: 'No greeting' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('validation_failed');
    for (const bad of [{ maxTurns: 51 }, { maxTurns: 0 }, { maxDurationSeconds: 29 }, { maxDurationSeconds: 3601 }]) {
      const res = await api('POST', '/v1/voice-agents', { name: 'Bad', firstMessage: 'Hi', ...bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await api('POST', '/v1/voice-agents', { template: 'nope' })).statusCode).toBe(400);
    const name = `Twin ${randomUUID().slice(0, 6)}`;
    expect((await api('POST', '/v1/voice-agents', { name, firstMessage: 'Hi' })).statusCode).toBe(201);
    const twin = await api('POST', '/v1/voice-agents', { name, firstMessage: 'Hi' });
    expect(twin.statusCode).toBe(409);
    expect(twin.json().error.code).toBe('name_taken');
    const agents = (await api('GET', '/v1/voice-agents?limit=200')).json().items as Array<{ id: string }>;
    expect((await api('PATCH', `/v1/voice-agents/${agents[0]?.id}`, {})).statusCode).toBe(400);
  });

  it("gives a call the agent's settings, with the node's own script and the shorter time limit", async () => {
    const row = await server.database.db.voiceAgent.create({
      data: {
        tenantId,
        name: `Session ${randomUUID().slice(0, 6)}`,
        persona: 'Agent persona',
        firstMessage: 'Agent hello',
        voice: { provider: 'twilio', voiceId: 'Polly.Amy', language: 'en-GB' },
        script: ['Agent line'],
        knowledgeSourceIds: ['kb-1'],
        maxTurns: 4,
        maxDurationSeconds: 600,
        voicemailMessage: 'Agent voicemail',
      },
    });
    const node = {
      persona: 'Node persona',
      firstMessage: 'Node hello',
      script: ['Node line'],
      maxDurationSeconds: 120,
    };
    expect(sessionFor(node, row)).toMatchObject({
      persona: 'Agent persona',
      firstMessage: 'Agent hello',
      script: ['Node line'],
      maxTurns: 4,
      maxDurationSeconds: 120,
      voicemailMessage: 'Agent voicemail',
      language: 'en-GB',
      voice: { voiceId: 'Polly.Amy' },
      knowledgeSourceIds: ['kb-1'],
    });
    expect(sessionFor({ ...node, script: [] }, row).script).toEqual(['Agent line']);
    expect(sessionFor(node, null)).toMatchObject({ persona: 'Node persona', firstMessage: 'Node hello', maxTurns: 12 });
  });
});

describe('phone numbers on a sandbox channel', () => {
  it('buys from the simulated inventory and refuses channels that cannot hold numbers', async () => {
    const channel = await createVoiceChannel(
      server.database.db,
      tenantId,
      'sandbox',
      {},
      {
        authToken: 'sandbox-token-0123456789abcdef',
      },
    );
    const available = await api('GET', `/v1/phone-numbers/available?channelId=${channel.id}&country=US&areaCode=415`);
    expect(available.statusCode).toBe(200);
    const e164 = available.json().items[0]?.e164 as string;
    expect(e164).toMatch(/^\+1415555\d{4}$/);
    const bought = await api('POST', '/v1/phone-numbers', { channelId: channel.id, e164 });
    expect(bought.statusCode).toBe(201);
    // A number belongs to one tenant at a time.
    const foreignChannel = await api('POST', '/v1/phone-numbers', { channelId: channel.id, e164 }, otherToken);
    expect(foreignChannel.statusCode).toBe(404);

    const email = await server.database.db.channel.create({
      data: { tenantId, kind: 'email', provider: 'webchat', name: `chat ${randomUUID().slice(0, 6)}`, config: {} },
    });
    const refused = await api('GET', `/v1/phone-numbers/available?channelId=${email.id}`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('channel_has_no_numbers');
  });
});
