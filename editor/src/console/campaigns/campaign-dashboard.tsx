import { useEffect, useMemo, useState } from 'react';
import { navigate } from '../../router';
import { useEventStream, useNow, useResource } from '../hooks';
import { useSession } from '../session';
import type { SseEvent } from '../transfers';
import {
  ErrorNotice,
  formatDateTime,
  formatDuration,
  formatMoney,
  formatNumber,
  Loading,
  PageHeader,
  Stat,
  StatusBadge,
} from '../ui';
import { type Campaign, campaignApi, type Progress, ProgressEventSchema, type Stats } from './api';
import { CampaignControls } from './campaign-controls';
import { doneCount, isActive } from './progress';
import { RecipientsTable } from './recipients-table';

/** Without a stream event for this long the dashboard polls instead. */
const STREAM_STALE_MS = 5000;
const POLL_MS = 2000;
/** The heavier stats (outcomes, rate, cost) refresh on this period while the campaign moves. */
const STATS_MS = 4000;

/**
 * A launched campaign, live: progress from the SSE stream (GET /campaigns/:id/stream), polling
 * when the stream is quiet or down; stats, controls and the recipients table.
 */
export function CampaignDashboard({ campaignId }: { campaignId: string }) {
  const { request } = useSession();
  const api = useMemo(() => campaignApi(request), [request]);
  const now = useNow(1000);
  const [progress, setProgress] = useState<(Progress & { at: number }) | null>(null);
  const [override, setOverride] = useState<Campaign | null>(null);

  const streamLive = progress !== null && now - progress.at < STREAM_STALE_MS;
  const base = useResource(() => api.get(campaignId), `campaign:${campaignId}`, {
    intervalMs: streamLive ? undefined : POLL_MS,
  });
  const campaign = pickLatest(base.data, override);
  const status = progress && streamLive ? progress.status : campaign?.status;
  const active = status ? isActive(status) : false;
  const stats = useResource(() => api.stats(campaignId), `stats:${campaignId}:${status}`, {
    intervalMs: active ? STATS_MS : undefined,
  });

  const onEvent = (e: SseEvent) => {
    if (e.event === 'progress') {
      const parsed = ProgressEventSchema.safeParse(e.data);
      if (parsed.success) setProgress({ ...parsed.data, at: Date.now() });
    } else if (e.event === 'finished') {
      base.reload();
      stats.reload();
    }
  };
  // A finished campaign's stream ends at once; following it again would only reconnect every 3 s.
  const streamError = useEventStream(
    campaign && isActive(campaign.status) ? `/v1/campaigns/${encodeURIComponent(campaignId)}/stream` : null,
    onEvent,
  );

  // A draft has no dashboard yet: its page is the editor.
  const isDraft = campaign?.status === 'draft';
  useEffect(() => {
    if (isDraft) navigate(`/campaigns/${campaignId}/edit`);
  }, [isDraft, campaignId]);

  if (!campaign || isDraft) return base.error ? <ErrorNotice error={base.error} /> : <Loading />;

  const totals = progress && streamLive ? progress.totals : (stats.data?.totals ?? campaign.recipients);
  const total = progress && streamLive ? progress.recipients : campaign.totalRecipients;
  const done = doneCount(totals);
  const pct = total ? Math.round((done / total) * 100) : 0;
  const shownStatus = status ?? campaign.status;

  return (
    <>
      <PageHeader
        title={campaign.name}
        description={
          <>
            <StatusBadge status={shownStatus} /> Launched {formatDateTime(campaign.launchedAt)}
            {campaign.finishedAt && ` · finished ${formatDateTime(campaign.finishedAt)}`}
            {' · '}
            <span className="muted" aria-live="off">
              {!active ? 'Final' : streamLive ? 'Live' : 'Refreshing every 2 s'}
            </span>
          </>
        }
        actions={
          <>
            <button type="button" className="link" onClick={() => navigate('/campaigns')}>
              ← All campaigns
            </button>
            <CampaignControls
              api={api}
              campaign={{ ...campaign, status: shownStatus }}
              onChanged={(c) => {
                setOverride(c);
                // The stream's next event confirms it; until then the control's answer is the truth.
                setProgress((p) => (p ? { ...p, status: c.status, at: Date.now() } : p));
                stats.reload();
              }}
            />
          </>
        }
      />
      <ErrorNotice error={streamError} />
      <section className="panel" aria-labelledby="progress-heading">
        <h2 id="progress-heading">Progress</h2>
        <div
          className="progress campaign-progress"
          role="progressbar"
          aria-label="Campaign progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
        >
          <span style={{ width: `${pct}%` }} />
        </div>
        <p className="progress-caption" role="status" aria-label="Recipients accounted for">
          {formatNumber(done)} of {formatNumber(total)} recipients accounted for ({pct}%)
        </p>
        <section className="stats stats-states" aria-label="Recipients by state">
          {(['pending', 'deferred', 'starting', 'running', 'completed', 'failed', 'skipped', 'cancelled'] as const).map(
            (s) => (
              <Stat key={s} label={capitalise(s)} value={formatNumber(totals[s] ?? 0)} />
            ),
          )}
        </section>
      </section>
      <StatsPanels stats={stats.data} error={stats.error} status={shownStatus} />
      <RecipientsTable api={api} campaignId={campaignId} version={`${shownStatus}:${done}:${totals.running ?? 0}`} />
    </>
  );
}

