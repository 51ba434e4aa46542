// bench/csv-import: 100k generated rows through the real import pipeline (runImport, the function
// POST /imports/:id/start runs) into a scratch database on the test cluster. Prints rows per second
// and the peak RSS (sampled every 100 ms); asserts nothing. ROWS=… changes the size.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { inspectCsv } from '../api/imports/csv';
import { planColumns, suggestMapping } from '../api/imports/mapping';
import { runImport } from '../api/imports/pipeline';
import { forTenant } from '../api/tenant-scope';
import { toJson } from '../prisma/json';
import { scratchDatabase } from './lib/scratch-db';

const ROWS = Number(process.env.ROWS ?? 100_000);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const scratch = await scratchDatabase('import');
const _url = scratch.url;
const db = scratch.db;
const dir = mkdtempSync(join(tmpdir(), 'sb-bench-import-'));

/** Writes the CSV as a stream too: the generator must not be what uses the memory. */
async function generate(path: string, rows: number) {
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', r)));
  await write('\uFEFFFirst Name,Last Name,Mobile,E-mail,Tags,Plan,Notes\n');
  for (let i = 0; i < rows; i++) {
    // 1 row in 50 has a bad phone, 1 in 100 repeats an earlier row's email.
    const phone =
      i % 50 === 7
        ? 'n/a'
        : `+1 (202) ${String(200 + Math.floor(i / 10_000)).padStart(3, '0')}-${String(i % 10_000).padStart(4, '0')}`;
    const email = i % 100 === 99 ? `user${i - 50}@bench.example` : `user${i}@bench.example`;
    await write(
      `First${i},"Last, ${i}",${phone},${email},vip;bench|t${i % 7},${i % 3 === 0 ? 'pro' : 'free'},"note ${i}\nsecond line"\n`,
    );
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

try {
  const tenant = await db.tenant.create({ data: { name: 'bench', slug: 'bench' } });
  await db.customFieldDefinition.create({
    data: { tenantId: tenant.id, key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] },
  });
  const customFields = [{ key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] }];
  const path = join(dir, 'contacts.csv');
  await generate(path, ROWS);
  const inspectStart = performance.now();
  const inspection = await inspectCsv(path);
  const inspectMs = performance.now() - inspectStart;
  const { mapping } = suggestMapping(inspection.headers, [], customFields);
  const plan = planColumns(mapping, inspection.headers, customFields);
  const job = await db.importJob.create({
    data: {
      tenantId: tenant.id,
      status: 'running',
      filename: 'contacts.csv',
      mapping: toJson({ ...inspection, preview: undefined, columns: mapping, dedupe: 'update' }),
      totalRows: inspection.totalRows,
    },
  });

  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let peakHeap = 0;
  let peakExternal = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
  }, 100);
  // What the import keeps alive: the heap right after each full GC. A heap that merely grows (V8
  // collects lazily while allocation is fast) shows in the peak above, not here.
  const liveHeap: { at: number; bytes: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        liveHeap.push({ at: performance.now(), bytes: process.memoryUsage().heapUsed });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const t = performance.now();
  const result = await runImport({
    db: forTenant(db, tenant.id),
    tenantId: tenant.id,
    jobId: job.id,
    path,
    delimiter: inspection.delimiter,
    headers: inspection.headers,
    plan,
    customFields,
    leadStages: [],
    dedupe: 'update',
    removeFile: false,
  });
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  gcObserver.disconnect();
  peak = Math.max(peak, process.memoryUsage().rss);
  const end = performance.now();
  const liveIn = (from: number, to: number) =>
    Math.max(
      0,
      ...liveHeap.filter((s) => s.at >= t + (end - t) * from && s.at <= t + (end - t) * to).map((s) => s.bytes),
    );

  process.stdout.write(
    [
      `file: ${ROWS} rows, ${mb(statSync(path).size)}; inspect (header, preview, row count): ${inspectMs.toFixed(0)} ms`,
      `import: ${result.status} in ${seconds.toFixed(1)} s — ${(ROWS / seconds).toFixed(0)} rows/s`,
      `  created ${result.createdRows}, updated ${result.updatedRows}, skipped ${result.skippedRows}, errors ${result.errorRows}`,
      `memory: RSS before ${mb(baseline)}, peak during import ${mb(peak)} (+${mb(peak - baseline)}); peak JS heap ${mb(peakHeap)}, peak external ${mb(peakExternal)}`,
      `live heap after full GCs (${liveHeap.length} of them): first quarter of the import ${mb(liveIn(0, 0.25))}, last quarter ${mb(liveIn(0.75, 1))} — flat means nothing accumulates per row`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await scratch.drop();
}
