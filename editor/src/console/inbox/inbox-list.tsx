import { ApiError } from '../../api-client';
import { navigate } from '../../router';
import { useNow, useResource } from '../hooks';
import { Empty, ErrorNotice, Field, Loading, PageHeader, Tabs } from '../ui';
import { CONVERSATION_STATUSES, ESCALATION_STATUSES, SCOPE_LABELS, SCOPES, type Scope } from './api';
import { ConversationTable } from './conversation-table';
import { EscalationTable } from './escalation-table';
import { useInboxLive } from './inbox-live';

type Tab = 'conversations' | 'escalations';
const TABS = [
  { key: 'conversations', label: 'Conversations' },
  { key: 'escalations', label: 'Escalations' },
] as const;

/** Escalations still needing someone: what an agent's list shows unless asked otherwise. */
const ACTIVE = 'open,acknowledged';

/** The list's state lives in the URL (`#/inbox?tab=…&scope=…&status=…`) so it survives reloads and links. */
export function readFilters(query: URLSearchParams) {
  const tab: Tab = query.get('tab') === 'escalations' ? 'escalations' : 'conversations';
  const scope: Scope = SCOPES.find((s) => s === query.get('scope')) ?? 'all';
  const status = query.get('status') ?? (tab === 'escalations' ? ACTIVE : 'open');
  return { tab, scope, status };
}

function go(next: { tab: Tab; scope: Scope; status: string }) {
  navigate(`/inbox?${new URLSearchParams({ tab: next.tab, scope: next.scope, status: next.status })}`);
}

export function InboxList({ query }: { query: URLSearchParams }) {
  const filters = readFilters(query);
  const { tab, scope, status } = filters;
  const live = useInboxLive();
  const now = useNow(1000);
  const conversations = useResource(
    () => (tab === 'conversations' ? live.api.conversations(scope, status) : Promise.resolve(null)),
    `${tab}|${scope}|${status}|${live.conversationsVersion}`,
  );
  const escalations = useResource(
    () => (tab === 'escalations' ? live.api.escalations(scope, status) : Promise.resolve(null)),
    `${tab}|${scope}|${status}|${live.escalationsVersion}`,
  );
  const current = tab === 'conversations' ? conversations : escalations;
  const statuses =
    tab === 'conversations'
      ? [...CONVERSATION_STATUSES.map((s) => [s, s] as const), ['', 'Any'] as const]
      : [
          ['open,acknowledged', 'Active (open or acknowledged)'] as const,
          ...ESCALATION_STATUSES.map((s) => [s, s] as const),
          ['', 'Any'] as const,
        ];
  const noMember = current.error instanceof ApiError && current.error.code === 'no_user';

  return (
    <main className="console-page inbox">
      <PageHeader
        title="Inbox"
        description="Conversations and escalations, live. Countdowns show the time left on each SLA."
      />
      <Tabs
        label="Inbox lists"
        tabs={TABS.map((t) =>
          t.key === 'escalations' && live.unseen.size ? { ...t, label: `${t.label} (${live.unseen.size} new)` } : t,
        )}
        active={tab}
        onChange={(t) => go({ tab: t, scope, status: t === tab ? status : t === 'escalations' ? ACTIVE : 'open' })}
      />
      <div className="row inbox-filters">
        <Field label="Show">
          {(id) => (
            <select id={id} value={scope} onChange={(e) => go({ ...filters, scope: e.target.value as Scope })}>
              {SCOPES.map((s) => (
                <option key={s} value={s}>
                  {SCOPE_LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status">
          {(id) => (
            <select id={id} value={status} onChange={(e) => go({ ...filters, status: e.target.value })}>
              {statuses.map(([value, label]) => (
                <option key={value} value={value}>
                  {label[0]?.toUpperCase()}
                  {label.slice(1)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <section role="tabpanel" aria-label={tab === 'conversations' ? 'Conversations' : 'Escalations'}>
        {noMember ? (
          <div className="notice" role="alert">
            <code>no_user</code> This API key acts for no member, so “{SCOPE_LABELS[scope]}” has no one to mean. Choose
            “All”, or sign in with a key a member created (Settings → API keys).
          </div>
        ) : (
          <ErrorNotice error={current.error} />
        )}
        {tab === 'conversations' && conversations.data ? (
          conversations.data.items.length ? (
            <ConversationTable items={conversations.data.items} now={now} />
          ) : (
            <Empty>No conversations match.</Empty>
          )
        ) : tab === 'escalations' && escalations.data ? (
          escalations.data.items.length ? (
            <EscalationTable items={escalations.data.items} now={now} />
          ) : (
            <Empty>No escalations match.</Empty>
          )
        ) : current.loading ? (
          <Loading />
        ) : null}
      </section>
    </main>
  );
}
