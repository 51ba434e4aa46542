// Starts journeys with a fixed number of requests in flight, fed slice by slice while the
// dispatcher claims the next slice: the Temporal server always has work, instead of idling while
// a slice's last starts finish and the next slice is claimed.
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { RunFlowInput } from '../../workflows/run-flow';

export interface JourneyStart {
  recipientId: string;
  workflowId: string;
  input: RunFlowInput;
}

export interface StartPoolOptions {
  client: Client;
  taskQueue: string;
  concurrency: number;
  /** Recipients whose journeys have started (or had already): recorded in batches. */
  onStarted: (recipientIds: string[]) => Promise<void>;
  /** Called as each start request goes out. */
  onStart?: () => void;
  /** Called every `progressEvery` starts (the activity's heartbeat). */
  onProgress?: () => void;
  progressEvery?: number;
  /** Started recipients are recorded once this many wait. */
  recordEvery?: number;
}

export class StartPool {
  private readonly queue: JourneyStart[] = [];
  private readonly startedIds: string[] = [];
  private running = 0;
  private started = 0;
  private failure: unknown = null;
  private recording: Promise<void> = Promise.resolve();
  private idle: (() => void)[] = [];

  constructor(private readonly options: StartPoolOptions) {}

  push(starts: JourneyStart[]): void {
    this.throwIfFailed();
    this.queue.push(...starts);
    while (this.running < this.options.concurrency && this.queue.length > 0) void this.runner();
  }

  /** Resolves once fewer than `n` journeys wait (or the pool failed). */
  async waitingBelow(n: number): Promise<void> {
    while (this.queue.length >= n && this.failure === null) {
      await new Promise<void>((resolve) => this.idle.push(resolve));
    }
    this.throwIfFailed();
  }

  /**
   * Every queued journey started and recorded: how many started. After a failure, the requests
   * in flight finish and what went out is recorded before the failure is thrown.
   */
  async drain(): Promise<number> {
    while (this.running > 0 || (this.queue.length > 0 && this.failure === null)) {
      await new Promise<void>((resolve) => this.idle.push(resolve));
    }
    await this.flush();
    this.throwIfFailed();
    return this.started;
  }

  private async runner(): Promise<void> {
    this.running++;
    try {
      for (let next = this.queue.shift(); next && this.failure === null; next = this.queue.shift()) {
        await this.start(next);
        this.started++;
        this.startedIds.push(next.recipientId);
        if (this.started % (this.options.progressEvery ?? 50) === 0) this.options.onProgress?.();
        if (this.startedIds.length >= (this.options.recordEvery ?? 250)) void this.flush();
        this.wake();
      }
    } catch (err) {
      this.failure ??= err;
    } finally {
      this.running--;
      this.wake();
    }
  }

  private async start(s: JourneyStart): Promise<void> {
    this.options.onStart?.();
    try {
      await this.options.client.workflow.start('runFlow', {
        workflowId: s.workflowId,
        taskQueue: this.options.taskQueue,
        args: [s.input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      // Started before (a retried dispatch, or a worker that died after starting it): one journey.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /** Records the started recipients so far, one batch after another. */
  private flush(): Promise<void> {
    const batch = this.startedIds.splice(0);
    if (batch.length === 0) return this.recording;
    this.recording = this.recording.then(() => this.options.onStarted(batch));
    this.recording.catch((err) => {
      this.failure ??= err;
    });
    return this.recording;
  }

  private wake(): void {
    const waiters = this.idle.splice(0);
    for (const w of waiters) w();
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }
}
