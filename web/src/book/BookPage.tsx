// /book: department → doctor → day (14-day strip) → time → sign in if need be → $hold + $book →
// confirmation. /book/mine: the patient's appointments, with cancel and reschedule. /book/summary:
// the patient's health summary (its own chunk).
import { lazy, Suspense, useCallback, useEffect, useState, useSyncExternalStore, type ReactElement } from 'react';
import { logOut, refreshSession, session } from '../shared/http.ts';
import { useI18n } from '../shared/i18n/index.tsx';
import { booking, clock, formatDay, formatMoney, type Department, type Doctor } from '../shared/booking.ts';
import { fhir, type Appointment } from '../shared/fhir.ts';
import { AuthPanel } from './AuthPanel.tsx';
import { Confirmation, type Booked } from './Confirmation.tsx';
import { MyAppointments } from './MyAppointments.tsx';
import { Avatar, DayStrip, ErrorNote, LiveRegion, StepHeading, TimeList, freeOf, useDoctorDays } from './common.tsx';

const HealthSummary = lazy(() => import('./HealthSummary.tsx'));

export function useSession() {
  return useSyncExternalStore(session.subscribe, session.get);
}

interface Props { path: string; navigate(path: string): void }

export default function BookPage({ path, navigate }: Props) {
  const { t } = useI18n();
  const { account } = useSession();
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    void refreshSession().finally(() => setRestored(true));
  }, []);
  const mine = path === '/book/mine';
  const summary = path === '/book/summary';
  const heading = mine ? t('mine.heading') : summary ? t('book.mySummary') : t('book.heading');
  const links = ([['/book', t('book.heading')], ['/book/mine', t('book.myAppointments')], ['/book/summary', t('book.mySummary')]] as const)
    .filter(([href]) => href !== path);
  const signedIn = (page: ReactElement) => (restored ? (account ? page : <AuthPanel onDone={() => undefined} />) : <p role="status">{t('app.loading')}</p>);
  return (
    <div className="book">
      <div className="book-head">
        <h1>{heading}</h1>
        <nav className="book-nav">
          {links.map(([href, label]) => (
            <a key={href} href={href} onClick={(e) => { e.preventDefault(); navigate(href); }}>{label}</a>
          ))}
          {account ? (
            <>
              <span className="who">{t('book.signedInAs', { name: account.displayName ?? account.email ?? account.username ?? '' })}</span>
              <button type="button" className="link" onClick={() => void logOut()}>{t('book.signOut')}</button>
            </>
          ) : null}
        </nav>
      </div>
      {mine ? signedIn(<MyAppointments />) : null}
      {summary ? signedIn(<Suspense fallback={<p role="status">{t('app.loading')}</p>}><HealthSummary /></Suspense>) : null}
      {!mine && !summary ? <BookingFlow /> : null}
    </div>
  );
}

type Load<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'failed'; error: unknown };

function useLoad<T>(load: (() => Promise<T>) | null, deps: unknown[]): [Load<T> | null, () => void] {
  const [value, setValue] = useState<Load<T> | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!load) { setValue(null); return; }
    let live = true;
    setValue({ state: 'loading' });
    load().then((data) => { if (live) setValue({ state: 'ready', data }); }, (error: unknown) => { if (live) setValue({ state: 'failed', error }); });
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, attempt]);
  return [value, useCallback(() => setAttempt((n) => n + 1), [])];
}

