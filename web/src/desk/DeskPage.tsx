// /desk: the registration desk (挂号处). Find the patient by resident ID or name, book a doctor's
// time for them (today included: the desk books outside the online rules), see the department's
// appointments of the day, check patients in and print the slip (挂号单). Loaded lazily.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../shared/i18n/index.tsx';
import { ErrorNote } from '../shared/errors.tsx';
import { booking, clock, dayRange, formatDay, formatMoney, hospitalDate, type Doctor } from '../shared/booking.ts';
import { participant, queueNumber, type Appointment } from '../shared/fhir.ts';
import type { AvailabilityTime } from '../shared/push-events.ts';
import { StaffGate } from '../staff/StaffGate.tsx';
import { DepartmentSelect, Input, Status, useDirectory } from '../staff/ui.tsx';
import { desk, maskedResidentId, patientName, type Patient } from '../staff/api.ts';

/** Days the desk offers: today and the two weeks after it. */
const DESK_DAYS = 15;

export default function DeskPage() {
  const { t } = useI18n();
  return (
    <StaffGate role="registrar" heading={t('desk.heading')}>
      <Desk />
    </StaffGate>
  );
}

function Desk() {
  const [patient, setPatient] = useState<Patient | null>(null);
  const [service, setService] = useState('');
  const [slip, setSlip] = useState<string | null>(null);
  const [listVersion, setListVersion] = useState(0);
  return (
    <div className="desk">
      <PatientFinder patient={patient} onChoose={setPatient} />
      <Booker patient={patient} service={service} onService={setService} onBooked={() => setListVersion((n) => n + 1)} onSlip={setSlip} />
      {service ? <DayList service={service} version={listVersion} onSlip={setSlip} /> : null}
      {slip ? <SlipViewer appointmentId={slip} onClose={() => setSlip(null)} /> : null}
    </div>
  );
}

