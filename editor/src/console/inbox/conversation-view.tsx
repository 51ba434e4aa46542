import { useEffect, useState } from 'react';
import { useAction, useNow, useResource } from '../hooks';
import { ErrorNotice, Field, Loading, PageHeader, StatusBadge } from '../ui';
import { CONVERSATION_STATUSES, type Conversation, type Message } from './api';
import { ChannelBadge, channelLabel, PriorityBadge } from './badges';
import { ChatLog } from './chat-log';
import { ContactTimeline } from './contact-timeline';
import { contactLabel } from './conversation-table';
import { useInboxLive } from './inbox-live';
import { SlaCountdown } from './sla-countdown';

/** One conversation: the chat and a reply box on its channel, its assignment, and the contact's timeline beside. */
export function ConversationView({ id }: { id: string }) {
  const live = useInboxLive();
  const { api } = live;
  const conversation = useResource(() => api.conversation(id), `${id}|${live.conversationsVersion}`);
  const messages = useResource(
    () => api.messages(id).then((r) => [...r.items].reverse()),
    `${id}|${live.conversationsVersion}`,
  );
  // Opening it reads it; the list's unread count follows over the stream.
  useEffect(() => {
    api.markRead(id).catch(() => undefined);
  }, [api, id]);

  const c = conversation.data;
  return (
    <main className="console-page inbox">
      <p>
        <a href="#/inbox?tab=conversations">← Inbox</a>
      </p>
      <PageHeader
        title={c ? contactLabel(c) : 'Conversation'}
        description={
          c && (
            <span className="row">
              <ChannelBadge channel={c.channel} /> {c.address} <StatusBadge status={c.status} />
              <PriorityBadge priority={c.priority} />
            </span>
          )
        }
      />
      <ErrorNotice error={conversation.error} />
      {!c && conversation.loading && <Loading />}
      {c && (
        <div className="conversation-layout">
          <section className="panel chat-panel" aria-label="Chat">
            <ErrorNotice error={messages.error} />
            {messages.data ? <ChatLog messages={messages.data} channel={c.channel} /> : <Loading />}
            <ReplyBox conversation={c} onSent={messages.reload} />
          </section>
          <aside className="conversation-side">
            <ConversationDetails conversation={c} onChanged={conversation.reload} />
            {c.contactId ? (
              <ContactTimeline contactId={c.contactId} version={live.conversationsVersion} />
            ) : (
              <section className="panel" aria-label="Contact timeline">
                <h2>Contact timeline</h2>
                <p className="muted">This address is not linked to a contact.</p>
              </section>
            )}
          </aside>
        </div>
      )}
    </main>
  );
}

/** Sends on the conversation's own channel (the API picks it from the conversation); Ctrl/⌘+Enter sends. */
function ReplyBox({ conversation, onSent }: { conversation: Conversation; onSent: () => void }) {
  const { api } = useInboxLive();
  const [text, setText] = useState('');
  const [sent, setSent] = useState<Message | null>(null);
  const send = useAction(async () => {
    const message = await api.reply(conversation.id, text);
    setText('');
    setSent(message);
    onSent();
  });
  const channel = channelLabel(conversation.channel);
  const closed = !conversation.replyWindowOpen;
  return (
    <form
      className="reply-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) void send.run();
      }}
    >
      {closed && (
        <p className="notice" role="status">
          WhatsApp allows free-form replies only within 24 hours of the customer’s last message; this window is closed.
        </p>
      )}
      <Field label={`Reply on ${channel}`} hint={sent ? `Sent “${sent.body.slice(0, 60)}”` : undefined}>
        {(fid) => (
          <textarea
            id={fid}
            rows={3}
            value={text}
            disabled={closed}
            placeholder={`Write to ${contactLabel(conversation)}…`}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && text.trim()) {
                e.preventDefault();
                void send.run();
              }
            }}
          />
        )}
      </Field>
      <ErrorNotice error={send.error} onDismiss={send.clear} />
      <div className="row reply-actions">
        <span className="muted small">Ctrl+Enter sends</span>
        <button type="submit" className="primary" disabled={send.busy || closed || !text.trim()}>
          {send.busy ? 'Sending…' : `Send ${channel}`}
        </button>
      </div>
    </form>
  );
}

/** Who has it, its status and priority, and the SLA clock: the PATCH /conversations/:id controls. */
function ConversationDetails({ conversation: c, onChanged }: { conversation: Conversation; onChanged: () => void }) {
  const { api, members } = useInboxLive();
  const now = useNow(1000);
  const update = useAction(async (body: Parameters<typeof api.updateConversation>[1]) => {
    await api.updateConversation(c.id, body);
    onChanged();
  });
  return (
    <section className="panel" aria-label="Conversation details">
      <h2>Details</h2>
      <dl className="facts">
        <dt>SLA</dt>
        <dd>
          <SlaCountdown dueAt={c.status === 'resolved' ? null : c.slaDueAt} metric={c.slaMetric} now={now} />
        </dd>
        <dt>Team</dt>
        <dd>{c.team ?? <span className="muted">—</span>}</dd>
      </dl>
      <div className="form-grid compact">
        <Field label="Assignee">
          {(id) => (
            <select
              id={id}
              value={c.assigneeId ?? ''}
              disabled={update.busy}
              onChange={(e) => void update.run({ assigneeId: e.target.value || null })}
            >
              <option value="">Unassigned</option>
              {members.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Conversation status">
          {(id) => (
            <select
              id={id}
              value={c.status}
              disabled={update.busy}
              onChange={(e) => void update.run({ status: e.target.value })}
            >
              {CONVERSATION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Priority">
          {(id) => (
            <select
              id={id}
              value={c.priority}
              disabled={update.busy}
              onChange={(e) => void update.run({ priority: e.target.value })}
            >
              {['low', 'normal', 'high', 'urgent'].map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNotice error={update.error} onDismiss={update.clear} />
    </section>
  );
}