function BookingFlow() {
  const { lang, t } = useI18n();
  const { token } = useSession();
  const [service, setService] = useState<string | null>(null);
  const [role, setRole] = useState<string | null>(null);
  const [date, setDate] = useState<string | null>(null);
  const [slot, setSlot] = useState<string | null>(null);
  const [stage, setStage] = useState<'choose' | 'auth' | 'booking'>('choose');
  const [error, setError] = useState<unknown>(null);
  const [booked, setBooked] = useState<Booked | null>(null);

  const [departments, reloadDepartments] = useLoad(() => booking.departments(), []);
  const [doctors, reloadDoctors] = useLoad(service ? () => booking.doctors(service) : null, [service]);
  const days = useDoctorDays(service, role, date);

  const department = departments?.state === 'ready' ? departments.data.find((d) => d.id === service) : undefined;
  const doctor = doctors?.state === 'ready' ? doctors.data.find((d) => d.role === role) : undefined;
  const times = date ? days.byDate[date] ?? [] : [];
  const time = times.find((x) => x.slot === slot);

  // The chosen time went away (booked by someone else): the choice is undone.
  useEffect(() => {
    if (slot && date && days.byDate[date] && (!time || time.free <= 0) && stage === 'choose') setSlot(null);
  }, [slot, date, days.byDate, time, stage]);

  // A doctor chosen: their next free day (or the first with places) is opened.
  useEffect(() => {
    if (!role || date || days.loading) return;
    const first = doctor?.nextFreeDate && freeOf(days.byDate[doctor.nextFreeDate]) > 0
      ? doctor.nextFreeDate : days.dates.find((d) => freeOf(days.byDate[d]) > 0);
    if (first) setDate(first);
  }, [role, date, days.loading, days.byDate, days.dates, doctor]);

  const chooseDepartment = (id: string) => { setService(id); setRole(null); setDate(null); setSlot(null); setError(null); };
  const chooseDoctor = (id: string) => { setRole(id); setDate(null); setSlot(null); setError(null); };

  async function book() {
    if (!slot || !doctor || !department || !time) return;
    setError(null);
    if (!session.get().token && !await refreshSession()) {
      setStage('auth');
      return;
    }
    setStage('booking');
    try {
      await fhir.hold(slot);
      const appointment: Appointment = await fhir.book(slot);
      setBooked({ appointment, department, doctor, time });
    } catch (err) {
      setError(err);
    } finally {
      setStage('choose');
    }
  }

  // After signing in from the panel, the booking goes on.
  useEffect(() => {
    if (stage === 'auth' && token) void book();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stage, token]);

  if (booked) {
    return <Confirmation booked={booked} onAgain={() => { setBooked(null); setSlot(null); days.reload(); }} />;
  }

  return (
    <div className="flow">
      <section className="panel" aria-labelledby="step-department">
        <StepHeading id="step-department">{t('book.stepDepartment')}</StepHeading>
        {departments?.state === 'loading' ? <p role="status">{t('app.loading')}</p> : null}
        {departments?.state === 'failed' ? <ErrorNote error={departments.error} onRetry={reloadDepartments} /> : null}
        {departments?.state === 'ready' ? (
          departments.data.length === 0 ? <p>{t('book.noDepartments')}</p> : (
            <ul className="departments">
              {departments.data.map((d: Department) => (
                <li key={d.id}>
                  <button type="button" className="choice" aria-pressed={d.id === service} data-department={d.id} onClick={() => chooseDepartment(d.id)}>
                    {lang === 'en' ? d.name.en || d.name.zh : d.name.zh}
                  </button>
                </li>
              ))}
            </ul>
          )
        ) : null}
      </section>

      {service ? (
        <section className="panel" aria-labelledby="step-doctor">
          <StepHeading id="step-doctor" focus>{t('book.stepDoctor')}</StepHeading>
          {doctors?.state === 'loading' ? <p role="status">{t('app.loading')}</p> : null}
          {doctors?.state === 'failed' ? <ErrorNote error={doctors.error} onRetry={reloadDoctors} /> : null}
          {doctors?.state === 'ready' ? (
            doctors.data.length === 0 ? <p>{t('book.noDoctors')}</p> : (
              <ul className="doctors">
                {doctors.data.map((d: Doctor) => (
                  <li key={d.role}>
                    <button type="button" className="doctor" aria-pressed={d.role === role} data-role={d.role} onClick={() => chooseDoctor(d.role)}>
                      <Avatar name={d.name} />
                      <span className="doctor-text">
                        <span className="doctor-name">{d.name} <span className="doctor-title">{lang === 'en' ? d.title.en || d.title.zh : d.title.zh}</span></span>
                        {d.specialty ? <span className="doctor-specialty">{d.specialty}</span> : null}
                        <span className="doctor-fee">{t('book.fee', { amount: formatMoney(d.fee, lang) })}</span>
                        <span className="doctor-next">{d.nextFreeDate ? t('book.nextFree', { date: formatDay(d.nextFreeDate, lang) }) : t('book.noFreeDay')}</span>
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )
          ) : null}
        </section>
      ) : null}

      {role ? (
        <section className="panel" aria-labelledby="step-day">
          <StepHeading id="step-day" focus>{t('book.stepDay')}</StepHeading>
          {days.loading ? <p role="status">{t('app.loading')}</p> : null}
          <ErrorNote error={days.error} onRetry={days.reload} />
          {!days.loading && !days.error ? <DayStrip days={days} selected={date} onSelect={(d) => { setDate(d); setSlot(null); }} /> : null}
          <LiveRegion days={days} />
        </section>
      ) : null}

      {role && date && !days.loading ? (
        <section className="panel" aria-labelledby="step-time">
          <StepHeading id="step-time">{t('book.stepTime')}</StepHeading>
          <p className="day-long">{formatDay(date, lang, 'long')}</p>
          <TimeList times={times} selected={slot} onSelect={setSlot} />
        </section>
      ) : null}

      {stage === 'auth' && !token ? <AuthPanel onDone={() => undefined} /> : null}

      {slot && time && doctor ? (
        <div className="book-bar">
          <p>{t('book.chosen', { doctor: doctor.name, date: formatDay(date!, lang), time: `${clock(time.start)}–${clock(time.end)}` })}</p>
          <ErrorNote error={error} />
          <button type="button" className="primary" onClick={() => void book()} disabled={stage === 'booking'}>
            {stage === 'booking' ? t('book.booking') : t('book.book')}
          </button>
        </div>
      ) : <ErrorNote error={error} />}
    </div>
  );
}
