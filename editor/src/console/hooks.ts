import { useCallback, useEffect, useRef, useState } from 'react';
import { useSession } from './session';
import type { SseEvent } from './transfers';

export interface Resource<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` on mount and whenever `key` changes (a string of what `load` reads, e.g.
 * `${id}?${filter}`), and with `intervalMs` again on that period while the tab is visible. A slow
 * answer never overwrites a newer one.
 */
export function useResource<T>(
  load: () => Promise<T>,
  key: string,
  { intervalMs }: { intervalMs?: number } = {},
): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for what `load` reads.
  const run = useCallback(() => {
    const seq = ++latest.current;
    setLoading(true);
    loader.current().then(
      (value) => {
        if (seq !== latest.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (seq !== latest.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [key]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` forces a reload.
  useEffect(() => {
    run();
  }, [run, tick]);
  useEffect(() => {
    if (!intervalMs) return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, intervalMs);
    return () => clearInterval(t);
  }, [run, intervalMs]);
  return { data, error, loading, reload: useCallback(() => setTick((n) => n + 1), []) };
}

/** Follows an SSE path while mounted; `onEvent` may change without reconnecting. */
export function useEventStream(path: string | null, onEvent: (e: SseEvent) => void, onOpen?: () => void): unknown {
  const { transfers } = useSession();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const opened = useRef(onOpen);
  opened.current = onOpen;
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!path) return;
    const abort = new AbortController();
    transfers
      .stream(
        path,
        (e) => handler.current(e),
        abort.signal,
        () => opened.current?.(),
      )
      .catch(setError);
    return () => abort.abort();
  }, [path, transfers]);
  return error;
}

/** The current time, ticking every `ms` (countdowns). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** Runs an action, tracking busy and error, so a button can disable itself and show why it failed. */
export function useAction<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
): { run: (...args: A) => Promise<R | undefined>; busy: boolean; error: unknown; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fn = useRef(action);
  fn.current = action;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      return await fn.current(...args);
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, clear: useCallback(() => setError(null), []) };
}
