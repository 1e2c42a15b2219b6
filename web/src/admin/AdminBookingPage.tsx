// /admin/booking: the administrators' booking page — a doctor's weekly clinic template (出诊模板),
// closing a day or half-day (停诊) and reopening it, and the hospital's booking rules. Loaded lazily:
// none of it reaches the public /book page.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useI18n } from '../shared/i18n/index.tsx';
import { ErrorNote } from '../shared/errors.tsx';
import { hospitalDate, formatDay } from '../shared/booking.ts';
import type { Doctor } from '../shared/booking.ts';
import { StaffGate } from '../staff/StaffGate.tsx';
import { AdminNav } from './AdminNav.tsx';
import { Input, SchedulePicker, Select, Status } from '../staff/ui.tsx';
import {
  admin, weekdays, type BookingSettings, type Closure, type ScheduleTemplate, type SessionTemplate,
} from '../staff/api.ts';

type Tab = 'templates' | 'closures' | 'rules';

export default function AdminBookingPage() {
  const { t } = useI18n();
  return (
    <StaffGate role="admin" heading={t('admin.heading')}>
      <AdminNav />
      <AdminBooking />
    </StaffGate>
  );
}

function AdminBooking() {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>('templates');
  const [doctor, setDoctor] = useState<Doctor | null>(null);
  const tabs: [Tab, string][] = [['templates', t('admin.tabTemplates')], ['closures', t('admin.tabClosures')], ['rules', t('admin.tabRules')]];
  return (
    <>
      <nav className="tabs" aria-label={t('admin.heading')}>
        {tabs.map(([key, label]) => (
          <button key={key} type="button" aria-pressed={tab === key} onClick={() => setTab(key)}>{label}</button>
        ))}
      </nav>
      {tab === 'rules' ? <RulesForm /> : (
        <>
          <section className="panel">
            <SchedulePicker onChange={setDoctor} />
          </section>
          {doctor && tab === 'templates' ? <TemplateEditor key={doctor.schedule} doctor={doctor} /> : null}
          {doctor && tab === 'closures' ? <Closures key={doctor.schedule} doctor={doctor} /> : null}
        </>
      )}
    </>
  );
}

const newSession = (): SessionTemplate => ({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], period: 'morning', start: '08:00', end: '12:00', slotMinutes: 15, capacity: 2 });

