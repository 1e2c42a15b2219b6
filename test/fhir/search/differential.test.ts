// Differential test of search: for a few hundred queries generated from the data itself, the ids the
// engine's SQL returns must equal the ids an independent in-memory oracle finds by evaluating the
// parameter's FHIRPath expression with fhirpath.js and applying the matching rules of
// http://hl7.org/fhir/R4/search.html written out again here (nothing shared with fhir/search/).
import test from 'ava';
import { fileURLToPath } from 'node:url';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { createFhirEngine, type FhirEngine, type Resource } from '../../../fhir/index.ts';
import { responseResource } from '../../../fhir/rest/types.ts';
import { defaultRegistry } from '../../../fhir/definitions/search-parameters.ts';
import { runImport } from '../../../server/import/run.ts';
import { engineSink } from '../../../server/import/sinks.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';

const synthea = fileURLToPath(new URL('../../fixtures/fhir/synthea', import.meta.url));
const zone = 'Asia/Shanghai';

let database: TestDatabase;
let engine: FhirEngine;
let resources: Resource[];

test.before(async () => {
  database = await createTestDatabase();
  engine = await createFhirEngine({ db: database.db, timezone: zone });
  await runImport([synthea], engineSink(engine));
  resources = (await database.db.query<{ content: Resource }>('SELECT content FROM fhir_resource WHERE NOT deleted')).rows.map((r) => r.content);
});
test.after.always(async () => { await database?.drop(); });

const params: Record<string, string[]> = {
  Patient: ['family', 'given', 'name', 'address-city', 'address-postalcode', 'birthdate', 'gender', 'identifier'],
  Observation: ['code', 'category', 'date', 'status', 'subject', 'encounter', 'value-quantity'],
  Encounter: ['class', 'type', 'date', 'status', 'subject'],
  Condition: ['code', 'onset-date', 'clinical-status', 'subject', 'recorded-date'],
  Procedure: ['code', 'date', 'subject'],
  Immunization: ['vaccine-code', 'date', 'status'],
  MedicationRequest: ['status', 'intent', 'authoredon', 'code'],
};

// ---- the oracle -------------------------------------------------------------------------------

function values(resource: Resource, expression: string): unknown[] {
  const rewritten = expression.replace(/\(([A-Za-z.]+) as (\w+)\)/g, '$1.ofType($2)');
  return fhirpath.evaluate(resource, rewritten, undefined, r4 as never) as unknown[];
}

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!v || typeof v !== 'object') return [];
  const o = v as Record<string, unknown>;
  const keys = ['family', 'given', 'prefix', 'suffix', 'text', 'line', 'city', 'district', 'state', 'postalCode', 'country'];
  return keys.flatMap((k) => (Array.isArray(o[k]) ? (o[k] as string[]) : typeof o[k] === 'string' ? [o[k] as string] : []));
}

interface Token { system?: string; code?: string }
function tokens(v: unknown): Token[] {
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return [{ code: String(v) }];
  if (!v || typeof v !== 'object') return [];
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.coding)) return (o.coding as Record<string, string>[]).map((c) => ({ system: c.system, code: c.code }));
  if ('value' in o && ('system' in o || 'type' in o || 'use' in o)) return [{ system: o.system as string, code: o.value as string }];
  if ('code' in o) return [{ system: o.system as string, code: o.code as string }];
  return [];
}

