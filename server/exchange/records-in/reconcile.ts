// Bringing another hospital's record into ours (issue: "never overwriting local data silently"):
// - the remote Patient is never written: the local patient is the one asked for, matched by resident
//   ID; differing demographics are reported, not applied;
// - every other resource becomes a local resource with a stable id (a UUID derived from its source URL),
//   references to the patient and to other imported resources rewritten to the local ones, references
//   to what was not brought along kept as absolute URLs of the source, meta.source = its source URL;
// - a later fetch updates a copy only when nobody changed it here since the last import; a copy edited
//   here is left alone and reported as a conflict;
// - all of it, with one Provenance naming the source, the consent and who fetched, in one transaction.
import { createHash } from 'node:crypto';
import type { Repository, Resource } from '../../../fhir/index.ts';

type Json = Record<string, any>;

export const IMPORTED_TAG = { system: 'https://open-his.example.org/fhir/CodeSystem/provenance-tag', code: 'external-record', display: 'From another hospital' };

/** RFC 4122 version 5 (SHA-1, URL namespace) of the source URL: the same source gives the same local id. */
export function localIdOf(sourceUrl: string): string {
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const hash = createHash('sha1').update(namespace).update(sourceUrl).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface ImportInput {
  repo: Repository;
  /** The partner's FHIR base (no trailing slash). */
  sourceBase: string;
  source: { name: string; identifier?: { system: string; value: string } };
  localPatient: Json;
  remotePatient: Json;
  remoteResources: Json[];
  consentId: string;
  /** The Practitioner who fetched, when the caller is one. */
  fetchedBy?: string;
}

export interface ImportResult {
  created: string[];
  updated: string[];
  unchanged: number;
  conflicts: { local: string; source: string }[];
  discrepancies: { element: string; local: unknown; remote: unknown }[];
  provenance?: string;
}

const skipped = new Set(['Patient', 'AuditEvent', 'Provenance', 'Bundle', 'Subscription', 'OperationOutcome']);

function digest(resource: Json): string {
  const { meta, ...rest } = resource;
  void meta;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

function rewrite(value: unknown, map: (reference: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewrite(v, map));
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'reference' && typeof v === 'string' ? map(v) : rewrite(v, map);
    return out;
  }
  return value;
}

export async function importRecord(input: ImportInput): Promise<ImportResult> {
  const { repo: store, sourceBase, localPatient, remotePatient } = input;
  const result: ImportResult = { created: [], updated: [], unchanged: 0, conflicts: [], discrepancies: [] };
  for (const element of ['name', 'birthDate', 'gender']) {
    const local = localPatient[element];
    const remote = remotePatient[element];
    if (remote !== undefined && JSON.stringify(local) !== JSON.stringify(remote)) result.discrepancies.push({ element, local, remote });
  }
  const candidates = input.remoteResources.filter((r) => !skipped.has(r.resourceType));
  const localKey = new Map<string, string>();
  for (const r of candidates) localKey.set(`${r.resourceType}/${r.id}`, `${r.resourceType}/${localIdOf(`${sourceBase}/${r.resourceType}/${r.id}`)}`);
  const remotePatientKey = `Patient/${remotePatient.id}`;
  const mapReference = (reference: string): string => {
    const relative = reference.startsWith(`${sourceBase}/`) ? reference.slice(sourceBase.length + 1) : reference;
    if (relative === remotePatientKey) return `Patient/${localPatient.id}`;
    const local = localKey.get(relative);
    if (local) return local;
    // Not brought along: keep pointing at the source, absolutely, so it never resolves to one of ours.
    return /^[A-Z][A-Za-z]+\/[^/]+$/.test(relative) ? `${sourceBase}/${relative}` : reference;
  };
  await store.transaction(async (repo, sql) => {
    const written: { reference: string; source: string }[] = [];
    for (const remote of candidates) {
      const source = `${sourceBase}/${remote.resourceType}/${remote.id}`;
      const [type, id] = localKey.get(`${remote.resourceType}/${remote.id}`)!.split('/') as [string, string];
      const sourceDigest = digest(remote);
      const known = (await sql.query<{ source_digest: string; local_version: number }>(
        'SELECT source_digest, local_version FROM exchange_imported WHERE source_url = $1', [source])).rows[0];
      let current: { versionId: number } | undefined;
      try { current = await repo.read(type, id); } catch { current = undefined; }
      if (known && current) {
        if (current.versionId !== known.local_version) {
          result.conflicts.push({ local: `${type}/${id}`, source });
          continue;
        }
        if (known.source_digest === sourceDigest) {
          result.unchanged++;
          continue;
        }
      }
      const { meta, ...body } = remote;
      const tags = (meta?.tag ?? []).filter((t: Json) => t.code !== IMPORTED_TAG.code);
      const resource = rewrite({ ...body, id, meta: { source, tag: [...tags, IMPORTED_TAG] } }, mapReference) as Resource;
      const saved = await repo.update(resource);
      (current ? result.updated : result.created).push(`${type}/${id}`);
      written.push({ reference: `${type}/${id}/_history/${saved.version.versionId}`, source });
      await sql.query(
        `INSERT INTO exchange_imported (source_url, resource_type, local_id, source_digest, local_version) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (source_url) DO UPDATE SET source_digest = EXCLUDED.source_digest, local_version = EXCLUDED.local_version, imported_at = now()`,
        [source, type, id, sourceDigest, saved.version.versionId]);
    }
    if (written.length === 0) return;
    // http://hl7.org/fhir/R4/provenance.html: what was written, from where, by whom, under which consent.
    const provenance = await repo.create({
      resourceType: 'Provenance',
      target: written.map((w) => ({ reference: w.reference })),
      recorded: new Date().toISOString(),
      policy: [`Consent/${input.consentId}`],
      activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }], text: 'Records fetched from another hospital' },
      agent: [
        ...(input.fetchedBy ? [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'performer' }] }, who: { reference: input.fetchedBy } }] : []),
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler' }] },
          who: { display: input.source.name, ...(input.source.identifier ? { identifier: input.source.identifier } : {}) },
        },
      ],
      entity: [
        { role: 'source', what: { reference: `${sourceBase}/Patient/${remotePatient.id}`, display: `Record at ${input.source.name}` } },
        ...written.slice(0, 500).map((w) => ({ role: 'source', what: { reference: w.source } })),
      ],
    } as Resource);
    result.provenance = provenance.version.id;
  });
  return result;
}
