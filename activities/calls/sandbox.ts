import type { CALL_OUTCOMES } from '../../flow/nodes/place-call';
import {
  type SandboxConfig,
  type SandboxNetworkLog,
  SandboxVoiceNetwork,
  type SandboxVoiceTimings,
  type SimulatedOutcome,
} from './sandbox-network';

export type CallOdds = Partial<Record<(typeof CALL_OUTCOMES)[number], number>>;

export interface SandboxCallOptions {
  /** Relative weights of each outcome, over the channel's callOdds; the same key always gets the same one. */
  odds?: CallOdds;
  /** How fast simulated calls play out (all 0 in tests). */
  timings?: Partial<SandboxVoiceTimings>;
  /** Gathers a simulated customer answers before hanging up. */
  turnCap?: number;
  fetchImpl?: typeof fetch;
  log?: SandboxNetworkLog;
}

export interface PlacedSandboxCall {
  idempotencyKey: string;
  providerCallId: string;
  to: string;
  from: string;
  outcome: SimulatedOutcome;
}

// Every simulated call of this process by sid, whichever registry placed it: POST /calls/:id/stop
// reaches a call the worker placed when both run in one process (npm start runs them apart; there
// the stop request on the Call row reaches it through the placing activity).
const LIVE_LIMIT = 10_000;
const liveCalls = new Map<string, SandboxVoiceNetwork>();

/** The in-process network carrying a sandbox call, if this process placed it. */
export function sandboxNetworkForCall(providerCallId: string): SandboxVoiceNetwork | undefined {
  return liveCalls.get(providerCallId);
}

/**
 * The sandbox phone network of a worker: one SandboxVoiceNetwork per sandbox voice channel (each
 * signs with its channel's auth token), kept for the life of the process so a retried activity finds
 * the call it placed. It is also the place-call activity's fallback for tenants without a voice
 * channel (activities/calls/index.ts).
 */
export class SandboxCallProvider {
  readonly name = 'sandbox';
  /** Every call placed through this registry, in order. */
  readonly calls: PlacedSandboxCall[] = [];
  private readonly networks = new Map<string, { fingerprint: string; network: SandboxVoiceNetwork }>();

  constructor(readonly options: SandboxCallOptions = {}) {}

  networkFor(channel: { id: string; authToken: string; config: SandboxConfig }): SandboxVoiceNetwork {
    const fingerprint = `${channel.authToken}\u0000${JSON.stringify(channel.config)}`;
    const known = this.networks.get(channel.id);
    if (known?.fingerprint === fingerprint) return known.network;
    // The channel changed (a new token, other odds): calls already placed stay reachable through
    // liveCalls on the network that placed them.
    const network = new SandboxVoiceNetwork({
      authToken: channel.authToken,
      config: channel.config,
      ...(this.options.odds ? { odds: this.options.odds } : {}),
      ...(this.options.timings ? { timings: this.options.timings } : {}),
      ...(this.options.turnCap ? { turnCap: this.options.turnCap } : {}),
      ...(this.options.fetchImpl ? { fetchImpl: this.options.fetchImpl } : {}),
      ...(this.options.log ? { log: this.options.log } : {}),
      onPlaced: (call) => {
        this.calls.push(call);
        if (liveCalls.size >= LIVE_LIMIT) liveCalls.delete(liveCalls.keys().next().value as string);
        liveCalls.set(call.providerCallId, network);
      },
    });
    this.networks.set(channel.id, { fingerprint, network });
    return network;
  }
}
