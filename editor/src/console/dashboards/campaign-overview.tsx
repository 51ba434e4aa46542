import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { CAMPAIGN_STATUSES } from '../../../../flow';
import type { Resource } from '../hooks';
import { formatNumber, Stat } from '../ui';
import type { CampaignOverview } from './api';
import { axisProps, COLOURS, gridProps, money, tooltipProps, words } from './chart-kit';
import type { DataTable } from './csv';
import { DashboardPanel } from './panel';

function table(d: CampaignOverview): DataTable {
  return {
    columns: ['metric', 'key', 'value'],
    rows: [
      ...CAMPAIGN_STATUSES.map((s) => ['campaigns by status', s, d.campaigns.byStatus[s]]),
      ...Object.entries(d.recipients.byStatus).map(([s, n]) => ['recipients by status', s, n]),
      ...d.recipients.byOutcome.map((o) => ['recipients by outcome', o.outcome, o.count]),
      ...d.cost.map((c) => ['cost', c.currency ?? '', c.amount]),
      ...d.cost.map((c) => ['calls', c.currency ?? '', c.calls]),
    ],
  };
}

const costText = (d: CampaignOverview) =>
  d.cost
    .filter((c) => c.amount > 0)
    .map((c) => money(c.amount, c.currency))
    .join(' + ') || money(0, 'USD');

/** Campaigns of the period by status, their recipients by outcome, and what their calls cost. */
export function CampaignOverviewPanel({
  resource,
  periodLabel,
}: {
  resource: Resource<CampaignOverview>;
  periodLabel: string;
}) {
  return (
    <DashboardPanel
      title="Campaign overview"
      fileName="campaign-overview"
      periodLabel={periodLabel}
      description="Campaigns launched in the period (or created, if never launched)."
      resource={resource}
      table={table}
      isEmpty={(d) => d.campaigns.total === 0 && d.cost.length === 0}
      emptyText="No campaigns in this period."
      summary={(d) =>
        `${d.campaigns.total} campaigns: ${CAMPAIGN_STATUSES.filter((s) => d.campaigns.byStatus[s])
          .map((s) => `${d.campaigns.byStatus[s]} ${s}`)
          .join(', ')}. ${d.recipients.total} recipients; outcomes ${
          d.recipients.byOutcome.map((o) => `${o.outcome} ${o.count}`).join(', ') || 'none yet'
        }. Cost ${costText(d)}.`
      }
      wide
    >
      {(d) => (
        <>
          <div className="stats" aria-hidden="true">
            <Stat label="Campaigns" value={formatNumber(d.campaigns.total)} />
            <Stat label="Recipients" value={formatNumber(d.recipients.total)} />
            <Stat label="Campaign calls" value={formatNumber(d.cost.reduce((a, c) => a + c.calls, 0))} />
            <Stat label="Cost" value={costText(d)} />
          </div>
          <div className="dash-pair">
            <SmallBars
              title="Campaigns by status"
              // Statuses with campaigns only: six labels do not fit a tablet's half panel (the CSV has all).
              data={CAMPAIGN_STATUSES.filter((s) => d.campaigns.byStatus[s] > 0).map((s) => ({
                name: words(s),
                value: d.campaigns.byStatus[s],
              }))}
              colour={COLOURS.accent}
            />
            <SmallBars
              title="Recipients by outcome"
              data={d.recipients.byOutcome.map((o) => ({ name: words(o.outcome), value: o.count }))}
              colour={COLOURS.ok}
            />
          </div>
        </>
      )}
    </DashboardPanel>
  );
}

function SmallBars({
  title,
  data,
  colour,
}: {
  title: string;
  data: { name: string; value: number }[];
  colour: string;
}) {
  return (
    <div>
      <h3 className="dash-subtitle">{title}</h3>
      {data.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ResponsiveContainer width="100%" height={200}>
          <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid {...gridProps} vertical={false} />
            <XAxis dataKey="name" {...axisProps} interval={0} />
            <YAxis allowDecimals={false} {...axisProps} />
            <Tooltip {...tooltipProps} />
            <Bar
              isAnimationActive={false}
              dataKey="value"
              name="Count"
              fill={colour}
              radius={[3, 3, 0, 0]}
              maxBarSize={48}
            />
          </BarChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
