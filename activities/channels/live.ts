import type { Db } from '../../prisma/client';

/**
 * Inbox changes, published with PostgreSQL NOTIFY so every API process (and its SSE/WebSocket
 * clients) hears about messages written by the worker or by another API process.
 */
export const INBOX_CHANNEL = 'switchboard_inbox';

export type InboxEvent =
  | {
      tenantId: string;
      type: 'message.created' | 'message.updated' | 'conversation.updated';
      conversationId: string;
      messageId?: string;
    }
  | { tenantId: string; type: 'escalation.updated'; escalationId: string };

export async function publishInbox(db: Db, event: InboxEvent): Promise<void> {
  try {
    await db.$executeRaw`SELECT pg_notify(${INBOX_CHANNEL}, ${JSON.stringify(event)})`;
  } catch {
    // Live updates are a courtesy: clients refetch on reconnect, so a lost notice loses nothing.
  }
}
