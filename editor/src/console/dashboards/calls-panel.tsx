import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Resource } from '../hooks';
import type { CallSeries } from './api';
import { axisProps, COLOURS, gridProps, legendProps, money, plural, tooltipProps } from './chart-kit';
import type { DataTable } from './csv';
import { DashboardPanel } from './panel';

function table(s: CallSeries): DataTable {
  return {
    columns: ['day', 'calls', 'answered', 'minutes', ...s.currencies.map((c) => `cost ${c}`)],
    rows: s.days.map((d) => [
      d.day,
      d.calls,
      d.answered,
      Math.round((d.durationSeconds / 60) * 10) / 10,
      ...s.currencies.map((c) => Math.round((d.cost[c] ?? 0) * 10_000) / 10_000),
    ]),
  };
}

const shortDay = (day: string) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** Calls per day (answered among them) and, on the right axis, their cost in the main currency. */
export function CallsPanel({ resource, periodLabel }: { resource: Resource<CallSeries>; periodLabel: string }) {
  const totals = (s: CallSeries) => ({
    calls: s.days.reduce((a, d) => a + d.calls, 0),
    answered: s.days.reduce((a, d) => a + d.answered, 0),
    cost: s.currencies.map((c) =>
      money(
        s.days.reduce((a, d) => a + (d.cost[c] ?? 0), 0),
        c,
      ),
    ),
  });
  return (
    <DashboardPanel
      title="Calls and cost over time"
      fileName="calls-and-cost"
      periodLabel={periodLabel}
      resource={resource}
      description={
        resource.data
          ? (() => {
              const t = totals(resource.data);
              return `${plural(t.calls, 'call')}, ${t.answered} answered${t.cost.length ? `, costing ${t.cost.join(' + ')}` : ''} (days in ${resource.data.timeZone}).`;
            })()
          : 'Calls placed and received, by day.'
      }
      table={table}
      isEmpty={(s) => totals(s).calls === 0}
      emptyText="No calls in this period."
      summary={(s) => {
        const t = totals(s);
        const busiest = s.days.reduce((a, d) => (d.calls > a.calls ? d : a));
        return `${plural(t.calls, 'call')} over ${plural(s.days.length, 'day')}, ${t.answered} answered${
          t.cost.length ? `, cost ${t.cost.join(' + ')}` : ''
        }; busiest day ${busiest.day} with ${busiest.calls}.`;
      }}
      wide
    >
      {(s) => {
        const currency = s.currencies[0] ?? null;
        const data = s.days.map((d) => ({
          day: d.day,
          calls: d.calls,
          answered: d.answered,
          cost: currency ? (d.cost[currency] ?? 0) : 0,
        }));
        return (
          <ResponsiveContainer width="100%" height={260}>
            <ComposedChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid {...gridProps} vertical={false} />
              <XAxis dataKey="day" {...axisProps} tickFormatter={shortDay} minTickGap={24} />
              <YAxis yAxisId="calls" allowDecimals={false} {...axisProps} width={40} />
              {currency && (
                <YAxis
                  yAxisId="cost"
                  orientation="right"
                  {...axisProps}
                  width={64}
                  tickFormatter={(v: number) => money(v, currency)}
                />
              )}
              <Tooltip
                {...tooltipProps}
                labelFormatter={(l) => shortDay(String(l))}
                formatter={(v, name) => (name === 'Cost' && typeof v === 'number' ? money(v, currency) : v)}
              />
              <Legend {...legendProps} />
              <Area
                isAnimationActive={false}
                yAxisId="calls"
                type="linear"
                dataKey="calls"
                name="Calls"
                stroke={COLOURS.accent}
                fill={COLOURS.accent}
                fillOpacity={0.2}
              />
              <Area
                isAnimationActive={false}
                yAxisId="calls"
                type="linear"
                dataKey="answered"
                name="Answered"
                stroke={COLOURS.ok}
                fill={COLOURS.ok}
                fillOpacity={0.2}
              />
              {currency && (
                <Line
                  isAnimationActive={false}
                  yAxisId="cost"
                  type="linear"
                  dataKey="cost"
                  name="Cost"
                  stroke={COLOURS.current}
                  strokeWidth={2}
                  dot={false}
                />
              )}
            </ComposedChart>
          </ResponsiveContainer>
        );
      }}
    </DashboardPanel>
  );
}
