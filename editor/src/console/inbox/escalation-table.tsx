import { formatDateTime, StatusBadge } from '../ui';
import type { Escalation } from './api';
import { ChannelBadge, PriorityBadge } from './badges';
import { useInboxLive } from './inbox-live';
import { SlaCountdown } from './sla-countdown';

const SOURCES: Record<string, string> = {
  handoff: 'Journey handoff',
  sla_breach: 'SLA breach',
  manual: 'Opened by hand',
};
export const sourceLabel = (source: string) => SOURCES[source] ?? source;

/** The escalations list; a row that arrived while the page was open is marked new until opened. */
export function EscalationTable({ items, now }: { items: Escalation[]; now: number }) {
  const { memberName, unseen } = useInboxLive();
  return (
    <div className="table-wrap">
      <table className="data inbox-table">
        <caption className="visually-hidden">Escalations</caption>
        <thead>
          <tr>
            <th scope="col">Escalation</th>
            <th scope="col">Contact</th>
            <th scope="col">Channel</th>
            <th scope="col">Priority</th>
            <th scope="col">Assignee</th>
            <th scope="col">Status</th>
            <th scope="col">SLA</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id} className={unseen.has(e.id) ? 'is-new' : undefined}>
              <td className="preview">
                <a href={`#/inbox/escalations/${e.id}`}>{e.note || sourceLabel(e.source)}</a>
                {unseen.has(e.id) && <span className="new-pill">new</span>}
                <div className="muted small">
                  {sourceLabel(e.source)} · {formatDateTime(e.createdAt)}
                </div>
              </td>
              <td>{e.contactName ?? (e.conversation ? e.conversation.address : <span className="muted">—</span>)}</td>
              <td>
                {e.conversation ? <ChannelBadge channel={e.conversation.channel} /> : <span className="muted">—</span>}
              </td>
              <td>
                <PriorityBadge priority={e.priority} />
              </td>
              <td>
                {memberName(e.assigneeId)}
                <div className="muted small">{e.team}</div>
              </td>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td>
                <SlaCountdown
                  dueAt={
                    e.status === 'resolved' || e.status === 'unresolved' ? null : (e.conversation?.slaDueAt ?? null)
                  }
                  metric={e.conversation?.slaMetric}
                  now={now}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
