// The sections of the patient summary, shaped like the International Patient Summary
// (http://hl7.org/fhir/uv/ips/, Composition sections by LOINC): what to search for each, and the
// narrative table's columns.
import { conceptText } from './narrative.ts';

interface Json { [key: string]: any }

export interface SectionSpec {
  key: 'problems' | 'allergies' | 'medications' | 'results' | 'imaging';
  loinc: string;
  display: string;
  title: string;
  resourceType: string;
  /** Search parameters besides `patient`. */
  query: Record<string, string>;
  headers: string[];
  row(resource: Json): string[];
}

const dateOf = (value: unknown) => (typeof value === 'string' ? value.slice(0, 10) : '');

function quantityText(o: Json): string {
  if (o.valueQuantity) return `${o.valueQuantity.value ?? ''} ${o.valueQuantity.unit ?? o.valueQuantity.code ?? ''}`.trim();
  if (o.valueCodeableConcept) return conceptText(o.valueCodeableConcept);
  if (typeof o.valueString === 'string') return o.valueString;
  if (Array.isArray(o.component)) return o.component.map((c: Json) => `${conceptText(c.code)} ${quantityText(c)}`).join('; ');
  return '';
}

export const summarySections: readonly SectionSpec[] = [
  {
    key: 'problems', loinc: '11450-4', display: 'Problem list - Reported', title: '问题列表 Problems', resourceType: 'Condition',
    query: { _count: '100' }, headers: ['Problem 问题', 'Status 状态', 'Onset 起病'],
    row: (c) => [conceptText(c.code), conceptText(c.clinicalStatus), dateOf(c.onsetDateTime ?? c.recordedDate)],
  },
  {
    key: 'allergies', loinc: '48765-2', display: 'Allergies and adverse reactions Document', title: '过敏 Allergies', resourceType: 'AllergyIntolerance',
    query: { _count: '100' }, headers: ['Substance 过敏原', 'Criticality 严重度', 'Reaction 反应'],
    row: (a) => [conceptText(a.code), a.criticality ?? '', (a.reaction ?? []).flatMap((r: Json) => (r.manifestation ?? []).map(conceptText)).join(', ')],
  },
  {
    key: 'medications', loinc: '10160-0', display: 'History of Medication use Narrative', title: '用药 Medications', resourceType: 'MedicationRequest',
    query: { status: 'active,on-hold,completed', _count: '100' }, headers: ['Medication 药品', 'Status 状态', 'Dosage 用法', 'Date 日期'],
    row: (m) => [conceptText(m.medicationCodeableConcept) || (m.medicationReference?.display ?? ''), m.status ?? '',
      (m.dosageInstruction ?? []).map((d: Json) => d.text ?? '').filter(Boolean).join('; '), dateOf(m.authoredOn)],
  },
  {
    key: 'results', loinc: '30954-2', display: 'Relevant diagnostic tests/laboratory data Narrative', title: '检验结果 Results', resourceType: 'Observation',
    query: { category: 'laboratory', _sort: '-date', _count: '30' }, headers: ['Test 项目', 'Result 结果', 'Date 日期'],
    row: (o) => [conceptText(o.code), quantityText(o), dateOf(o.effectiveDateTime ?? o.issued)],
  },
  {
    key: 'imaging', loinc: '18748-4', display: 'Diagnostic imaging study', title: '影像报告 Diagnostic imaging', resourceType: 'DiagnosticReport',
    // Signed imaging reports only (a preliminary one is not yet the radiologist's word).
    query: { category: 'http://terminology.hl7.org/CodeSystem/v2-0074|RAD', status: 'final,amended,corrected,appended', _sort: '-date', _count: '20' }, headers: ['Study 检查', 'Conclusion 结论', 'Date 日期'],
    row: (r) => [conceptText(r.code), r.conclusion ?? '', dateOf(r.effectiveDateTime ?? r.issued)],
  },
];
