import { type CSSProperties, useId, useState } from 'react';
import type { Resource } from '../hooks';
import type { SlaReport } from './api';
import type { DataTable } from './csv';
import { DashboardPanel } from './panel';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HOURS = Array.from({ length: 24 }, (_, h) => h);
type Measure = 'all' | 'breaches' | 'met';
const MEASURES: ReadonlyArray<{ key: Measure; label: string }> = [
  { key: 'all', label: 'All SLA events' },
  { key: 'breaches', label: 'Breaches' },
  { key: 'met', label: 'Met targets' },
];

/** 7 × 24 cells, weekday 1 = Monday as the API numbers them. */
function grid(report: SlaReport) {
  const cells = WEEKDAYS.map(() => HOURS.map(() => ({ met: 0, breaches: 0 })));
  for (const c of report.heatmap.cells) {
    const cell = cells[c.weekday - 1]?.[c.hour];
    if (cell) {
      cell.met += c.met;
      cell.breaches += c.breaches;
    }
  }
  return cells;
}

const countOf = (cell: { met: number; breaches: number }, m: Measure) =>
  m === 'met' ? cell.met : m === 'breaches' ? cell.breaches : cell.met + cell.breaches;

const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

function table(report: SlaReport): DataTable {
  const cells = grid(report);
  return {
    columns: ['weekday', 'hour', 'met', 'breaches'],
    rows: WEEKDAYS.flatMap((day, d) =>
      HOURS.map((h) => {
        const cell = cells[d]?.[h] ?? { met: 0, breaches: 0 };
        return [day, h, cell.met, cell.breaches];
      }),
    ),
  };
}

/**
 * When SLA targets are met and breached, by weekday and hour on this browser's clock. A table of
 * labelled cells: each says its count to a screen reader and in a tooltip; the shade (a mix of the
 * theme's accent or danger colour into the panel colour) only repeats it.
 */
export function HeatmapPanel({ resource, periodLabel }: { resource: Resource<SlaReport>; periodLabel: string }) {
  const [measure, setMeasure] = useState<Measure>('all');
  const selectId = useId();
  return (
    <DashboardPanel
      title="Hour-by-weekday heatmap"
      fileName="sla-heatmap"
      periodLabel={periodLabel}
      resource={resource}
      description={
        resource.data
          ? `SLA targets met or breached, by the hour they happened (${resource.data.heatmap.timeZone}).`
          : 'SLA targets met or breached, by the hour they happened.'
      }
      table={table}
      isEmpty={(r) => r.heatmap.cells.length === 0}
      emptyText="No SLA events in this period."
      summary={() => ''}
      alternative="self"
      wide
      controls={
        <span className="dash-inline-field">
          <label htmlFor={selectId}>Show</label>
          <select id={selectId} value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
            {MEASURES.map((m) => (
              <option key={m.key} value={m.key}>
                {m.label}
              </option>
            ))}
          </select>
        </span>
      }
    >
      {(r) => <Heatmap report={r} measure={measure} />}
    </DashboardPanel>
  );
}

function Heatmap({ report, measure }: { report: SlaReport; measure: Measure }) {
  const cells = grid(report);
  const max = Math.max(1, ...cells.flat().map((c) => countOf(c, measure)));
  const label = MEASURES.find((m) => m.key === measure)?.label ?? '';
  return (
    <div className="dash-heatmap-wrap">
      <table className={`dash-heatmap heat-${measure}`}>
        <caption className="visually-hidden">
          {label} by weekday and hour, {report.heatmap.timeZone}
        </caption>
        <thead>
          <tr>
            <td />
            {HOURS.map((h) => (
              <th key={h} scope="col" abbr={hh(h)}>
                <span className={h % 3 === 0 ? '' : 'dash-hour-minor'}>{h}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {WEEKDAYS.map((day, d) => (
            <tr key={day}>
              <th scope="row" abbr={day}>
                {day.slice(0, 3)}
              </th>
              {HOURS.map((h) => {
                const cell = cells[d]?.[h] ?? { met: 0, breaches: 0 };
                const value = countOf(cell, measure);
                const text = `${day} ${hh(h)}: ${value} ${measure === 'all' ? 'events' : label.toLowerCase()} (${cell.met} met, ${cell.breaches} breached)`;
                return (
                  <td
                    key={h}
                    title={text}
                    aria-label={text}
                    className={`dash-heat-cell${value === 0 ? ' dash-heat-zero' : value * 2 > max ? ' dash-heat-strong' : ''}`}
                    style={{ '--heat': Math.round((value / max) * 100) } as CSSProperties}
                  >
                    {value || ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dash-heat-legend" aria-hidden="true">
        <span>0</span>
        <span className={`dash-heat-scale heat-${measure}`} />
        <span>{max}</span>
      </div>
    </div>
  );
}
