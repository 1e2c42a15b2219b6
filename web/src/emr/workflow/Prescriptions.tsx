// Prescriptions of an encounter (outpatient, or take-home at discharge): a catalogue drug with dose,
// route, frequency, days and quantity → MedicationRequest.
import { useEffect, useId, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { emr, fhir, type Catalogue, type Encounter, type Resource } from './api.ts';
import { contextOf, useLoad, useM } from './common.tsx';
import { medicationRequest, type PrescriptionInput } from './resources.ts';

export type MedicationRequest = Resource & {
  id: string; status: string;
  medicationCodeableConcept?: { text?: string };
  dosageInstruction?: { text?: string }[];
  dispenseRequest?: { quantity?: { value?: number; unit?: string }; expectedSupplyDuration?: { value?: number } };
};

/** Doses a day of a frequency (for the default quantity); as-needed counts as one. */
function perDay(repeat: { frequency: number; period: number; periodUnit: string } | undefined): number {
  if (!repeat) return 1;
  const hours = { h: 1, d: 24, wk: 168 }[repeat.periodUnit] ?? 24;
  return Math.max(1, Math.round((repeat.frequency * 24) / (repeat.period * hours)));
}

export function Prescriptions({ encounter, practitioner, category, heading, onChange }: {
  encounter: Encounter; practitioner?: string; category: 'outpatient' | 'discharge'; heading: string; onChange?(requests: MedicationRequest[]): void;
}) {
  const { m, lang } = useM();
  const base = useId();
  const catalogue = useLoad(() => emr.catalogue(), []);
  const list = useLoad(() => fhir.search<MedicationRequest>('MedicationRequest',
    `encounter=${encodeURIComponent(`Encounter/${encounter.id}`)}&category=${category}&_count=50`), [encounter.id, category]);
  const [drugKey, setDrugKey] = useState('');
  const [form, setForm] = useState({ dose: '', route: '', frequency: '', days: '', quantity: '', unit: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);
  useEffect(() => { if (list.data) onChange?.(list.data); }, [list.data, onChange]);

  const c: Catalogue | null = catalogue.data;
  const drug = c?.drugs.find((d) => d.key === drugKey);
  function choose(key: string) {
    setDrugKey(key);
    const d = c?.drugs.find((x) => x.key === key);
    if (!d || !c) return;
    const frequency = c.frequencies.find((f) => f.code === d.frequency);
    setForm({
      dose: String(d.dose?.value ?? 1), route: d.route.code, frequency: d.frequency, days: String(d.days),
      quantity: String(perDay(frequency?.repeat) * d.days), unit: '',
    });
  }
  const name = (x: { zh: string; en: string }) => (lang === 'en' ? x.en : x.zh);

  async function prescribe() {
    if (!drug || !c) return;
    const route = c.routes.find((r) => r.code === form.route) ?? drug.route;
    const frequency = c.frequencies.find((f) => f.code === form.frequency);
    const dose = Number(form.dose), days = Number(form.days), quantity = Number(form.quantity);
    if (!frequency || !(dose > 0) || !(days > 0) || !(quantity > 0)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    const input: PrescriptionInput = { drug, doseValue: dose, route, frequency, days, quantity, quantityUnit: form.unit.trim() || undefined, category };
    setBusy(true);
    setError(null);
    try {
      await fhir.create(medicationRequest(input, contextOf(encounter, practitioner)));
      setDrugKey('');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const field = (key: keyof typeof form, label: string, type = 'number') => (
    <div className="field">
      <label htmlFor={`${base}-${key}`}>{label}</label>
      <input id={`${base}-${key}`} name={key} type={type} min={type === 'number' ? '0' : undefined} step="any" value={form[key]}
        onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))} />
    </div>
  );

  return (
    <section className="panel" aria-labelledby={`${base}-h`} data-testid={`prescriptions-${category}`}>
      <h2 id={`${base}-h`}>{heading}</h2>
      {list.data && list.data.length > 0 ? (
        <ul className="wf-list">
          {list.data.map((r) => (
            <li key={r.id} data-request={r.id}>
              <b>{r.medicationCodeableConcept?.text}</b> {r.dosageInstruction?.[0]?.text}
              {r.dispenseRequest?.quantity?.value ? ` · ${m('quantityShort', { n: r.dispenseRequest.quantity.value })}${r.dispenseRequest.quantity.unit ?? ''}` : ''}
            </li>
          ))}
        </ul>
      ) : <p className="note">{m('noPrescriptions')}</p>}
      <div className="wf-grid">
        <div className="field">
          <label htmlFor={`${base}-drug`}>{m('drug')}</label>
          <select id={`${base}-drug`} name="drug" value={drugKey} onChange={(e) => choose(e.target.value)} disabled={!c}>
            <option value="">{m('chooseDrug')}</option>
            {c?.drugs.map((d) => <option key={d.key} value={d.key}>{name(d)} {d.strength}</option>)}
          </select>
        </div>
        {drug ? (
          <>
            {field('dose', `${m('dose')} (${drug.dose?.unit ?? ''})`)}
            <div className="field">
              <label htmlFor={`${base}-route`}>{m('route')}</label>
              <select id={`${base}-route`} name="route" value={form.route} onChange={(e) => setForm((f) => ({ ...f, route: e.target.value }))}>
                {c?.routes.map((r) => <option key={r.code} value={r.code}>{name(r)}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${base}-frequency`}>{m('frequency')}</label>
              <select id={`${base}-frequency`} name="frequency" value={form.frequency} onChange={(e) => setForm((f) => ({ ...f, frequency: e.target.value }))}>
                {c?.frequencies.map((x) => <option key={x.code} value={x.code}>{x.code} · {name(x)}</option>)}
              </select>
            </div>
            {field('days', m('days'))}
            {field('quantity', m('quantity'))}
            {field('unit', m('quantityUnit'), 'text')}
          </>
        ) : null}
      </div>
      <div className="actions">
        <button type="button" className="primary" disabled={!drug || busy} onClick={() => void prescribe()}>{m('prescribe')}</button>
      </div>
      {invalid ? <p className="error" role="alert">{m('prescriptionInvalid')}</p> : null}
      <ErrorNote error={error ?? catalogue.error ?? list.error} />
    </section>
  );
}
