// Each stored DICOM study becomes, or updates, one FHIR ImagingStudy linked to the record: the Patient
// found by the DICOM Patient ID (or created and tagged for the registration desk to reconcile), the
// imaging order (ServiceRequest) with the study's accession number, and the Endpoint of this
// server's DICOMweb service. Runs after the instances' commit, one study at a time.
import type { FhirEngine, Resource } from '../../fhir/index.ts';
import type { StudyIndex } from '../../imaging/storage/study-index.ts';
import { studyIdentifier, toImagingStudy, type Reference } from '../../imaging/imaging-study.ts';
import { ACCESSION_NUMBER_SYSTEM, DICOM_PATIENT_ID_SYSTEM, MRN_SYSTEM, OPEN_HIS_BASE } from '../seed/systems.ts';

/** meta.tag of a Patient made from DICOM demographics: the registration desk merges or confirms it. */
export const UNRECONCILED_TAG = { system: `${OPEN_HIS_BASE}/CodeSystem/record-status`, code: 'unreconciled-dicom', display: 'Created from a DICOM study; confirm or merge' };
const ENDPOINT_IDENTIFIER = { system: `${OPEN_HIS_BASE}/sid/endpoint`, value: 'dicomweb' };

export interface StudyLinkerOptions {
  engine: FhirEngine;
  index: StudyIndex;
  timezone: string;
  /** The DICOMweb root clients use (PUBLIC_URL + /dicomweb, or the listening address). */
  dicomwebUrl: () => string;
  log: { error(obj: object, msg: string): void };
}

function humanName(pn: string | undefined): Record<string, unknown> | undefined {
  if (!pn) return undefined;
  const [alphabetic, ideographic] = pn.split('=');
  const [family, given, middle, prefix, suffix] = (alphabetic ?? '').split('^').map((s) => s.trim());
  const name: Record<string, unknown> = { use: 'official', text: (ideographic || alphabetic).replace(/\^+/g, ' ').trim() };
  if (family) name.family = family;
  const givens = [given, middle].filter(Boolean);
  if (givens.length) name.given = givens;
  if (prefix) name.prefix = [prefix];
  if (suffix) name.suffix = [suffix];
  return name.text ? name : undefined;
}

function birthDate(da: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da ?? '');
  return m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31 ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

const genders: Record<string, string> = { M: 'male', F: 'female', O: 'other' };

export class StudyLinker {
  readonly #options: StudyLinkerOptions;
  /** One chain per study: stores of one study in quick succession link in order, never twice at once. */
  readonly #chains = new Map<string, Promise<void>>();
  #endpoint: Promise<Reference> | undefined;

  constructor(options: StudyLinkerOptions) {
    this.#options = options;
  }

  link(studyUids: string[]): Promise<void> {
    return Promise.all(studyUids.map((uid) => this.#schedule(uid))).then(() => undefined);
  }

  /** Stores arriving while a study waits to be linked join that pass instead of queueing another. */
  readonly #waiting = new Map<string, Promise<void>>();

  #schedule(uid: string): Promise<void> {
    const waiting = this.#waiting.get(uid);
    if (waiting) return waiting;
    const previous = this.#chains.get(uid) ?? Promise.resolve();
    const next = previous.then(() => {
      this.#waiting.delete(uid);
      return this.#linkOne(uid);
    }).catch((err: Error) => {
      this.#options.log.error({ err: { message: err.message } }, 'imaging: linking a study to its ImagingStudy failed');
    });
    this.#waiting.set(uid, next);
    this.#chains.set(uid, next);
    void next.finally(() => { if (this.#chains.get(uid) === next) this.#chains.delete(uid); });
    return next;
  }

  async #linkOne(studyUid: string): Promise<void> {
    const { engine, index, timezone } = this.#options;
    const study = await index.study(studyUid, timezone);
    if (!study) return;
    const repo = engine.repo;
    const [patient, basedOn, endpoint] = await Promise.all([this.#patient(study), this.#order(study.accessionNumber), this.endpoint()]);
    const criteria = new URLSearchParams({ identifier: `${studyIdentifier(studyUid).system}|${studyIdentifier(studyUid).value}` });
    await repo.transaction(async (tx) => {
      const [current] = await tx.findMatches('ImagingStudy', criteria, 1, { lock: true });
      const resource = toImagingStudy(study, {
        patient, endpoint, basedOn: basedOn ? [basedOn] : undefined, accessionSystem: ACCESSION_NUMBER_SYSTEM, existing: current?.json ? JSON.parse(current.json) as Resource : undefined,
      });
      if (current) await tx.update({ ...resource, id: current.id } as Resource);
      else await tx.create(resource);
    });
  }

  async #patient(study: { patientId?: string; patientName?: string; patientBirthDate?: string; patientSex?: string; studyInstanceUid: string }): Promise<Reference> {
    const repo = this.#options.engine.repo;
    if (study.patientId) {
      for (const identifier of [`${MRN_SYSTEM}|${study.patientId}`, `${DICOM_PATIENT_ID_SYSTEM}|${study.patientId}`, study.patientId]) {
        const found = await repo.findMatches('Patient', new URLSearchParams({ identifier }), 2);
        // Several patients share a bare identifier value: not safe to choose, make a reconcilable one instead.
        if (found.length === 1) return { reference: `Patient/${found[0].id}` };
        if (found.length > 1) break;
      }
    }
    const value = study.patientId ?? `study-${study.studyInstanceUid}`;
    const name = humanName(study.patientName);
    const patient: Resource = {
      resourceType: 'Patient',
      meta: { tag: [UNRECONCILED_TAG] },
      identifier: [{ system: DICOM_PATIENT_ID_SYSTEM, value }],
      ...(name ? { name: [name] } : {}),
      ...(genders[study.patientSex ?? ''] ? { gender: genders[study.patientSex ?? ''] } : {}),
      ...(birthDate(study.patientBirthDate) ? { birthDate: birthDate(study.patientBirthDate) } : {}),
    } as Resource;
    const { version } = await repo.conditionalCreate(patient, new URLSearchParams({ identifier: `${DICOM_PATIENT_ID_SYSTEM}|${value}` }));
    return { reference: `Patient/${version.id}` };
  }

  async #order(accession: string | undefined): Promise<Reference | undefined> {
    if (!accession) return undefined;
    const found = await this.#options.engine.repo.findMatches('ServiceRequest', new URLSearchParams({ identifier: `${ACCESSION_NUMBER_SYSTEM}|${accession}` }), 2);
    return found.length === 1 ? { reference: `ServiceRequest/${found[0].id}` } : undefined;
  }

  /** The Endpoint resource of this server's DICOMweb service, created once. */
  endpoint(): Promise<Reference> {
    this.#endpoint ??= (async () => {
      const endpoint: Resource = {
        resourceType: 'Endpoint',
        identifier: [ENDPOINT_IDENTIFIER],
        status: 'active',
        connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'dicom-wado-rs', display: 'DICOM WADO-RS' },
        name: 'Open HIS DICOMweb',
        payloadType: [{ text: 'DICOM' }],
        payloadMimeType: ['application/dicom'],
        address: this.#options.dicomwebUrl(),
      } as Resource;
      const { version } = await this.#options.engine.repo.conditionalCreate(endpoint,
        new URLSearchParams({ identifier: `${ENDPOINT_IDENTIFIER.system}|${ENDPOINT_IDENTIFIER.value}` }));
      return { reference: `Endpoint/${version.id}` };
    })();
    this.#endpoint.catch(() => { this.#endpoint = undefined; });
    return this.#endpoint;
  }
}
