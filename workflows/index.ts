// The one barrel the worker bundles. Exported workflow names are public, permanent IDs.
export { runFlow } from './run-flow';
export { deliverWebhook } from './deliver-webhook';
