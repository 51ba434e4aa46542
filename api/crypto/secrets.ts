import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (channel credentials, TOTP seeds, webhook signing secrets): AES-256-GCM.
 * Keys come from SWITCHBOARD_ENCRYPTION_KEYS, comma-separated base64 32-byte keys, newest first.
 * Each ciphertext names the key that sealed it, so keys rotate: add a new key in front, and
 * `reseal` old values at leisure; decryption tries the named key.
 *
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts; keyId = first 8 hex of sha256(key)).
 */
export class Secrets {
  private readonly keys: Array<{ id: string; key: Buffer }>;

  constructor(base64Keys: readonly string[]) {
    if (base64Keys.length === 0) throw new Error('at least one encryption key is required');
    this.keys = base64Keys.map((k) => {
      const key = Buffer.from(k, 'base64');
      if (key.length !== 32) throw new Error('encryption keys must be 32 bytes, base64-encoded');
      return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
    });
  }

  seal(plaintext: string): string {
    const { id, key } = this.keys[0] as { id: string; key: Buffer };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      id,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  open(sealed: string): string {
    const [version, id, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !id || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
    const entry = this.keys.find((k) => k.id === id);
    if (!entry) throw new Error(`sealed with key ${id}, which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** True when the value was sealed with an older key and should be re-sealed. */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.keys[0]?.id;
  }

  reseal(sealed: string): string {
    return this.isStale(sealed) ? this.seal(this.open(sealed)) : sealed;
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }
}
