// The radiologists' worklist: studies by date, modality, reading status, patient and accession
// number, from the study index and the reading-status table in one query.
import type { Database } from '../../fhir/index.ts';
import { FhirError } from '../../fhir/index.ts';
import { likePattern } from '../../imaging/dicomweb/qido.ts';
import { dicomDateTime } from '../../imaging/dicom/date-time.ts';

export interface WorklistQuery {
  from?: string;
  to?: string;
  modality?: string;
  status?: string;
  q?: string;
  accession?: string;
  offset?: string;
  limit?: string;
}

const day = /^\d{4}-\d{2}-\d{2}$/;
const statuses = new Set(['unread', 'preliminary', 'final', 'amended', 'ordered']);

export async function worklist(db: Database, query: WorklistQuery, timezone: string) {
  const params: unknown[] = [];
  const add = (v: unknown) => { params.push(v); return `$${params.length}`; };
  const where: string[] = [];
  for (const [name, value] of [['from', query.from], ['to', query.to]] as const) {
    if (value === undefined || value === '') continue;
    if (!day.test(value)) throw new FhirError('invalid-request', `${name} must be a date (YYYY-MM-DD)`);
    where.push(`st.study_date ${name === 'from' ? '>=' : '<='} ${add(value.replaceAll('-', ''))}`);
  }
  if (query.modality) {
    if (!/^[A-Z0-9]{1,16}$/.test(query.modality)) throw new FhirError('invalid-request', 'modality is a DICOM modality code such as CT');
    where.push(`${add(query.modality)} = ANY(st.modalities)`);
  }
  if (query.status) {
    if (!statuses.has(query.status)) throw new FhirError('invalid-request', 'status is ordered, unread, preliminary, final or amended');
    // Orders waiting for images are listed apart (ordered.ts): no stored study is "ordered".
    if (query.status === 'ordered') where.push('false');
    else where.push(query.status === 'unread' ? '(r.report_status IS NULL OR r.report_status NOT IN (\'preliminary\', \'final\', \'amended\', \'corrected\', \'appended\'))'
      : query.status === 'final' ? 'r.report_status IN (\'final\', \'amended\', \'corrected\', \'appended\')' : `r.report_status = ${add(query.status)}`);
  }
  if (query.accession) where.push(`st.accession_number = ${add(query.accession)}`);
  if (query.q) {
    const text = query.q.trim().slice(0, 64);
    const pattern = `%${likePattern(text.toUpperCase())}%`;
    where.push(`(st.patient_id = ${add(text)} OR EXISTS (SELECT 1 FROM unnest(st.patient_name_groups) g WHERE replace(g, '^', ' ') LIKE ${add(pattern.replaceAll(' ', '%'))}))`);
  }
  const limit = Math.min(Math.max(Number(query.limit ?? 50) || 50, 1), 500);
  const offset = Math.max(Number(query.offset ?? 0) || 0, 0);
  const { rows } = await db.query<Record<string, any>>(
    `SELECT st.*, r.imaging_study_id, r.patient_id AS patient_ref, r.order_id, r.report_id, r.report_status, count(*) OVER () AS total_count
     FROM dicom_study st LEFT JOIN radiology_study r ON r.study_uid = st.study_uid
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY st.study_date DESC NULLS LAST, st.study_time DESC NULLS LAST, st.study_uid
     LIMIT ${add(limit)} OFFSET ${add(offset)}`, params);
  const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
  return {
    total: rows.length ? Number(rows[0].total_count) : 0,
    items: rows.map((r) => ({
      studyInstanceUid: r.study_uid,
      imagingStudyId: str(r.imaging_study_id),
      patient: { id: str(r.patient_ref), name: str(r.patient_name), identifier: str(r.patient_id), birthDate: str(r.patient_birth_date), sex: str(r.patient_sex) },
      accessionNumber: str(r.accession_number),
      modalities: r.modalities as string[],
      description: str(r.study_description),
      started: dicomDateTime(str(r.study_date), str(r.study_time), timezone),
      numberOfSeries: Number(r.series_count),
      numberOfInstances: Number(r.instance_count),
      status: r.report_status === 'preliminary' ? 'preliminary' : r.report_status === 'final' ? 'final'
        : ['amended', 'corrected', 'appended'].includes(r.report_status) ? 'amended' : 'unread',
      reportId: str(r.report_id),
      orderId: str(r.order_id),
    })),
  };
}
