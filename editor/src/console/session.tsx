import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { type Api, createApi, createRequest, type Request } from '../api-client';
import { createTransfers, type Transfers } from './transfers';

/** What every console screen needs: the flow API, a typed request, uploads/downloads and streams. */
export interface Session {
  apiKey: string;
  api: Api;
  request: Request;
  transfers: Transfers;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ apiKey, children }: { apiKey: string; children: ReactNode }) {
  const session = useMemo<Session>(
    () => ({ apiKey, api: createApi(apiKey), request: createRequest(apiKey), transfers: createTransfers(apiKey) }),
    [apiKey],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}
