import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { type Api, createApi, createRequest, type Request } from '../api-client';
import type { Credentials } from '../auth';
import { createTransfers, type Transfers } from './transfers';

/** What every console screen needs: the flow API, a typed request, uploads/downloads and streams. */
export interface Session {
  /** The API key the console runs on, or null for a person signed in with their password. */
  apiKey: string | null;
  /** Who is signed in, for a person's session. */
  user: { name: string; email: string } | null;
  api: Api;
  request: Request;
  transfers: Transfers;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({
  credentials,
  user,
  children,
}: {
  credentials: Credentials;
  user: Session['user'];
  children: ReactNode;
}) {
  const session = useMemo<Session>(
    () => ({
      apiKey: credentials.apiKey,
      user,
      api: createApi(credentials),
      request: createRequest(credentials),
      transfers: createTransfers(credentials),
    }),
    [credentials, user],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}
