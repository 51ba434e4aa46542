// npm run bench [-- name…] — runs the benchmarks in bench/*.bench.ts (all, or those named).
// Each prints its own ratios against a baseline measured in the same run.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
if (benches.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}\n`);
  process.exit(2);
}
for (const file of benches) {
  process.stdout.write(`\n== ${file}\n`);
  await import(new URL(file, import.meta.url).href);
}
