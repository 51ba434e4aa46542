/**
 * Tells the worker's slot supplier when a campaign dispatcher in this process is starting
 * journeys. On a small machine the Temporal server is the bottleneck, and the journeys a dispatch
 * has just started would otherwise take the server's time from the dispatch itself; while the
 * gate is open the worker begins new workflows slowly and lets the dispatch through first.
 */
export class DispatchGate {
  private lastStartAt = Number.NEGATIVE_INFINITY;

  /**
   * @param lingerMs a campaign goes back through its workflow between dispatch calls; for this
   *   long after a journey was started the gate stays open, so the next tick does not race the
   *   backlog. A tick that starts nothing (a campaign waiting on its last journeys) opens nothing.
   */
  constructor(private readonly lingerMs = 3_000) {}

  /** A dispatcher started a journey. */
  started(now = Date.now()): void {
    this.lastStartAt = now;
  }

  dispatching(now = Date.now()): boolean {
    return now - this.lastStartAt < this.lingerMs;
  }
}
