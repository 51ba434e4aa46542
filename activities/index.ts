import { Secrets } from '../api/crypto/secrets';
import type { Mailer } from '../api/mailer';
import type { DispatchTarget } from '../api/webhooks/dispatch';
import type { EngineActivities } from '../flow/engine/contracts';
import type { Db } from '../prisma/client';
import { KnowledgeSettingsSchema } from '../worker/config';
import { createCallActivities } from './calls';
import { SandboxCallProvider } from './calls/sandbox';
import { createCampaignActivities } from './campaigns';
import type { CampaignStarter } from './campaigns/dispatch';
import type { DispatchGate } from './campaigns/dispatch-gate';
import { messagingProviderFor } from './channels/registry';
import { createCrmActivities } from './crm';
import { createEscalationActivities } from './escalations';
import { createFlowActivities } from './flows';
import { createHttpActivities } from './http';
import { privateUrlsAllowed } from './http/destination';
import { createMessagingActivities, type MessagingProviders } from './messaging';
import { SandboxMessagingProvider } from './messaging/sandbox';
import { createNotifyActivities } from './notify';
import { createWebhookActivities } from './notify/webhooks';
import { createOnboardingActivities } from './onboarding';
import { createRagActivities } from './rag';
import { demoPassages, ExtractiveAnswerer, type KnowledgeAnswerer } from './rag/answerer';
import { createIngestActivities } from './rag/ingest';
import { type KnowledgeRuntime, knowledgeRuntime } from './rag/runtime';
import { createRunActivities } from './runs';
import { createSlaActivities } from './sla';

export interface ActivityDeps {
  db: Db;
  /**
   * Development fallback providers by channel, for tenants with no channel of that kind (the
   * sandbox by default; `null` turns the fallback off, as production does).
   */
  providers?: MessagingProviders | null;
  /** The sandbox phone network tenants without a voice channel call through (null: none). */
  calls?: SandboxCallProvider | null;
  /** Opens channel credentials; the API's keys. Tests without configured channels may omit it. */
  secrets?: Secrets;
  /** Our public base URL, where providers post receipts and call webhooks. */
  publicUrl?: string;
  answerer?: KnowledgeAnswerer;
  fetchImpl?: typeof fetch;
  /** Where run events go (webhook deliveries are started there); none in unit tests. */
  events?: DispatchTarget;
  /** The Temporal client campaign dispatch starts journeys with (defaults to `events`' client). */
  starter?: CampaignStarter;
  /** Told when a campaign dispatch runs, so the worker can let it go first (worker/create-worker.ts). */
  dispatchGate?: DispatchGate;
  /** The knowledge base's embedder and vector store (ingestion); built from the environment on first use. */
  knowledge?: () => Pick<KnowledgeRuntime, 'embedder' | 'store'>;
  /**
   * Let URL knowledge sources reach loopback and private networks; by default as webhooks and the
   * http-request node (SWITCHBOARD_ALLOW_PRIVATE_URLS, off under NODE_ENV=production).
   */
  allowPrivateUrls?: boolean;
  /** Switchboard's own mail to tenant staff (onboarding reminders, escalation notices); none: not emailed. */
  mailer?: Mailer;
}

export function sandboxMessaging(): MessagingProviders {
  const sandbox = new SandboxMessagingProvider();
  return {
    sms: sandbox,
    whatsapp: sandbox,
    email: sandbox,
    telegram: sandbox,
    webchat: sandbox,
    messenger: sandbox,
    instagram: sandbox,
  };
}

