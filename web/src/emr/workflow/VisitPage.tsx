// /emr/visits/{encounterId}: the outpatient visit. The note (chief complaint, history, examination,
// assessment, plan) is one outpatient-note Composition drafted as the doctor writes and signed at the
// end; vitals, diagnoses, prescriptions, orders, a sick note and the follow-up are resources of
// their own. "Finish visit" closes the Encounter ($finish-visit); "Admit" moves the patient to a bed.
import { useMemo, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { fhir, workflow, type Encounter, type Named, type Resource } from './api.ts';
import { PatientBanner, useClinician, useEncounter, useLoad, useM, type Patient } from './common.tsx';
import { NoteForm, useNote } from './NoteEditor.tsx';
import { NOTES } from './notes.ts';
import { VitalsForm } from './VitalsForm.tsx';
import { DiagnosisPicker, diagnosisLabel } from './DiagnosisPicker.tsx';
import { Prescriptions, type MedicationRequest } from './Prescriptions.tsx';
import { Orders } from './Orders.tsx';
import { SickNote } from './SickNote.tsx';
import { FollowUp } from './FollowUp.tsx';
import { AdmitFromVisit } from './BedPicker.tsx';
import { PrintSection, PrintSheet } from './PrintSheet.tsx';

export function VisitPage({ id, navigate }: { id: string; navigate(path: string): void }) {
  const { m } = useM();
  const loaded = useEncounter(id);
  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <p role="status">{m('loading')}</p>;
  return <Visit encounter={loaded.data.encounter} patient={loaded.data.patient} reload={loaded.reload} navigate={navigate} />;
}

function useTitles(keys: readonly { key: string }[]) {
  const { m } = useM();
  return useMemo(() => Object.fromEntries(keys.map((s) => [s.key, m(`section.${s.key}` as 'section.assessment')])), [keys, m]);
}

function Visit({ encounter, patient, reload, navigate }: { encounter: Encounter; patient?: Patient; reload(): void; navigate(path: string): void }) {
  const { m, lang } = useM();
  const { practitioner } = useClinician();
  const titles = useTitles(NOTES.outpatient.sections);
  const note = useNote(NOTES.outpatient, encounter, practitioner, m('outpatientNote'), titles);
  const [lastCondition, setLastCondition] = useState<string | undefined>();
  const [sheet, setSheet] = useState<'summary' | 'prescription' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [admission, setAdmission] = useState<Encounter | null>(null);
  const patientId = patient?.id ?? encounter.subject?.reference?.split('/')[1] ?? '';

  function diagnosed(diagnosis: Named, condition: Resource) {
    setLastCondition(condition.id);
    const line = diagnosisLabel(diagnosis, lang);
    const before = note.texts.assessment?.trim();
    void note.save({ assessment: before ? `${before}\n${line}` : line });
  }

  async function finish() {
    setBusy(true);
    setError(null);
    try {
      if (note.dirty) await note.save();
      await workflow.finishVisit(encounter.id);
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="wf-visit">
      <div className="wf-screen">
        <p><a href="/emr/clinic" onClick={(e) => { e.preventDefault(); navigate('/emr/clinic'); }}>{m('backToClinic')}</a></p>
        <PatientBanner patient={patient} encounter={encounter} />
        <div className="wf-columns">
          <div>
            <NoteForm note={note} spec={NOTES.outpatient} titles={titles} heading={m('outpatientNote')} testId="visit-note" />
            <DiagnosisPicker encounter={encounter} practitioner={practitioner} onAdded={diagnosed} />
            <Prescriptions encounter={encounter} practitioner={practitioner} category="outpatient" heading={m('prescriptions')} />
          </div>
          <div>
            <VitalsForm encounter={encounter} practitioner={practitioner} />
            <Orders encounter={encounter} practitioner={practitioner} />
            <SickNote encounter={encounter} practitioner={practitioner} diagnosisText={note.texts.assessment ?? ''} />
            <FollowUp patient={patientId} />
            {admission ? (
              <p className="note ok" role="status" data-testid="admitted">
                {m('admitted')} <a href={`/emr/inpatients/${admission.id}`} onClick={(e) => { e.preventDefault(); navigate(`/emr/inpatients/${admission.id}`); }}>{m('openInpatient')}</a>
              </p>
            ) : <AdmitFromVisit encounter={encounter} patient={patientId} diagnosis={lastCondition} onAdmitted={setAdmission} />}
          </div>
        </div>
        <div className="actions wf-footer">
          <button type="button" onClick={() => setSheet('summary')}>{m('printSummary')}</button>
          <button type="button" onClick={() => setSheet('prescription')}>{m('printPrescription')}</button>
          <button type="button" className="primary" disabled={busy || encounter.status !== 'in-progress'} onClick={() => void finish()}>{m('finishVisit')}</button>
        </div>
        <ErrorNote error={error} />
      </div>
      {sheet ? <VisitPrint kind={sheet} encounter={encounter} patient={patient} texts={note.texts} titles={titles} onClose={() => setSheet(null)} /> : null}
    </div>
  );
}

type Condition = Resource & { code?: { text?: string; coding?: { code?: string }[] } };
type Order = Resource & { code?: { text?: string } };

function VisitPrint({ kind, encounter, patient, texts, titles, onClose }: {
  kind: 'summary' | 'prescription'; encounter: Encounter; patient?: Patient; texts: Record<string, string>; titles: Record<string, string>; onClose(): void;
}) {
  const { m } = useM();
  const q = `encounter=${encodeURIComponent(`Encounter/${encounter.id}`)}&_count=50`;
  const data = useLoad(async () => ({
    conditions: await fhir.search<Condition>('Condition', `${q}&category=encounter-diagnosis`),
    requests: await fhir.search<MedicationRequest>('MedicationRequest', q),
    orders: await fhir.search<Order>('ServiceRequest', q),
  }), [encounter.id]);
  if (!data.data) return <p role="status">{m('loading')}</p>;
  const { conditions, requests, orders } = data.data;
  const diagnoses = conditions.map((c) => `${c.code?.coding?.[0]?.code ?? ''} ${c.code?.text ?? ''}`).join('\n');
  const rx = requests.length === 0 ? '—' : requests.map((r, i) => `${i + 1}. ${r.medicationCodeableConcept?.text ?? ''}  ${r.dosageInstruction?.[0]?.text ?? ''}`
    + `${r.dispenseRequest?.quantity?.value ? `  ×${r.dispenseRequest.quantity.value}${r.dispenseRequest.quantity.unit ?? ''}` : ''}`).join('\n');
  return (
    <PrintSheet title={kind === 'summary' ? m('visitSummary') : m('prescriptionSheet')} patient={patient} encounter={encounter} onClose={onClose} testId={`print-${kind}`}>
      {kind === 'summary' ? (
        <>
          {NOTES.outpatient.sections.filter((s) => s.key !== 'assessment' && texts[s.key]?.trim()).map((s) => (
            <PrintSection key={s.key} title={titles[s.key]!}>{texts[s.key]}</PrintSection>
          ))}
          <PrintSection title={m('diagnoses')}>{diagnoses || texts.assessment || '—'}</PrintSection>
          <PrintSection title={m('prescriptions')}>{rx}</PrintSection>
          {orders.length > 0 ? <PrintSection title={m('orders')}>{orders.map((o) => o.code?.text ?? '').join('\n')}</PrintSection> : null}
        </>
      ) : (
        <>
          <PrintSection title={m('diagnoses')}>{diagnoses || '—'}</PrintSection>
          <PrintSection title="Rp.">{rx}</PrintSection>
        </>
      )}
    </PrintSheet>
  );
}
