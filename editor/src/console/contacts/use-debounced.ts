import { useEffect, useState } from 'react';

/** `value` once it has stopped changing for `ms` (typing in a filter does not refetch per key). */
export function useDebounced<T>(value: T, ms: number, same: (a: T, b: T) => boolean = Object.is): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (same(value, settled)) return;
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, settled, ms, same]);
  return settled;
}
