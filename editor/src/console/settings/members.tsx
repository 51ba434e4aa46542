import { type FormEvent, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { Empty, Field, formatDateTime, Loading, StatusBadge, useToast } from '../ui';
import { type Member, type Role, useSettingsApi } from './api';
import { ApiErrorNotice, ConfirmButton } from './form-parts';
import { onboardingMayHaveChanged } from './sections';

/** A custom role's id is `custom:<uuid>`; people read its name. */
const roleLabel = (roles: Role[], role: string) => roles.find((r) => r.id === role)?.name ?? role;

export function MembersSection() {
  const api = useSettingsApi();
  const toast = useToast();
  const members = useResource(() => api.members(), 'members');
  const invitations = useResource(() => api.invitations(), 'invitations');
  const roles = useResource(() => api.roles(), 'roles');
  const roleList = roles.data?.items ?? [];
  const change = useAction(async (m: Member, role: string) => {
    await api.setMemberRole(m.id, role);
    toast(`${m.name} is now ${roleLabel(roleList, role)}`);
    members.reload();
  });
  const remove = useAction(async (m: Member) => {
    await api.removeMember(m.id);
    toast(`Removed ${m.name}`);
    members.reload();
  });
  const revoke = useAction(async (invitationId: string) => {
    await api.revokeInvitation(invitationId);
    invitations.reload();
  });
  const pending = (invitations.data?.items ?? []).filter((i) => !i.acceptedAt);
  return (
    <>
      <InviteForm
        roles={roleList}
        onInvited={(email) => {
          toast(`Invitation sent to ${email}`);
          invitations.reload();
          onboardingMayHaveChanged();
        }}
      />
      <h2>Members</h2>
      <ApiErrorNotice
        error={members.error ?? change.error ?? remove.error}
        onDismiss={() => {
          change.clear();
          remove.clear();
        }}
      />
      {members.loading && !members.data ? (
        <Loading />
      ) : members.data?.items.length === 0 ? (
        <Empty>No members yet: invite someone.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Members">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Teams</th>
                <th>Joined</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.data?.items.map((m) => (
                <tr key={m.id}>
                  <td>{m.name}</td>
                  <td>{m.email}</td>
                  <td>
                    <select
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      disabled={change.busy}
                      onChange={(e) => void change.run(m, e.target.value)}
                    >
                      {!roleList.some((r) => r.id === m.role) && <option value={m.role}>{m.role}</option>}
                      {roleList.map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{m.teams.join(', ') || '—'}</td>
                  <td>{formatDateTime(m.createdAt)}</td>
                  <td>
                    <ConfirmButton
                      label="Remove"
                      confirm={`Remove ${m.email}`}
                      disabled={remove.busy}
                      onConfirm={() => void remove.run(m)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Pending invitations</h2>
      <ApiErrorNotice error={invitations.error ?? revoke.error} onDismiss={revoke.clear} />
      {pending.length === 0 ? (
        <Empty>No pending invitations.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Pending invitations">
            <thead>
              <tr>
                <th>Email</th>
                <th>Role</th>
                <th>Sent</th>
                <th>Expires</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pending.map((i) => (
                <tr key={i.id}>
                  <td>{i.email}</td>
                  <td>{roleLabel(roleList, i.role)}</td>
                  <td>{formatDateTime(i.createdAt)}</td>
                  <td>
                    {Date.parse(i.expiresAt) < Date.now() ? (
                      <StatusBadge status="expired" />
                    ) : (
                      formatDateTime(i.expiresAt)
                    )}
                  </td>
                  <td>
                    <ConfirmButton
                      label="Revoke"
                      confirm={`Revoke invitation of ${i.email}`}
                      onConfirm={() => void revoke.run(i.id)}
                    />
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

function InviteForm({ roles, onInvited }: { roles: Role[]; onInvited: (email: string) => void }) {
  const api = useSettingsApi();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('agent');
  const invite = useAction(async () => {
    const sent = await api.invite(email, role);
    setEmail('');
    onInvited(sent.email);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void invite.run();
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Invite a member" noValidate>
      <h2>Invite by email</h2>
      <div className="form-grid">
        <Field label="Email">
          {(id) => (
            <input
              id={id}
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              placeholder="grace@example.com"
              autoComplete="off"
            />
          )}
        </Field>
        <Field label="Role">
          {(id) => (
            <select id={id} value={role} onChange={(e) => setRole(e.target.value)}>
              {roles.length === 0 && <option value="agent">agent</option>}
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ApiErrorNotice error={invite.error} onDismiss={invite.clear} />
      <div className="actions">
        <button type="submit" className="primary" disabled={invite.busy}>
          Send invitation
        </button>
        <span className="muted">The link in the email is valid for 7 days.</span>
      </div>
    </form>
  );
}
