// The FHIR side of the doctors' imaging page: a patient's signed imaging reports (DiagnosticReport
// final/amended/corrected that reference an ImagingStudy) with their studies, newest first.
import { requestJson } from '../shared/http.ts';
import type { DiagnosticReport } from '../radiology/api.ts';

export interface ImagingStudy {
  resourceType: 'ImagingStudy';
  id: string;
  identifier?: { system?: string; value?: string }[];
  started?: string;
  description?: string;
  modality?: { code?: string }[];
  series?: { modality?: { code?: string } }[];
}
interface Bundle<T> { entry?: { resource?: T }[] }

const q = encodeURIComponent;
const fhir = { auth: true, accept: 'application/fhir+json' } as const;

/** The Study Instance UID of an ImagingStudy: its urn:dicom:uid identifier (FHIR R4 ImagingStudy.identifier). */
export function studyUidOf(study: ImagingStudy | undefined): string | undefined {
  const id = study?.identifier?.find((i) => i.system === 'urn:dicom:uid' || i.value?.startsWith('urn:oid:'));
  return id?.value?.replace(/^urn:oid:/, '');
}

export interface ImagingReportRow { report: DiagnosticReport; study?: ImagingStudy; uid?: string }

export async function imagingReports(patient: string): Promise<ImagingReportRow[]> {
  const [reports, studies] = await Promise.all([
    requestJson<Bundle<DiagnosticReport>>(`/fhir/DiagnosticReport?subject=${q(`Patient/${patient}`)}&_count=200`, fhir),
    requestJson<Bundle<ImagingStudy>>(`/fhir/ImagingStudy?subject=${q(`Patient/${patient}`)}&_count=200`, fhir),
  ]);
  const byId = new Map((studies.entry ?? []).map((e) => e.resource).filter((s): s is ImagingStudy => s?.resourceType === 'ImagingStudy').map((s) => [s.id, s]));
  return (reports.entry ?? []).map((e) => e.resource)
    .filter((r): r is DiagnosticReport => r?.resourceType === 'DiagnosticReport' && Boolean(r.imagingStudy?.length))
    .filter((r) => r.status === 'final' || r.status === 'amended' || r.status === 'corrected')
    .map((report) => {
      const study = byId.get(report.imagingStudy?.[0]?.reference?.split('/')[1] ?? '');
      return { report, study, uid: studyUidOf(study) };
    })
    .sort((a, b) => (b.report.issued ?? b.report.effectiveDateTime ?? '').localeCompare(a.report.issued ?? a.report.effectiveDateTime ?? ''));
}

/**
 * The signed report of one study, read through FHIR (for readers without the radiology routes): the
 * ImagingStudy by its urn:dicom:uid identifier, then its patient's reports that reference it.
 */
export async function reportOfStudy(studyUid: string): Promise<DiagnosticReport | null> {
  const studies = await requestJson<Bundle<ImagingStudy & { subject?: { reference?: string } }>>(
    `/fhir/ImagingStudy?identifier=${q(`urn:dicom:uid|urn:oid:${studyUid}`)}`, fhir);
  const study = studies.entry?.map((e) => e.resource).find((r) => r?.resourceType === 'ImagingStudy');
  const patient = study?.subject?.reference?.split('/')[1];
  if (!study || !patient) return null;
  const rows = await imagingReports(patient);
  return rows.find((row) => row.study?.id === study.id)?.report ?? null;
}
