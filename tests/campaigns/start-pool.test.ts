// The dispatcher's start requests (activities/campaigns/start-pool.ts): a fixed number in flight,
// fed while later slices are claimed; each journey started once, already-started ones counted as
// started, every started recipient recorded, and a failure surfaces instead of being dropped.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { expect, it } from 'vitest';
import { type JourneyStart, StartPool } from '../../activities/campaigns/start-pool';

/** A Temporal client's start, as the server answers it: at most `limit` at once, IDs unique. */
function startingClient(opts: { alreadyStarted?: Set<string>; failOn?: string } = {}) {
  const started: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    workflow: {
      async start(_type: string, o: { workflowId: string }) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 1 + (started.length % 3)));
        inFlight--;
        if (o.workflowId === opts.failOn) throw new Error('server unavailable');
        if (opts.alreadyStarted?.has(o.workflowId) || started.includes(o.workflowId))
          throw new WorkflowExecutionAlreadyStartedError('already started', o.workflowId, 'runFlow');
        started.push(o.workflowId);
        return {};
      },
    },
  } as unknown as Client;
  return { client, started, maxInFlight: () => maxInFlight };
}

const journeys = (from: number, n: number): JourneyStart[] =>
  Array.from({ length: n }, (_, i) => ({
    recipientId: `r${from + i}`,
    workflowId: `w${from + i}`,
    input: { tenantId: 't', runId: `run${from + i}`, contact: { id: `c${from + i}` } } as JourneyStart['input'],
  }));

it('starts every journey once, at most `concurrency` at a time, and records every recipient', async () => {
  const server = startingClient({ alreadyStarted: new Set(['w7']) });
  const recorded: string[][] = [];
  const pool = new StartPool({
    client: server.client,
    taskQueue: 'q',
    concurrency: 8,
    recordEvery: 25,
    onStarted: async (ids) => {
      recorded.push(ids);
    },
  });
  pool.push(journeys(0, 100));
  // A later slice arrives while the first is being started.
  await pool.waitingBelow(50);
  pool.push(journeys(100, 60));
  expect(await pool.drain()).toBe(160);
  expect(server.started).toHaveLength(159); // w7 had started before: one journey, still counted
  expect(new Set(server.started).size).toBe(159);
  expect(server.maxInFlight()).toBeLessThanOrEqual(8);
  const all = recorded.flat();
  expect(all).toHaveLength(160);
  expect(new Set(all)).toEqual(new Set(journeys(0, 160).map((j) => j.recipientId)));
  expect(recorded.length).toBeGreaterThan(1); // in batches, not one row at a time or all at the end
});

it('surfaces a start the server refused, and records the ones that went out', async () => {
  const server = startingClient({ failOn: 'w30' });
  const recorded: string[] = [];
  const pool = new StartPool({
    client: server.client,
    taskQueue: 'q',
    concurrency: 4,
    onStarted: async (ids) => {
      recorded.push(...ids);
    },
  });
  pool.push(journeys(0, 100));
  await expect(pool.drain()).rejects.toThrow('server unavailable');
  // What went out is recorded (the retried dispatch finds the rest still claimed and starts them).
  expect(recorded.length).toBeLessThan(100);
  expect(server.started.every((id) => recorded.includes(`r${id.slice(1)}`))).toBe(true);
});
