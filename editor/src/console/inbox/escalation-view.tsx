import { useEffect, useState } from 'react';
import { useAction, useNow, useResource } from '../hooks';
import { Dialog, ErrorNotice, Field, formatDateTime, Loading, PageHeader, StatusBadge, useToast } from '../ui';
import type { EscalationDetail } from './api';
import { ChannelBadge, PriorityBadge } from './badges';
import { sourceLabel } from './escalation-table';
import { useInboxLive } from './inbox-live';
import { SlaCountdown } from './sla-countdown';

const CLOSED = new Set(['resolved', 'unresolved']);

/** One escalation: its state, the ladder, the SLA of its conversation, the actions and the history. */
export function EscalationView({ id }: { id: string }) {
  const live = useInboxLive();
  const { api, memberName, markSeen } = live;
  const now = useNow(1000);
  const escalation = useResource(() => api.escalation(id), `${id}|${live.escalationsVersion}`);
  useEffect(() => markSeen(id), [id, markSeen]);
  const e = escalation.data;
  return (
    <main className="console-page inbox">
      <p>
        <a href="#/inbox?tab=escalations">← Inbox</a>
      </p>
      <PageHeader
        title={e ? e.note || sourceLabel(e.source) : 'Escalation'}
        description={
          e && (
            <span className="row">
              <StatusBadge status={e.status} /> <PriorityBadge priority={e.priority} /> {sourceLabel(e.source)} · team{' '}
              {e.team}
            </span>
          )
        }
      />
      <ErrorNotice error={escalation.error} />
      {!e && escalation.loading && <Loading />}
      {e && (
        <div className="grid-2">
          <section className="panel" aria-label="Escalation">
            <h2>State</h2>
            <dl className="facts">
              <dt>Status</dt>
              <dd>
                <StatusBadge status={e.status} />
                {e.pending && <span className="muted"> (waiting for a worker to apply the last action)</span>}
              </dd>
              <dt>Assignee</dt>
              <dd>{memberName(e.assigneeId)}</dd>
              <dt>Acknowledged</dt>
              <dd>
                {e.acknowledgedAt ? `${memberName(e.acknowledgedBy)}, ${formatDateTime(e.acknowledgedAt)}` : 'Not yet'}
              </dd>
              {e.live && (
                <>
                  <dt>Ladder</dt>
                  <dd>
                    level {e.live.level + 1} of {e.live.levels}
                    {e.live.exhausted && ' (exhausted: nobody acknowledged)'}
                  </dd>
                  {e.live.ackDueAt !== null && (
                    <>
                      <dt>Acknowledge within</dt>
                      <dd>
                        <SlaCountdown dueAt={e.live.ackDueAt} now={now} />
                      </dd>
                    </>
                  )}
                </>
              )}
              <dt>Conversation SLA</dt>
              <dd>
                <SlaCountdown
                  dueAt={CLOSED.has(e.status) ? null : (e.conversation?.slaDueAt ?? null)}
                  metric={e.conversation?.slaMetric}
                  now={now}
                />
              </dd>
              <dt>Contact</dt>
              <dd>
                {e.contactName ?? e.conversation?.address ?? <span className="muted">—</span>}
                {e.conversation && (
                  <>
                    {' '}
                    <ChannelBadge channel={e.conversation.channel} />
                  </>
                )}
                {e.conversationId && (
                  <div>
                    <a href={`#/inbox/conversations/${e.conversationId}`}>Open the conversation</a>
                  </div>
                )}
              </dd>
              <dt>Opened</dt>
              <dd>{formatDateTime(e.createdAt)}</dd>
              {e.resolvedAt && (
                <>
                  <dt>Closed</dt>
                  <dd>
                    {formatDateTime(e.resolvedAt)} — {e.outcome}
                    {e.resolutionNote && <div>“{e.resolutionNote}”</div>}
                  </dd>
                </>
              )}
            </dl>
            <EscalationActions escalation={e} onChanged={escalation.reload} />
          </section>
          <section className="panel" aria-label="History">
            <h2>History</h2>
            <ol className="timeline">
              {e.history.map((h, i) => (
                // The history is append-only and ordered, so the index is a stable key.
                // biome-ignore lint/suspicious/noArrayIndexKey: see above
                <li key={i} className="timeline-item">
                  <span className="timeline-title">
                    {h.kind}
                    {h.level !== null && <span className="muted"> · level {h.level + 1}</span>}
                  </span>
                  <time className="muted small" dateTime={h.at}>
                    {formatDateTime(h.at)}
                  </time>
                  <span className="timeline-detail">{historyDetail(h, memberName)}</span>
                </li>
              ))}
            </ol>
          </section>
        </div>
      )}
    </main>
  );
}

function historyDetail(h: EscalationDetail['history'][number], memberName: (id: string | null) => string): string {
  const parts: string[] = [];
  if (h.actorUserId) parts.push(`by ${memberName(h.actorUserId)}`);
  const d = h.detail;
  if (typeof d.userId === 'string') parts.push(`to ${memberName(d.userId)}`);
  if (typeof d.team === 'string') parts.push(`team ${d.team}`);
  if (typeof d.channel === 'string') parts.push(`via ${d.channel}`);
  if (typeof d.note === 'string' && d.note) parts.push(`“${d.note}”`);
  return parts.join(' · ');
}

