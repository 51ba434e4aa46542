// What the dashboards read, parsed at the boundary. Period aggregates come from /v1/analytics/*;
// the funnel from the flow's version (see api-client's `funnel`).
import { z } from 'zod';
import { CAMPAIGN_STATUSES, INTENTS, RECIPIENT_STATUSES } from '../../../../flow';
import type { Request } from '../../api-client';
import type { Period } from './range';

const Count = z.number().int();
const everyKey = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, Count])) as Record<K, typeof Count>);

export const CampaignOverviewSchema = z.object({
  campaigns: z.object({ total: Count, byStatus: everyKey(CAMPAIGN_STATUSES) }),
  recipients: z.object({
    total: Count,
    byStatus: everyKey(RECIPIENT_STATUSES),
    byOutcome: z.array(z.object({ outcome: z.string(), count: Count })),
  }),
  cost: z.array(z.object({ currency: z.string().nullable(), amount: z.number(), calls: Count })),
});
export type CampaignOverview = z.infer<typeof CampaignOverviewSchema>;

export const OutcomesSchema = z.object({
  runs: z.object({ total: Count, byStatus: z.record(z.string(), Count) }),
  outcomes: z.array(z.object({ outcome: z.string().nullable(), count: Count })),
});
export type Outcomes = z.infer<typeof OutcomesSchema>;

export const IntentsSchema = z.object({ replies: Count, byIntent: everyKey(INTENTS), sampled: z.boolean() });
export type Intents = z.infer<typeof IntentsSchema>;

export const CallSeriesSchema = z.object({
  timeZone: z.string(),
  currencies: z.array(z.string()),
  days: z.array(
    z.object({
      day: z.string(),
      calls: Count,
      answered: Count,
      durationSeconds: Count,
      cost: z.record(z.string(), z.number()),
    }),
  ),
});
export type CallSeries = z.infer<typeof CallSeriesSchema>;

const Percentiles = z.object({
  count: Count,
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});
const Times = z.object({ first_response: Percentiles, next_response: Percentiles, resolution: Percentiles });
export type SlaTimes = z.infer<typeof Times>;

export const SlaReportSchema = z.object({
  groups: z.array(
    z.object({
      key: z.string().nullable(),
      label: z.string(),
      onTime: Count,
      late: Count,
      breachedOpen: Count,
      compliance: z.number().nullable(),
      times: Times,
    }),
  ),
  overall: z.object({ onTime: Count, breaches: Count, compliance: z.number().nullable(), times: Times }),
  heatmap: z.object({
    timeZone: z.string(),
    cells: z.array(z.object({ weekday: Count, hour: Count, breaches: Count, met: Count })),
  }),
});
export type SlaReport = z.infer<typeof SlaReportSchema>;

const periodQuery = (p: Period) =>
  `from=${encodeURIComponent(p.from.toISOString())}&to=${encodeURIComponent(p.to.toISOString())}`;
const zone = encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');

/** The dashboards' loaders, bound to the session's request. */
export function dashboardApi(request: Request) {
  return {
    campaigns: (p: Period) => request('GET', `/v1/analytics/campaigns?${periodQuery(p)}`, CampaignOverviewSchema),
    outcomes: (p: Period) => request('GET', `/v1/analytics/outcomes?${periodQuery(p)}`, OutcomesSchema),
    intents: (p: Period) => request('GET', `/v1/analytics/intents?${periodQuery(p)}`, IntentsSchema),
    calls: (p: Period) => request('GET', `/v1/analytics/calls?${periodQuery(p)}&timeZone=${zone}`, CallSeriesSchema),
    sla: (p: Period) =>
      request('GET', `/v1/analytics/sla?${periodQuery(p)}&groupBy=policy&timeZone=${zone}`, SlaReportSchema),
  };
}
export type DashboardApi = ReturnType<typeof dashboardApi>;
