// Imaging orders waiting for their images, for the worklist: ServiceRequests the EMR placed
// (server/emr/orders/imaging-orders.ts keeps emr_imaging_order) that are still active and whose
// accession number no stored study carries yet.
import type { Database } from '../../fhir/index.ts';
import { likePattern } from '../../imaging/dicomweb/qido.ts';
import type { WorklistQuery } from './worklist.ts';

export interface OrderedItem {
  orderId: string;
  accessionNumber: string;
  patient: { id?: string; name?: string };
  modality?: string;
  description?: string;
  authored?: string;
  requester?: string;
}

export async function orderedStudies(db: Database, query: WorklistQuery): Promise<OrderedItem[]> {
  const params: unknown[] = [];
  const add = (v: unknown) => { params.push(v); return `$${params.length}`; };
  const where = [`o.status IN ('active', 'on-hold', 'draft')`,
    'NOT EXISTS (SELECT 1 FROM dicom_study st WHERE st.accession_number = o.accession_number)',
    'NOT EXISTS (SELECT 1 FROM radiology_study r WHERE r.order_id = o.service_request_id)'];
  if (query.modality) where.push(`o.modality = ${add(query.modality)}`);
  if (query.accession) where.push(`o.accession_number = ${add(query.accession)}`);
  if (query.from) where.push(`substr(o.authored, 1, 10) >= ${add(query.from)}`);
  if (query.to) where.push(`substr(o.authored, 1, 10) <= ${add(query.to)}`);
  if (query.q) {
    const text = query.q.trim().slice(0, 64);
    where.push(`(o.patient_id = ${add(text)} OR upper(o.patient_name) LIKE ${add(`%${likePattern(text.toUpperCase())}%`)})`);
  }
  const { rows } = await db.query<Record<string, string | null>>(
    `SELECT o.* FROM emr_imaging_order o WHERE ${where.join(' AND ')} ORDER BY o.authored DESC NULLS LAST LIMIT 200`, params);
  const opt = (v: string | null) => v ?? undefined;
  return rows.map((r) => ({
    orderId: r.service_request_id!,
    accessionNumber: r.accession_number!,
    patient: { id: opt(r.patient_id), name: opt(r.patient_name) },
    modality: opt(r.modality), description: opt(r.code_text), authored: opt(r.authored), requester: opt(r.requester),
  }));
}
