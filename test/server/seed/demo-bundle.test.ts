import test from 'ava';
import { buildDemoBundle, type Bundle } from '../../../server/seed/demo-bundle.ts';
import { isValidResidentId } from '../../../server/identity/resident-id.ts';
import { RESIDENT_ID_SYSTEM } from '../../../server/seed/systems.ts';
import { validateResource } from '../../../fhir/validation/validate.ts';
import { idPattern, type Resource } from '../../../fhir/types.ts';

const now = new Date('2025-03-15T04:00:00Z');
const bundle = buildDemoBundle({ now, timezone: 'Asia/Shanghai' });
const resources = bundle.entry.map((e) => e.resource);
const byKey = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
const ofType = (b: Bundle, type: string) => b.entry.map((e) => e.resource as Resource & Record<string, any>).filter((r) => r.resourceType === type);

/** Every value under a `reference` key, with the JSON path it was found at. */
function references(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) value.forEach((v, i) => references(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push([path, v]);
      else references(v, `${path}.${k}`, out);
    }
  }
  return out;
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

test('the demo bundle is deterministic for the same date', (t) => {
  const again = buildDemoBundle({ now: new Date(now.getTime()), timezone: 'Asia/Shanghai' });
  t.deepEqual(again, bundle);
});

test('a later seeding date keeps every id and name and moves the dates', (t) => {
  const later = buildDemoBundle({ now: new Date('2025-09-01T04:00:00Z'), timezone: 'Asia/Shanghai' });
  t.deepEqual(later.entry.map((e) => e.request.url), bundle.entry.map((e) => e.request.url));
  t.deepEqual(ofType(later, 'Patient').map((p) => p.name), ofType(bundle, 'Patient').map((p) => p.name));
  t.notDeepEqual(ofType(later, 'Encounter').map((e) => e.period), ofType(bundle, 'Encounter').map((e) => e.period));
});

test('every demo entry is a PUT with a fixed id', (t) => {
  t.is(bundle.resourceType, 'Bundle');
  t.is(bundle.type, 'transaction');
  const urls = new Set<string>();
  for (const entry of bundle.entry) {
    const { resource, request } = entry;
    t.is(request.method, 'PUT');
    t.regex(resource.id, idPattern);
    t.true(resource.id.startsWith('demo-'), resource.id);
    t.is(request.url, `${resource.resourceType}/${resource.id}`);
    t.false(urls.has(request.url), `duplicate ${request.url}`);
    urls.add(request.url);
  }
});

test('every reference in the demo bundle resolves inside it', (t) => {
  let count = 0;
  for (const resource of resources) {
    for (const [path, reference] of references(resource, resource.resourceType)) {
      count++;
      t.regex(reference, /^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/, `${resource.id} ${path}`);
      t.true(byKey.has(reference), `${resource.resourceType}/${resource.id} ${path} → ${reference}`);
    }
  }
  t.true(count > 1000);
});

test('every demo resident ID carries a valid GB 11643 check digit', (t) => {
  const patients = ofType(bundle, 'Patient');
  t.true(patients.length >= 25);
  for (const patient of patients) {
    const id = patient.identifier.find((i: { system: string }) => i.system === RESIDENT_ID_SYSTEM)?.value as string;
    t.true(isValidResidentId(id), `${patient.id} ${id}`);
    // The ID agrees with the rest of the record: birth date, and an odd sequence digit for men.
    t.is(id.slice(6, 14), patient.birthDate.replaceAll('-', ''), patient.id);
    t.is(Number(id[16]) % 2 === 1, patient.gender === 'male', patient.id);
  }
});

test('the demo bundle has wards, rooms and beds linked by partOf', (t) => {
  const locations = ofType(bundle, 'Location');
  const kind = (l: Record<string, any>) => l.physicalType.coding[0].code as string;
  const parentKind = (l: Record<string, any>) => kind(byKey.get(l.partOf.reference) as Record<string, any>);
  const wards = locations.filter((l) => kind(l) === 'wa');
  const rooms = locations.filter((l) => kind(l) === 'ro');
  const beds = locations.filter((l) => kind(l) === 'bd');
  t.is(wards.length, 3);
  t.is(rooms.length, 12);
  t.true(beds.length >= 36 && beds.length <= 48);
  for (const room of rooms) t.is(parentKind(room), 'wa');
  for (const bed of beds) {
    t.is(parentKind(bed), 'ro');
    t.is(bed.operationalStatus.system, 'http://terminology.hl7.org/CodeSystem/v2-0116');
    t.true(['U', 'O', 'K', 'C'].includes(bed.operationalStatus.code));
  }
  for (const ward of wards) t.true(rooms.some((r) => r.partOf.reference === `Location/${ward.id}`));
});

test('occupied beds are exactly the beds of inpatients still in hospital', (t) => {
  const occupied = ofType(bundle, 'Location')
    .filter((l) => l.operationalStatus?.code === 'O').map((l) => `Location/${l.id}`).sort();
  const held = ofType(bundle, 'Encounter')
    .filter((e) => e.class.code === 'IMP' && e.status === 'in-progress')
    .map((e) => e.location.find((l: { status: string }) => l.status === 'active').location.reference).sort();
  t.true(held.length > 0);
  t.deepEqual(occupied, held);
});

test('no demo date lies after the seeding time and times carry the zone offset', (t) => {
  const dateTime = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z))?$/;
  let checked = 0;
  for (const value of strings(bundle)) {
    if (!/^\d{4}-\d{2}-\d{2}/.test(value)) continue;
    t.regex(value, dateTime);
    if (value.includes('T')) t.true(value.endsWith('+08:00'), value);
    t.true(Date.parse(value.length === 10 ? `${value}T00:00:00+08:00` : value) <= now.getTime(), value);
    checked++;
  }
  t.true(checked > 500);
});

test('no demo record predates the encounter it belongs to', (t) => {
  const starts = new Map(ofType(bundle, 'Encounter').map((e) => [`Encounter/${e.id}`, Date.parse(e.period.start)]));
  let checked = 0;
  for (const resource of resources as (Resource & Record<string, any>)[]) {
    const start = resource.encounter && starts.get(resource.encounter.reference);
    const when = resource.effectiveDateTime ?? resource.authoredOn ?? resource.recordedDate;
    if (start === undefined || typeof when !== 'string' || !when.includes('T')) continue;
    t.true(Date.parse(when) >= start, `${resource.resourceType}/${resource.id} ${when}`);
    checked++;
  }
  t.true(checked > 500);
});

test('the demo bundle follows the requested time zone', (t) => {
  const ny = buildDemoBundle({ now, timezone: 'America/New_York' });
  const starts = ofType(ny, 'Encounter').map((e) => e.period.start as string);
  t.true(starts.every((s) => /-0[45]:00$/.test(s)));
  t.throws(() => buildDemoBundle({ now, timezone: 'Not/AZone' }), { instanceOf: RangeError });
});

test('the demo bundle stays small enough to load at start-up', (t) => {
  t.true(bundle.entry.length > 500);
  t.true(bundle.entry.length < 3000);
});

test('every demo resource validates against R4', (t) => {
  for (const resource of resources) {
    t.deepEqual(validateResource(resource), [], `${resource.resourceType}/${resource.id}`);
  }
  t.deepEqual(validateResource(bundle), []);
});
