import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { type LoadedChannel, loadChannel } from '../../../activities/channels/store';
import type { Message } from '../../../generated/prisma/client';
import { ingestEvents } from '../../channels/inbound';
import { widgetScript } from './widget';

const VisitorIdSchema = z.string().regex(/^[\w-]{8,64}$/);

const ClientFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    /** The widget's own id for the message: a resend after a reconnect is recognised. */
    clientMessageId: z.string().regex(/^[\w-]{1,64}$/),
    text: z.string().trim().min(1).max(4000),
    name: z.string().max(100).optional(),
  }),
  z.object({ type: z.literal('ping') }),
]);

const toFrame = (m: Message) => ({
  type: 'message',
  id: m.id,
  direction: m.direction,
  text: m.body,
  status: m.status,
  at: m.createdAt.toISOString(),
});

/**
 * Web chat: an embeddable widget script and the WebSocket it talks over. The channel id in the
 * path is public (it is in the page's HTML), like a site key; the socket is checked against the
 * channel's allowed origins. Visitor messages go through the same inbound pipeline as every
 * provider's; replies reach the socket through the inbox hub (PostgreSQL NOTIFY), whichever
 * process wrote them.
 */
export async function webchatRoutes(app: FastifyInstance) {
  await app.register(websocket, { options: { maxPayload: 16 * 1024 } });
  const deps = () => ({ db: app.db, temporal: app.temporal, taskQueue: app.taskQueue, log: app.log });

  const webchatChannel = async (channelId: string): Promise<LoadedChannel | null> => {
    const channel = await loadChannel(app.db, app.secrets, channelId).catch(() => null);
    return channel && channel.kind === 'webchat' && channel.row.status !== 'disabled' ? channel : null;
  };

  app.get('/webchat/:channelId/widget.js', { schema: { hide: true } }, async (request, reply) => {
    const { channelId } = request.params as { channelId: string };
    const channel = await webchatChannel(channelId);
    if (!channel) return reply.status(404).type('application/javascript').send('/* no such web-chat channel */');
    const config = channel.config as { title?: string; greeting?: string };
    return reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(widgetScript({ channelId, title: config.title ?? 'Chat with us', greeting: config.greeting ?? '' }));
  });

  app.get('/webchat/:channelId/ws', { websocket: true, schema: { hide: true } }, async (socket: WebSocket, request) => {
    // The widget sends what is pending the moment the socket opens, before the lookups below are
    // done: hold those frames until the handler is listening, rather than drop them.
    const early: RawData[] = [];
    const hold = (data: RawData) => early.push(data);
    socket.on('message', hold);
    const { channelId } = request.params as { channelId: string };
    const visitor = VisitorIdSchema.safeParse((request.query as { visitor?: string }).visitor);
    const channel = await webchatChannel(channelId);
    const close = (code: number, reason: string) => {
      socket.send(JSON.stringify({ type: 'error', error: reason }));
      socket.close(code, reason);
    };
    if (!channel) return close(4404, 'unknown_channel');
    if (!visitor.success) return close(4400, 'invalid_visitor');
    const allowed = (channel.config as { allowedOrigins?: string[] }).allowedOrigins ?? [];
    const origin = request.headers.origin;
    if (allowed.length > 0 && (!origin || !allowed.includes(origin))) return close(4403, 'origin_not_allowed');

    const tenantId = channel.row.tenantId;
    const address = visitor.data;
    const conversationOf = () =>
      app.db.conversation.findUnique({ where: { channelId_address: { channelId: channel.row.id, address } } });

    // History first, so a returning visitor sees what was said (and replies sent while away).
    const existing = await conversationOf();
    if (existing) {
      const history = await app.db.message.findMany({
        where: { conversationId: existing.id },
        orderBy: { createdAt: 'desc' },
        take: 50,
      });
      socket.send(JSON.stringify({ type: 'history', messages: history.reverse().map(toFrame) }));
    }

    const unsubscribe = app.inboxHub.subscribe(tenantId, async (event) => {
      if (!('messageId' in event) || !event.messageId || socket.readyState !== socket.OPEN) return;
      const message = await app.db.message.findUnique({ where: { id: event.messageId } });
      if (!message || message.direction !== 'outbound' || message.channelId !== channel.row.id) return;
      const conversation = await app.db.conversation.findUnique({ where: { id: message.conversationId } });
      if (conversation?.address !== address) return;
      // Agents' replies show once they are sent, not while pending.
      if (message.status === 'pending' || message.status === 'blocked' || message.status === 'failed') return;
      socket.send(JSON.stringify(toFrame(message)));
    });
    socket.on('close', unsubscribe);

    const onFrame = async (data: RawData) => {
      let frame: z.infer<typeof ClientFrameSchema>;
      try {
        frame = ClientFrameSchema.parse(JSON.parse(data.toString()));
      } catch {
        socket.send(JSON.stringify({ type: 'error', error: 'invalid_frame' }));
        return;
      }
      if (frame.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
        return;
      }
      try {
        const result = await ingestEvents(deps(), channel, [
          {
            kind: 'message',
            channel: 'webchat',
            providerMessageId: `${address}:${frame.clientMessageId}`,
            from: address,
            text: frame.text,
            media: [],
            ...(frame.name ? { profileName: frame.name } : {}),
          },
        ]);
        socket.send(
          JSON.stringify({ type: 'ack', clientMessageId: frame.clientMessageId, duplicate: result.duplicates > 0 }),
        );
      } catch (err) {
        request.log.error({ err }, 'web-chat message failed');
        socket.send(JSON.stringify({ type: 'error', error: 'not_delivered', clientMessageId: frame.clientMessageId }));
      }
    };
    socket.off('message', hold);
    socket.on('message', onFrame);
    for (const data of early.splice(0)) await onFrame(data);
  });
}
