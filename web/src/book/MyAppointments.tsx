// /book/mine: the signed-in patient's appointments (newest first), with cancel and reschedule —
// another free time of the same doctor, moved in one $reschedule.
import { useEffect, useState } from 'react';
import { requestJson, type Account } from '../shared/http.ts';
import { useI18n, type MessageKey } from '../shared/i18n/index.tsx';
import { clock, formatDay } from '../shared/booking.ts';
import { fhir, participant, queueNumber, type Appointment } from '../shared/fhir.ts';
import { DayStrip, ErrorNote, LiveRegion, StepHeading, TimeList, useDoctorDays } from './common.tsx';

const when = (a: Appointment, lang: string) => (a.start ? `${formatDay(a.start.slice(0, 10), lang)} ${clock(a.start)}–${clock(a.end)}` : '');

/**
 * The department (HealthcareService) of an appointment: a participant, else its slot's schedule's
 * actor. Slot and Schedule are read without the token, as the public directory: Schedule is in
 * R4's Patient compartment (by its actor), so a patient's token is bounded to it and a doctor's
 * Schedule reads as unknown.
 */
async function serviceOf(appointment: Appointment): Promise<string | undefined> {
  const direct = participant(appointment, 'HealthcareService');
  if (direct) return direct.id;
  const slotRef = appointment.slot?.[0]?.reference;
  if (!slotRef) return undefined;
  const slot = await fhir.read<{ schedule?: { reference?: string } }>('Slot', slotRef.replace(/^Slot\//, ''), false);
  const scheduleId = slot.schedule?.reference?.replace(/^Schedule\//, '');
  if (!scheduleId) return undefined;
  const schedule = await fhir.read<{ actor?: { reference?: string }[] }>('Schedule', scheduleId, false);
  return schedule.actor?.map((a) => a.reference).find((r) => r?.startsWith('HealthcareService/'))?.slice('HealthcareService/'.length);
}

export function MyAppointments() {
  const { lang, t } = useI18n();
  const [list, setList] = useState<Appointment[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [moving, setMoving] = useState<{ appointment: Appointment; service: string; role: string } | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    (async () => {
      const me = await requestJson<Account>('/auth/me', { auth: true });
      if (!me.patientId) return [];
      return fhir.appointmentsOf(me.patientId);
    })().then((found) => { if (live) setList(found); }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, [attempt]);

  async function cancel(appointment: Appointment) {
    setError(null);
    try {
      await fhir.cancel(appointment.id);
      setNotice(t('mine.cancelled'));
      setConfirming(null);
      setAttempt((n) => n + 1);
    } catch (err) {
      setError(err);
    }
  }

  async function startMove(appointment: Appointment) {
    setError(null);
    try {
      const role = participant(appointment, 'PractitionerRole')?.id;
      const service = await serviceOf(appointment);
      if (!role || !service) throw new Error('no doctor or department on this appointment');
      setMoving({ appointment, service, role });
    } catch (err) {
      setError(err);
    }
  }

  if (moving) {
    return <Reschedule {...moving} onDone={(moved) => {
      setMoving(null);
      if (moved) setNotice(t('mine.rescheduled', { time: when(moved, lang) }));
      setAttempt((n) => n + 1);
    }} />;
  }

  return (
    <section className="panel" aria-labelledby="mine-heading">
      <StepHeading id="mine-heading">{t('mine.heading')}</StepHeading>
      <p role="status" className="note">{notice}</p>
      <ErrorNote error={error} />
      {list === null && !error ? <p role="status">{t('app.loading')}</p> : null}
      {list?.length === 0 ? <p>{t('mine.empty')}</p> : null}
      <ul className="appointments">
        {list?.map((a) => {
          const active = a.status === 'booked' || a.status === 'pending' || a.status === 'proposed';
          const statusKey = `mine.status.${a.status}` as MessageKey;
          return (
            <li key={a.id} className="appointment" data-appointment={a.id}>
              <p className="appointment-when">{when(a, lang)}</p>
              <p>{participant(a, 'PractitionerRole')?.display ?? ''} {participant(a, 'Location')?.display ?? ''}</p>
              <p>
                <span className={`status status-${a.status}`}>{t(statusKey)}</span>
                {queueNumber(a) ? <span> · {t('confirm.queueNumber')} {queueNumber(a)}</span> : null}
              </p>
              {active ? (
                confirming === a.id ? (
                  <div className="actions">
                    <p>{t('mine.cancelConfirm', { time: when(a, lang) })}</p>
                    <button type="button" className="danger" onClick={() => void cancel(a)}>{t('mine.cancel')}</button>
                    <button type="button" onClick={() => setConfirming(null)}>{t('app.back')}</button>
                  </div>
                ) : (
                  <div className="actions">
                    <button type="button" onClick={() => void startMove(a)}>{t('mine.reschedule')}</button>
                    <button type="button" onClick={() => setConfirming(a.id)}>{t('mine.cancel')}</button>
                  </div>
                )
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Reschedule({ appointment, service, role, onDone }: { appointment: Appointment; service: string; role: string; onDone(moved: Appointment | null): void }) {
  const { t } = useI18n();
  const [date, setDate] = useState<string | null>(appointment.start?.slice(0, 10) ?? null);
  const [slot, setSlot] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const days = useDoctorDays(service, role, date);
  const current = appointment.slot?.[0]?.reference?.replace(/^Slot\//, '');
  const times = (date ? days.byDate[date] ?? [] : []).filter((time) => time.slot !== current);

  async function move() {
    if (!slot) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await fhir.reschedule(appointment.id, slot));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="move-heading">
      <StepHeading id="move-heading" focus>{t('mine.rescheduleHeading')}</StepHeading>
      <ErrorNote error={days.error} onRetry={days.reload} />
      {days.loading ? <p role="status">{t('app.loading')}</p> : <DayStrip days={days} selected={date} onSelect={(d) => { setDate(d); setSlot(null); }} />}
      <LiveRegion days={days} />
      {date && !days.loading ? <TimeList times={times} selected={slot} onSelect={setSlot} /> : null}
      <ErrorNote error={error} />
      <div className="actions">
        <button type="button" className="primary" disabled={!slot || busy} onClick={() => void move()}>{t('mine.reschedule')}</button>
        <button type="button" onClick={() => onDone(null)}>{t('app.back')}</button>
      </div>
    </section>
  );
}
