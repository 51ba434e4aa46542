// A keep-alive HTTP load loop that runs in its own worker thread, so the server being measured has
// its event loop to itself (as with wrk or autocannon in another process). Plain JS: worker threads
// do not inherit tsx's loader.
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * N keep-alive connections, each sending its next request when the previous answer arrives.
 * @param {{ port: number, path: string, headers: Record<string, string>, total: number, concurrency: number, maxMs: number }} opts
 * @returns {Promise<{ done: number, failed: number, seconds: number, latencies: number[] }>}
 */
export function load(opts) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: opts });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function run({ port, path, headers, total, concurrency, maxMs }) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let sent = 0;
  let failed = 0;
  const deadline = performance.now() + maxMs;
  const one = () =>
    new Promise((resolve) => {
      const t = performance.now();
      const req = request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t);
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < total && performance.now() < deadline) {
        sent++;
        await one();
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { done: latencies.length, failed, seconds, latencies };
}

if (!isMainThread && parentPort) parentPort.postMessage(await run(workerData));
