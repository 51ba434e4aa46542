// The SLA clocks of one conversation, pure and zod-free: the conversationSla workflow feeds them
// events (a customer message, an agent reply, resolve, reopen) and sleeps until the instant they
// name next; tests drive them without Temporal.
import type { BusinessCalendar } from './business-calendar';
import { ALWAYS_OPEN, addBusinessTime, businessTimeBetween } from './business-hours';
import type { SlaMetric, SlaPolicy, SlaTarget } from './sla';

/** One clock: running (counting), paused (resolved), met, or stopped (resolved before it was met). */
export interface SlaClock {
  metric: SlaMetric;
  status: 'running' | 'paused' | 'met' | 'stopped';
  targetMs: number;
  clock: SlaTarget['clock'];
  /** Open time consumed before the current running stretch (a resolution clock across reopen). */
  spentMs: number;
  /** When the current running stretch began. */
  since: number;
  /** Warning fractions already recorded, and whether the breach has been. */
  warned: number[];
  breached: boolean;
  metAt: number | null;
}

export interface SlaState {
  clocks: SlaClock[];
  /** A customer message is waiting for an agent's answer. */
  awaitingReply: boolean;
  resolved: boolean;
  /** An agent has answered at least once (first response is behind us). */
  answered: boolean;
}

export type SlaEvent =
  | { kind: 'warning'; metric: SlaMetric; fraction: number; dueAt: number; at: number }
  | { kind: 'breach'; metric: SlaMetric; dueAt: number; at: number }
  | { kind: 'met'; metric: SlaMetric; dueAt: number; at: number; late: boolean; elapsedMs: number }
  | { kind: 'stopped'; metric: SlaMetric; at: number };

/** The SLA engine of one conversation under one policy and calendar. */
export class SlaClocks {
  constructor(
    readonly policy: SlaPolicy,
    readonly calendar: BusinessCalendar,
    readonly state: SlaState,
  ) {}

  static open(policy: SlaPolicy, calendar: BusinessCalendar, at: number): SlaClocks {
    const clocks: SlaClock[] = [];
    const start = (metric: SlaMetric, target: SlaTarget | null) => {
      if (target) clocks.push(newClock(metric, target, at));
    };
    start('first_response', policy.firstResponse);
    start('resolution', policy.resolution);
    return new SlaClocks(policy, calendar, { clocks, awaitingReply: true, resolved: false, answered: false });
  }

  private cal(c: SlaClock) {
    return c.clock === 'business' ? this.calendar : ALWAYS_OPEN;
  }

  /** When the clock reaches `fraction` of its target (1 = due). */
  dueAt(c: SlaClock, fraction = 1): number {
    return addBusinessTime(this.cal(c), c.since, Math.max(0, Math.ceil(c.targetMs * fraction) - c.spentMs));
  }

  /** Open time the clock has consumed by `at`. */
  spent(c: SlaClock, at: number): number {
    return c.status === 'running' ? c.spentMs + businessTimeBetween(this.cal(c), c.since, at) : c.spentMs;
  }

  /** The next instant something is due (a warning or a breach), or null while nothing runs. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const c of this.state.clocks) {
      if (c.status !== 'running' || c.breached) continue;
      for (const f of [...this.policy.warnAt.filter((w) => !c.warned.includes(w)), 1]) {
        const t = this.dueAt(c, f);
        next = next === null ? t : Math.min(next, t);
      }
    }
    return next;
  }

  /** Records what has fallen due by `at`. */
  tick(at: number): SlaEvent[] {
    const events: SlaEvent[] = [];
    for (const c of this.state.clocks) {
      if (c.status !== 'running' || c.breached) continue;
      const dueAt = this.dueAt(c);
      for (const f of [...this.policy.warnAt].sort((a, b) => a - b)) {
        if (c.warned.includes(f)) continue;
        const warnAt = this.dueAt(c, f);
        if (warnAt > at) continue;
        c.warned.push(f);
        // A warning overtaken by its breach (the workflow slept through both) is not news.
        if (dueAt > at) events.push({ kind: 'warning', metric: c.metric, fraction: f, dueAt, at: warnAt });
      }
      if (dueAt <= at) {
        c.breached = true;
        events.push({ kind: 'breach', metric: c.metric, dueAt, at: dueAt });
      }
    }
    return events;
  }

  customerMessage(at: number): SlaEvent[] {
    const events = this.tick(at);
    if (this.state.resolved) events.push(...this.reopen(at));
    if (!this.state.awaitingReply) {
      this.state.awaitingReply = true;
      const target = this.policy.nextResponse;
      // Each unanswered stretch gets a fresh next-response clock; an earlier one is history.
      if (target && this.state.answered) {
        this.state.clocks = this.state.clocks.filter((c) => !(c.metric === 'next_response' && c.status === 'running'));
        this.state.clocks.push(newClock('next_response', target, at));
      }
    }
    return events;
  }

  agentReply(at: number): SlaEvent[] {
    const events = this.tick(at);
    this.state.answered = true;
    this.state.awaitingReply = false;
    for (const c of this.state.clocks) {
      if (c.status !== 'running' || c.metric === 'resolution') continue;
      events.push(this.meet(c, at));
    }
    return events;
  }

  resolve(at: number): SlaEvent[] {
    const events = this.tick(at);
    this.state.resolved = true;
    this.state.awaitingReply = false;
    for (const c of this.state.clocks) {
      if (c.status !== 'running') continue;
      if (c.metric === 'resolution') {
        events.push(this.meet(c, at));
      } else {
        c.status = 'stopped';
        events.push({ kind: 'stopped', metric: c.metric, at });
      }
    }
    return events;
  }

  /** A resolved conversation reopens: its resolution clock runs on from where it stopped. */
  reopen(at: number): SlaEvent[] {
    if (!this.state.resolved) return [];
    this.state.resolved = false;
    this.state.awaitingReply = true;
    for (const c of this.state.clocks) {
      if (c.metric === 'resolution' && c.status === 'met') {
        c.status = 'running';
        c.since = at;
        c.metAt = null;
      }
    }
    const target = this.policy.nextResponse;
    if (target && this.state.answered) {
      this.state.clocks = this.state.clocks.filter((c) => !(c.metric === 'next_response' && c.status === 'running'));
      this.state.clocks.push(newClock('next_response', target, at));
    }
    return [];
  }

  private meet(c: SlaClock, at: number): SlaEvent {
    const dueAt = this.dueAt(c);
    c.spentMs = this.spent(c, at);
    c.status = 'met';
    c.metAt = at;
    return { kind: 'met', metric: c.metric, dueAt, at, late: c.breached || at > dueAt, elapsedMs: c.spentMs };
  }

  /** What agents see: each clock's due time and how much of it is left. */
  view(at: number) {
    return this.state.clocks.map((c) => ({
      metric: c.metric,
      status: c.status,
      clock: c.clock,
      targetMinutes: c.targetMs / 60_000,
      dueAt: c.status === 'running' ? this.dueAt(c) : null,
      spentMinutes: Math.floor(this.spent(c, at) / 60_000),
      remainingMinutes: c.status === 'running' ? Math.ceil((c.targetMs - this.spent(c, at)) / 60_000) : null,
      warned: [...c.warned],
      breached: c.breached,
      metAt: c.metAt,
    }));
  }
}

function newClock(metric: SlaMetric, target: SlaTarget, at: number): SlaClock {
  return {
    metric,
    status: 'running',
    targetMs: target.minutes * 60_000,
    clock: target.clock,
    spentMs: 0,
    since: at,
    warned: [],
    breached: false,
    metAt: null,
  };
}
