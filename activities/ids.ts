import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id derived from a key (SHA-256, version nibble 5): the same key always gives the
 * same id, so a retried step writes or dispatches the same row or event rather than a second one.
 */
export function uuidFromKey(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
