import { formatDateTime, formatDuration } from '../ui';

const METRIC_LABELS: Record<string, string> = {
  first_response: 'first response',
  next_response: 'next response',
  resolution: 'resolution',
  acknowledge: 'acknowledgement',
};

/**
 * Time left until `dueAt` ("29m 10s left"), or how long it is overdue, in red, once past. `now`
 * comes from the caller's useNow so a whole table ticks on one timer.
 */
export function SlaCountdown({
  dueAt,
  now,
  metric,
}: {
  dueAt: string | number | null;
  now: number;
  metric?: string | null;
}) {
  if (dueAt === null) return <span className="muted">—</span>;
  const due = typeof dueAt === 'number' ? dueAt : Date.parse(dueAt);
  const left = due - now;
  const what = metric ? (METRIC_LABELS[metric] ?? metric.replace(/_/g, ' ')) : null;
  const title = `${what ? `${what} ` : ''}due ${formatDateTime(new Date(due).toISOString())}`;
  return (
    <time
      className={left < 0 ? 'sla sla-breached' : left < 15 * 60_000 ? 'sla sla-soon' : 'sla'}
      dateTime={new Date(due).toISOString()}
      title={title}
    >
      {left < 0 ? `overdue ${formatDuration(left)}` : `${formatDuration(left)} left`}
      {what && (
        <span className="sla-metric">
          <span className="visually-hidden"> for </span>
          {what}
        </span>
      )}
    </time>
  );
}
