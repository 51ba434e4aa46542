import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { INTENTS } from '../../../../flow';
import type { Resource } from '../hooks';
import type { Intents, Outcomes } from './api';
import { axisProps, COLOURS, gridProps, tooltipProps, words } from './chart-kit';
import { DashboardPanel } from './panel';

/** Horizontal bars, one per category: long labels (outcomes are free text) stay readable. */
function Bars({ data, colour, name }: { data: { label: string; count: number }[]; colour: string; name: string }) {
  return (
    <ResponsiveContainer width="100%" height={Math.max(160, data.length * 34 + 40)}>
      <BarChart
        data={data}
        layout="vertical"
        accessibilityLayer={false}
        margin={{ top: 4, right: 16, bottom: 0, left: 8 }}
      >
        <CartesianGrid {...gridProps} horizontal={false} />
        <XAxis type="number" allowDecimals={false} {...axisProps} />
        <YAxis type="category" dataKey="label" width={110} {...axisProps} />
        <Tooltip {...tooltipProps} />
        <Bar
          isAnimationActive={false}
          dataKey="count"
          name={name}
          fill={colour}
          radius={[0, 3, 3, 0]}
          maxBarSize={26}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

const outcomeLabel = (o: string | null) => (o === null ? 'no outcome' : words(o));

/** Finished journeys of the period by the outcome their end node set. */
export function OutcomesPanel({ resource, periodLabel }: { resource: Resource<Outcomes>; periodLabel: string }) {
  return (
    <DashboardPanel
      title="Journey outcomes"
      fileName="journey-outcomes"
      periodLabel={periodLabel}
      resource={resource}
      description={
        resource.data
          ? `${resource.data.runs.total} journeys started, ${resource.data.runs.byStatus.running ?? 0} still running.`
          : 'Journeys started in the period.'
      }
      table={(d) => ({ columns: ['outcome', 'journeys'], rows: d.outcomes.map((o) => [o.outcome ?? '', o.count]) })}
      isEmpty={(d) => d.outcomes.length === 0}
      emptyText="No finished journeys in this period."
      summary={(d) => `Journey outcomes: ${d.outcomes.map((o) => `${outcomeLabel(o.outcome)} ${o.count}`).join(', ')}.`}
    >
      {(d) => (
        <Bars
          name="Journeys"
          colour={COLOURS.accent}
          data={d.outcomes.map((o) => ({ label: outcomeLabel(o.outcome), count: o.count }))}
        />
      )}
    </DashboardPanel>
  );
}

/** Customers' messages of the period by intent, read as a wait-for-reply node reads them. */
export function IntentsPanel({ resource, periodLabel }: { resource: Resource<Intents>; periodLabel: string }) {
  return (
    <DashboardPanel
      title="Reply intents"
      fileName="reply-intents"
      periodLabel={periodLabel}
      resource={resource}
      description={
        resource.data
          ? `${resource.data.replies} customer messages${resource.data.sampled ? ' (the most frequent texts only)' : ''}.`
          : "Customers' messages, by the intent a flow would read."
      }
      table={(d) => ({ columns: ['intent', 'messages'], rows: INTENTS.map((i) => [i, d.byIntent[i]]) })}
      isEmpty={(d) => d.replies === 0}
      emptyText="No customer messages in this period."
      summary={(d) => `Reply intents: ${INTENTS.map((i) => `${i} ${d.byIntent[i]}`).join(', ')}.`}
    >
      {(d) => (
        <Bars
          name="Messages"
          colour={COLOURS.current}
          data={INTENTS.map((i) => ({ label: i, count: d.byIntent[i] }))}
        />
      )}
    </DashboardPanel>
  );
}
