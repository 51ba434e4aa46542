import type { DispatchTarget } from '../api/webhooks/dispatch';
import type { EngineActivities } from '../flow/engine/contracts';
import type { Db } from '../prisma/client';
import { createCallActivities } from './calls';
import type { CallProvider } from './calls/provider';
import { SandboxCallProvider } from './calls/sandbox';
import { createCrmActivities } from './crm';
import { createFlowActivities } from './flows';
import { createHttpActivities } from './http';
import { createMessagingActivities, type MessagingProviders } from './messaging';
import { SandboxMessagingProvider } from './messaging/sandbox';
import { createNotifyActivities } from './notify';
import { createWebhookActivities } from './notify/webhooks';
import { createRagActivities } from './rag';
import { demoPassages, ExtractiveAnswerer, type KnowledgeAnswerer } from './rag/answerer';
import { createRunActivities } from './runs';

export interface ActivityDeps {
  db: Db;
  /** Messaging providers by channel; every channel defaults to the sandbox. */
  providers?: MessagingProviders;
  calls?: CallProvider;
  answerer?: KnowledgeAnswerer;
  fetchImpl?: typeof fetch;
  /** Where run events go (webhook deliveries are started there); none in unit tests. */
  events?: DispatchTarget;
}

export function sandboxMessaging(): MessagingProviders {
  const sandbox = new SandboxMessagingProvider();
  return { sms: sandbox, whatsapp: sandbox, email: sandbox, telegram: sandbox, webchat: sandbox };
}

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities({ db, providers, calls, answerer, fetchImpl, events }: ActivityDeps) {
  const messaging = { db, providers: providers ?? sandboxMessaging() };
  const activities = {
    ...createMessagingActivities(messaging),
    ...createCallActivities({ db, provider: calls ?? new SandboxCallProvider() }),
    ...createRagActivities({ ...messaging, answerer: answerer ?? new ExtractiveAnswerer(demoPassages) }),
    ...createCrmActivities({ db }),
    ...createNotifyActivities({ db }),
    ...createHttpActivities({ db, ...(fetchImpl ? { fetchImpl } : {}) }),
    ...createFlowActivities({ db }),
    ...createRunActivities({ db, ...(events ? { events } : {}) }),
    ...createWebhookActivities({ db, ...(fetchImpl ? { fetchImpl } : {}) }),
  };
  return activities satisfies EngineActivities;
}

type Activities = ReturnType<typeof createActivities>;
// Workflows import these types only (`import type * as activities from '../activities'`).
export declare const sendMessage: Activities['sendMessage'];
export declare const placeCall: Activities['placeCall'];
export declare const aiReply: Activities['aiReply'];
export declare const updateContact: Activities['updateContact'];
export declare const openEscalation: Activities['openEscalation'];
export declare const httpRequest: Activities['httpRequest'];
export declare const loadFlowVersion: Activities['loadFlowVersion'];
export declare const recordRunFinished: Activities['recordRunFinished'];
export declare const deliverWebhookOnce: Activities['deliverWebhookOnce'];
export declare const recordWebhookOutcome: Activities['recordWebhookOutcome'];
