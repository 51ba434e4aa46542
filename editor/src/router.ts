import { useEffect, useState } from 'react';

/** Hash routes: `#/`, `#/flows/:id`, `#/flows/:id/runs/:runId`. */
export type Route = { page: 'flows' } | { page: 'flow'; flowId: string; runId: string | null };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const m = /^\/flows\/([^/]+)(?:\/runs\/([^/]+))?\/?$/.exec(path);
  if (m?.[1]) return { page: 'flow', flowId: decodeURIComponent(m[1]), runId: m[2] ? decodeURIComponent(m[2]) : null };
  return { page: 'flows' };
}

export function navigate(path: string, { reload = false }: { reload?: boolean } = {}): void {
  if (window.location.hash === `#${path}` && reload) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = path;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
