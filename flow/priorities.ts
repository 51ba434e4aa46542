// Temporal task priorities (1 = first, 5 = last; unset = 3). A campaign shares its task queue with
// the thousands of journeys it starts: without a higher priority, every tick of its dispatcher
// would wait behind the backlog of journey tasks it has just created.
import type { Priority } from '@temporalio/common';

/** The campaign workflow and its dispatcher activities. */
export const CAMPAIGN_CONTROL_PRIORITY: Priority = { priorityKey: 1 };
