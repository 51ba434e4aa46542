// Preloaded by worker/bundle.ts: evaluated once per worker thread, before any workflow, and shared.
// The SDK evaluates every other module afresh for each workflow it creates; zod, whose classes
// install their methods on first use, cost each journey ~20 ms there. Shared, its classes are
// built once. zod keeps no per-workflow state; the SDK deep-freezes what this exports.
import * as z from 'zod';

// zod fills in its global config (default error messages, the parse memoizer) when it builds its
// first schema and first container: done here, before the SDK freezes zod's globals, not in the
// first workflow. Those two are all zod writes there (core.config's only callers in v4).
z.object({ list: z.array(z.string().min(1)) }).parse({ list: ['ready'] });

export const zod = z;
