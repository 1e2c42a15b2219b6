// Load generator of bench:imaging, run as a worker thread so that it does not share the event loop of
// the server under test. workerData: { requests: [{ url, method, headers, body? }], concurrency }.
// Posts back { seconds, latencies (ms, per request in order), statuses: { code: count }, bytesIn }.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

const { requests, concurrency } = workerData;
const latencies = new Array(requests.length);
const statuses = {};
let bytesIn = 0;
let next = 0;

async function client() {
  while (next < requests.length) {
    const index = next++;
    const { url, method, headers, body } = requests[index];
    const start = performance.now();
    let status = 0;
    try {
      const res = await fetch(url, { method, headers, body });
      bytesIn += (await res.arrayBuffer()).byteLength;
      status = res.status;
    } catch {
      status = -1;
    }
    latencies[index] = performance.now() - start;
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: concurrency }, client));
parentPort.postMessage({ seconds: (performance.now() - start) / 1000, latencies, statuses, bytesIn });
