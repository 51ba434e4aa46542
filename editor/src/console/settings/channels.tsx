import { type FormEvent, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { Empty, Field, formatDateTime, Loading, StatusBadge, SubmitRow, useToast } from '../ui';
import { type Channel, useSettingsApi } from './api';
import { type FieldValues, PROVIDER_FORMS, type ProviderForm, toChannelBody } from './channel-providers';
import { ApiErrorNotice, ConfirmButton } from './form-parts';
import { onboardingMayHaveChanged } from './sections';

export function ChannelsSection() {
  const api = useSettingsApi();
  const toast = useToast();
  const channels = useResource(() => api.channels(), 'channels');
  const [tested, setTested] = useState<Channel | null>(null);
  const test = useAction(async (c: Channel) => {
    setTested(null);
    setTested(await api.testChannel(c.id));
    channels.reload();
  });
  const toggle = useAction(async (c: Channel) => {
    await api.setChannelEnabled(c.id, c.status === 'disabled');
    channels.reload();
  });
  const remove = useAction(async (c: Channel) => {
    await api.deleteChannel(c.id);
    toast(`Disconnected ${c.name}`);
    channels.reload();
  });
  const error = channels.error ?? test.error ?? toggle.error ?? remove.error;
  return (
    <>
      <ConnectChannelForm
        onConnected={(c) => {
          toast(`Connected ${c.name}`);
          channels.reload();
          onboardingMayHaveChanged();
        }}
      />
      <h2>Channels</h2>
      {tested && (
        <div className="notice" role="status">
          Test of <strong>{tested.name}</strong>: <StatusBadge status={tested.status} />{' '}
          {tested.statusDetail ?? 'no detail'}
        </div>
      )}
      <ApiErrorNotice
        error={error}
        onDismiss={() => {
          test.clear();
          toggle.clear();
          remove.clear();
        }}
      />
      {channels.loading && !channels.data ? (
        <Loading />
      ) : channels.data?.items.length === 0 ? (
        <Empty>No channels yet: connect one above.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Channels">
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Provider</th>
                <th>Status</th>
                <th>Last tested</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {channels.data?.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    {c.name}
                    <WebhookUrls channel={c} />
                  </td>
                  <td>{c.kind}</td>
                  <td>{c.provider}</td>
                  <td>
                    <StatusBadge status={c.status} />
                    {c.statusDetail && <div className="muted">{c.statusDetail}</div>}
                  </td>
                  <td>{formatDateTime(c.lastTestedAt)}</td>
                  <td>
                    <div className="actions">
                      <button
                        type="button"
                        onClick={() => void test.run(c)}
                        disabled={test.busy}
                        aria-label={`Send test on ${c.name}`}
                      >
                        Send test
                      </button>
                      <button type="button" onClick={() => void toggle.run(c)} disabled={toggle.busy}>
                        {c.status === 'disabled' ? 'Enable' : 'Disable'}
                      </button>
                      <ConfirmButton
                        label="Disconnect"
                        confirm={`Disconnect ${c.name}`}
                        disabled={remove.busy}
                        onConfirm={() => void remove.run(c)}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** Where to point the provider's webhooks, folded away until asked for. */
function WebhookUrls({ channel }: { channel: Channel }) {
  const entries = Object.entries(channel.webhooks);
  if (entries.length === 0) return null;
  return (
    <details>
      <summary className="muted">Webhook URLs</summary>
      <ul>
        {entries.map(([k, url]) => (
          <li key={k}>
            {k}: <code>{url}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}

function ConnectChannelForm({ onConnected }: { onConnected: (c: Channel) => void }) {
  const api = useSettingsApi();
  const [provider, setProvider] = useState('sandbox');
  const form = PROVIDER_FORMS.find((p) => p.provider === provider) ?? (PROVIDER_FORMS[0] as ProviderForm);
  const [kind, setKind] = useState('sms');
  const [name, setName] = useState('');
  const [values, setValues] = useState<FieldValues>({});
  const connect = useAction(async () => {
    const channel = await api.createChannel({ name, kind, provider, ...toChannelBody(form, values) });
    setName('');
    setValues({});
    onConnected(channel);
  });
  const chooseProvider = (next: string) => {
    setProvider(next);
    const kinds = PROVIDER_FORMS.find((p) => p.provider === next)?.kinds ?? [];
    if (!kinds.includes(kind)) setKind(kinds[0] ?? 'sms');
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void connect.run();
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Connect a channel" noValidate>
      <h2>Connect a channel</h2>
      <div className="form-grid">
        <Field label="Provider">
          {(id) => (
            <select id={id} value={provider} onChange={(e) => chooseProvider(e.target.value)}>
              {PROVIDER_FORMS.map((p) => (
                <option key={p.provider} value={p.provider}>
                  {p.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Kind">
          {(id) => (
            <select id={id} value={kind} onChange={(e) => setKind(e.target.value)}>
              {form.kinds.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Channel name">
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} placeholder="US SMS" />}
        </Field>
        {form.fields.map((f) => (
          <Field key={`${provider}.${f.key}`} label={`${f.label}${f.required ? '' : ' (optional)'}`} hint={f.hint}>
            {(id) =>
              f.type === 'checkbox' ? (
                <input
                  id={id}
                  type="checkbox"
                  checked={values[f.key] === true}
                  onChange={(e) => setValues({ ...values, [f.key]: e.target.checked })}
                />
              ) : (
                <input
                  id={id}
                  type={f.type === 'password' ? 'password' : f.type === 'number' ? 'number' : 'text'}
                  autoComplete={f.type === 'password' ? 'new-password' : 'off'}
                  value={typeof values[f.key] === 'string' ? (values[f.key] as string) : ''}
                  placeholder={f.placeholder}
                  onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
                />
              )
            }
          </Field>
        ))}
      </div>
      {form.note && <p className="muted">{form.note}</p>}
      <ApiErrorNotice error={connect.error} onDismiss={connect.clear} />
      <SubmitRow label="Connect" busy={connect.busy} />
    </form>
  );
}
