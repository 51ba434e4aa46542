import { useId } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Flow } from '../../../../flow';
import type { Funnel } from '../../api-client';
import { useResource } from '../hooks';
import { useSession } from '../session';
import { axisProps, COLOURS, gridProps, legendProps, tooltipProps } from './chart-kit';
import { DashboardPanel } from './panel';

interface FunnelRow {
  id: string;
  type: string;
  label: string;
  through: number;
  at: number;
}

/** The nodes in the order a journey meets them (breadth-first from the triggers); unreachable ones last. */
export function nodesInFlowOrder(flow: Flow): Flow['nodes'] {
  const byId = new Map(flow.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const queue = flow.nodes.filter((n) => n.type === 'trigger').map((n) => n.id);
  const ordered: Flow['nodes'] = [];
  while (queue.length) {
    const id = queue.shift() as string;
    const node = byId.get(id);
    if (!node || seen.has(id)) continue;
    seen.add(id);
    ordered.push(node);
    for (const e of flow.edges) if (e.source === id) queue.push(e.target);
  }
  return [...ordered, ...flow.nodes.filter((n) => !seen.has(n.id))];
}

function rowsOf(flow: Flow, funnel: Funnel): FunnelRow[] {
  return nodesInFlowOrder(flow).map((n) => ({
    id: n.id,
    type: n.type,
    label: `${n.id} · ${n.type}`,
    through: funnel.nodes[n.id]?.through ?? 0,
    at: funnel.nodes[n.id]?.at ?? 0,
  }));
}

/**
 * Journeys through each node of one published version of a flow. The flow and version live in the
 * URL with the period (`flow`, `version`); the funnel counts every journey of the version, whatever
 * the period.
 */
export function FunnelPanel({
  flowId,
  version,
  onPick,
  periodLabel,
}: {
  flowId: string | null;
  version: number | null;
  onPick: (flowId: string, version: number | null) => void;
  periodLabel: string;
}) {
  const { api } = useSession();
  const flowSelect = useId();
  const versionSelect = useId();
  const flows = useResource(
    () => api.listFlows().then((r) => r.items.filter((f) => f.publishedVersion !== null)),
    'published-flows',
  );
  const published = flows.data ?? [];
  const flow = published.find((f) => f.id === flowId) ?? published[0] ?? null;
  const versions = useResource(
    () => (flow ? api.versions(flow.id).then((r) => r.items) : Promise.resolve([])),
    flow?.id ?? '',
  );
  const chosen = version ?? flow?.publishedVersion ?? null;
  const funnel = useResource(
    async () => {
      if (!flow || chosen === null) return null;
      const [detail, counts] = await Promise.all([api.version(flow.id, chosen), api.funnel(flow.id, chosen)]);
      return { rows: rowsOf(detail.definition, counts), runs: counts.runs, sampledRunning: counts.sampledRunning };
    },
    `${flow?.id ?? ''}@${chosen ?? ''}`,
  );
  type FunnelData = NonNullable<typeof funnel.data>;
  const totalRuns = (d: FunnelData) => Object.values(d.runs).reduce((a, n) => a + n, 0);
  // No published flow: an empty panel rather than a funnel that waits forever.
  const resource =
    flows.data && !flow
      ? { data: { rows: [], runs: {}, sampledRunning: 0 }, error: null, loading: false }
      : { data: funnel.data, error: flows.error ?? versions.error ?? funnel.error, loading: funnel.loading };

  return (
    <DashboardPanel<FunnelData>
      title="Journey funnel"
      wide
      fileName={`funnel-${flow?.name.replace(/[^0-9A-Za-z-]+/g, '_') ?? 'flow'}-v${chosen ?? ''}`}
      periodLabel={periodLabel}
      resource={resource}
      description="Journeys that reached each node of the version (all of them, not only this period's), and those waiting there now."
      controls={
        published.length > 0 && (
          <>
            <span className="dash-inline-field">
              <label htmlFor={flowSelect}>Flow</label>
              <select id={flowSelect} value={flow?.id ?? ''} onChange={(e) => onPick(e.target.value, null)}>
                {published.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </select>
            </span>
            <span className="dash-inline-field">
              <label htmlFor={versionSelect}>Version</label>
              <select
                id={versionSelect}
                value={chosen ?? ''}
                onChange={(e) => flow && onPick(flow.id, Number(e.target.value))}
              >
                {(versions.data ?? (chosen ? [{ version: chosen }] : [])).map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </span>
          </>
        )
      }
      table={(d) => ({
        columns: ['node', 'type', 'reached', 'waiting now'],
        rows: d.rows.map((r) => [r.id, r.type, r.through, r.at]),
      })}
      isEmpty={(d) => d.rows.length === 0 || totalRuns(d) === 0}
      emptyText={flow ? `No journeys on ${flow.name} v${chosen ?? ''} yet.` : 'No published flows yet.'}
      summary={(d) =>
        `${flow?.name ?? ''} v${chosen ?? ''}, ${totalRuns(d)} journeys: ${d.rows.map((r) => `${r.id} ${r.through}`).join(', ')}.`
      }
    >
      {(d) => (
        <>
          <p className="muted dash-description">
            {Object.entries(d.runs)
              .map(([status, n]) => `${n} ${status}`)
              .join(' · ')}
          </p>
          <ResponsiveContainer width="100%" height={Math.max(160, d.rows.length * 34 + 60)}>
            <BarChart
              data={d.rows}
              layout="vertical"
              accessibilityLayer={false}
              margin={{ top: 4, right: 16, bottom: 0, left: 8 }}
            >
              <CartesianGrid {...gridProps} horizontal={false} />
              <XAxis type="number" allowDecimals={false} {...axisProps} />
              <YAxis type="category" dataKey="label" width={150} {...axisProps} />
              <Tooltip {...tooltipProps} />
              <Legend {...legendProps} />
              <Bar isAnimationActive={false} dataKey="through" name="Reached" fill={COLOURS.accent} maxBarSize={22} />
              <Bar isAnimationActive={false} dataKey="at" name="Waiting now" fill={COLOURS.current} maxBarSize={22} />
            </BarChart>
          </ResponsiveContainer>
        </>
      )}
    </DashboardPanel>
  );
}
