import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Resource } from '../hooks';
import { Stat } from '../ui';
import type { SlaReport, SlaTimes } from './api';
import { axisProps, COLOURS, gridProps, legendProps, seconds, tooltipProps } from './chart-kit';
import { DashboardPanel } from './panel';

const late = (r: SlaReport) => r.groups.reduce((a, g) => a + g.late, 0);
const breachedOpen = (r: SlaReport) => r.groups.reduce((a, g) => a + g.breachedOpen, 0);
const pct = (n: number | null) => (n === null ? '—' : `${n}%`);

/** Targets met on time, met late and breached (not yet met), per SLA policy. */
export function SlaCompliancePanel({ resource, periodLabel }: { resource: Resource<SlaReport>; periodLabel: string }) {
  return (
    <DashboardPanel
      title="SLA compliance"
      fileName="sla-compliance"
      periodLabel={periodLabel}
      resource={resource}
      description="Each response and resolution target: met on time, or breached (and then answered late or not)."
      table={(r) => ({
        columns: ['policy', 'met on time', 'met late', 'breached, not met', 'compliance %'],
        rows: [
          ...r.groups.map((g) => [g.label, g.onTime, g.late, g.breachedOpen, g.compliance]),
          ['all', r.overall.onTime, late(r), breachedOpen(r), r.overall.compliance],
        ],
      })}
      isEmpty={(r) => r.overall.onTime + r.overall.breaches === 0}
      emptyText="No SLA targets met or breached in this period."
      summary={(r) =>
        `Compliance ${pct(r.overall.compliance)}: ${r.overall.onTime} met on time, ${r.overall.breaches} breached (${late(r)} answered late).`
      }
    >
      {(r) => (
        <>
          <div className="stats" aria-hidden="true">
            <Stat label="Compliance" value={pct(r.overall.compliance)} />
            <Stat label="Met on time" value={r.overall.onTime} />
            <Stat label="Breached" value={r.overall.breaches} />
          </div>
          <ResponsiveContainer width="100%" height={Math.max(140, r.groups.length * 40 + 70)}>
            <BarChart
              data={r.groups.map((g) => ({ label: g.label, onTime: g.onTime, late: g.late, open: g.breachedOpen }))}
              layout="vertical"
              accessibilityLayer={false}
              margin={{ top: 4, right: 16, bottom: 0, left: 8 }}
            >
              <CartesianGrid {...gridProps} horizontal={false} />
              <XAxis type="number" allowDecimals={false} {...axisProps} />
              <YAxis type="category" dataKey="label" width={110} {...axisProps} />
              <Tooltip {...tooltipProps} />
              <Legend {...legendProps} />
              <Bar
                isAnimationActive={false}
                dataKey="onTime"
                name="Met on time"
                stackId="sla"
                fill={COLOURS.ok}
                maxBarSize={26}
              />
              <Bar
                isAnimationActive={false}
                dataKey="late"
                name="Breached, met late"
                stackId="sla"
                fill={COLOURS.current}
                maxBarSize={26}
              />
              <Bar
                isAnimationActive={false}
                dataKey="open"
                name="Breached, not met"
                stackId="sla"
                fill={COLOURS.danger}
                maxBarSize={26}
              />
            </BarChart>
          </ResponsiveContainer>
        </>
      )}
    </DashboardPanel>
  );
}

const METRICS: ReadonlyArray<{ key: keyof SlaTimes; label: string }> = [
  { key: 'first_response', label: 'First response' },
  { key: 'next_response', label: 'Next response' },
  { key: 'resolution', label: 'Resolution' },
];

/** p50/p95/p99 of how long targets took to be met — never averages, which one slow case skews. */
export function ResponseTimesPanel({ resource, periodLabel }: { resource: Resource<SlaReport>; periodLabel: string }) {
  const shown = (t: SlaTimes) => METRICS.filter((m) => t[m.key].count > 0);
  return (
    <DashboardPanel
      title="Response and resolution times"
      fileName="response-times"
      periodLabel={periodLabel}
      resource={resource}
      description="Percentiles of the time each target took, on its own clock (business or calendar)."
      table={(r) => ({
        columns: ['metric', 'count', 'p50 seconds', 'p95 seconds', 'p99 seconds'],
        rows: METRICS.map((m) => {
          const t = r.overall.times[m.key];
          return [m.key, t.count, t.p50, t.p95, t.p99];
        }),
      })}
      isEmpty={(r) => shown(r.overall.times).length === 0}
      emptyText="No response or resolution met in this period."
      summary={(r) =>
        shown(r.overall.times)
          .map((m) => {
            const t = r.overall.times[m.key];
            return `${m.label} (${t.count}): p50 ${seconds(t.p50)}, p95 ${seconds(t.p95)}, p99 ${seconds(t.p99)}`;
          })
          .join('. ')
      }
    >
      {(r) => (
        <>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart
              data={shown(r.overall.times).map((m) => ({ label: m.label, ...r.overall.times[m.key] }))}
              accessibilityLayer={false}
              margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
            >
              <CartesianGrid {...gridProps} vertical={false} />
              <XAxis dataKey="label" {...axisProps} />
              <YAxis {...axisProps} allowDecimals={false} tickFormatter={(v: number) => seconds(v)} width={64} />
              <Tooltip {...tooltipProps} formatter={(v) => seconds(typeof v === 'number' ? v : null)} />
              <Legend {...legendProps} />
              <Bar isAnimationActive={false} dataKey="p50" name="p50" fill={COLOURS.ok} maxBarSize={32} />
              <Bar isAnimationActive={false} dataKey="p95" name="p95" fill={COLOURS.current} maxBarSize={32} />
              <Bar isAnimationActive={false} dataKey="p99" name="p99" fill={COLOURS.danger} maxBarSize={32} />
            </BarChart>
          </ResponsiveContainer>
          <div className="table-wrap" aria-hidden="true">
            <table className="data dash-times">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th>Met</th>
                  <th>p50</th>
                  <th>p95</th>
                  <th>p99</th>
                </tr>
              </thead>
              <tbody>
                {shown(r.overall.times).map((m) => {
                  const t = r.overall.times[m.key];
                  return (
                    <tr key={m.key}>
                      <td>{m.label}</td>
                      <td>{t.count}</td>
                      <td>{seconds(t.p50)}</td>
                      <td>{seconds(t.p95)}</td>
                      <td>{seconds(t.p99)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </DashboardPanel>
  );
}
