// Discharge (出院): the discharge summary Composition (18842-5: hospital course, discharge diagnosis,
// discharge medications, follow-up), the disposition (HL7 discharge-disposition), take-home
// prescriptions (MedicationRequest category discharge — doctors), the follow-up appointment, then
// Encounter/$discharge with the summary. The summary prints on one A4 page.
import { useMemo, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { workflow, type Encounter } from './api.ts';
import { useClinician, useM, type Patient } from './common.tsx';
import { NoteForm, useNote } from './NoteEditor.tsx';
import { NOTES } from './notes.ts';
import { Prescriptions, type MedicationRequest } from './Prescriptions.tsx';
import { FollowUp } from './FollowUp.tsx';
import { PrintSection, PrintSheet } from './PrintSheet.tsx';

/** http://terminology.hl7.org/CodeSystem/discharge-disposition */
export const DISPOSITIONS = ['home', 'alt-home', 'other-hcf', 'hosp', 'long', 'aadvice', 'exp', 'psy', 'rehab', 'snf', 'oth'] as const;

export function Discharge({ encounter, patient, onDischarged }: { encounter: Encounter; patient?: Patient; onDischarged(): void }) {
  const { m } = useM();
  const { practitioner, roles } = useClinician();
  const titles = useMemo(() => Object.fromEntries(NOTES.discharge.sections.map((s) => [s.key, m(`section.${s.key}` as 'section.followUp')])), [m]);
  const summary = useNote(NOTES.discharge, encounter, practitioner, m('dischargeSummary'), titles);
  const [disposition, setDisposition] = useState<typeof DISPOSITIONS[number]>('home');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [printing, setPrinting] = useState(false);
  const [takeHome, setTakeHome] = useState<MedicationRequest[]>([]);
  const active = encounter.status === 'in-progress';
  const patientId = patient?.id ?? encounter.subject?.reference?.split('/')[1] ?? '';

  /** The take-home list goes into the summary's discharge medications section when that is still empty. */
  function withMedications(): Record<string, string> | undefined {
    if (summary.texts.dischargeMedications?.trim() || takeHome.length === 0) return undefined;
    return { dischargeMedications: takeHome.map((r) => `${r.medicationCodeableConcept?.text ?? ''} ${r.dosageInstruction?.[0]?.text ?? ''}`).join('\n') };
  }

  async function discharge() {
    setBusy(true);
    setError(null);
    try {
      const stored = await summary.save(withMedications());
      if (!stored?.id) return;
      await workflow.discharge(encounter.id, disposition, stored.id);
      onDischarged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="wf-discharge">
      <div className="wf-screen">
        <h2>{m('discharge')}</h2>
        <NoteForm note={summary} spec={NOTES.discharge} titles={titles} heading={m('dischargeSummary')} testId="discharge-summary" />
        {roles.includes('doctor') ? (
          <Prescriptions encounter={encounter} practitioner={practitioner} category="discharge" heading={m('takeHome')} onChange={setTakeHome} />
        ) : null}
        {active ? <FollowUp patient={patientId} /> : null}
        <section className="panel" aria-labelledby="discharge-h">
          <h2 id="discharge-h">{m('dischargeHeading')}</h2>
          <div className="field">
            <label htmlFor="disposition">{m('disposition')}</label>
            <select id="disposition" name="disposition" value={disposition} onChange={(e) => setDisposition(e.target.value as typeof DISPOSITIONS[number])} disabled={!active}>
              {DISPOSITIONS.map((d) => <option key={d} value={d}>{m(`disposition.${d}`)}</option>)}
            </select>
          </div>
          <div className="actions">
            <button type="button" onClick={() => { void summary.save(withMedications()).then(() => setPrinting(true)); }}>{m('printDischarge')}</button>
            <button type="button" className="primary" disabled={!active || busy} onClick={() => void discharge()}>{m('dischargeConfirm')}</button>
          </div>
          {!active && encounter.period?.end ? <p className="note ok" role="status" data-testid="discharged">{m('dischargedAt', { at: encounter.period.end.slice(0, 16).replace('T', ' ') })}</p> : null}
          <ErrorNote error={error} />
        </section>
      </div>
      {printing ? (
        <PrintSheet title={m('dischargeSummary')} patient={patient} encounter={encounter} onClose={() => setPrinting(false)} testId="print-discharge">
          <p className="print-meta">{m('admittedOn')} {encounter.period?.start?.slice(0, 10) ?? ''} · {m('dischargedOn')} {encounter.period?.end?.slice(0, 10) ?? '—'} · {m('disposition')} {m(`disposition.${disposition}`)}</p>
          {NOTES.discharge.sections.map((s) => <PrintSection key={s.key} title={titles[s.key]!}>{summary.texts[s.key]?.trim() || '—'}</PrintSection>)}
        </PrintSheet>
      ) : null}
    </div>
  );
}
