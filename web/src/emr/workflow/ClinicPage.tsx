// /emr/clinic: the doctor's list of the day (GET /emr/clinic) in queue order, refreshed every 15 s
// and after every action: check a booked patient in, call the next arrived patient (叫号,
// Encounter/$call-next), or see one directly ($start-visit); both open the visit.
import { useEffect, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { ApiError } from '../../shared/http.ts';
import { clock } from '../../shared/booking.ts';
import { emr, fhir, workflow, type ClinicItem, type Encounter } from './api.ts';
import { ageOf, useLoad, useM } from './common.tsx';

const REFRESH_MS = 15_000;

export function ClinicPage({ navigate }: { navigate(path: string): void }) {
  const { m } = useM();
  const list = useLoad(() => emr.clinic(), []);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const { reload } = list;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  async function act(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setMessage('');
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'queue-empty') setMessage(m('queueEmpty'));
      else setError(err);
    } finally {
      setBusy(false);
      reload();
    }
  }
  const open = (encounter: Encounter) => navigate(`/emr/visits/${encodeURIComponent(encounter.id)}`);

  const checkIn = (item: ClinicItem) => act(async () => {
    await workflow.checkIn(item.appointmentId);
    setMessage(m('checkedIn', { name: item.patient.name }));
  });
  const callNext = () => act(async () => open(await workflow.callNext()));
  const see = (item: ClinicItem) => act(async () => {
    // The check-in made the Encounter; the list carries its id (else find it by the appointment).
    const id = item.encounterId ?? (await fhir.search<Encounter>('Encounter', `appointment=${encodeURIComponent(`Appointment/${item.appointmentId}`)}`))[0]?.id;
    if (!id) return;
    open(item.state === 'arrived' ? await workflow.startVisit(id) : { id } as Encounter);
  });

  const items = list.data?.items ?? [];
  const waiting = items.filter((i) => i.state === 'arrived').length;
  return (
    <section aria-labelledby="clinic-h" className="wf-clinic">
      <div className="book-head">
        <h2 id="clinic-h">{m('clinicHeading', { date: list.data?.date ?? '', doctor: list.data?.practitioner.name ?? '' })}</h2>
        <div className="actions">
          <span className="note">{m('waitingCount', { n: waiting })}</span>
          <button type="button" onClick={reload}>{m('refresh')}</button>
          <button type="button" className="primary" disabled={busy || waiting === 0} onClick={() => void callNext()}>{m('callNext')}</button>
        </div>
      </div>
      {message ? <p className="note ok" role="status">{message}</p> : null}
      <ErrorNote error={error ?? list.error} />
      {list.data === null ? (list.error ? null : <p role="status">{m('loading')}</p>) : items.length === 0 ? <p>{m('clinicEmpty')}</p> : (
        <table className="wf-table" data-testid="clinic-list">
          <thead>
            <tr><th>{m('queueNo')}</th><th>{m('time')}</th><th>{m('patient')}</th><th>{m('state')}</th><th>{m('waited')}</th><th /></tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.appointmentId} data-appointment={item.appointmentId} data-state={item.state} data-patient={item.patient.id}>
                <td className="wf-num">{item.queueNumber ?? ''}</td>
                <td>{clock(item.start)}</td>
                <td>
                  <span className="wf-name">{item.patient.name}</span>
                  <span className="note"> {item.patient.gender === 'male' ? m('male') : item.patient.gender === 'female' ? m('female') : ''}
                    {ageOf(item.patient.birthDate) !== undefined ? ` ${m('ageYears', { age: ageOf(item.patient.birthDate)! })}` : ''}
                    {item.patient.mrn ? ` · ${item.patient.mrn}` : ''}</span>
                </td>
                <td><span className={`wf-badge wf-state-${item.state}`}>{m(`clinic.${item.state}`)}</span></td>
                <td className="wf-num">{item.state === 'arrived' && item.waitedMinutes !== undefined ? m('minutes', { n: item.waitedMinutes }) : ''}</td>
                <td className="actions">
                  {item.state === 'booked' ? (
                    <button type="button" disabled={busy} onClick={() => void checkIn(item)} aria-label={`${m('checkIn')} ${item.patient.name}`}>{m('checkIn')}</button>
                  ) : null}
                  {item.state === 'arrived' ? (
                    <button type="button" disabled={busy} onClick={() => void see(item)} aria-label={`${m('see')} ${item.patient.name}`}>{m('see')}</button>
                  ) : null}
                  {item.state === 'in-consultation' || item.state === 'done' ? (
                    <button type="button" onClick={() => void see(item)} aria-label={`${m('openVisit')} ${item.patient.name}`}>{m('openVisit')}</button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
