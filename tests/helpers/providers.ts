// What the provider contract tests share: catching the error a call must end in, and a port
// nothing listens on.
import { WebhookRejected } from '../../activities/providers/types';
import { freePort } from './processes';

/** The rejection of a promise, for assertions on its class and fields; fails when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

/** The WebhookRejected `fn` throws; any other error is rethrown, and no error fails. */
export function rejection(fn: () => unknown): WebhookRejected {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookRejected) return err;
    throw err;
  }
  throw new Error('expected a WebhookRejected');
}

/** A loopback port nothing listens on: connecting to it is refused. */
export const closedPort = freePort;
