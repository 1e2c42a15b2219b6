// The public fhir-candle R4 search cases (test/fixtures/fhir/search-cases, MIT; see its README):
// every type-level case is parsed and compiled here and its expected match count asserted against
// a per-file database (PGlite, or PostgreSQL when DATABASE_URL is set), loaded as the README's §1
// describes. Cases for system-level search, compartments and SMART scopes are other parts of the
// server and get no test here; `_include` cases assert only their match count, since the included
// entries are the REST layer's concern. Cases whose expectation contradicts the R4 spec are left
// out too, each with the paragraph it contradicts (spec-contradictions below).
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import type { Resource } from '../../../fhir/types.ts';
import { loadOfficialSearchParameters, type SearchParameterResource } from '../../../fhir/definitions/search-parameters.ts';
import { createIndexRowExtractor } from '../../../fhir/search/index-values.ts';
import { parseSearch } from '../../../fhir/search/parse.ts';
import { compileCount, compileSearch } from '../../../fhir/search/sql.ts';
import { insertIndexed, openIndexDatabase, type IndexDatabase } from '../../helpers/index-fixture.ts';

interface SearchCase {
  id: string;
  resourceType: string;
  compartment?: unknown;
  queryEncoded: string;
  auth?: unknown;
  assumes?: string[];
  expect: { matches?: number; sortedBy?: { element: string; direction: 'ascending' | 'descending' } };
  derived?: { matchIds?: string[] };
}

const root = new URL('../../fixtures/fhir/search-cases/', import.meta.url);
const cases = JSON.parse(readFileSync(new URL('cases.json', root), 'utf8')) as SearchCase[];

/**
 * Expectations that follow fhir-candle rather than the R4 specification (README §3):
 * - token-empty-system-matches-any: `identifier=|12345` — "|[code]: the value of [code] matches a
 *   Coding.code or Identifier.value, and the Coding/Identifier has no system property"
 *   (http://hl7.org/fhir/R4/search.html#token); Patient/example's identifier has a system.
 * - quantity-code-matches-unit-text: `185|http://unitsofmeasure.org|lbs` — with a system given,
 *   "the system and code ... match" Quantity.system and Quantity.code, not the unit text
 *   (http://hl7.org/fhir/R4/search.html#quantity).
 * - composite-or-per-component: `A,B$C` — commas separate whole composite values, each of which
 *   has every component (http://hl7.org/fhir/R4/search.html#composite), so `A` alone is malformed.
 */
const specContradictions = new Set(['token-empty-system-matches-any', 'quantity-code-matches-unit-text', 'composite-or-per-component']);

function leftOutBecause(c: SearchCase): string | undefined {
  if (c.auth) return 'SMART scopes';
  if (c.resourceType === '*') return 'system-level search';
  if (c.compartment) return 'compartment search';
  const contradiction = c.assumes?.find((a) => specContradictions.has(a));
  return contradiction ? `contradicts the spec (${contradiction})` : undefined;
}

// Loading (README §1) -------------------------------------------------------------------------

const registry = loadOfficialSearchParameters();
const extract = createIndexRowExtractor(registry);
/** The ids this load gives the resources created by the cdex transaction (README: server-assigned). */
const placeholders = new Map<string, string>();

