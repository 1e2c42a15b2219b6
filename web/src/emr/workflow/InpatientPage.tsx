// /emr/inpatients/{encounterId}: the inpatient stay for nurses and doctors — banner with the bed,
// vitals round, nursing note, today's MAR, transfer, and the discharge (Discharge.tsx).
import { useMemo, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { emr, workflow, type Encounter } from './api.ts';
import { PatientBanner, useClinician, useEncounter, useLoad, useM, type Patient } from './common.tsx';
import { NoteForm, useNote } from './NoteEditor.tsx';
import { NOTES } from './notes.ts';
import { VitalsForm } from './VitalsForm.tsx';
import { MarPanel } from './Mar.tsx';
import { BedSelect } from './BedPicker.tsx';
import { Discharge } from './Discharge.tsx';

export function InpatientPage({ id, navigate }: { id: string; navigate(path: string): void }) {
  const { m } = useM();
  const loaded = useEncounter(id);
  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <p role="status">{m('loading')}</p>;
  return <Stay encounter={loaded.data.encounter} patient={loaded.data.patient} reload={loaded.reload} navigate={navigate} />;
}

/** The bed the patient lies in now: the active entry of Encounter.location. */
export const currentBed = (e: Encounter) => e.location?.find((l) => l.status === 'active')?.location;

function Stay({ encounter, patient, reload, navigate }: { encounter: Encounter; patient?: Patient; reload(): void; navigate(path: string): void }) {
  const { m } = useM();
  const { practitioner } = useClinician();
  const titles = useMemo(() => ({ nursing: m('section.nursing') }), [m]);
  const nursing = useNote(NOTES.nursing, encounter, practitioner, m('nursingNote'), titles);
  const bed = currentBed(encounter);
  const active = encounter.status === 'in-progress';
  return (
    <div className="wf-stay">
      <div className="wf-screen">
        <p><a href="/emr/wards" onClick={(e) => { e.preventDefault(); navigate('/emr/wards'); }}>{m('backToWards')}</a></p>
        <PatientBanner patient={patient} encounter={encounter}
          extra={bed ? <span className="wf-bed-tag" data-testid="current-bed" data-bed={bed.reference.split('/')[1]}>{m('bed')} {bed.display ?? bed.reference.split('/')[1]}</span> : null} />
        <div className="wf-columns">
          <div>
            <VitalsForm encounter={encounter} practitioner={practitioner} />
            <NoteForm note={nursing} spec={NOTES.nursing} titles={titles} heading={m('nursingNote')} testId="nursing-note" />
            {active ? <Transfer encounter={encounter} onDone={reload} /> : null}
          </div>
          <div>
            {active ? <MarPanel encounter={encounter} practitioner={practitioner} /> : null}
          </div>
        </div>
      </div>
      <Discharge encounter={encounter} patient={patient} onDischarged={reload} />
    </div>
  );
}

function Transfer({ encounter, onDone }: { encounter: Encounter; onDone(): void }) {
  const { m } = useM();
  const board = useLoad(() => emr.bedBoard(), []);
  const [bed, setBed] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function move() {
    setBusy(true);
    setError(null);
    try {
      await workflow.transfer(encounter.id, bed);
      setBed('');
      onDone();
      board.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="panel" aria-labelledby="transfer-h">
      <h2 id="transfer-h">{m('transfer')}</h2>
      <BedSelect board={board.data} value={bed} onChange={setBed} exclude={currentBed(encounter)?.reference.split('/')[1]} />
      <div className="actions"><button type="button" disabled={!bed || busy} onClick={() => void move()}>{m('transferConfirm')}</button></div>
      <ErrorNote error={error ?? board.error} />
    </section>
  );
}
