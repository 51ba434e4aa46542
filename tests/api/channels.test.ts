import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let token = '';

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  token = (await seedTenant(database.db, 'channels-api')).token;
});
afterAll(() => stopApiTestServer({ app, env, database }));

const create = async (name: string) => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/channels',
    headers: auth(token),
    payload: { name, kind: 'sms', provider: 'sandbox', config: {}, credentials: {} },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
};

describe('PATCH /v1/channels/:id', () => {
  it("refuses a rename onto another channel's name with 409 channel_exists (found by the fuzzer: was a 500)", async () => {
    await create('Main SMS');
    const other = await create('Backup SMS');
    const clash = await app.inject({
      method: 'PATCH',
      url: `/v1/channels/${other.id}`,
      headers: auth(token),
      payload: { name: 'Main SMS' },
    });
    expect(clash.statusCode, clash.body).toBe(409);
    expect(clash.json().error.code).toBe('channel_exists');

    const same = await app.inject({
      method: 'PATCH',
      url: `/v1/channels/${other.id}`,
      headers: auth(token),
      payload: { name: 'Backup SMS', enabled: true },
    });
    expect(same.statusCode, same.body).toBe(200);
  });
});
