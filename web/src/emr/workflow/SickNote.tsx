// 诊断证明 / sick note: a second Composition of the visit (the hospital's document type sick-note)
// with the diagnoses and the days off, signed at once — a certificate is never left as a draft.
import { useId, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { dayRange, hospitalDate } from '../../shared/booking.ts';
import { fhir, workflow, type Encounter } from './api.ts';
import { contextOf, useLoad, useM } from './common.tsx';
import { compositionDraft, fromDiv, NOTES, SECTIONS, type Composition } from './notes.ts';
import { SYSTEMS } from './resources.ts';

export const sickDaysOf = (c: Composition | undefined) => c?.extension?.find((e) => e.url === SYSTEMS.sickLeaveDays)?.valueUnsignedInt;

export function SickNote({ encounter, practitioner, diagnosisText }: { encounter: Encounter; practitioner?: string; diagnosisText: string }) {
  const { m } = useM();
  const base = useId();
  const type = `${NOTES.sickNote.type.system}|${NOTES.sickNote.type.code}`;
  const issued = useLoad(() => fhir.search<Composition>('Composition', `encounter=${encodeURIComponent(`Encounter/${encounter.id}`)}&type=${encodeURIComponent(type)}&_count=10`), [encounter.id]);
  const [days, setDays] = useState('3');
  const [from, setFrom] = useState(hospitalDate());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function issue() {
    const n = Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 365) return;
    const until = dayRange(from, n)[n - 1]!;
    setBusy(true);
    setError(null);
    try {
      const draft = compositionDraft(NOTES.sickNote, {
        title: m('sickNoteTitle'),
        texts: { assessment: diagnosisText || '—', sickLeave: m('sickLeaveText', { days: n, from, until }) },
        titles: { assessment: m('section.assessment'), sickLeave: m('section.sickLeave') },
        extension: [{ url: SYSTEMS.sickLeaveDays, valueUnsignedInt: n }],
      }, contextOf(encounter, practitioner));
      const stored = await fhir.create(draft);
      await workflow.sign(stored.id!);
      issued.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${base}-h`}>
      <h2 id={`${base}-h`}>{m('sickNote')}</h2>
      {issued.data?.map((c) => (
        <p key={c.id} className="note" data-testid="sick-note" data-status={c.status}>
          {fromDiv(c.section?.find((s) => s.title === m('section.sickLeave') || s.code?.coding?.some((x) => x.code === SECTIONS.sickLeave.code))?.text?.div)}
        </p>
      ))}
      <div className="wf-grid">
        <div className="field">
          <label htmlFor={`${base}-from`}>{m('sickFrom')}</label>
          <input id={`${base}-from`} name="sick-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${base}-days`}>{m('sickDays')}</label>
          <input id={`${base}-days`} name="sick-days" type="number" min="1" max="365" value={days} onChange={(e) => setDays(e.target.value)} />
        </div>
      </div>
      <div className="actions"><button type="button" disabled={busy || !from} onClick={() => void issue()}>{m('issueSickNote')}</button></div>
      <ErrorNote error={error ?? issued.error} />
    </section>
  );
}
