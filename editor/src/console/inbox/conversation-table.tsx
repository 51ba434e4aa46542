import { formatDateTime, StatusBadge } from '../ui';
import type { Conversation } from './api';
import { ChannelBadge, PriorityBadge } from './badges';
import { useInboxLive } from './inbox-live';
import { SlaCountdown } from './sla-countdown';

export const contactLabel = (c: Pick<Conversation, 'contact' | 'address'>) => c.contact?.name || c.address;

/** The conversations list: who, where, what they said last, priority, who has it, and the SLA. */
export function ConversationTable({ items, now }: { items: Conversation[]; now: number }) {
  const { memberName } = useInboxLive();
  return (
    <div className="table-wrap">
      <table className="data inbox-table">
        <caption className="visually-hidden">Conversations</caption>
        <thead>
          <tr>
            <th scope="col">Contact</th>
            <th scope="col">Channel</th>
            <th scope="col">Last message</th>
            <th scope="col">Priority</th>
            <th scope="col">Assignee</th>
            <th scope="col">Status</th>
            <th scope="col">SLA</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} className={c.unreadCount ? 'unread' : undefined}>
              <td>
                <a href={`#/inbox/conversations/${c.id}`}>{contactLabel(c)}</a>
                {c.unreadCount > 0 && (
                  <span className="unread-count" title={`${c.unreadCount} unread`}>
                    {c.unreadCount}
                    <span className="visually-hidden"> unread</span>
                  </span>
                )}
                {c.contact?.name && <div className="muted small">{c.address}</div>}
              </td>
              <td>
                <ChannelBadge channel={c.channel} />
              </td>
              <td className="preview">
                {c.lastMessage ? (
                  <>
                    <span className="muted">{c.lastMessage.direction === 'inbound' ? '← ' : '→ '}</span>
                    {c.lastMessage.body}
                    <div className="muted small">{formatDateTime(c.lastMessage.createdAt)}</div>
                  </>
                ) : (
                  <span className="muted">No messages</span>
                )}
              </td>
              <td>
                <PriorityBadge priority={c.priority} />
              </td>
              <td>
                {memberName(c.assigneeId)}
                {c.team && <div className="muted small">{c.team}</div>}
              </td>
              <td>
                <StatusBadge status={c.status} />
              </td>
              <td>
                <SlaCountdown dueAt={c.status === 'resolved' ? null : c.slaDueAt} metric={c.slaMetric} now={now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
