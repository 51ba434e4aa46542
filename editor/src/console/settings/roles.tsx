import { Fragment } from 'react';
import { useResource } from '../hooks';
import { Loading } from '../ui';
import { useSettingsApi } from './api';
import { ApiErrorNotice } from './form-parts';

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
    </>
  );
}
