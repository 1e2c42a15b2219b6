// Load generator for test/bench/fhir.ts, run in its own process so that it does not share the
// server's event loop. Input (argv[2], JSON): { url, connections, duration, method, paths, body, headers }.
// Output: one JSON line { requests, rps, p50, p99, errors, non2xx }.
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2]);
let i = 0;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  headers: spec.headers ?? {},
  requests: [{
    method: spec.method ?? 'GET',
    body: spec.body,
    setupRequest(req) {
      if (spec.paths) req.path = spec.paths[i++ % spec.paths.length];
      return req;
    },
  }],
});
console.log(JSON.stringify({
  requests: result.requests.total,
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors,
  non2xx: result.non2xx,
}));
