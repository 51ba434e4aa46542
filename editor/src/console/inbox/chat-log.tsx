import { useEffect, useRef } from 'react';
import { formatDateTime } from '../ui';
import type { Message } from './api';
import { channelLabel } from './badges';

const FAILED = new Set(['failed', 'undelivered', 'blocked']);

/** The messages oldest first, the customer's on the left and ours on the right, scrolled to the newest. */
export function ChatLog({ messages, channel }: { messages: Message[]; channel: string }) {
  const end = useRef<HTMLLIElement>(null);
  const last = messages[messages.length - 1]?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when the newest message changes.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [last]);
  if (!messages.length) return <p className="muted chat-empty">No messages yet.</p>;
  return (
    <ol className="chat-log" aria-label="Messages">
      {messages.map((m) => (
        <li key={m.id} className={`bubble ${m.direction}`}>
          <span className="visually-hidden">{m.direction === 'inbound' ? 'Customer: ' : 'Us: '}</span>
          {m.subject && <strong className="bubble-subject">{m.subject}</strong>}
          <span className="bubble-body">{m.body}</span>
          <span className="bubble-meta">
            {formatDateTime(m.createdAt)} · {channelLabel(channel)}
            {m.direction === 'outbound' && (
              <>
                {' · '}
                <span className={FAILED.has(m.status) ? 'warn' : undefined}>{m.status}</span>
              </>
            )}
            {m.workflowId && m.direction === 'outbound' && !m.authorUserId && ' · journey'}
          </span>
          {m.errorMessage && (
            <span className="warn small">
              {m.errorCode && <code>{m.errorCode}</code>} {m.errorMessage}
            </span>
          )}
        </li>
      ))}
      <li ref={end} aria-hidden="true" className="chat-end" />
    </ol>
  );
}
