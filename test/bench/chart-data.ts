// Synthetic population for bench:chart, multiplied from Synthea transaction bundles.
// Each bundle becomes a template: its resources with urn:uuid references turned into literal
// `Type/id` references (what a transaction would have stored), grouped by the Encounter they belong
// to. A copy of a template is one new patient: a new name, resident ID, MRN and phone, and a window
// of consecutive encounters with everything attached to them, every id and reference rewritten with
// the copy's suffix. The heavy patient gets the encounters of many templates at once.
// Claims and ExplanationOfBenefits are left out: they are billing, not the clinical record the chart reads.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '../../fhir/index.ts';
import { makeResidentId } from '../../server/identity/resident-id.ts';
import { MRN_SYSTEM, RESIDENT_ID_SYSTEM } from '../../server/seed/systems.ts';
import { chineseName, latinName, type PersonName } from './chart-names.ts';

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const billing = new Set(['Claim', 'ExplanationOfBenefit']);
/** Stored once, under their own ids, and referenced by every copy. */
const shared = new Set(['Organization', 'Practitioner']);

export interface Template {
  patientId: string;
  /** The template Patient as JSON text (references already literal). */
  patient: string;
  /** Resources attached to no encounter (allergies, goals…), as JSON text. */
  patientLevel: string[];
  /** Per encounter, in bundle (chronological) order: the Encounter and what references it, as JSON text. */
  encounters: string[][];
  /** The uuids this bundle owns (rewritten per copy); shared resources' uuids are not among them. */
  own: Set<string>;
}

export interface Fixtures {
  templates: Template[];
  /** Organizations and Practitioners, deduplicated by id. */
  shared: Resource[];
}

interface Entry { fullUrl?: string; resource: Resource }

/** Replaces every `urn:uuid:X` reference by `Type/X`. */
function literalReferences(text: string, types: Map<string, string>): string {
  return text.replace(/"urn:uuid:([0-9a-f-]{36})"/g, (whole, id: string) => {
    const type = types.get(id);
    return type ? `"${type}/${id}"` : whole;
  });
}

function firstEncounter(text: string, encounters: Set<string>, self: string): string | undefined {
  for (const m of text.matchAll(/"Encounter\/([0-9a-f-]{36})"/g)) if (m[1] !== self) return m[1];
  return encounters.has(self) ? self : undefined;
}

export function loadFixtures(dir: string): Fixtures {
  const sharedById = new Map<string, Resource>();
  const templates: Template[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const bundle = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { entry: Entry[] };
    const types = new Map<string, string>();
    for (const e of bundle.entry) types.set(e.resource.id!, e.resource.resourceType);
    const encounterIds = new Set(bundle.entry.filter((e) => e.resource.resourceType === 'Encounter').map((e) => e.resource.id!));
    const own = new Set<string>();
    let patient = '';
    let patientId = '';
    const patientLevel: string[] = [];
    const groups = new Map<string, string[]>();
    for (const id of encounterIds) groups.set(id, []);
    for (const e of bundle.entry) {
      const r = e.resource;
      if (billing.has(r.resourceType)) continue;
      const text = literalReferences(JSON.stringify(r), types);
      if (shared.has(r.resourceType)) {
        sharedById.set(r.id!, JSON.parse(text) as Resource);
        continue;
      }
      own.add(r.id!);
      if (r.resourceType === 'Patient') {
        patient = text;
        patientId = r.id!;
        continue;
      }
      const encounter = firstEncounter(text, encounterIds, r.id!);
      if (encounter) groups.get(encounter)!.push(text);
      else patientLevel.push(text);
    }
    // Billing resources' own uuids still appear in kept resources (e.g. EOB identifiers): rewrite them too.
    for (const e of bundle.entry) if (billing.has(e.resource.resourceType)) own.add(e.resource.id!);
    templates.push({ patientId, patient, patientLevel, encounters: [...groups.values()].filter((g) => g.length > 0), own });
  }
  return { templates, shared: [...sharedById.values()] };
}

/** mulberry32: a small seeded generator, so every run (and a resumed load) builds the same population. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** GB/T 2260 county-level division codes of a few large cities' districts. */
const areaCodes = ['110105', '110108', '310115', '310104', '440106', '440305', '510107', '330106', '420106', '320106', '610113', '500112'];

export interface Identity {
  name: PersonName;
  residentId: string;
  mrn: string;
  phone: string;
  birthDate: string;
}

/**
 * The identities of copies 0..n-1, generated in order (resident IDs are made unique by their
 * sequence code). Deterministic for a given n and seed.
 */
