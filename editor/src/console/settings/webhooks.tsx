import { type FormEvent, useState } from 'react';
import { EVENT_TYPES } from '../../../../api/webhooks/events';
import { useAction, useResource } from '../hooks';
import { Empty, Field, formatDateTime, Loading, StatusBadge, SubmitRow, useToast } from '../ui';
import { useSettingsApi, type Webhook } from './api';
import { ApiErrorNotice, CheckboxGroup, ConfirmButton, SecretOnce } from './form-parts';

const WILDCARDS = ['*', ...new Set(EVENT_TYPES.map((t) => `${t.split('.')[0]}.*`))];
const EVENT_OPTIONS = [...WILDCARDS, ...EVENT_TYPES];
const eventLabel = (e: string) => (e === '*' ? 'Every event' : e.endsWith('.*') ? `Every ${e.slice(0, -2)} event` : e);

export function WebhooksSection() {
  const api = useSettingsApi();
  const toast = useToast();
  const hooks = useResource(() => api.webhooks(), 'webhooks');
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const toggle = useAction(async (w: Webhook) => {
    await api.setWebhookActive(w.id, !w.active);
    hooks.reload();
  });
  const remove = useAction(async (w: Webhook) => {
    await api.deleteWebhook(w.id);
    toast(`Deleted the webhook to ${w.url}`);
    hooks.reload();
  });
  return (
    <>
      {created ? (
        <SecretOnce title={`Signing secret for ${created.url}`} secret={created.secret} onDone={() => setCreated(null)}>
          <p className="muted">
            Each delivery carries <code>x-switchboard-signature: v1=&lt;HMAC-SHA256&gt;</code> of{' '}
            <code>&lt;x-switchboard-timestamp&gt;.&lt;body&gt;</code> with this secret.
          </p>
        </SecretOnce>
      ) : (
        <CreateWebhookForm
          onCreated={(w) => {
            setCreated({ url: w.url, secret: w.secret });
            setOpen(w.id);
            hooks.reload();
          }}
        />
      )}
      <h2>Webhooks</h2>
      <ApiErrorNotice
        error={hooks.error ?? toggle.error ?? remove.error}
        onDismiss={() => {
          toggle.clear();
          remove.clear();
        }}
      />
      {hooks.loading && !hooks.data ? (
        <Loading />
      ) : hooks.data?.items.length === 0 ? (
        <Empty>No webhooks yet.</Empty>
      ) : (
        hooks.data?.items.map((w) => (
          <article key={w.id} className="panel" aria-label={`Webhook ${w.url}`}>
            <div className="row" style={{ justifyContent: 'space-between' }}>
              <div>
                <code>{w.url}</code> <StatusBadge status={w.active ? 'active' : 'paused'} />
                <div className="muted">{w.events.map(eventLabel).join(', ')}</div>
              </div>
              <div className="actions">
                <button
                  type="button"
                  aria-expanded={open === w.id}
                  onClick={() => setOpen(open === w.id ? null : w.id)}
                >
                  {open === w.id ? 'Hide delivery log' : 'Delivery log'}
                </button>
                <button type="button" onClick={() => void toggle.run(w)}>
                  {w.active ? 'Pause' : 'Resume'}
                </button>
                <ConfirmButton
                  label="Delete"
                  confirm={`Delete webhook to ${w.url}`}
                  onConfirm={() => void remove.run(w)}
                />
              </div>
            </div>
            {open === w.id && <DeliveryLog webhook={w} />}
          </article>
        ))
      )}
    </>
  );
}

/** A subscription's deliveries, refreshed while open so pending ones settle on screen. */
function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const api = useSettingsApi();
  const deliveries = useResource(() => api.deliveries(webhook.id), `deliveries:${webhook.id}`, { intervalMs: 2000 });
  const test = useAction(async () => {
    await api.testWebhook(webhook.id);
    deliveries.reload();
  });
  const redeliver = useAction(async (deliveryId: string) => {
    await api.redeliver(deliveryId);
    deliveries.reload();
  });
  return (
    <div className="sub-rows">
      <div className="actions">
        <button type="button" onClick={() => void test.run()} disabled={test.busy || !webhook.active}>
          Send test event
        </button>
      </div>
      <ApiErrorNotice
        error={deliveries.error ?? test.error ?? redeliver.error}
        onDismiss={() => {
          test.clear();
          redeliver.clear();
        }}
      />
      {!deliveries.data ? (
        <Loading />
      ) : deliveries.data.items.length === 0 ? (
        <Empty>No deliveries yet: send a test event.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label={`Deliveries to ${webhook.url}`}>
            <thead>
              <tr>
                <th>Event</th>
                <th>Status</th>
                <th>HTTP</th>
                <th>Attempts</th>
                <th>Error</th>
                <th>Sent</th>
                <th>Delivered</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.items.map((d) => (
                <tr key={d.id}>
                  <td>
                    {d.eventType}
                    <div className="muted">{d.eventId}</div>
                  </td>
                  <td>
                    <StatusBadge status={d.status} />
                  </td>
                  <td>{d.lastStatusCode ?? '—'}</td>
                  <td>{d.attempts}</td>
                  <td className="details-cell">{d.lastError ?? ''}</td>
                  <td>{formatDateTime(d.createdAt)}</td>
                  <td>{formatDateTime(d.deliveredAt)}</td>
                  <td>
                    <button
                      type="button"
                      disabled={redeliver.busy || !webhook.active}
                      onClick={() => void redeliver.run(d.id)}
                    >
                      Redeliver
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function CreateWebhookForm({ onCreated }: { onCreated: (w: Webhook & { secret: string }) => void }) {
  const api = useSettingsApi();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const create = useAction(async () => {
    const w = await api.createWebhook(url.trim(), events);
    setUrl('');
    setEvents([]);
    onCreated(w);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run();
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Create a webhook" noValidate>
      <h2>Create a webhook</h2>
      <Field label="Receiver URL">
        {(id) => (
          <input
            id={id}
            type="url"
            value={url}
            placeholder="https://crm.example.com/hooks/switchboard"
            onChange={(e) => setUrl(e.target.value)}
          />
        )}
      </Field>
      <CheckboxGroup legend="Events" options={EVENT_OPTIONS} value={events} labelOf={eventLabel} onChange={setEvents} />
      <ApiErrorNotice error={create.error} onDismiss={create.clear} />
      <SubmitRow label="Create webhook" busy={create.busy} />
    </form>
  );
}
