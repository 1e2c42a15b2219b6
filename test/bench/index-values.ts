// Throughput of search index extraction (fhir/search/index-values.ts) over the shared Synthea
// bundles. Run: node --import tsx test/bench/index-values.ts [dir]
// urn:uuid: references are first rewritten to Type/id, as the transaction processor does before
// storage, so that the benchmark measures what the write path will see.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '../../fhir/types.ts';
import { createIndexRowExtractor } from '../../fhir/search/index-values.ts';
import { defaultRegistry } from '../../fhir/definitions/search-parameters.ts';

const dir = process.argv[2] ?? '/work/shared/data/fhir/synthea';

interface BundleEntry { fullUrl?: string; resource?: Resource }

function loadResources(): Resource[] {
  const out: Resource[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    const bundle = JSON.parse(text) as { entry?: BundleEntry[] };
    const ids = new Map<string, string>();
    for (const e of bundle.entry ?? []) {
      if (e.fullUrl && e.resource?.id) ids.set(e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`);
    }
    const resolved = JSON.parse(text.replace(/"urn:uuid:[0-9a-f-]+"/g, (m) => {
      const target = ids.get(m.slice(1, -1));
      return target ? `"${target}"` : m;
    })) as { entry?: BundleEntry[] };
    for (const e of resolved.entry ?? []) if (e.resource) out.push(e.resource);
  }
  return out;
}

const resources = loadResources();
const t0 = performance.now();
const extract = createIndexRowExtractor(defaultRegistry());
for (const type of new Set(resources.map((r) => r.resourceType))) extract({ resourceType: type });
const setupMs = performance.now() - t0;

let rowCount = 0;
for (const r of resources) {
  const rows = extract(r);
  for (const table of Object.values(rows)) rowCount += table.length;
}
const rounds = 3;
let best = Infinity;
for (let round = 0; round < rounds; round++) {
  const start = performance.now();
  for (const r of resources) extract(r);
  best = Math.min(best, performance.now() - start);
}
const perSecond = Math.round(resources.length / (best / 1000));
console.log(`registry load + plan compile: ${setupMs.toFixed(0)} ms`);
console.log(`${resources.length} resources, ${rowCount} index rows, best of ${rounds}: ${best.toFixed(0)} ms`);
console.log(`${perSecond} resources/s`);
