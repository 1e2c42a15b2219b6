// The booked appointment: queue number, time, place, department, doctor, fee, and its .ics.
import { useState } from 'react';
import { useI18n } from '../shared/i18n/index.tsx';
import { clock, formatDay, formatMoney, type Department, type Doctor } from '../shared/booking.ts';
import { downloadIcs, participant, queueNumber, type Appointment } from '../shared/fhir.ts';
import type { AvailabilityTime } from '../shared/push-events.ts';
import { ErrorNote, StepHeading } from './common.tsx';

export interface Booked { appointment: Appointment; department: Department; doctor: Doctor; time: AvailabilityTime }

export function Confirmation({ booked, onAgain }: { booked: Booked; onAgain(): void }) {
  const { lang, t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const { appointment, department, doctor, time } = booked;
  const start = appointment.start ?? time.start;
  const end = appointment.end ?? time.end;
  const place = participant(appointment, 'Location')?.display;
  const rows: [string, string][] = [
    [t('confirm.queueNumber'), String(queueNumber(appointment) ?? '—')],
    [t('confirm.time'), `${formatDay(start.slice(0, 10), lang, 'long')} ${clock(start)}–${clock(end)}`],
    [t('confirm.place'), place ?? '—'],
    [t('confirm.department'), lang === 'en' ? department.name.en || department.name.zh : department.name.zh],
    [t('confirm.doctor'), `${doctor.name} ${lang === 'en' ? doctor.title.en || doctor.title.zh : doctor.title.zh}`],
    [t('confirm.fee'), formatMoney(doctor.fee, lang)],
  ];
  return (
    <section className="panel confirmation" aria-labelledby="confirm-heading" data-appointment={appointment.id}>
      <StepHeading id="confirm-heading" focus>{t('confirm.heading')}</StepHeading>
      <dl className="facts">
        {rows.map(([label, value]) => (
          <div key={label} className={label === t('confirm.queueNumber') ? 'fact queue' : 'fact'}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="note">{t('confirm.mailNote')}</p>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="button" className="primary" onClick={() => { setError(null); downloadIcs(appointment.id).catch(setError); }}>
          {t('confirm.addToCalendar')}
        </button>
        <button type="button" onClick={onAgain}>{t('confirm.again')}</button>
      </div>
    </section>
  );
}