function TemplateEditor({ doctor }: { doctor: Doctor }) {
  const { t } = useI18n();
  const [template, setTemplate] = useState<ScheduleTemplate | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState('');

  useEffect(() => {
    let live = true;
    admin.template(doctor.schedule).then((answer) => {
      if (!live) return;
      setMissing(answer === null);
      setTemplate(answer ?? { sessions: [] });
    }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, [doctor.schedule]);

  const update = (index: number, change: Partial<SessionTemplate>) => {
    setResult('');
    setTemplate((before) => before && { sessions: before.sessions.map((s, i) => (i === index ? { ...s, ...change } : s)) });
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!template) return;
    setBusy(true);
    setError(null);
    setResult('');
    try {
      const { generated } = await admin.saveTemplate(doctor.schedule, template);
      setMissing(false);
      setResult(t('admin.generated', { ...generated }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="template-heading">
      <h2 id="template-heading">{t('admin.templateHeading', { doctor: doctor.name })}</h2>
      {!template ? (error ? null : <p role="status">{t('app.loading')}</p>) : (
        <form className="sessions" name="template" onSubmit={save} noValidate>
          {missing ? <p className="note">{t('admin.noTemplate')}</p> : null}
          {template.sessions.map((session, index) => (
            <SessionFields key={index} index={index} session={session} onChange={(change) => update(index, change)}
              onRemove={() => setTemplate({ sessions: template.sessions.filter((_, i) => i !== index) })} />
          ))}
          <div className="actions">
            <button type="button" onClick={() => setTemplate({ sessions: [...template.sessions, newSession()] })}>{t('admin.addSession')}</button>
            <button type="submit" className="primary" disabled={busy}>{busy ? t('admin.saving') : t('admin.save')}</button>
          </div>
        </form>
      )}
      <ErrorNote error={error} />
      {result ? <Status text={result} /> : null}
    </section>
  );
}

function SessionFields({ index, session, onChange, onRemove }: {
  index: number; session: SessionTemplate; onChange(change: Partial<SessionTemplate>): void; onRemove(): void;
}) {
  const { t } = useI18n();
  const n = index + 1;
  const toggle = (day: typeof weekdays[number], on: boolean) =>
    onChange({ days: weekdays.filter((d) => (d === day ? on : session.days.includes(d))) });
  return (
    <fieldset className="session" data-session={index}>
      <legend>{t('admin.session', { n })}</legend>
      <fieldset className="weekdays">
        <legend>{t('admin.days')}</legend>
        {weekdays.map((day) => (
          <label key={day} className="check">
            <input type="checkbox" name={`days-${index}`} value={day} checked={session.days.includes(day)} onChange={(e) => toggle(day, e.target.checked)} />
            {t(`admin.weekday.${day}`)}
          </label>
        ))}
      </fieldset>
      <div className="grid">
        <Select label={t('admin.period')} name="period" value={session.period} onChange={(e) => onChange({ period: e.target.value as SessionTemplate['period'] })}>
          <option value="morning">{t('admin.morning')}</option>
          <option value="afternoon">{t('admin.afternoon')}</option>
        </Select>
        <Input label={t('admin.start')} name="start" type="time" required value={session.start} onChange={(e) => onChange({ start: e.target.value })} />
        <Input label={t('admin.end')} name="end" type="time" required value={session.end} onChange={(e) => onChange({ end: e.target.value })} />
        <Input label={t('admin.slotMinutes')} name="slotMinutes" type="number" min={5} max={240} inputMode="numeric" required
          value={Number.isNaN(session.slotMinutes) ? '' : session.slotMinutes} onChange={(e) => onChange({ slotMinutes: e.target.valueAsNumber })} />
        <Input label={t('admin.capacity')} name="capacity" type="number" min={1} max={200} inputMode="numeric" required
          value={Number.isNaN(session.capacity) ? '' : session.capacity} onChange={(e) => onChange({ capacity: e.target.valueAsNumber })} />
      </div>
      <button type="button" className="link" onClick={onRemove}>{t('admin.removeSession', { n })}</button>
    </fieldset>
  );
}

function Closures({ doctor }: { doctor: Doctor }) {
  const { lang, t } = useI18n();
  const today = hospitalDate();
  const [day, setDay] = useState(today);
  const [period, setPeriod] = useState<Closure['period']>('day');
  const [reason, setReason] = useState('');
  const [list, setList] = useState<Closure[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');
  const [attempt, setAttempt] = useState(0);
  const reasonId = useId();

  useEffect(() => {
    let live = true;
    admin.closures(doctor.schedule).then((answer) => { if (live) setList(answer); }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, [doctor.schedule, attempt]);

  async function close(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setMessage('');
    try {
      const answer = await admin.close({ schedule: doctor.schedule, day, period, reason: reason.trim() });
      setMessage(t('admin.closed', { slots: answer.slots, cancelled: answer.cancelled.length }));
      setReason('');
      setAttempt((n) => n + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function reopen(id: string) {
    setError(null);
    setMessage('');
    try {
      await admin.reopen(id);
      setMessage(t('admin.reopened'));
      setAttempt((n) => n + 1);
    } catch (err) {
      setError(err);
    }
  }

  const periodText = (p: Closure['period']) => t(p === 'day' ? 'admin.wholeDay' : `admin.${p}`);
  return (
    <section className="panel" aria-labelledby="closure-heading">
      <h2 id="closure-heading">{t('admin.closeHeading', { doctor: doctor.name })}</h2>
      <form className="form" name="closure" onSubmit={close}>
        <Input label={t('admin.day')} name="day" type="date" min={today} required value={day} onChange={(e) => setDay(e.target.value)} />
        <Select label={t('admin.period')} name="period" value={period} onChange={(e) => setPeriod(e.target.value as Closure['period'])}>
          <option value="day">{t('admin.wholeDay')}</option>
          <option value="morning">{t('admin.morning')}</option>
          <option value="afternoon">{t('admin.afternoon')}</option>
        </Select>
        <div className="field">
          <label htmlFor={reasonId}>{t('admin.reason')}</label>
          <textarea id={reasonId} name="reason" required maxLength={500} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" className="danger" disabled={busy || reason.trim() === ''}>{busy ? t('admin.closing') : t('admin.close')}</button>
      </form>
      <ErrorNote error={error} />
      {message ? <Status text={message} /> : null}
      <h3>{t('admin.closuresHeading')}</h3>
      {list === null ? null : list.length === 0 ? <p>{t('admin.noClosures')}</p> : (
        <ul className="closures">
          {list.map((c) => (
            <li key={c.id} className="closure" data-closure={c.id}>
              <span>{formatDay(c.day, lang)} · {periodText(c.period)}{c.schedule === null ? ` · ${t('admin.wholeHospital')}` : ''} · {c.reason}</span>
              {c.schedule !== null ? <button type="button" onClick={() => void reopen(c.id)}>{t('admin.reopen')}</button> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type NumberKey = 'windowDays' | 'minDaysAhead' | 'perDepartmentPerDay' | 'perDay' | 'perWeek' | 'holdMinutes' | 'cancelDeadlineHours'
  | 'noShowWindowDays' | 'noShowGraceMinutes';

function RulesForm() {
  const { t } = useI18n();
  const [settings, setSettings] = useState<BookingSettings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  useEffect(() => { admin.settings().then(setSettings, setError); }, []);
  if (!settings) return <section className="panel">{error ? <ErrorNote error={error} /> : <p role="status">{t('app.loading')}</p>}</section>;

  const set = (change: Partial<BookingSettings>) => { setSaved(false); setSettings({ ...settings, ...change }); };
  const number = (key: NumberKey, extra: { step?: string; min?: number; max?: number } = {}) => (
    <Input label={t(`admin.${key}`)} name={key} type="number" inputMode="decimal" required {...extra}
      value={Number.isNaN(settings[key]) ? '' : settings[key]} onChange={(e) => set({ [key]: e.target.valueAsNumber })} />
  );

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      setSettings(await admin.saveSettings(settings!));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="rules-heading">
      <h2 id="rules-heading">{t('admin.rulesHeading')}</h2>
      <form className="rules" name="rules" onSubmit={save} noValidate>
        <div className="grid">
          {number('windowDays', { min: 1, max: 90 })}
          {number('minDaysAhead', { min: 0, max: 30 })}
          <Input label={t('admin.releaseTime')} name="releaseTime" type="time" required value={settings.releaseTime} onChange={(e) => set({ releaseTime: e.target.value })} />
          {number('perDepartmentPerDay', { min: 1, max: 20 })}
          {number('perDay', { min: 1, max: 20 })}
          {number('perWeek', { min: 1, max: 50 })}
          {number('holdMinutes', { min: 1, max: 60 })}
          {number('cancelDeadlineHours', { min: 0, max: 72, step: 'any' })}
          {number('noShowWindowDays', { min: 1, max: 365 })}
          {number('noShowGraceMinutes', { min: 0, max: 1440 })}
        </div>
        <label className="check">
          <input type="checkbox" name="realName" checked={settings.realName} onChange={(e) => set({ realName: e.target.checked })} />
          {t('admin.realName')}
        </label>
        <fieldset>
          <legend>{t('admin.banSteps')}</legend>
          {settings.banSteps.map((step, i) => (
            <div key={i} className="grid ban-step" data-step={i}>
              <Input label={`${t('admin.noShows')} (${i + 1})`} name={`noShows-${i}`} type="number" min={1} value={Number.isNaN(step.noShows) ? '' : step.noShows}
                onChange={(e) => set({ banSteps: settings.banSteps.map((s, j) => (j === i ? { ...s, noShows: e.target.valueAsNumber } : s)) })} />
              <Input label={`${t('admin.banDays')} (${i + 1})`} name={`banDays-${i}`} type="number" min={1} value={Number.isNaN(step.banDays) ? '' : step.banDays}
                onChange={(e) => set({ banSteps: settings.banSteps.map((s, j) => (j === i ? { ...s, banDays: e.target.valueAsNumber } : s)) })} />
              <button type="button" className="link" onClick={() => set({ banSteps: settings.banSteps.filter((_, j) => j !== i) })}>
                {t('admin.removeBanStep', { n: i + 1 })}
              </button>
            </div>
          ))}
          <button type="button" onClick={() => set({ banSteps: [...settings.banSteps, { noShows: 10, banDays: 365 }] })}>{t('admin.addBanStep')}</button>
        </fieldset>
        <fieldset>
          <legend>{t('admin.rateLimits')}</legend>
          <div className="grid">
            <Input label={t('admin.perMinute')} name="perMinute" type="number" min={1} value={Number.isNaN(settings.rateLimit.perMinute) ? '' : settings.rateLimit.perMinute}
              onChange={(e) => set({ rateLimit: { ...settings.rateLimit, perMinute: e.target.valueAsNumber } })} />
            <Input label={t('admin.perAddressPerMinute')} name="perAddressPerMinute" type="number" min={1}
              value={Number.isNaN(settings.rateLimit.perAddressPerMinute) ? '' : settings.rateLimit.perAddressPerMinute}
              onChange={(e) => set({ rateLimit: { ...settings.rateLimit, perAddressPerMinute: e.target.valueAsNumber } })} />
          </div>
        </fieldset>
        <ErrorNote error={error} />
        {saved ? <Status text={t('admin.rulesSaved')} /> : null}
        <button type="submit" className="primary" disabled={busy}>{busy ? t('admin.saving') : t('admin.save')}</button>
      </form>
    </section>
  );
}
