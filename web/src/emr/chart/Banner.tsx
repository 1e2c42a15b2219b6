// The patient banner on every tab: who (name, sex, age, MRN, masked resident ID), allergies (a red
// badge when there are any, listed on it) and the active insurance Coverage.
import { ageText, genderText, useChart } from './common.tsx';
import type { Summary } from './api.ts';
import {
  MRN_SYSTEM, RESIDENT_ID_SYSTEM, conceptText, identifierOf, maskResidentId, personName,
  type AllergyIntolerance, type Coverage, type Patient,
} from './fhir.ts';

export function Banner({ patient, summary, today }: { patient: Patient; summary: Summary; today: string }) {
  const { m, lang } = useChart();
  const allergies = (summary.allergies ?? []) as AllergyIntolerance[];
  const active = allergies.filter((a) => !a.clinicalStatus || a.clinicalStatus.coding?.some((c) => c.code === 'active'));
  const coverage = (summary.coverage ?? []) as Coverage[];
  const allergyList = active.map((a) => conceptText(a.code, lang)).join('、');
  return (
    <section className="banner" aria-label={personName(patient, lang)} data-testid="banner">
      <div className="banner-who">
        <h2 data-testid="patient-name">{personName(patient, lang)}</h2>
        <span>{genderText(m, patient.gender)}</span>
        <span>{ageText(m, patient.birthDate, today)}</span>
        <span>{patient.birthDate}</span>
        <span>{m('mrn')} <strong data-testid="mrn">{identifierOf(patient, MRN_SYSTEM) ?? '—'}</strong></span>
        <span className="mono">{m('residentId')} {maskResidentId(identifierOf(patient, RESIDENT_ID_SYSTEM)) ?? '—'}</span>
      </div>
      <div className="banner-flags">
        {active.length > 0 ? (
          <span className="badge allergy" data-testid="allergy-badge" data-count={active.length} title={allergyList}>
            {m('allergyCount', { n: active.length })}: {allergyList}
          </span>
        ) : <span className="badge" data-testid="allergy-badge" data-count="0">{m('noAllergies')}</span>}
        <span className="badge insurance" data-testid="coverage">
          {coverage.length > 0
            ? `${m('insurance')}: ${coverage.map((c) => [conceptText(c.type, lang), c.payor?.[0]?.display, c.subscriberId].filter(Boolean).join(' ')).join('；')}`
            : m('noInsurance')}
        </span>
      </div>
    </section>
  );
}
