// Follow-up booking from the visit or the discharge: department → doctor → a free slot found with
// Appointment/$find, booked for the patient with Appointment/$book (as the registration desk does).
import { useId, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { requestJson } from '../../shared/http.ts';
import { clock, dayRange, hospitalDate } from '../../shared/booking.ts';
import { queueNumber, type Appointment } from '../../shared/fhir.ts';
import { desk } from '../../staff/api.ts';
import { DepartmentSelect, useDirectory } from '../../staff/ui.tsx';
import { useM } from './common.tsx';

interface Slot { id: string; start: string; end: string }
interface Bundle { entry?: { resource?: Slot & { resourceType: string } }[] }

export function FollowUp({ patient, heading }: { patient: string; heading?: string }) {
  const { m, lang } = useM();
  const base = useId();
  const [service, setService] = useState('');
  const [role, setRole] = useState('');
  const { departments, doctors, error: directoryError } = useDirectory(service);
  const [slots, setSlots] = useState<Slot[] | null>(null);
  const [slot, setSlot] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [booked, setBooked] = useState<Appointment | null>(null);
  const unique = doctors?.filter((d, i, all) => all.findIndex((x) => x.role === d.role) === i) ?? [];

  async function find() {
    setError(null);
    setSlots(null);
    setSlot('');
    try {
      // From tomorrow, four weeks ahead.
      const [, start] = dayRange(hospitalDate(), 2);
      const end = dayRange(start!, 28)[27]!;
      const params = new URLSearchParams({ service: `HealthcareService/${service}`, start: start!, end });
      if (role) params.set('practitioner-role', `PractitionerRole/${role}`);
      const bundle = await requestJson<Bundle>(`/fhir/Appointment/$find?${params}`, { auth: true, accept: 'application/fhir+json' });
      setSlots((bundle.entry ?? []).map((e) => e.resource!).filter((r) => r?.resourceType === 'Slot').sort((a, b) => a.start.localeCompare(b.start)).slice(0, 30));
    } catch (err) {
      setError(err);
    }
  }

  async function book() {
    if (!slot) return;
    setBusy(true);
    setError(null);
    try {
      setBooked(await desk.book(slot, patient));
      setSlots(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const day = (iso: string) => new Intl.DateTimeFormat(lang, { month: 'numeric', day: 'numeric', weekday: 'short', timeZone: 'Asia/Shanghai' }).format(new Date(iso));
  return (
    <section className="panel" aria-labelledby={`${base}-h`}>
      <h2 id={`${base}-h`}>{heading ?? m('followUp')}</h2>
      <div className="wf-grid">
        <DepartmentSelect label={m('department')} departments={departments} value={service} onChange={(id) => { setService(id); setRole(''); setSlots(null); }} />
        <div className="field">
          <label htmlFor={`${base}-doctor`}>{m('doctor')}</label>
          <select id={`${base}-doctor`} name="followup-doctor" value={role} disabled={!doctors} onChange={(e) => setRole(e.target.value)}>
            <option value="">{m('anyDoctor')}</option>
            {unique.map((d) => <option key={d.role} value={d.role}>{d.name}</option>)}
          </select>
        </div>
      </div>
      <div className="actions"><button type="button" disabled={!service} onClick={() => void find()}>{m('findSlots')}</button></div>
      {slots ? (slots.length === 0 ? <p>{m('noSlots')}</p> : (
        <div className="field">
          <label htmlFor={`${base}-slot`}>{m('slot')}</label>
          <select id={`${base}-slot`} name="followup-slot" value={slot} onChange={(e) => setSlot(e.target.value)}>
            <option value="">{m('chooseSlot')}</option>
            {slots.map((s) => <option key={s.id} value={s.id}>{day(s.start)} {clock(s.start)}–{clock(s.end)}</option>)}
          </select>
        </div>
      )) : null}
      {slots && slots.length > 0 ? <div className="actions"><button type="button" className="primary" disabled={!slot || busy} onClick={() => void book()}>{m('bookFollowUp')}</button></div> : null}
      {booked ? (
        <p className="note ok" role="status" data-testid="follow-up-booked" data-appointment={booked.id}>
          {m('followUpBooked', { when: `${booked.start?.slice(0, 10) ?? ''} ${clock(booked.start)}`, number: queueNumber(booked) ?? '' })}
        </p>
      ) : null}
      <ErrorNote error={error ?? directoryError} />
    </section>
  );
}
