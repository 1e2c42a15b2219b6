// The medication administration record of today (GET /emr/encounters/{id}/mar): each scheduled dose
// of the active orders with Given / Held / Refused. A dose is recorded as a plain FHIR
// MedicationAdministration (completed, or not-done with the reason); overdue doses are red.
import { useId, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { hospitalDate } from '../../shared/booking.ts';
import { emr, fhir, type Encounter, type MarDose, type MarRow, type Resource } from './api.ts';
import { clockOf, contextOf, useLoad, useM } from './common.tsx';
import { administration } from './resources.ts';

export function MarPanel({ encounter, practitioner }: { encounter: Encounter; practitioner?: string }) {
  const { m } = useM();
  const base = useId();
  const date = hospitalDate();
  const mar = useLoad(() => emr.mar(encounter.id, date), [encounter.id, date]);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function record(row: MarRow, dose: MarDose, outcome: 'given' | 'held' | 'refused') {
    setBusy(`${row.request.id}|${dose.scheduled}`);
    setError(null);
    try {
      const request = await fhir.read<Resource & { id: string }>('MedicationRequest', row.request.id);
      await fhir.create(administration({ request, scheduled: dose.scheduled, outcome, reason }, contextOf(encounter, practitioner)));
      setReason('');
      mar.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${base}-h`} data-testid="mar">
      <div className="book-head">
        <h2 id={`${base}-h`}>{m('marHeading', { date })}</h2>
        <button type="button" onClick={mar.reload}>{m('refresh')}</button>
      </div>
      <div className="field">
        <label htmlFor={`${base}-reason`}>{m('notGivenReason')}</label>
        <input id={`${base}-reason`} name="mar-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <ErrorNote error={error ?? mar.error} />
      {mar.data === null ? (mar.error ? null : <p role="status">{m('loading')}</p>) : mar.data.rows.length === 0 ? <p>{m('marEmpty')}</p> : (
        <table className="wf-table wf-mar">
          <thead><tr><th>{m('medication')}</th><th>{m('doses')}</th></tr></thead>
          <tbody>
            {mar.data.rows.map((row) => (
              <tr key={row.request.id} data-request={row.request.id}>
                <td>
                  <b>{row.request.medication}</b>
                  <span className="note"> {[row.request.dose, row.request.route, row.request.frequency].filter(Boolean).join(' · ')}{row.request.asNeeded ? ` · ${m('asNeeded')}` : ''}</span>
                </td>
                <td>
                  <ul className="wf-doses">
                    {row.doses.map((dose) => (
                      <li key={dose.scheduled} className={`wf-dose wf-dose-${dose.state}`} data-scheduled={dose.scheduled} data-state={dose.state}>
                        <span className="wf-dose-time">{clockOf(dose.scheduled)}</span>
                        <span className="wf-badge">{m(`dose.${dose.state}`)}</span>
                        {dose.administration ? <span className="note"> {clockOf(dose.administration.at)} {dose.administration.by}{dose.administration.reason ? ` · ${dose.administration.reason}` : ''}</span> : null}
                        {!dose.administration ? (
                          <span className="actions">
                            {(['given', 'held', 'refused'] as const).map((outcome) => (
                              <button key={outcome} type="button" disabled={busy !== null} onClick={() => void record(row, dose, outcome)}>{m(`mar.${outcome}`)}</button>
                            ))}
                          </span>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