/** [first ms, last ms] a date/dateTime/instant/Period covers, with implicit precision. */
function span(v: unknown): [number, number] | undefined {
  if (v && typeof v === 'object' && ('start' in (v as object) || 'end' in (v as object))) {
    const p = v as { start?: string; end?: string };
    return [p.start ? span(p.start)![0] : -Infinity, p.end ? span(p.end)![1] : Infinity];
  }
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(v);
  if (!m) return undefined;
  if (m[4] !== undefined) {
    const start = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ?? ''}${m[8] ?? '+08:00'}`);
    const width = m[7] ? 1 : m[6] ? 1000 : 60_000;
    return [start, start + width - 1];
  }
  // Dates without time are local days/months/years in the server's zone (+08:00 for Asia/Shanghai, no DST).
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) - 1 : 0;
  const d = m[3] ? Number(m[3]) : 1;
  const start = Date.UTC(y, mo, d) - 8 * 3_600_000;
  const end = m[3] ? Date.UTC(y, mo, d + 1) : m[2] ? Date.UTC(y, mo + 1, 1) : Date.UTC(y + 1, 0, 1);
  return [start, end - 8 * 3_600_000 - 1];
}

type Matcher = (vs: unknown[]) => boolean;

function dateMatcher(prefix: string, q: [number, number]): Matcher {
  const test = ([lo, hi]: [number, number]) => {
    const eq = q[0] <= lo && hi <= q[1];
    switch (prefix) {
      case 'eq': return eq;
      case 'gt': return hi > q[1];
      case 'lt': return lo < q[0];
      case 'ge': return hi > q[1] || eq;
      case 'le': return lo < q[0] || eq;
      default: throw new Error(prefix);
    }
  };
  return (vs) => vs.map(span).some((s) => s !== undefined && test(s));
}

// ---- query generation -------------------------------------------------------------------------

interface Case { type: string; query: string; match: Matcher; negate?: boolean }

function pick<T>(items: T[], n: number): T[] {
  const unique = [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
  const step = Math.max(1, Math.floor(unique.length / n));
  return unique.filter((_, i) => i % step === 0).slice(0, n);
}

function generate(): Case[] {
  const registry = defaultRegistry();
  const cases: Case[] = [];
  for (const [type, codes] of Object.entries(params)) {
    const ofType = resources.filter((r) => r.resourceType === type);
    for (const code of codes) {
      const def = registry.get(type, code)!;
      const all = ofType.flatMap((r) => values(r, def.expression!));
      const q = (v: string, modifier = '') => `${code}${modifier}=${encodeURIComponent(v)}`;
      if (def.type === 'string') {
        for (const s of pick(all.flatMap(strings), 6)) {
          const prefix = s.slice(0, Math.max(1, Math.ceil(s.length / 2)));
          cases.push({ type, query: q(prefix), match: (vs) => vs.flatMap(strings).some((x) => fold(x).startsWith(fold(prefix))) });
          cases.push({ type, query: q(s, ':exact'), match: (vs) => vs.flatMap(strings).some((x) => x === s) });
          const middle = s.slice(1, Math.max(2, s.length - 1));
          cases.push({ type, query: q(middle, ':contains'), match: (vs) => vs.flatMap(strings).some((x) => fold(x).includes(fold(middle))) });
        }
      } else if (def.type === 'token') {
        for (const t of pick(all.flatMap(tokens).filter((t) => t.code), 6)) {
          cases.push({ type, query: q(t.code!), match: (vs) => vs.flatMap(tokens).some((x) => x.code === t.code) });
          if (t.system) {
            cases.push({ type, query: q(`${t.system}|${t.code}`), match: (vs) => vs.flatMap(tokens).some((x) => x.code === t.code && x.system === t.system) });
          }
          // :not matches resources without any matching value, those with no value at all included.
          cases.push({ type, query: q(t.code!, ':not'), match: (vs) => vs.flatMap(tokens).some((x) => x.code === t.code), negate: true });
        }
      } else if (def.type === 'reference') {
        const refs = all.map((v) => (v as { reference?: string }).reference).filter((r): r is string => !!r);
        for (const ref of pick(refs, 4)) {
          cases.push({ type, query: q(ref), match: (vs) => vs.some((x) => (x as { reference?: string }).reference === ref) });
        }
      } else if (def.type === 'date') {
        const spans = all.map(span).filter((s): s is [number, number] => !!s && Number.isFinite(s[0]));
        for (const [lo] of pick(spans, 4)) {
          const local = new Date(lo + 8 * 3_600_000).toISOString();
          for (const [prefix, value] of [['eq', local.slice(0, 10)], ['ge', local.slice(0, 10)], ['lt', local.slice(0, 7)], ['gt', local.slice(0, 4)], ['le', local.slice(0, 10)]]) {
            cases.push({ type, query: q(`${prefix}${value}`), match: (vs) => dateMatcher(prefix, span(value)!)(vs) });
          }
        }
      } else if (def.type === 'quantity') {
        const numbers = all.map((v) => (v as { value?: number }).value).filter((n): n is number => typeof n === 'number');
        for (const n of pick(numbers, 4)) {
          // Thresholds half-way between integers, away from every value, so implicit precision cannot matter.
          const threshold = Math.floor(n) + 0.5;
          if (numbers.some((x) => Math.abs(x - threshold) < 0.06)) continue;
          cases.push({ type, query: q(`gt${threshold}`), match: (vs) => vs.some((x) => ((x as { value?: number }).value ?? -Infinity) > threshold) });
          cases.push({ type, query: q(`lt${threshold}`), match: (vs) => vs.some((x) => ((x as { value?: number }).value ?? Infinity) < threshold) });
        }
      }
    }
  }
  return cases;
}

async function search(type: string, query: string): Promise<string[]> {
  const res = await engine.handle({
    method: 'GET', path: type, query: new URLSearchParams(`${query}&_count=1000`), headers: { prefer: 'handling=strict' },
  }, 'http://localhost/fhir');
  const bundle = responseResource(res) as unknown as { entry: { resource: Resource; search: { mode: string } }[] };
  return bundle.entry.filter((e) => e.search.mode === 'match').map((e) => e.resource.id!).sort();
}

test('search results equal an in-memory fhirpath oracle on every generated query', async (t) => {
  const registry = defaultRegistry();
  const cases = generate();
  t.true(cases.length >= 300, `only ${cases.length} cases generated`);
  const mismatches: string[] = [];
  for (const c of cases) {
    const expression = registry.get(c.type, c.query.split(/[=:]/)[0])!.expression!;
    const expected = resources.filter((r) => r.resourceType === c.type)
      .filter((r) => c.match(values(r, expression)) !== (c.negate ?? false)).map((r) => r.id!).sort();
    const actual = await search(c.type, c.query);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      mismatches.push(`${c.type}?${decodeURIComponent(c.query)}: SQL ${actual.length}, oracle ${expected.length}`);
    }
  }
  t.log(`${cases.length} queries compared`);
  t.deepEqual(mismatches, []);
});
