import { useMemo, useState } from 'react';
import { navigate } from '../../router';
import type { AreaProps } from '../area';
import { useResource } from '../hooks';
import { useSession } from '../session';
import { PageHeader } from '../ui';
import { dashboardApi } from './api';
import { CallsPanel } from './calls-panel';
import { CampaignOverviewPanel } from './campaign-overview';
import { IntentsPanel, OutcomesPanel } from './distribution-panels';
import { FunnelPanel } from './funnel-panel';
import { HeatmapPanel } from './heatmap-panel';
import { choiceFromQuery, periodOf, type RangeChoice, toDayString, withChoice } from './range';
import { RangeFilter } from './range-filter';
import { ResponseTimesPanel, SlaCompliancePanel } from './sla-panels';
import './dashboards.css';

/**
 * `#/dashboards?range=30d` or `?from=YYYY-MM-DD&to=YYYY-MM-DD`, plus the funnel's `flow` and
 * `version`: everything a view shows is in its URL, so it can be shared.
 */
export function DashboardsArea({ query }: AreaProps) {
  const { request } = useSession();
  const api = useMemo(() => dashboardApi(request), [request]);
  const search = query.toString();
  // Refresh moves a preset's end to now; the URL alone would keep the first "now".
  const [refreshed, setRefreshed] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query string stands for `query`; `refreshed` recomputes now.
  const choice = useMemo(() => choiceFromQuery(query), [search]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `refreshed` moves "now".
  const period = useMemo(() => periodOf(choice), [choice, refreshed]);
  const key = `${period.from.toISOString()}/${period.to.toISOString()}`;
  const periodLabel = `${toDayString(period.from)} to ${toDayString(new Date(period.to.getTime() - 1))}`;

  const campaigns = useResource(() => api.campaigns(period), key);
  const outcomes = useResource(() => api.outcomes(period), key);
  const intents = useResource(() => api.intents(period), key);
  const sla = useResource(() => api.sla(period), key);
  const calls = useResource(() => api.calls(period), key);

  const go = (next: URLSearchParams) => navigate(`/dashboards${next.size ? `?${next}` : ''}`);
  const setChoice = (c: RangeChoice) => go(withChoice(query, c));
  const pickFlow = (flowId: string, version: number | null) => {
    const next = new URLSearchParams(query);
    next.set('flow', flowId);
    if (version === null) next.delete('version');
    else next.set('version', String(version));
    go(next);
  };
  const versionParam = Number(query.get('version'));

  return (
    <main className="console-page">
      <PageHeader
        title="Dashboards"
        description={`Campaigns, journeys, conversations and calls from ${periodLabel}.`}
        actions={
          <button type="button" onClick={() => setRefreshed((n) => n + 1)}>
            Refresh
          </button>
        }
      />
      <RangeFilter choice={choice} period={period} onChange={setChoice} />
      <div className="dash-grid">
        <CampaignOverviewPanel resource={campaigns} periodLabel={periodLabel} />
        <CallsPanel resource={calls} periodLabel={periodLabel} />
        <OutcomesPanel resource={outcomes} periodLabel={periodLabel} />
        <IntentsPanel resource={intents} periodLabel={periodLabel} />
        <SlaCompliancePanel resource={sla} periodLabel={periodLabel} />
        <ResponseTimesPanel resource={sla} periodLabel={periodLabel} />
        <HeatmapPanel resource={sla} periodLabel={periodLabel} />
        <FunnelPanel
          flowId={query.get('flow')}
          version={Number.isInteger(versionParam) && versionParam > 0 ? versionParam : null}
          onPick={pickFlow}
          periodLabel={periodLabel}
        />
      </div>
    </main>
  );
}
