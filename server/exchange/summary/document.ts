// The patient summary as a FHIR document (http://hl7.org/fhir/R4/documents.html): a Bundle of type
// document with an identifier and timestamp, the Composition first (IPS: LOINC 60591-5 Patient
// summary Document), then every resource the Composition refers to, directly or through those
// resources. Stored resources keep their absolute URL on this server as fullUrl, so references
// inside them resolve against it; the Composition, made for this document only, is a urn:uuid.
import { randomUUID } from 'node:crypto';
import { FhirError, type Repository } from '../../../fhir/index.ts';
import { summarySections } from './sections.ts';
import { emptyNarrative, table } from './narrative.ts';
import { buildHospital, HOSPITAL_ID } from '../../seed/organization.ts';

interface Json { [key: string]: any }

export const IPS_LOINC = '60591-5';
/** Bounds the reference walk: a summary is a page of a record, not the record. */
const maxResources = 1000;

export interface SummaryOptions {
  repo: Repository;
  baseUrl: string;
  patientId: string;
  /** The author: the doctor's Practitioner, or (a patient's download) the hospital. */
  authorPractitionerId?: string;
  now?: Date;
}

async function readJson(repo: Repository, type: string, id: string): Promise<Json | null> {
  try {
    const version = await repo.read(type, id);
    return JSON.parse(version.json!) as Json;
  } catch (err) {
    if (err instanceof FhirError && (err.code === 'not-found' || err.code === 'deleted' || err.code === 'unknown-type')) return null;
    throw err;
  }
}

/** The hospital Organization (custodian): the stored one, written from the seed definition if missing. */
async function hospital(repo: Repository): Promise<Json> {
  const stored = await readJson(repo, 'Organization', HOSPITAL_ID);
  if (stored) return stored;
  const written = await repo.update(buildHospital());
  return JSON.parse(written.version.json!) as Json;
}

/** Relative literal references (`Type/id`) anywhere in a resource. */
function referencesIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'reference' && typeof v === 'string' && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(v)) out.add(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

export async function buildSummary(options: SummaryOptions): Promise<Json> {
  const { repo, baseUrl, patientId } = options;
  const now = options.now ?? new Date();
  const patient = await readJson(repo, 'Patient', patientId);
  if (!patient) throw new FhirError('not-found', `Patient/${patientId} is not known`);
  const custodian = await hospital(repo);
  const resources = new Map<string, Json>([[`Patient/${patientId}`, patient], [`Organization/${custodian.id}`, custodian]]);
  let author = `Organization/${custodian.id}`;
  if (options.authorPractitionerId) {
    const practitioner = await readJson(repo, 'Practitioner', options.authorPractitionerId);
    if (practitioner) {
      author = `Practitioner/${practitioner.id}`;
      resources.set(author, practitioner);
    }
  }

  const sections = [];
  for (const spec of summarySections) {
    const query = new URLSearchParams({ patient: `Patient/${patientId}`, ...spec.query });
    const found = (await repo.search(spec.resourceType, query)).versions.map((v) => JSON.parse(v.json!) as Json);
    const section: Json = {
      title: spec.title,
      code: { coding: [{ system: 'http://loinc.org', code: spec.loinc, display: spec.display }] },
    };
    if (found.length > 0) {
      section.text = table(spec.headers, found.map(spec.row));
      section.entry = found.map((r) => ({ reference: `${r.resourceType}/${r.id}` }));
      for (const r of found) resources.set(`${r.resourceType}/${r.id}`, r);
    } else {
      section.text = emptyNarrative('无记录 No information');
      section.emptyReason = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'unavailable', display: 'Unavailable' }] };
    }
    sections.push(section);
  }

  // Every resource referred to by those in the document, transitively (the imaging report's
  // ImagingStudy, a medication's Medication, an encounter, a performer); dangling ones are left out
  // of the resource and not followed.
  const queue = [...resources.values()];
  while (queue.length > 0 && resources.size < maxResources) {
    for (const ref of referencesIn(queue.shift(), new Set())) {
      if (resources.has(ref)) continue;
      const [type, id] = ref.split('/') as [string, string];
      const target = await readJson(repo, type, id);
      if (!target) continue;
      resources.set(ref, target);
      queue.push(target);
    }
  }

  // Absolute references: the Composition's own fullUrl is a urn:uuid, against which a relative one would not resolve.
  const absolute = (ref: string) => ({ reference: `${baseUrl}/${ref}` });
  for (const section of sections) if (section.entry) section.entry = section.entry.map((e: Json) => absolute(e.reference));
  const compositionId = randomUUID();
  const composition: Json = {
    resourceType: 'Composition',
    id: compositionId,
    language: 'zh-CN',
    text: emptyNarrative(`患者摘要 Patient summary — ${now.toISOString().slice(0, 10)}`),
    status: 'final',
    type: { coding: [{ system: 'http://loinc.org', code: IPS_LOINC, display: 'Patient summary Document' }] },
    subject: absolute(`Patient/${patientId}`),
    date: now.toISOString(),
    author: [absolute(author)],
    title: '患者摘要 Patient summary',
    confidentiality: 'N',
    custodian: absolute(`Organization/${custodian.id}`),
    section: sections,
  };
  return {
    resourceType: 'Bundle',
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
    type: 'document',
    timestamp: now.toISOString(),
    entry: [
      { fullUrl: `urn:uuid:${compositionId}`, resource: composition },
      ...[...resources.entries()].map(([ref, resource]) => ({ fullUrl: `${baseUrl}/${ref}`, resource: withoutMeta(resource) })),
    ],
  };
}

/** A resource as sent in a document: its meta.versionId/lastUpdated are this server's bookkeeping. */
function withoutMeta(resource: Json): Json {
  const { meta, ...rest } = resource;
  const kept = meta ? Object.fromEntries(Object.entries(meta).filter(([k]) => k !== 'versionId' && k !== 'lastUpdated')) : {};
  return Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest;
}
