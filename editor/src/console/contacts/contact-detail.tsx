import { type FormEvent, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { ErrorNotice, Field, formatDateTime, Loading, PageHeader, useToast } from '../ui';
import { CONSENT_CHANNELS, type ConsentChannel, type Contact, displayName, useContactsApi } from './api';
import { Timeline } from './timeline';

/** `#/contacts/:id`: the contact's fields, stage, tags, consent and do-not-contact, and its timeline. */
export function ContactDetail({ contactId }: { contactId: string }) {
  const api = useContactsApi();
  const toast = useToast();
  // Bumped by each change here so the timeline shows the event it recorded.
  const [version, setVersion] = useState(0);
  const contact = useResource(() => api.get(contactId), `${contactId}#${version}`);
  const stages = useResource(() => api.stages(), 'stages');
  const fields = useResource(() => api.fields(), 'fields');
  const change = useAction(async (what: () => Promise<Contact>, done: string) => {
    await what();
    toast(done);
    setVersion((v) => v + 1);
  });

  const c = contact.data;
  const stageList = stages.data?.items ?? [];
  return (
    <main className="console-page">
      <p>
        <a href="#/contacts">← Contacts</a>
      </p>
      {!c ? (
        <>
          <ErrorNotice error={contact.error} />
          {contact.loading && <Loading />}
        </>
      ) : (
        <>
          <PageHeader
            title={displayName(c)}
            description={c.dnc ? 'Do not contact' : undefined}
            actions={
              <>
                <Field label="Lead status">
                  {(id) => (
                    <select
                      id={id}
                      value={c.leadStatus ?? ''}
                      disabled={change.busy}
                      onChange={(e) =>
                        void change.run(
                          () => api.update(c.id, { leadStatus: e.target.value || null }),
                          'Lead status changed',
                        )
                      }
                    >
                      <option value="">No stage</option>
                      {stageList.map((s) => (
                        <option key={s.key} value={s.key}>
                          {s.label}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <button
                  type="button"
                  className={c.dnc ? undefined : 'danger'}
                  disabled={change.busy}
                  onClick={() =>
                    void change.run(
                      () => api.setDnc(c.id, !c.dnc),
                      c.dnc ? 'Do-not-contact cleared' : 'Marked do-not-contact',
                    )
                  }
                >
                  {c.dnc ? 'Clear do-not-contact' : 'Mark do-not-contact'}
                </button>
              </>
            }
          />
          <ErrorNotice error={change.error} onDismiss={change.clear} />
          <div className="ct-detail">
            <div className="ct-detail-side">
              <ContactFacts contact={c} fieldLabels={fields.data?.items ?? []} />
              <TagEditor
                contact={c}
                busy={change.busy}
                onChange={(tags) => void change.run(() => api.update(c.id, { tags }), 'Tags saved')}
              />
              <ConsentPanel
                contact={c}
                busy={change.busy}
                onChange={(channel, status) =>
                  void change.run(() => api.setConsent(c.id, channel, status), `Consent for ${channel}: ${status}`)
                }
              />
            </div>
            <Timeline contactId={c.id} stages={stageList} version={version} />
          </div>
        </>
      )}
    </main>
  );
}

function ContactFacts({
  contact: c,
  fieldLabels,
}: {
  contact: Contact;
  fieldLabels: { key: string; label: string }[];
}) {
  const custom = Object.entries(c.fields);
  return (
    <section className="panel" aria-label="Details">
      <h2>Details</h2>
      <dl className="ct-facts">
        <dt>Phone</dt>
        <dd>{c.phone ?? '—'}</dd>
        <dt>Email</dt>
        <dd>{c.email ?? '—'}</dd>
        <dt>Time zone</dt>
        <dd>{c.timeZone ?? '—'}</dd>
        <dt>Score</dt>
        <dd>{c.score}</dd>
        <dt>Owner</dt>
        <dd>{c.ownerId ?? <span className="muted">unassigned</span>}</dd>
        <dt>Last contacted</dt>
        <dd>{formatDateTime(c.lastContactedAt)}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(c.createdAt)}</dd>
        {custom.map(([key, value]) => (
          <FieldRow key={key} label={fieldLabels.find((f) => f.key === key)?.label ?? key} value={value} />
        ))}
      </dl>
    </section>
  );
}

function FieldRow({ label, value }: { label: string; value: unknown }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        {value === null || value === undefined
          ? '—'
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value)}
      </dd>
    </>
  );
}

function TagEditor({
  contact,
  busy,
  onChange,
}: {
  contact: Contact;
  busy: boolean;
  onChange: (tags: string[]) => void;
}) {
  const [tag, setTag] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const t = tag.trim();
    if (!t || contact.tags.includes(t)) return;
    onChange([...contact.tags, t]);
    setTag('');
  };
  return (
    <section className="panel" aria-label="Tags">
      <h2>Tags</h2>
      <div className="row">
        {contact.tags.length === 0 && <span className="muted">No tags</span>}
        {contact.tags.map((t) => (
          <span key={t} className="ct-tag">
            {t}
            <button
              type="button"
              className="link"
              disabled={busy}
              aria-label={`Remove tag ${t}`}
              onClick={() => onChange(contact.tags.filter((x) => x !== t))}
            >
              ×
            </button>
          </span>
        ))}
      </div>
      <form className="row ct-tag-form" onSubmit={onSubmit}>
        <label className="visually-hidden" htmlFor="ct-new-tag">
          New tag
        </label>
        <input id="ct-new-tag" value={tag} placeholder="New tag" onChange={(e) => setTag(e.target.value)} />
        <button type="submit" disabled={busy || !tag.trim()}>
          Add tag
        </button>
      </form>
    </section>
  );
}

function ConsentPanel({
  contact,
  busy,
  onChange,
}: {
  contact: Contact;
  busy: boolean;
  onChange: (channel: ConsentChannel, status: 'granted' | 'denied') => void;
}) {
  return (
    <section className="panel" aria-label="Consent">
      <h2>Consent</h2>
      <div className="ct-consent">
        {CONSENT_CHANNELS.map((ch) => {
          const entry = contact.consent[ch];
          return (
            <Field key={ch} label={ch}>
              {(id) => (
                <select
                  id={id}
                  value={entry?.status ?? ''}
                  disabled={busy}
                  onChange={(e) => {
                    if (e.target.value === 'granted' || e.target.value === 'denied') onChange(ch, e.target.value);
                  }}
                >
                  <option value="" disabled>
                    unknown
                  </option>
                  <option value="granted">granted</option>
                  <option value="denied">denied</option>
                </select>
              )}
            </Field>
          );
        })}
      </div>
    </section>
  );
}
