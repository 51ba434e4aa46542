import { type FormEvent, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { useSession } from '../session';
import { Empty, Field, formatDateTime, Loading, StatusBadge, SubmitRow, useToast } from '../ui';
import { type ApiKey, useSettingsApi } from './api';
import { ApiErrorNotice, CheckboxGroup, ConfirmButton, SecretOnce } from './form-parts';

/** The prefix of `sbk_<prefix>_<secret>`: which listed key this console signed in with. */
const prefixOf = (token: string) => /^sbk_([a-f0-9]+)_/.exec(token)?.[1] ?? '';

export function ApiKeysSection() {
  const api = useSettingsApi();
  const { apiKey } = useSession();
  const toast = useToast();
  const keys = useResource(() => api.apiKeys(), 'api-keys');
  const roles = useResource(() => api.roles(), 'roles');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const revoke = useAction(async (key: ApiKey) => {
    await api.revokeApiKey(key.id);
    toast(`Revoked “${key.name}”`);
    keys.reload();
  });
  const mine = apiKey ? prefixOf(apiKey) : '';
  return (
    <>
      <h2 className="visually-hidden">API keys</h2>
      {created ? (
        <SecretOnce title={`New key “${created.name}”`} secret={created.token} onDone={() => setCreated(null)} />
      ) : (
        <CreateKeyForm
          permissions={roles.data?.permissions ?? []}
          onCreated={(name, token) => {
            setCreated({ name, token });
            keys.reload();
          }}
        />
      )}
      <ApiErrorNotice error={keys.error ?? revoke.error} onDismiss={revoke.clear} />
      {keys.loading && !keys.data ? (
        <Loading />
      ) : keys.data?.items.length === 0 ? (
        <Empty>No API keys yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="API keys">
            <thead>
              <tr>
                <th>Name</th>
                <th>Prefix</th>
                <th>Scopes</th>
                <th>Last used</th>
                <th>Created</th>
                <th>Status</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data?.items.map((k) => (
                <tr key={k.id}>
                  <td>
                    {k.name}
                    {k.prefix === mine && <span className="muted"> (this console)</span>}
                  </td>
                  <td>
                    <code>sbk_{k.prefix}_…</code>
                  </td>
                  <td>{k.scopes.includes('*') ? 'Full access' : k.scopes.join(', ')}</td>
                  <td>{formatDateTime(k.lastUsedAt)}</td>
                  <td>{formatDateTime(k.createdAt)}</td>
                  <td>
                    <StatusBadge status={k.revokedAt ? 'revoked' : expired(k) ? 'expired' : 'active'} />
                  </td>
                  <td>
                    {!k.revokedAt && k.prefix !== mine && (
                      <ConfirmButton
                        label="Revoke"
                        confirm={`Revoke ${k.name}`}
                        disabled={revoke.busy}
                        onConfirm={() => void revoke.run(k)}
                      />
                    )}
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

const expired = (k: ApiKey) => k.expiresAt !== null && Date.parse(k.expiresAt) <= Date.now();

function CreateKeyForm({
  permissions,
  onCreated,
}: {
  permissions: string[];
  onCreated: (name: string, token: string) => void;
}) {
  const api = useSettingsApi();
  const [name, setName] = useState('');
  const [full, setFull] = useState(false);
  const [scopes, setScopes] = useState<string[]>([]);
  const [expiresOn, setExpiresOn] = useState('');
  const create = useAction(async () => {
    const key = await api.createApiKey({
      name,
      scopes: full ? ['*'] : scopes,
      // The end of the chosen day, in the browser's zone.
      ...(expiresOn ? { expiresAt: new Date(`${expiresOn}T23:59:59`).toISOString() } : {}),
    });
    setName('');
    setScopes([]);
    setFull(false);
    setExpiresOn('');
    onCreated(key.name, key.token);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run();
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Create an API key" noValidate>
      <h2>Create an API key</h2>
      <div className="form-grid">
        <Field label="Key name">
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} placeholder="CRM sync" />}
        </Field>
        <Field label="Expires on" hint="Optional; never when empty.">
          {(id) => <input id={id} type="date" value={expiresOn} onChange={(e) => setExpiresOn(e.target.value)} />}
        </Field>
      </div>
      <label>
        <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} /> Full access (every
        permission, now and later)
      </label>
      {!full && <CheckboxGroup legend="Scopes" options={permissions} value={scopes} onChange={setScopes} />}
      <ApiErrorNotice error={create.error} onDismiss={create.clear} />
      <SubmitRow label="Create key" busy={create.busy} />
    </form>
  );
}
