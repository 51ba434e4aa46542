// The one barrel the worker bundles. Exported workflow names are public, permanent IDs.

export { campaign } from './campaign';
export { conversationSla } from './conversation-sla';
export { deliverWebhook } from './deliver-webhook';
export { escalation } from './escalation';
export { ingestSource, purgeKnowledgeSource } from './ingest-source';
export { onboarding } from './onboarding';
export { runFlow } from './run-flow';
export { sendConversationMessage } from './send-conversation-message';