/** Acknowledge, Reassign and Resolve; each failure shows the API's code (e.g. 409 escalation_closed). */
function EscalationActions({ escalation: e, onChanged }: { escalation: EscalationDetail; onChanged: () => void }) {
  const { api, members, identity } = useInboxLive();
  const toast = useToast();
  const [ackAs, setAckAs] = useState('');
  const [dialog, setDialog] = useState<'reassign' | 'resolve' | null>(null);
  const closed = CLOSED.has(e.status);
  const acknowledge = useAction(async () => {
    const next = await api.acknowledge(e.id, ackAs || undefined);
    toast(next.pending ? 'Acknowledgement queued' : 'Acknowledged');
    onChanged();
  });
  // A key that acts for no member must say who acknowledges.
  const needsMember = identity === 'none';
  return (
    <div className="escalation-actions">
      <h3 className="visually-hidden">Actions</h3>
      {!closed && (
        <div className="row">
          {needsMember && e.status !== 'acknowledged' && (
            <Field label="Acknowledge as">
              {(id) => (
                <select id={id} value={ackAs} onChange={(ev) => setAckAs(ev.target.value)}>
                  <option value="">Choose a member…</option>
                  {members.map((m) => (
                    <option key={m.userId} value={m.userId}>
                      {m.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <button
            type="button"
            className="primary"
            disabled={acknowledge.busy || e.status === 'acknowledged' || (needsMember && !ackAs)}
            onClick={() => void acknowledge.run()}
          >
            {e.status === 'acknowledged' ? 'Acknowledged' : 'Acknowledge'}
          </button>
          <button type="button" onClick={() => setDialog('reassign')}>
            Reassign…
          </button>
          <button type="button" onClick={() => setDialog('resolve')}>
            Resolve…
          </button>
        </div>
      )}
      {closed && <p className="muted">Closed: nothing more to do here.</p>}
      <ErrorNotice error={acknowledge.error} onDismiss={acknowledge.clear} />
      <ReassignDialog
        open={dialog === 'reassign'}
        escalation={e}
        onClose={() => setDialog(null)}
        onDone={() => {
          setDialog(null);
          onChanged();
        }}
      />
      <ResolveDialog
        open={dialog === 'resolve'}
        escalation={e}
        onClose={() => setDialog(null)}
        onDone={() => {
          setDialog(null);
          onChanged();
        }}
      />
    </div>
  );
}

interface DialogProps {
  open: boolean;
  escalation: EscalationDetail;
  onClose: () => void;
  onDone: () => void;
}

function ReassignDialog({ open, escalation: e, onClose, onDone }: DialogProps) {
  const { api, members } = useInboxLive();
  const toast = useToast();
  const [userId, setUserId] = useState('');
  const [team, setTeam] = useState('');
  const [note, setNote] = useState('');
  const reassign = useAction(async () => {
    await api.reassign(e.id, {
      ...(userId ? { userId } : {}),
      ...(team.trim() ? { team: team.trim() } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
    toast('Reassigned');
    onDone();
  });
  return (
    <Dialog title="Reassign escalation" open={open} onClose={onClose}>
      <form
        className="form-grid dialog-form"
        onSubmit={(ev) => {
          ev.preventDefault();
          void reassign.run();
        }}
      >
        <Field label="Member">
          {(id) => (
            <select id={id} value={userId} onChange={(ev) => setUserId(ev.target.value)}>
              <option value="">No one (a team only)</option>
              {members.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name} {m.teams.length ? `(${m.teams.join(', ')})` : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Team" hint={`Now: ${e.team}`}>
          {(id) => <input id={id} value={team} onChange={(ev) => setTeam(ev.target.value)} placeholder={e.team} />}
        </Field>
        <Field label="Note for them">
          {(id) => <textarea id={id} rows={2} value={note} onChange={(ev) => setNote(ev.target.value)} />}
        </Field>
        <ErrorNotice error={reassign.error} onDismiss={reassign.clear} />
        <div className="row dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={reassign.busy || (!userId && !team.trim())}>
            Reassign
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ResolveDialog({ open, escalation: e, onClose, onDone }: DialogProps) {
  const { api } = useInboxLive();
  const toast = useToast();
  const [resolution, setResolution] = useState<'resolved' | 'unresolved'>('resolved');
  const [note, setNote] = useState('');
  const resolve = useAction(async () => {
    await api.resolve(e.id, { resolution, ...(note.trim() ? { note: note.trim() } : {}) });
    toast(resolution === 'resolved' ? 'Resolved' : 'Closed as unresolved');
    onDone();
  });
  return (
    <Dialog title="Resolve escalation" open={open} onClose={onClose}>
      <form
        className="form-grid dialog-form"
        onSubmit={(ev) => {
          ev.preventDefault();
          void resolve.run();
        }}
      >
        <Field label="Outcome" hint="A journey waiting on this handoff goes on along this branch.">
          {(id) => (
            <select
              id={id}
              value={resolution}
              onChange={(ev) => setResolution(ev.target.value === 'unresolved' ? 'unresolved' : 'resolved')}
            >
              <option value="resolved">Resolved</option>
              <option value="unresolved">Unresolved (give up)</option>
            </select>
          )}
        </Field>
        <Field label="Resolution note">
          {(id) => <textarea id={id} rows={3} value={note} onChange={(ev) => setNote(ev.target.value)} />}
        </Field>
        <ErrorNotice error={resolve.error} onDismiss={resolve.clear} />
        <div className="row dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={resolve.busy}>
            Resolve
          </button>
        </div>
      </form>
    </Dialog>
  );
}
