import type { Db } from '../prisma/client';
import { createMessagingActivities, type MessagingDeps } from './messaging';
import { SandboxMessagingProvider } from './messaging/sandbox';
import { createRunActivities } from './runs';

export interface ActivityDeps {
  db: Db;
  providers?: MessagingDeps['providers'];
}

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities({ db, providers }: ActivityDeps) {
  const sandbox = new SandboxMessagingProvider();
  return {
    ...createMessagingActivities({
      db,
      providers: providers ?? { sms: sandbox, whatsapp: sandbox, email: sandbox, telegram: sandbox, webchat: sandbox },
    }),
    ...createRunActivities({ db }),
  };
}

type Activities = ReturnType<typeof createActivities>;
// Workflows import these types only (`import type * as activities`).
export declare const sendMessage: Activities['sendMessage'];
export declare const recordRunFinished: Activities['recordRunFinished'];
