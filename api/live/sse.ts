import type { FastifyReply, FastifyRequest } from 'fastify';

export interface EventStream {
  send(event: string, data: unknown): void;
  /** Ends the stream (idempotent); `onClose` runs once, whoever closes. */
  end(): void;
  readonly closed: boolean;
}

const KEEP_ALIVE_MS = 15_000;

/**
 * Takes over the reply as a Server-Sent Events stream: headers that keep proxies from buffering,
 * a reconnect delay, numbered events, keep-alive comments, and one clean-up when either side ends.
 */
export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  onClose: () => void = () => undefined,
): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n: connected\n\n');
  let seq = 0;
  let closed = false;
  const keepAlive = setInterval(() => {
    if (!closed) res.write(': keep-alive\n\n');
  }, KEEP_ALIVE_MS);
  const stream: EventStream = {
    send(event, data) {
      if (!closed) res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      onClose();
      res.end();
    },
    get closed() {
      return closed;
    },
  };
  request.raw.on('close', () => stream.end());
  res.on('close', () => stream.end());
  return stream;
}
