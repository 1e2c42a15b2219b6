// A free bed, chosen from the bed board (wards as option groups), and the admission of a visit's
// patient into it (Encounter/$admit with fromEncounter).
import { useId, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { emr, workflow, type BedBoard, type Encounter } from './api.ts';
import { useLoad, useM } from './common.tsx';

export function BedSelect({ board, value, onChange, exclude }: { board: BedBoard | null; value: string; onChange(bed: string): void; exclude?: string }) {
  const { m, lang } = useM();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{m('bed')}</label>
      <select id={id} name="bed" value={value} onChange={(e) => onChange(e.target.value)} disabled={!board}>
        <option value="">{m('chooseBed')}</option>
        {board?.wards.map((w) => (
          <optgroup key={w.id} label={`${lang === 'en' ? w.nameEn ?? w.name : w.name} (${m('freeCount', { n: w.free })})`}>
            {w.rooms.flatMap((r) => r.beds.filter((b) => b.status === 'free' && b.id !== exclude).map((b) => (
              <option key={b.id} value={b.id}>{r.name} · {b.name}</option>
            )))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

export function AdmitFromVisit({ encounter, patient, diagnosis, onAdmitted }: { encounter: Encounter; patient: string; diagnosis?: string; onAdmitted(admission: Encounter): void }) {
  const { m } = useM();
  const base = useId();
  const board = useLoad(() => emr.bedBoard(), []);
  const [bed, setBed] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function admit() {
    setBusy(true);
    setError(null);
    try {
      onAdmitted(await workflow.admit({ patient, bed, fromEncounter: encounter.id, diagnosis }));
    } catch (err) {
      setError(err);
      board.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${base}-h`}>
      <h2 id={`${base}-h`}>{m('admit')}</h2>
      <BedSelect board={board.data} value={bed} onChange={setBed} />
      <div className="actions"><button type="button" disabled={!bed || busy} onClick={() => void admit()}>{m('admitToBed')}</button></div>
      <ErrorNote error={error ?? board.error} />
    </section>
  );
}