/** The given knowledge adapters, or the environment's, built once on first use. */
function knowledgeAdapters(db: Db, given: ActivityDeps['knowledge']) {
  let built: Pick<KnowledgeRuntime, 'embedder' | 'store'> | undefined;
  return () => {
    built ??= given ? given() : knowledgeRuntime(db, KnowledgeSettingsSchema.parse(process.env));
    return built;
  };
}

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  const { db, providers, calls, answerer, fetchImpl, events } = deps;
  const starter = deps.starter ?? (events ? { client: events.client, taskQueue: events.taskQueue } : undefined);
  // Without the API's keys only fallback channels work; their credentials die with the process.
  const secrets = deps.secrets ?? new Secrets([Secrets.generateKey()]);
  const publicUrl = deps.publicUrl ?? 'http://127.0.0.1:3000';
  const messaging = {
    db,
    secrets,
    publicUrl,
    providerFor: (channel: Parameters<typeof messagingProviderFor>[0]) =>
      messagingProviderFor(channel, { publicUrl, ...(fetchImpl ? { fetchImpl } : {}) }),
    ...(providers === null ? {} : { fallback: providers ?? sandboxMessaging() }),
  };
  const activities = {
    ...createMessagingActivities(messaging),
    ...createCallActivities({
      db,
      secrets,
      publicUrl,
      ...(calls === null ? {} : { fallback: calls ?? new SandboxCallProvider() }),
    }),
    ...createRagActivities({ ...messaging, answerer: answerer ?? new ExtractiveAnswerer(demoPassages) }),
    ...createCrmActivities({ db }),
    ...createNotifyActivities({ db, ...(starter ? { starter } : {}) }),
    ...createHttpActivities({ db, ...(fetchImpl ? { fetchImpl } : {}) }),
    ...createFlowActivities({ db }),
    ...createRunActivities({ db, ...(events ? { events } : {}) }),
    ...createWebhookActivities({ db, ...(fetchImpl ? { fetchImpl } : {}) }),
    ...createCampaignActivities({
      db,
      ...(starter ? { starter } : {}),
      ...(deps.dispatchGate ? { gate: deps.dispatchGate } : {}),
      ...(events ? { events } : {}),
    }),
    ...createSlaActivities({ db, ...(starter ? { starter } : {}) }),
    ...createEscalationActivities({
      db,
      messaging,
      ...(events ? { events } : {}),
      ...(starter ? { starter } : {}),
      ...(deps.mailer ? { mailer: deps.mailer } : {}),
    }),
    ...createOnboardingActivities({ db, ...(deps.mailer ? { mailer: deps.mailer } : {}) }),
    ...createIngestActivities({
      db,
      adapters: knowledgeAdapters(db, deps.knowledge),
      ...(fetchImpl ? { fetchImpl } : {}),
      allowPrivateUrls: deps.allowPrivateUrls ?? privateUrlsAllowed(),
    }),
  };
  return activities satisfies EngineActivities;
}

type Activities = ReturnType<typeof createActivities>;
// Workflows import these types only (`import type * as activities from '../activities'`).
export declare const sendMessage: Activities['sendMessage'];
export declare const sendConversationMessageOnce: Activities['sendConversationMessageOnce'];
export declare const placeCall: Activities['placeCall'];
export declare const aiReply: Activities['aiReply'];
export declare const updateContact: Activities['updateContact'];
export declare const openEscalation: Activities['openEscalation'];
export declare const httpRequest: Activities['httpRequest'];
export declare const loadFlowVersion: Activities['loadFlowVersion'];
export declare const recordRunFinished: Activities['recordRunFinished'];
export declare const deliverWebhookOnce: Activities['deliverWebhookOnce'];
export declare const recordWebhookOutcome: Activities['recordWebhookOutcome'];
export declare const dispatchCampaign: Activities['dispatchCampaign'];
export declare const setCampaignStatus: Activities['setCampaignStatus'];
export declare const skipMissedRecipients: Activities['skipMissedRecipients'];
export declare const cancelCampaignRecipients: Activities['cancelCampaignRecipients'];
export declare const loadSlaSetup: Activities['loadSlaSetup'];
export declare const recordSlaEvents: Activities['recordSlaEvents'];
export declare const saveSlaDue: Activities['saveSlaDue'];
export declare const extractSource: Activities['extractSource'];
export declare const embedSourceChunks: Activities['embedSourceChunks'];
export declare const finishIngestion: Activities['finishIngestion'];
export declare const failIngestion: Activities['failIngestion'];
export declare const purgeSource: Activities['purgeSource'];
export declare const loadEscalation: Activities['loadEscalation'];
export declare const notifyEscalationLevel: Activities['notifyEscalationLevel'];
export declare const recordEscalationStep: Activities['recordEscalationStep'];
export declare const tellWaitingRun: Activities['tellWaitingRun'];
export declare const openSlaEscalation: Activities['openSlaEscalation'];
export declare const onboardingFacts: Activities['onboardingFacts'];
export declare const saveOnboarding: Activities['saveOnboarding'];
export declare const sendOnboardingReminder: Activities['sendOnboardingReminder'];
