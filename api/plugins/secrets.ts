import fp from 'fastify-plugin';
import { Secrets } from '../crypto/secrets';

declare module 'fastify' {
  interface FastifyInstance {
    /** Seals and opens secrets at rest (webhook signing secrets, credentials). */
    secrets: Secrets;
  }
}

/** `app.secrets`, from the app's encryption keys (newest first). */
export const secretsPlugin = fp<{ encryptionKeys: string[] }>(
  async (app, { encryptionKeys }) => {
    app.decorate('secrets', new Secrets(encryptionKeys));
  },
  { name: 'secrets' },
);
