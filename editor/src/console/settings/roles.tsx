import { type FormEvent, Fragment, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { Field, Loading, SubmitRow, useToast } from '../ui';
import { type Role, useSettingsApi } from './api';
import { ApiErrorNotice, CheckboxGroup, ConfirmButton } from './form-parts';

/** What each verb means, for the matrix's row labels. */
const VERBS: Record<string, string> = {
  read: 'see',
  write: 'change',
  delete: 'delete',
  import: 'import',
  export: 'export',
  publish: 'publish',
  reply: 'reply',
  assign: 'assign',
  launch: 'launch',
};

/**
 * What each role can do: every permission the API knows (GET /v1/roles, from api/permissions.ts)
 * against every role, grouped by resource.
 */
export function RolesSection() {
  const api = useSettingsApi();
  const roles = useResource(() => api.roles(), 'roles');
  if (roles.error) return <ApiErrorNotice error={roles.error} />;
  if (!roles.data) return <Loading />;
  const { items, permissions } = roles.data;
  const groups = new Map<string, string[]>();
  for (const p of permissions) {
    const [resource = p] = p.split('.');
    groups.set(resource, [...(groups.get(resource) ?? []), p]);
  }
  return (
    <>
      <h2>Roles</h2>
      <p className="muted">
        Owners and admins run the tenant (only an owner can make another owner); managers run the work; agents answer
        conversations; analysts read and export; developers build flows and integrations. API keys carry their own
        scopes.
      </p>
      <div className="table-wrap">
        <table className="data matrix" aria-label="Permissions by role">
          <thead>
            <tr>
              <th scope="col">Permission</th>
              {items.map((r) => (
                <th key={r.id} scope="col">
                  {r.name}
                  {!r.builtIn && <span className="muted"> (custom)</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...groups].map(([resource, perms]) => (
              <Fragment key={resource}>
                <tr>
                  <th scope="colgroup" colSpan={items.length + 1} className="group">
                    {resource.replace(/_/g, ' ')}
                  </th>
                </tr>
                {perms.map((p) => (
                  <tr key={p}>
                    <th scope="row">
                      <code>{p}</code> <span className="muted">{VERBS[p.split('.')[1] ?? ''] ?? ''}</span>
                    </th>
                    {items.map((r) => {
                      const yes = r.permissions.includes(p);
                      return (
                        <td key={r.id} className={yes ? 'yes' : 'no'}>
                          {yes ? '✓' : '·'}
                          <span className="visually-hidden">{yes ? ` ${r.name} can` : ` ${r.name} cannot`}</span>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      <CustomRoles roles={items.filter((r) => !r.builtIn)} permissions={permissions} onChange={roles.reload} />
    </>
  );
}

/**
 * Custom roles: a name and the permissions it grants (never more than the creator holds — the API
 * answers 403 otherwise); deleting one a member still holds is refused with 409 role_in_use.
 */
function CustomRoles({ roles, permissions, onChange }: { roles: Role[]; permissions: string[]; onChange: () => void }) {
  const api = useSettingsApi();
  const toast = useToast();
  const [name, setName] = useState('');
  const [granted, setGranted] = useState<string[]>([]);
  const create = useAction(async () => {
    const role = await api.createRole(name, granted);
    toast(`Role “${role.name}” created`);
    setName('');
    setGranted([]);
    onChange();
  });
  const remove = useAction(async (role: Role) => {
    await api.deleteRole(role.id);
    toast(`Role “${role.name}” deleted`);
    onChange();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run();
  };
  return (
    <>
      <h2>Custom roles</h2>
      {roles.length > 0 && (
        <ul className="custom-roles" aria-label="Custom roles">
          {roles.map((r) => (
            <li key={r.id} className="row">
              <strong>{r.name}</strong>
              <span className="muted">{r.permissions.length} permissions</span>
              <ConfirmButton
                label={`Delete ${r.name}`}
                confirm={`Delete role ${r.name}`}
                onConfirm={() => void remove.run(r)}
                disabled={remove.busy}
              />
            </li>
          ))}
        </ul>
      )}
      <ApiErrorNotice error={remove.error} onDismiss={remove.clear} />
      <form className="panel" onSubmit={submit} aria-label="Create a role" noValidate>
        <Field label="Role name">
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} placeholder="Support lead" />}
        </Field>
        <CheckboxGroup legend="Permissions" options={permissions} value={granted} onChange={setGranted} />
        <ApiErrorNotice error={create.error} onDismiss={create.clear} />
        <SubmitRow label="Create role" busy={create.busy} />
      </form>
    </>
  );
}