/** The newer of the polled campaign and the one a control answered with. */
function pickLatest(a: Campaign | null, b: Campaign | null): Campaign | null {
  if (!a || !b || a.id !== b.id) return a ?? b;
  return Date.parse(b.updatedAt) > Date.parse(a.updatedAt) ? b : a;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function StatsPanels({ stats, error, status }: { stats: Stats | null; error: unknown; status: string }) {
  if (!stats) return error ? <ErrorNotice error={error} /> : <Loading label="Loading numbers…" />;
  const outcomes = Object.entries(stats.byOutcome).sort((a, b) => b[1] - a[1]);
  return (
    <>
      <section className="stats" aria-label="Campaign numbers">
        <Stat
          label="Dispatch rate"
          value={`${stats.rate.perMinute.toFixed(1)}/min`}
          hint={`last ${stats.rate.windowMinutes} min`}
        />
        <Stat
          label="ETA"
          value={stats.eta ? formatDuration(stats.eta.seconds * 1000) : '—'}
          hint={stats.eta ? formatDateTime(stats.eta.at) : status === 'running' ? 'no rate yet' : status}
        />
        <Stat label="Journeys started" value={formatNumber(stats.attempts)} hint="retries included" />
        <Stat
          label="Cost"
          value={
            stats.cost.length === 0
              ? formatMoney(0)
              : stats.cost.map((c) => formatMoney(Number(c.amount), c.currency ?? 'USD')).join(' + ')
          }
          hint={`${formatNumber(stats.cost.reduce((n, c) => n + c.calls, 0))} priced calls`}
        />
      </section>
      <div className="grid-2">
        <section className="panel" aria-labelledby="outcomes-heading">
          <h2 id="outcomes-heading">Outcomes</h2>
          {outcomes.length === 0 ? (
            <p className="muted">No journey has ended yet.</p>
          ) : (
            <BarList rows={outcomes.map(([k, n]) => ({ key: k, label: k, count: n }))} total={stats.recipients} />
          )}
        </section>
        <section className="panel" aria-labelledby="reasons-heading">
          <h2 id="reasons-heading">Skipped, deferred and failed — why</h2>
          {stats.byReason.length === 0 ? (
            <p className="muted">Nobody skipped, deferred or failed.</p>
          ) : (
            <BarList
              rows={stats.byReason.map((r) => ({
                key: `${r.status}:${r.reason}`,
                label: `${r.status}: ${r.reason.replace(/_/g, ' ')}`,
                count: r.count,
              }))}
              total={stats.recipients}
            />
          )}
        </section>
      </div>
    </>
  );
}

function BarList({ rows, total }: { rows: { key: string; label: string; count: number }[]; total: number }) {
  return (
    <ul className="bar-list">
      {rows.map((r) => (
        <li key={r.key}>
          <span className="bar-label">{r.label}</span>
          <span className="bar" aria-hidden="true">
            <span style={{ width: `${total ? Math.max(2, (r.count / total) * 100) : 0}%` }} />
          </span>
          <strong>{formatNumber(r.count)}</strong>
        </li>
      ))}
    </ul>
  );
}
