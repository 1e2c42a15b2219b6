// Keeps radiology_study current inside every transaction that writes an ImagingStudy or a
// DiagnosticReport about one (fhir/storage/write-hooks.ts), so the worklist's reading status is
// never behind the record, whichever way the record was written.
import type { WriteChange, WriteHook, WriteHookContext } from '../../fhir/index.ts';

interface Json { [key: string]: any }

const idOf = (reference: unknown, type: string): string | undefined => {
  const m = typeof reference === 'string' ? new RegExp(`^${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(reference) : null;
  return m?.[1];
};

/** Reports that no longer say anything about the study (PS: entered in error, cancelled) leave it unread. */
const withdrawn = new Set(['entered-in-error', 'cancelled']);

export const radiologyStatusHook: WriteHook = {
  types: ['ImagingStudy', 'DiagnosticReport'],
  async beforeCommit(changes: readonly WriteChange[], { tx }: WriteHookContext) {
    for (const change of changes) {
      if (change.resourceType === 'ImagingStudy') {
        if (!change.after) {
          await tx.query('DELETE FROM radiology_study WHERE imaging_study_id = $1', [change.id]);
          continue;
        }
        const study = JSON.parse(change.after) as Json;
        const uid = (study.identifier as Json[] | undefined)?.find((i) => i.system === 'urn:dicom:uid')?.value?.replace(/^urn:oid:/, '');
        if (!uid) continue;
        await tx.query(
          `INSERT INTO radiology_study (study_uid, imaging_study_id, patient_id, order_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (study_uid) DO UPDATE SET imaging_study_id = EXCLUDED.imaging_study_id, patient_id = EXCLUDED.patient_id, order_id = EXCLUDED.order_id`,
          [uid, change.id, idOf(study.subject?.reference, 'Patient') ?? null, idOf(study.basedOn?.[0]?.reference, 'ServiceRequest') ?? null]);
      } else {
        const report = change.after ? JSON.parse(change.after) as Json : undefined;
        const studyId = idOf(report?.imagingStudy?.[0]?.reference, 'ImagingStudy');
        if (!report || !studyId || withdrawn.has(report.status)) {
          await tx.query('UPDATE radiology_study SET report_id = NULL, report_status = NULL WHERE report_id = $1', [change.id]);
          continue;
        }
        await tx.query('UPDATE radiology_study SET report_id = $1, report_status = $2 WHERE imaging_study_id = $3', [change.id, report.status, studyId]);
      }
    }
  },
};
