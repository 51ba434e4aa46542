import { useEffect, useState } from 'react';

/** The console's areas, each with its own screens under `#/<area>/…`. */
export const AREAS = ['campaigns', 'inbox', 'contacts', 'knowledge', 'dashboards', 'settings'] as const;
export type Area = (typeof AREAS)[number];

/**
 * Hash routes: `#/` and `#/flows/:id[/runs/:runId]` for the flow editor; `#/<area>/<rest…>?<query>`
 * for the console, where each area reads its own `rest` (e.g. `#/campaigns/:id`).
 */
export type Route =
  | { page: 'flows' }
  | { page: 'flow'; flowId: string; runId: string | null }
  | { page: 'console'; area: Area; rest: string[]; query: URLSearchParams };

export function parseRoute(hash: string): Route {
  const [rawPath = '', rawQuery = ''] = hash.replace(/^#/, '').split('?');
  const m = /^\/flows\/([^/]+)(?:\/runs\/([^/]+))?\/?$/.exec(rawPath);
  if (m?.[1]) return { page: 'flow', flowId: decodeURIComponent(m[1]), runId: m[2] ? decodeURIComponent(m[2]) : null };
  const [head, ...rest] = rawPath.split('/').filter(Boolean);
  const area = AREAS.find((a) => a === head);
  if (area) return { page: 'console', area, rest: rest.map(decodeURIComponent), query: new URLSearchParams(rawQuery) };
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
