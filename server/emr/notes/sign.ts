// Signing clinical notes (Composition, http://hl7.org/fhir/R4/composition.html): a draft
// (preliminary) is signed by its author and becomes final; a signed note is corrected only by an
// amendment, a new version with status amended, signed again by whoever amends it. Each signature
// is a Provenance whose target is the signed version (a versioned reference) and whose signature
// carries the JWS (server/signing/signatures.ts) — 电子病历应用管理规范 §14: attributable,
// verifiable, every version kept. The same pattern as radiology reports (server/radiology/report.ts).
import { FhirError, type Repository, type Resource } from '../../../fhir/index.ts';
import { AUTHOR_SIGNATURE, type Signatures } from '../../signing/signatures.ts';
import { emrError } from '../errors.ts';

interface Json { [key: string]: any }

/** Composition.status values of a signed note (R4 composition-status): locked against edits. */
export const signedStatuses: ReadonlySet<string> = new Set(['final', 'amended']);

/** A member of staff who signs: their account (whose key signs) and the Practitioner they are. */
export interface Clinician { accountId: string; practitioner: string; display: string }

const PARTICIPANT_TYPE = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
const DATA_OPERATION = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';

const versionOf = (resource: Json): number => Number(resource.meta?.versionId);
const versioned = (resource: Json): string => `Composition/${resource.id}/_history/${versionOf(resource)}`;

async function readNote(repo: Repository, id: string): Promise<Json> {
  return JSON.parse((await repo.read('Composition', id)).json!) as Json;
}

/** The Provenance of one signature (http://hl7.org/fhir/R4/provenance.html). */
function signatureProvenance(note: Json, jws: string, when: string, clinician: Clinician, amendment?: { reason: string; previous: string }): Resource {
  const who = { reference: clinician.practitioner, display: clinician.display };
  return {
    resourceType: 'Provenance',
    target: [{ reference: versioned(note) }],
    recorded: when,
    activity: { coding: [{ system: DATA_OPERATION, code: amendment ? 'UPDATE' : 'CREATE' }] },
    ...(amendment ? { reason: [{ text: amendment.reason }], entity: [{ role: 'revision', what: { reference: amendment.previous } }] } : {}),
    agent: [{ type: { coding: [{ system: PARTICIPANT_TYPE, code: 'author' }] }, who }],
    signature: [{ type: [AUTHOR_SIGNATURE], when, who, sigFormat: 'application/jose', data: Buffer.from(jws).toString('base64') }],
  } as Resource;
}

/** Composition.attester mode legal: who attested the note, and when (the signature is in the Provenance). */
const attestation = (clinician: Clinician, when: string): Json => ({ mode: 'legal', time: when, party: { reference: clinician.practitioner, display: clinician.display } });

const authorRefs = (note: Json): string[] => ((note.author ?? []) as Json[]).map((a) => a.reference).filter((r): r is string => typeof r === 'string');

/**
 * Writes `next` over `current` and its signature in one transaction. The signer's key is loaded
 * first: inside the transaction only the transaction may touch the database (PGlite has one connection).
 */
async function writeSigned(repo: Repository, signatures: Signatures, id: string, clinician: Clinician,
  build: (current: Json, when: string) => Json, amendment?: { reason: string }): Promise<Json> {
  const signer = await signatures.signer({ accountId: clinician.accountId, display: clinician.display });
  return repo.transaction(async (tx) => {
    const current = await readNote(tx, id);
    const when = new Date().toISOString();
    const next = build(current, when);
    const written = await tx.update({ ...next, resourceType: 'Composition', id } as Resource, { ifMatch: versionOf(current) });
    const note = JSON.parse(written.version.json!) as Json;
    const jws = await signer.sign(note as Resource, versioned(note), when);
    await tx.create(signatureProvenance(note, jws, when, clinician, amendment && { reason: amendment.reason, previous: versioned(current) }));
    return note;
  });
}

/** Signs a draft note: only one of its authors may; a signed note is not signed again. */
export function signNote(repo: Repository, signatures: Signatures, id: string, clinician: Clinician): Promise<Json> {
  return writeSigned(repo, signatures, id, clinician, (current, when) => {
    if (signedStatuses.has(current.status)) throw emrError('note-signed', 'The note is already signed: correct it by an amendment');
    if (current.status !== 'preliminary') throw new FhirError('conflict', `A note with status ${current.status} is not signed`);
    if (!authorRefs(current).includes(clinician.practitioner)) throw emrError('not-author', 'Only the author of a note signs it');
    // The signer's name on their author entry, so every version reads who wrote it.
    const author = (current.author as Json[]).map((a) => a.reference === clinician.practitioner && !a.display ? { ...a, display: clinician.display } : a);
    return { ...current, status: 'final', author, attester: [...(current.attester ?? []), attestation(clinician, when)] };
  });
}

export interface Amendment { resource: Json; reason: string }

/**
 * Amends a signed note: the corrected content becomes a new version with status amended, still the
 * same note (id, subject, encounter and type are kept), its amender added as an author, signed again.
 * The Provenance names the reason and the version it revises.
 */
export function amendNote(repo: Repository, signatures: Signatures, id: string, amendment: Amendment, clinician: Clinician): Promise<Json> {
  return writeSigned(repo, signatures, id, clinician, (current, when) => {
    if (!signedStatuses.has(current.status)) throw emrError('not-signed', 'Only a signed note is amended: edit or sign the draft instead');
    const { meta: _meta, id: _id, subject: _s, encounter: _e, type: _t, ...content } = amendment.resource;
    // The amender comes last: the author of this version (others keep their place).
    const authors = ((current.author ?? []) as Json[]).filter((a) => a.reference !== clinician.practitioner);
    return {
      ...content,
      status: 'amended',
      subject: current.subject,
      ...(current.encounter ? { encounter: current.encounter } : {}),
      type: current.type,
      author: [...authors, { reference: clinician.practitioner, display: clinician.display }],
      attester: [...(current.attester ?? []), attestation(clinician, when)],
    };
  }, { reason: amendment.reason });
}