function readData(): Resource[] {
  const dataDir = new URL('data/', root);
  const docs = readdirSync(dataDir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, dataDir), 'utf8').replace(/^\uFEFF/, '')) as Resource);
  const stored = new Map<string, Resource>();
  for (const doc of docs) {
    const bundle = doc as Resource & { type?: string; entry?: Array<{ fullUrl?: string; resource?: Resource; request?: { method: string } }> };
    if (doc.resourceType !== 'Bundle' || (bundle.type !== 'transaction' && bundle.type !== 'batch')) {
      stored.set(`${doc.resourceType}/${doc.id}`, doc);
      continue;
    }
    // A transaction whose entries have no request stores nothing (fhir-candle answers each with 400).
    const entries = (bundle.entry ?? []).filter((e) => e.resource && e.request?.method === 'POST');
    const assigned = new Map<string, string>();
    entries.forEach((e, i) => {
      const ref = `${e.resource!.resourceType}/tx-${bundle.id}-${i}`;
      if (e.fullUrl) assigned.set(e.fullUrl, ref);
      placeholders.set(`${e.resource!.resourceType}/{cdex-${e.resource!.resourceType.toLowerCase()}}`, ref);
    });
    for (const e of entries) {
      const text = JSON.stringify(e.resource).replace(/"(urn:uuid:[^"]+)"/g, (m, url: string) => (assigned.has(url) ? `"${assigned.get(url)}"` : m));
      const resource = JSON.parse(text) as Resource;
      resource.id = assigned.get(e.fullUrl!)!.split('/')[1];
      stored.set(`${resource.resourceType}/${resource.id}`, resource);
    }
  }
  return [...stored.values()];
}

let db: IndexDatabase;

test.before(async () => {
  const resources = readData();
  // Custom SearchParameters first, so that the Patients are indexed under them.
  for (const r of resources) if (r.resourceType === 'SearchParameter') registry.add(r as unknown as SearchParameterResource);
  db = await openIndexDatabase();
  let second = 0;
  for (const r of resources) {
    const lastUpdated = new Date(Date.UTC(2024, 0, 1, 0, 0, second++)).toISOString();
    const resource = { ...r, meta: { ...r.meta, lastUpdated } } as Resource;
    await insertIndexed(db, resource, extract(resource), { lastUpdated });
  }
});

test.after.always(async () => {
  await db?.close();
});

// Cases ---------------------------------------------------------------------------------------

function parse(c: SearchCase) {
  return parseSearch(c.resourceType, new URLSearchParams(c.queryEncoded), registry);
}

function elementValue(resource: Record<string, unknown>, path: string): string | undefined {
  let value: unknown = resource;
  for (const step of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
  return typeof value === 'string' ? value : undefined;
}

const run = cases.filter((c) => leftOutBecause(c) === undefined);

for (const c of run) {
  test(c.id, async (t) => {
    const req = parse(c);
    const count = compileCount(req);
    const total = Number((await db.query<{ total: number }>(count.text, count.values)).rows[0]!.total);
    const page = compileSearch({ ...req, count: 100, offset: 0 }, { columns: 'r.resource_type, r.id, r.content' });
    const rows = (await db.query<{ resource_type: string; id: string; content: Record<string, unknown> }>(page.text, page.values)).rows;
    const expected = c.expect.matches ?? c.derived?.matchIds?.length;
    if (expected === undefined) throw new Error(`case ${c.id} has neither an expected count nor expected ids`);
    t.is(total, expected);
    if (c.derived?.matchIds) {
      const wanted = c.derived.matchIds.map((id) => placeholders.get(id) ?? id).sort();
      t.deepEqual(rows.map((r) => `${r.resource_type}/${r.id}`).sort(), wanted);
    }
    const sortedBy = c.expect.sortedBy;
    if (sortedBy) {
      // README §2: missing values grouped together, present values monotonic as strings.
      const values = rows.map((r) => elementValue(r.content, sortedBy.element));
      const present = values.filter((v): v is string => v !== undefined);
      const ordered = [...present].sort();
      t.deepEqual(present, sortedBy.direction === 'ascending' ? ordered : ordered.reverse());
      const missing = values.flatMap((v, i) => (v === undefined ? [i] : []));
      t.true(missing.length === 0 || missing[missing.length - 1]! - missing[0]! === missing.length - 1, 'missing values are contiguous');
    }
  });
}

test('search cases left out of this suite', (t) => {
  const reasons = new Map<string, number>();
  for (const c of cases) {
    const reason = leftOutBecause(c);
    if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const summary = [...reasons].map(([reason, n]) => `${n} ${reason}`).join(', ');
  t.log(`${run.length} of ${cases.length} cases run; left out: ${summary}`);
  t.is(run.length + [...reasons.values()].reduce((a, b) => a + b, 0), cases.length);
});