function PatientFinder({ patient, onChoose }: { patient: Patient | null; onChoose(patient: Patient | null): void }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Patient[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function search(event: FormEvent) {
    event.preventDefault();
    if (!query.trim()) return;
    setBusy(true);
    setError(null);
    try {
      setFound(await desk.findPatients(query));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (patient) {
    return (
      <section className="panel chosen-patient" aria-labelledby="patient-heading">
        <h2 id="patient-heading">{t('desk.chosenPatient', { name: patientName(patient) })}</h2>
        <PatientFacts patient={patient} />
        <button type="button" onClick={() => { onChoose(null); setFound(null); }}>{t('desk.changePatient')}</button>
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="find-heading">
      <h2 id="find-heading">{t('desk.findPatient')}</h2>
      <form className="inline-form" name="find-patient" role="search" onSubmit={search}>
        <Input label={t('desk.patientQuery')} name="query" autoComplete="off" required value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" className="primary" disabled={busy}>{busy ? t('desk.searching') : t('desk.search')}</button>
      </form>
      <ErrorNote error={error} />
      {found === null ? null : found.length === 0 ? <p role="status">{t('desk.noPatients')}</p> : (
        <ul className="patients" aria-label={t('desk.findPatient')}>
          {found.map((p) => (
            <li key={p.id} className="patient" data-patient={p.id}>
              <div>
                <span className="doctor-name">{patientName(p)}</span>
                <PatientFacts patient={p} />
              </div>
              <button type="button" onClick={() => onChoose(p)} aria-label={`${t('desk.choose')} ${patientName(p)}`}>{t('desk.choose')}</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function PatientFacts({ patient }: { patient: Patient }) {
  const { t } = useI18n();
  const id = maskedResidentId(patient);
  return (
    <p className="who">
      {id ? <span>{t('desk.residentId')} {id}</span> : null}
      {patient.birthDate ? <span> · {t('desk.born')} {patient.birthDate}</span> : null}
    </p>
  );
}

function Booker({ patient, service, onService, onBooked, onSlip }: {
  patient: Patient | null; service: string; onService(service: string): void; onBooked(): void; onSlip(id: string): void;
}) {
  const { lang, t } = useI18n();
  const { departments, doctors: schedules, error: directoryError } = useDirectory(service);
  // One button per doctor: a doctor with two schedules is still one doctor to book (availability is by doctor).
  const doctors = schedules?.filter((d, i, all) => all.findIndex((x) => x.role === d.role) === i) ?? null;
  const [doctor, setDoctor] = useState<Doctor | null>(null);
  const [days] = useState(() => dayRange(hospitalDate(), DESK_DAYS));
  const [byDate, setByDate] = useState<Record<string, AvailabilityTime[]> | null>(null);
  const [date, setDate] = useState<string | null>(null);
  const [slot, setSlot] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [booked, setBooked] = useState<Appointment | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => { setDoctor(null); }, [service]);
  useEffect(() => {
    setByDate(null);
    setSlot(null);
    if (!doctor || !service) return;
    let live = true;
    booking.availability(service, days[0]!, days[days.length - 1]!, doctor.role).then((answer) => {
      if (!live) return;
      const next: Record<string, AvailabilityTime[]> = {};
      for (const day of answer.days) next[day.date] = day.times.filter((time) => time.role === doctor.role);
      setByDate(next);
      setDate((before) => (before && next[before]?.some((x) => x.free > 0) ? before : days.find((d) => next[d]?.some((x) => x.free > 0)) ?? null));
    }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, [service, doctor, days, attempt]);

  async function book() {
    if (!patient || !slot) return;
    setBusy(true);
    setError(null);
    setBooked(null);
    try {
      setBooked(await desk.book(slot, patient.id));
      setSlot(null);
      setAttempt((n) => n + 1);
      onBooked();
    } catch (err) {
      setError(err);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  const now = Date.now();
  const times = date && byDate ? byDate[date] ?? [] : [];
  const free = (d: string) => (byDate?.[d] ?? []).reduce((sum, x) => sum + Math.max(0, x.free), 0);
  return (
    <section className="panel" aria-labelledby="book-heading">
      <h2 id="book-heading">{t('desk.bookHeading')}</h2>
      <DepartmentSelect label={t('desk.department')} departments={departments} value={service} onChange={onService} />
      <ErrorNote error={directoryError} />
      {doctors ? (
        <fieldset className="doctors">
          <legend>{t('desk.doctor')}</legend>
          {doctors.map((d) => (
            <button key={d.role} type="button" className="doctor" aria-pressed={doctor?.role === d.role} data-role={d.role} onClick={() => setDoctor(d)}>
              <span className="doctor-text">
                <span className="doctor-name">{d.name}</span>
                {d.title ? <span className="doctor-title">{lang === 'en' ? d.title.en : d.title.zh}</span> : null}
                {d.fee ? <span className="doctor-title">{formatMoney(d.fee, lang)}</span> : null}
              </span>
            </button>
          ))}
        </fieldset>
      ) : null}
      {doctor && byDate ? (
        <>
          <h3>{t('desk.days')}</h3>
          <ul className="days" aria-label={t('desk.days')}>
            {days.map((d, i) => (
              <li key={d}>
                <button type="button" className="day" aria-pressed={d === date} disabled={free(d) === 0} data-date={d}
                  onClick={() => { setDate(d); setSlot(null); }}>
                  <span className="day-date">{i === 0 ? t('desk.today') : formatDay(d, lang)}</span>
                  <span className="day-count">{free(d) > 0 ? t('book.dayFree', { count: free(d) }) : t('book.dayNone')}</span>
                </button>
              </li>
            ))}
          </ul>
          {date ? (
            <div className="times">
              <h3>{formatDay(date, lang, 'long')}</h3>
              {times.length === 0 ? <p>{t('book.noTimes')}</p> : (
                <ul>
                  {times.map((time) => {
                    const past = new Date(time.end).getTime() <= now;
                    return (
                      <li key={time.slot}>
                        <button type="button" className="time" aria-pressed={time.slot === slot} disabled={time.free <= 0 || past}
                          data-slot={time.slot} onClick={() => setSlot(time.slot)}>
                          <span className="time-clock">{clock(time.start)}–{clock(time.end)}</span>
                          <span className="time-count">{time.free > 0 ? t('book.remaining', { count: time.free }) : t('book.full')}</span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              )}
            </div>
          ) : null}
        </>
      ) : null}
      {!patient ? <p className="note">{t('desk.needPatient')}</p> : null}
      <div className="actions">
        <button type="button" className="primary" disabled={!patient || !slot || busy} onClick={() => void book()}>
          {busy ? t('book.booking') : t('desk.bookFor', { name: patient ? patientName(patient) : '—' })}
        </button>
      </div>
      <ErrorNote error={error} />
      {booked ? (
        <div className="booked">
          <Status text={t('desk.booked', {
            name: participant(booked, 'Patient')?.display ?? '', when: `${booked.start?.slice(0, 10) ?? ''} ${clock(booked.start)}`, number: queueNumber(booked) ?? '',
          })} />
          <button type="button" onClick={() => onSlip(booked.id)}>{t('desk.slip')}</button>
        </div>
      ) : null}
    </section>
  );
}

function DayList({ service, version, onSlip }: { service: string; version: number; onSlip(id: string): void }) {
  const { t } = useI18n();
  const [list, setList] = useState<Appointment[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');
  const [attempt, setAttempt] = useState(0);
  const today = hospitalDate();

  useEffect(() => {
    let live = true;
    setError(null);
    desk.dayList(service, today).then((answer) => { if (live) setList(answer); }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, [service, today, version, attempt]);

  async function checkIn(appointment: Appointment) {
    setError(null);
    setMessage('');
    try {
      const arrived = await desk.checkIn(appointment.id);
      setList((before) => before?.map((a) => (a.id === arrived.id ? arrived : a)) ?? null);
      setMessage(t('desk.checkedIn', { name: participant(arrived, 'Patient')?.display ?? '' }));
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="panel" aria-labelledby="today-heading">
      <div className="book-head">
        <h2 id="today-heading">{t('desk.todayHeading')}</h2>
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>{t('desk.refresh')}</button>
      </div>
      <ErrorNote error={error} />
      {message ? <Status text={message} /> : null}
      {list === null ? null : list.length === 0 ? <p>{t('desk.todayEmpty')}</p> : (
        <ul className="appointments" aria-labelledby="today-heading">
          {list.map((a) => {
            const name = participant(a, 'Patient')?.display ?? '';
            const number = queueNumber(a);
            return (
              <li key={a.id} className="appointment" data-appointment={a.id}>
                <p className="appointment-when">
                  {clock(a.start)}{number !== undefined ? ` · ${t('desk.queueNumber', { number })}` : ''} · {name}
                </p>
                <p className="who">{participant(a, 'PractitionerRole')?.display ?? ''}</p>
                <p className={`status status-${a.status}`}>{statusText(t, a.status)}</p>
                <div className="actions">
                  {a.status === 'booked' ? (
                    <button type="button" className="primary" onClick={() => void checkIn(a)} aria-label={`${t('desk.checkIn')} ${name}`}>{t('desk.checkIn')}</button>
                  ) : null}
                  <button type="button" onClick={() => onSlip(a.id)} aria-label={`${t('desk.slip')} ${name}`}>{t('desk.slip')}</button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function statusText(t: ReturnType<typeof useI18n>['t'], status: string): string {
  const known = ['proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'cancelled', 'noshow', 'entered-in-error', 'checked-in', 'waitlist'] as const;
  const key = known.find((s) => s === status);
  return key ? t(`mine.status.${key}`) : status;
}

/** The slip in a frame from a blob: URL (the page CSP frames blob: only and allows the slip's stylesheet by hash). */
function SlipViewer({ appointmentId, onClose }: { appointmentId: string; onClose(): void }) {
  const { t } = useI18n();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    let made: string | null = null;
    setUrl(null);
    setError(null);
    desk.slipUrl(appointmentId).then((u) => {
      made = u;
      if (live) setUrl(u);
      else URL.revokeObjectURL(u);
    }, (err: unknown) => { if (live) setError(err); });
    heading.current?.focus();
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [appointmentId]);

  const print = useCallback(() => frame.current?.contentWindow?.print(), []);
  return (
    <section className="panel slip" aria-labelledby="slip-heading">
      <div className="book-head">
        <h2 id="slip-heading" ref={heading} tabIndex={-1}>{t('desk.slipHeading')}</h2>
        <div className="actions">
          <button type="button" className="primary" onClick={print} disabled={!url}>{t('desk.print')}</button>
          <button type="button" onClick={onClose}>{t('desk.closeSlip')}</button>
        </div>
      </div>
      <ErrorNote error={error} />
      {url ? <iframe ref={frame} src={url} title={t('desk.slipHeading')} className="slip-frame" data-appointment={appointmentId}
        sandbox="allow-same-origin allow-modals" /> : null}
    </section>
  );
}
