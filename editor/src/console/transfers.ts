import { ensureOk } from '../api-client';
import { authorizedFetch, type Credentials } from '../auth';

export interface SseEvent {
  event: string;
  data: unknown;
  id?: string;
}

/**
 * What JSON requests do not cover: multipart uploads, file downloads and Server-Sent Events.
 * Streams go through fetch rather than EventSource because EventSource cannot send the key.
 */
export function createTransfers(credentials: Credentials) {
  const authed = (path: string, init: RequestInit = {}) => authorizedFetch(credentials, path, init);
  return {
    /** A GET with the credentials, for answers that are not JSON (e.g. a CSV read in the page). */
    async text(path: string): Promise<string> {
      return (await ensureOk(await authed(path))).text();
    },
    /** POSTs a multipart form (files and fields) and returns the parsed JSON answer. */
    async upload(path: string, form: FormData, method = 'POST'): Promise<unknown> {
      const res = await ensureOk(await authed(path, { method, body: form }));
      return res.status === 204 ? null : res.json();
    },
    /** POSTs a raw body (e.g. a CSV) with its content type. */
    async send(path: string, body: BodyInit, contentType: string, method = 'POST'): Promise<unknown> {
      const res = await ensureOk(await authed(path, { method, headers: { 'content-type': contentType }, body }));
      return res.status === 204 ? null : res.json();
    },
    /** Fetches a file with the key and hands it to the browser as a download. */
    async download(path: string, fallbackName: string): Promise<void> {
      const res = await ensureOk(await authed(path));
      const disposition = res.headers.get('content-disposition') ?? '';
      const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
    /**
     * Follows an SSE stream until `signal` aborts, reconnecting after a drop (3 s, as the server's
     * `retry:` asks). `onOpen` runs on every (re)connection so callers can refetch what they missed.
     */
    async stream(
      path: string,
      onEvent: (e: SseEvent) => void,
      signal: AbortSignal,
      onOpen: () => void = () => undefined,
    ): Promise<void> {
      while (!signal.aborted) {
        try {
          const res = await ensureOk(await authed(path, { headers: { accept: 'text/event-stream' }, signal }));
          if (!res.body) throw new Error('stream has no body');
          onOpen();
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let cut = buffer.indexOf('\n\n');
            while (cut !== -1) {
              const parsed = parseSseBlock(buffer.slice(0, cut));
              buffer = buffer.slice(cut + 2);
              if (parsed) onEvent(parsed);
              cut = buffer.indexOf('\n\n');
            }
          }
        } catch (e) {
          if (signal.aborted) return;
          // A 4xx will not get better by retrying; let the screen show it.
          if (e instanceof Error && 'status' in e && Number(e.status) >= 400 && Number(e.status) < 500) throw e;
        }
        await new Promise((r) => setTimeout(r, 3000));
      }
    },
  };
}
export type Transfers = ReturnType<typeof createTransfers>;

/** One SSE block (`event:`, `data:`, `id:` lines); comments and keep-alives give null. */
export function parseSseBlock(block: string): SseEvent | null {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  if (data.length === 0) return null;
  const text = data.join('\n');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: hand over the text as the server sent it.
  }
  return { event, data: parsed, ...(id === undefined ? {} : { id }) };
}