export function identities(templates: Template[], n: number, seed = 7): Identity[] {
  const rnd = random(seed);
  const used = new Set<string>();
  const out: Identity[] = [];
  for (let k = 0; k < n; k++) {
    const t = templates[k % templates.length]!;
    const base = JSON.parse(t.patient) as { birthDate: string; gender: string };
    // Born up to a year earlier than the template: spreads birth dates without putting a birth after an encounter.
    const birth = new Date(Date.parse(base.birthDate + 'T00:00:00Z') - Math.floor(rnd() * 365) * 86_400_000).toISOString().slice(0, 10);
    const area = areaCodes[Math.floor(rnd() * areaCodes.length)]!;
    let sequence = Math.floor(rnd() * 500) * 2 + (base.gender === 'male' ? 1 : 0); // odd for men (GB 11643)
    let residentId = makeResidentId(area, birth, sequence);
    while (used.has(residentId)) {
      sequence = (sequence + 2) % 1000;
      residentId = makeResidentId(area, birth, sequence);
    }
    used.add(residentId);
    const name = rnd() < 0.6 ? chineseName(rnd) : latinName(rnd);
    const phone = `1${3 + Math.floor(rnd() * 7)}${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`;
    out.push({ name, residentId, mrn: `MR${String(k + 1).padStart(8, '0')}`, phone, birthDate: birth });
  }
  return out;
}

function patientResource(template: string, id: string, who: Identity): Resource {
  const p = JSON.parse(template) as Resource & Record<string, unknown>;
  p.id = id;
  p.name = [{ use: 'official', text: who.name.text, family: who.name.family, given: who.name.given }];
  p.identifier = [
    { use: 'official', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] }, system: RESIDENT_ID_SYSTEM, value: who.residentId },
    { use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: MRN_SYSTEM, value: who.mrn },
  ];
  p.telecom = [{ system: 'phone', value: who.phone, use: 'mobile' }];
  p.birthDate = who.birthDate;
  delete p.text; // Synthea's narrative names the original person
  return p;
}

/** Rewrites a template resource's own uuids with `suffix`, and its patient's uuid to `patientId`. */
function rewrite(text: string, t: Template, suffix: string, patientId: string): Resource {
  return JSON.parse(text.replace(uuid, (id) => (id === t.patientId ? patientId : t.own.has(id) ? id + suffix : id))) as Resource;
}

export interface PatientCopy {
  patientId: string;
  resources: Resource[];
  encounters: number;
}

/**
 * Copy `k` of its template: the Patient, resources attached to no encounter, and consecutive
 * encounters from a random start until at least `perPatient` clinical resources.
 */
export function patientCopy(fixtures: Fixtures, k: number, who: Identity, perPatient: number): PatientCopy {
  const t = fixtures.templates[k % fixtures.templates.length]!;
  const suffix = `-c${k}`;
  const patientId = t.patientId + suffix;
  const resources: Resource[] = [patientResource(t.patient, patientId, who)];
  for (const text of t.patientLevel) resources.push(rewrite(text, t, suffix, patientId));
  const rnd = random(k * 7919 + 13);
  let i = Math.floor(rnd() * t.encounters.length);
  let encounters = 0;
  for (let taken = 0; resources.length - 1 < perPatient && taken < t.encounters.length; taken++, i = (i + 1) % t.encounters.length) {
    for (const text of t.encounters[i]!) resources.push(rewrite(text, t, suffix, patientId));
    encounters++;
  }
  return { patientId, resources, encounters };
}

/**
 * The heavy patient: every encounter of template after template (each template's resources
 * rewritten with its own suffix, all pointing to one Patient) until at least `minEncounters`.
 * Returned in chunks of whole encounters so that each chunk can be its own transaction.
 */
export function heavyPatient(fixtures: Fixtures, who: Identity, minEncounters: number): { patientId: string; chunks: Resource[][]; encounters: number } {
  const byEncounters = [...fixtures.templates].sort((a, b) => b.encounters.length - a.encounters.length);
  const first = byEncounters[0]!;
  const patientId = `${first.patientId}-heavy`;
  const chunks: Resource[][] = [[patientResource(first.patient, patientId, who)]];
  let encounters = 0;
  for (let round = 0; encounters < minEncounters; round++) {
    for (const t of byEncounters) {
      if (encounters >= minEncounters) break;
      const suffix = `-h${round}`;
      const chunk = t.patientLevel.map((text) => rewrite(text, t, suffix, patientId));
      for (const group of t.encounters) for (const text of group) chunk.push(rewrite(text, t, suffix, patientId));
      encounters += t.encounters.length;
      chunks.push(chunk);
    }
  }
  return { patientId, chunks, encounters };
}
