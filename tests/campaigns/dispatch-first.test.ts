// The worker lets a campaign's dispatch go first: while journeys are being started in this process,
// new workflows begin slowly and workflows already under way (sticky tasks) go on at full speed
// (worker/dispatch-first-slots.ts); a tick that starts nothing opens nothing.
import type { SlotReserveContext } from '@temporalio/worker';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { DispatchGate } from '../../activities/campaigns/dispatch-gate';
import { dispatchFirstWorkflowSlots } from '../../worker/dispatch-first-slots';

const ctx = (isSticky: boolean): SlotReserveContext => ({
  slotType: 'workflow',
  taskQueue: 'q',
  workerIdentity: 'w',
  workerBuildId: '',
  isSticky,
});
const release = { slotInfo: undefined, permit: {} } as never;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('hands out every slot at once while nothing is being dispatched', async () => {
  const slots = dispatchFirstWorkflowSlots(new DispatchGate(), { maximumSlots: 3, newWorkflowsPerSecond: 2 });
  const signal = new AbortController().signal;
  await Promise.all([slots.reserveSlot(ctx(false), signal), slots.reserveSlot(ctx(false), signal)]);
  expect(slots.tryReserveSlot(ctx(false))).not.toBeNull();
  // The maximum holds: a fourth waits for a release.
  expect(slots.tryReserveSlot(ctx(true))).toBeNull();
  let fourth = false;
  const waiting = slots.reserveSlot(ctx(false), signal).then(() => {
    fourth = true;
  });
  await vi.advanceTimersByTimeAsync(5_000);
  expect(fourth).toBe(false);
  slots.releaseSlot(release);
  await waiting;
  expect(fourth).toBe(true);
});

it('while journeys are being started, spaces new workflows and lets sticky tasks through', async () => {
  const gate = new DispatchGate(3_000);
  const slots = dispatchFirstWorkflowSlots(gate, { maximumSlots: 40, newWorkflowsPerSecond: 2 });
  const signal = new AbortController().signal;
  gate.started();
  const grantedAt: number[] = [];
  const t0 = Date.now();
  const news = Array.from({ length: 3 }, () =>
    slots.reserveSlot(ctx(false), signal).then(() => grantedAt.push(Date.now() - t0)),
  );
  // Workflows under way are not held back.
  for (let i = 0; i < 10; i++) expect(slots.tryReserveSlot(ctx(true))).not.toBeNull();
  expect(slots.tryReserveSlot(ctx(false))).toBeNull();
  // Keep the dispatch going for the whole window, as a long dispatch would.
  for (let t = 0; t < 1_500; t += 250) {
    gate.started();
    await vi.advanceTimersByTimeAsync(250);
  }
  await Promise.all(news);
  expect(grantedAt).toHaveLength(3);
  const gaps = grantedAt.slice(1).map((t, i) => t - (grantedAt[i] as number));
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(500);
});

it('opens again once no journey has been started for the linger time', async () => {
  const gate = new DispatchGate(3_000);
  const slots = dispatchFirstWorkflowSlots(gate, { maximumSlots: 40, newWorkflowsPerSecond: 1 });
  gate.started();
  expect(gate.dispatching()).toBe(true);
  expect(slots.tryReserveSlot(ctx(false))).not.toBeNull(); // the first turn
  expect(slots.tryReserveSlot(ctx(false))).toBeNull();
  await vi.advanceTimersByTimeAsync(3_001);
  expect(gate.dispatching()).toBe(false);
  for (let i = 0; i < 5; i++) expect(slots.tryReserveSlot(ctx(false))).not.toBeNull();
});

it('gives up a waiting reservation when the SDK aborts it, with an AbortError', async () => {
  const gate = new DispatchGate();
  const slots = dispatchFirstWorkflowSlots(gate, { maximumSlots: 1, newWorkflowsPerSecond: 1 });
  const abort = new AbortController();
  await slots.reserveSlot(ctx(false), abort.signal);
  const waiting = slots.reserveSlot(ctx(false), abort.signal);
  const rejected = expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  abort.abort();
  await vi.advanceTimersByTimeAsync(10);
  await rejected;
});
