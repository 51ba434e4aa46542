import type { Secrets } from '../../api/crypto/secrets';
import type { Call } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import { loadChannel } from '../channels/store';
import { PermanentSendError } from '../providers/types';
import { voiceProviderFor } from './provider';
import { applyCallStatus, isTerminalStatus, sessionOf } from './records';
import { sandboxNetworkForCall } from './sandbox';

export type StopCallResult = { call: Call; stopped: boolean } | null;

/**
 * Ends a call: records the stop request on the row, which the TwiML loop (its next reply is a
 * goodbye and a hang-up) and the placing activity (it hangs up) honour wherever they run, then
 * hangs up through the provider when this process can reach it. Stopping a finished call changes
 * nothing (`stopped: false`); null when the tenant has no such call.
 */
export async function stopCall(db: Db, secrets: Secrets, tenantId: string, callId: string): Promise<StopCallResult> {
  const call = await db.call.findFirst({ where: { id: callId, tenantId } });
  if (!call) return null;
  if (isTerminalStatus(call.status)) return { call, stopped: false };
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM "Call" WHERE "id" = ${call.id}::uuid FOR UPDATE`;
    const row = await tx.call.findUniqueOrThrow({ where: { id: call.id } });
    const session = sessionOf(row);
    if (session.stopRequestedAt) return;
    await tx.call.update({
      where: { id: call.id },
      data: { session: toJson({ ...session, stopRequestedAt: new Date().toISOString() }) },
    });
  });
  if (call.providerCallId && call.channelId) {
    const channel = await loadChannel(db, secrets, call.channelId);
    // A sandbox call lives in the process that placed it; elsewhere the stop request reaches it.
    const reachable = channel && (channel.provider !== 'sandbox' || sandboxNetworkForCall(call.providerCallId));
    if (channel && reachable) {
      const provider = voiceProviderFor(channel, undefined, call.providerCallId);
      try {
        await provider.hangup(call.providerCallId);
        const snapshot = await provider.fetchCall(call.providerCallId);
        await applyCallStatus(db, call.id, {
          status: snapshot.status,
          ...(snapshot.durationSeconds !== undefined ? { durationSeconds: snapshot.durationSeconds } : {}),
        });
      } catch (err) {
        // The provider no longer knows the call: the stop request on the row still ends the loop.
        if (!(err instanceof PermanentSendError)) throw err;
      }
    }
  }
  return { call: await db.call.findUniqueOrThrow({ where: { id: call.id } }), stopped: true };
}
