import type { AreaProps } from '../area';
import { ConversationView } from './conversation-view';
import { EscalationView } from './escalation-view';
import { InboxList } from './inbox-list';
import { InboxLiveProvider } from './inbox-live';
import './inbox.css';

/**
 * The agent inbox: `#/inbox` (conversations and escalations, filtered by scope and status),
 * `#/inbox/conversations/:id` (chat, reply, contact timeline) and `#/inbox/escalations/:id`
 * (acknowledge, reassign, resolve). The live streams stay open across all three.
 */
export function InboxArea({ rest, query }: AreaProps) {
  const [kind, id] = rest;
  return (
    <InboxLiveProvider>
      {kind === 'conversations' && id ? (
        <ConversationView key={id} id={id} />
      ) : kind === 'escalations' && id ? (
        <EscalationView key={id} id={id} />
      ) : (
        <InboxList query={query} />
      )}
    </InboxLiveProvider>
  );
}
