// What every inbox screen shares while the area is open: the live streams (as version counters the
// screens key their loads on), new-escalation notifications and the tab title's count, the members
// (for names and pickers) and whether this session's key acts for a member ("me").
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { z } from 'zod';
import { ApiError } from '../../api-client';
import { useEventStream, useResource } from '../hooks';
import { useSession } from '../session';
import { useToast } from '../ui';
import { type InboxApi, inboxApi, type Member } from './api';

export interface InboxLive {
  api: InboxApi;
  /** Bumped on every escalation event and on reconnect (what was missed meanwhile is refetched). */
  escalationsVersion: number;
  conversationsVersion: number;
  /** Escalations that arrived while the inbox was open and have not been looked at. */
  unseen: ReadonlySet<string>;
  markSeen: (id: string) => void;
  members: Member[];
  memberName: (userId: string | null) => string;
  /** 'none': this API key acts for no member, so "mine", "my team" and plain Acknowledge cannot work. */
  identity: 'member' | 'none' | 'unknown';
}

const InboxLiveContext = createContext<InboxLive | null>(null);

export function useInboxLive(): InboxLive {
  const live = useContext(InboxLiveContext);
  if (!live) throw new Error('useInboxLive outside <InboxLiveProvider>');
  return live;
}

const EscalationEventSchema = z.object({ escalationId: z.string() });
/** An escalation opened this long before the page noticed it still counts as new (stream latency). */
const NEW_SLACK_MS = 60_000;

export function InboxLiveProvider({ children }: { children: ReactNode }) {
  const { request } = useSession();
  const api = useMemo(() => inboxApi(request), [request]);
  const toast = useToast();
  const [escalationsVersion, setEscalationsVersion] = useState(0);
  const [conversationsVersion, setConversationsVersion] = useState(0);
  const [unseen, setUnseen] = useState<ReadonlySet<string>>(new Set());
  const openedAt = useRef(Date.now());
  const known = useRef(new Set<string>());
  const connections = useRef({ escalations: 0, conversations: 0 });

  const onEscalation = useCallback(
    (data: unknown) => {
      setEscalationsVersion((v) => v + 1);
      const parsed = EscalationEventSchema.safeParse(data);
      if (!parsed.success || known.current.has(parsed.data.escalationId)) return;
      const id = parsed.data.escalationId;
      known.current.add(id);
      api.escalation(id).then(
        (e) => {
          if (Date.parse(e.createdAt) < openedAt.current - NEW_SLACK_MS || e.status !== 'open') return;
          setUnseen((s) => new Set(s).add(id));
          toast(`New escalation for ${e.team} (${e.priority}): ${e.note || e.source}`);
        },
        () => undefined, // the list shows it anyway on its next load
      );
    },
    [api, toast],
  );
  useEventStream(
    '/v1/escalations/stream',
    (e) => onEscalation(e.data),
    () => {
      // The first connection finds what the first load already has; a reconnection refetches.
      if (connections.current.escalations++ > 0) setEscalationsVersion((v) => v + 1);
    },
  );
  useEventStream(
    '/v1/conversations/stream',
    () => setConversationsVersion((v) => v + 1),
    () => {
      if (connections.current.conversations++ > 0) setConversationsVersion((v) => v + 1);
    },
  );

  // The tab's title carries the count, so a new escalation shows in a background tab too.
  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) /, '');
    document.title = unseen.size ? `(${unseen.size}) ${base}` : base;
  }, [unseen]);
  useEffect(
    () => () => {
      document.title = document.title.replace(/^\(\d+\) /, '');
    },
    [],
  );

  const markSeen = useCallback((id: string) => {
    setUnseen((s) => {
      if (!s.has(id)) return s;
      const next = new Set(s);
      next.delete(id);
      return next;
    });
  }, []);

  const members = useResource(() => api.members().then((r) => r.items), 'members');
  // One cheap probe tells whether "me" exists for this key (see api/routes/escalations/acting-member.ts).
  const probe = useResource(
    () =>
      request('GET', '/v1/escalations?scope=mine&limit=1', z.unknown()).then(
        () => 'member' as const,
        (e: unknown) => {
          if (e instanceof ApiError && e.code === 'no_user') return 'none' as const;
          return 'unknown' as const;
        },
      ),
    'identity',
  );

  const value = useMemo<InboxLive>(() => {
    const list = members.data ?? [];
    const byId = new Map(list.map((m) => [m.userId, m]));
    return {
      api,
      escalationsVersion,
      conversationsVersion,
      unseen,
      markSeen,
      members: list,
      memberName: (userId) => (userId ? (byId.get(userId)?.name ?? `${userId.slice(0, 8)}…`) : 'Unassigned'),
      identity: probe.data ?? 'unknown',
    };
  }, [api, escalationsVersion, conversationsVersion, unseen, markSeen, members.data, probe.data]);

  return <InboxLiveContext.Provider value={value}>{children}</InboxLiveContext.Provider>;
}
