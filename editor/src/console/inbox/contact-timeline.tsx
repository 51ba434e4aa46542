import { useResource } from '../hooks';
import { ErrorNotice, formatDateTime, Loading } from '../ui';
import type { TimelineItem } from './api';
import { channelLabel } from './badges';
import { useInboxLive } from './inbox-live';

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** One line per timeline entry: what happened, in words, from the entry's data. */
function describe(item: TimelineItem): { title: string; detail: string | null } {
  const d = item.data;
  switch (item.type) {
    case 'note':
      return { title: 'Note', detail: str(d.body) };
    case 'event': {
      const channel = str(d.channel);
      return {
        title: (str(d.event) ?? 'Event').replace(/[._]/g, ' '),
        detail: str(d.text) ?? str(d.body) ?? (channel ? `on ${channelLabel(channel)}` : null),
      };
    }
    case 'run':
      return {
        title: `Journey ${str(d.status) ?? ''}`.trim(),
        detail: str(d.outcome) ? `outcome: ${str(d.outcome)}` : null,
      };
    case 'message':
    case 'call': {
      const req = d.request && typeof d.request === 'object' ? (d.request as Record<string, unknown>) : {};
      // Ledger kinds read "message.sms", "message.whatsapp", "call".
      const [, channel] = (str(d.kind) ?? '').split('.');
      const what = item.type === 'call' ? 'Call' : `${channel ? channelLabel(channel) : 'Message'} sent`;
      return { title: `${what} · ${str(d.status) ?? ''}`, detail: str(req.text) ?? str(req.to) };
    }
    default:
      return { title: (str(d.kind) ?? 'Action').replace(/[._]/g, ' '), detail: str(d.status) };
  }
}

/** The contact's timeline (GET /contacts/:id/timeline), newest first, beside the chat. */
export function ContactTimeline({ contactId, version }: { contactId: string; version: number }) {
  const { api } = useInboxLive();
  const timeline = useResource(() => api.timeline(contactId), `${contactId}|${version}`);
  return (
    <section className="panel" aria-label="Contact timeline">
      <h2>
        Contact timeline <a href={`#/contacts/${contactId}`}>Open contact</a>
      </h2>
      <ErrorNotice error={timeline.error} />
      {!timeline.data && timeline.loading && <Loading />}
      {timeline.data &&
        (timeline.data.items.length ? (
          <ol className="timeline">
            {timeline.data.items.map((item) => {
              const { title, detail } = describe(item);
              return (
                <li key={`${item.type}-${item.id}`} className={`timeline-item timeline-${item.type}`}>
                  <span className="timeline-title">{title}</span>
                  <time className="muted small" dateTime={item.at}>
                    {formatDateTime(item.at)}
                  </time>
                  {detail && <span className="timeline-detail">{detail}</span>}
                </li>
              );
            })}
          </ol>
        ) : (
          <p className="muted">Nothing on this contact’s timeline yet.</p>
        ))}
    </section>
  );
}
