// Dynamic config for every Temporal dev server the project starts: `npm start`, the tests and the
// benchmarks.
//
// matching.priorityBacklogForwarding=false: since server 1.30 a sticky poll may be handed a task
// from the normal queue when that queue has a backlog ("forward polls from sticky partitions to
// high-priority backlog", temporalio/temporal#8925). A campaign's journeys are exactly such a
// backlog, and a worker that holds back new workflows while a dispatch runs
// (WORKER_NEW_WORKFLOWS_PER_SECOND_WHILE_DISPATCHING) holds back only its normal-queue polls: with
// forwarding on, its sticky polls took ~4 new journeys a second anyway (a 10k dispatch finished
// 301 journeys instead of 172), each paying the server for a full start while the dispatch waits.
// A production cluster that wants the same should set the same key.
export const temporalDevServerArgs = ['--dynamic-config-value', 'matching.priorityBacklogForwarding=false'];
