// Validator throughput over the shared Synthea bundles: `node --import tsx test/bench/validate.ts [dir]`.
// Prints cold-load time, resources/s (entries validated one by one, as the server does on ingest)
// and any resource with issues. The target is >= 20,000 typical Synthea resources/s on one core.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { structureDefinitions } from '../../fhir/definitions/structure.ts';
import { validateResource } from '../../fhir/validation/validate.ts';

const dir = process.argv[2] ?? '/work/shared/data/fhir/synthea';
const resources: unknown[] = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const bundle = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { entry?: { resource: unknown }[] };
  for (const entry of bundle.entry ?? []) resources.push(entry.resource);
}

let started = performance.now();
structureDefinitions();
console.log(`structure definitions loaded in ${(performance.now() - started).toFixed(0)} ms`);
started = performance.now();
validateResource({ resourceType: 'Patient', gender: 'male' });
console.log(`value sets loaded on first binding check in ${(performance.now() - started).toFixed(0)} ms`);

let invalid = 0;
for (const resource of resources) {
  const issues = validateResource(resource);
  if (issues.length > 0) {
    invalid++;
    console.log(JSON.stringify(issues.slice(0, 3)));
  }
}

const rounds = 5;
started = performance.now();
for (let round = 0; round < rounds; round++) {
  for (const resource of resources) validateResource(resource);
}
const seconds = (performance.now() - started) / 1000;
const rate = (resources.length * rounds) / seconds;
console.log(`${resources.length} resources, ${invalid} with issues; ${Math.round(rate).toLocaleString('en-US')} resources/s`);
