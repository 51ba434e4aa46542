import { z } from 'zod';

/**
 * Who the console acts as: an API key (what `npm start`'s link carries, or pasted), or a person
 * signed in with email and password, whose 15-minute access token is renewed with the refresh token.
 */
export interface Credentials {
  /** The Authorization header's value now. */
  authorization(): string;
  /** After a 401: gets a fresh access token if it can (true = retry the request once). */
  renew(): Promise<boolean>;
  /** The API key, when the console runs on one (the API keys screen marks it as this console's). */
  readonly apiKey: string | null;
}

const TokensSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  tenant: z.object({ id: z.string(), name: z.string() }),
  role: z.string(),
});
export type Tokens = z.infer<typeof TokensSchema>;

const StoredSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('key'), key: z.string() }),
  z.object({ kind: z.literal('user'), tokens: TokensSchema }),
]);
export type StoredSession = z.infer<typeof StoredSchema>;

const STORAGE = 'switchboard.session';
const LEGACY_KEY_STORAGE = 'switchboard.apiKey';

/**
 * The session to start with: a `#key=` in the URL (what `npm start` prints) wins and is taken out
 * of the address bar; else what this browser kept.
 */
export function loadSession(): StoredSession | null {
  const match = /[#&?]key=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    const session: StoredSession = { kind: 'key', key: decodeURIComponent(match[1]) };
    saveSession(session);
    history.replaceState(null, '', `${window.location.pathname}#/`);
    return session;
  }
  const legacy = localStorage.getItem(LEGACY_KEY_STORAGE);
  if (legacy) {
    localStorage.removeItem(LEGACY_KEY_STORAGE);
    saveSession({ kind: 'key', key: legacy });
  }
  try {
    const parsed = StoredSchema.safeParse(JSON.parse(localStorage.getItem(STORAGE) ?? 'null'));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveSession(session: StoredSession | null): void {
  if (session) localStorage.setItem(STORAGE, JSON.stringify(session));
  else localStorage.removeItem(STORAGE);
}

export function keyCredentials(key: string): Credentials {
  return { authorization: () => `Bearer ${key}`, renew: async () => false, apiKey: key };
}

/**
 * A person's credentials. Concurrent 401s share one refresh (a refresh token works once: a second
 * use would end every session of its family). When the refresh fails the person is signed out.
 */
export function userCredentials(initial: Tokens, onExpired: () => void): Credentials {
  let tokens = initial;
  let renewing: Promise<boolean> | null = null;
  const refresh = async (): Promise<boolean> => {
    const used = tokens.refreshToken;
    const res = await fetch('/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: used }),
    }).catch(() => null);
    if (!res) return false; // offline: keep the session, the next request tries again
    if (!res.ok) {
      onExpired();
      return false;
    }
    const parsed = TokensSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) return false;
    tokens = parsed.data;
    saveSession({ kind: 'user', tokens });
    return true;
  };
  return {
    authorization: () => `Bearer ${tokens.accessToken}`,
    renew() {
      renewing ??= refresh().finally(() => {
        renewing = null;
      });
      return renewing;
    },
    apiKey: null,
  };
}

export function credentialsFor(session: StoredSession, onExpired: () => void): Credentials {
  return session.kind === 'key' ? keyCredentials(session.key) : userCredentials(session.tokens, onExpired);
}

/** Fetch with the credentials; a 401 renews them once and tries again. */
export async function authorizedFetch(
  credentials: Credentials,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const attempt = () =>
    fetch(path, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), Authorization: credentials.authorization() },
    });
  const res = await attempt();
  if (res.status === 401 && (await credentials.renew())) return attempt();
  return res;
}

export const LoginAnswerSchema = TokensSchema;
