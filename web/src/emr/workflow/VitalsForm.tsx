// The vitals form of the visit and of the ward round: each filled measurement becomes one
// vital-signs Observation (R4 vital signs profiles), written together as one transaction Bundle so a
// round is stored whole or not at all.
import { useId, useState, type FormEvent } from 'react';
import { requestJson } from '../../shared/http.ts';
import { ErrorNote } from '../../shared/errors.tsx';
import type { Encounter } from './api.ts';
import { contextOf, useM } from './common.tsx';
import { invalidVitals, vitalsObservations, type VitalKey, type VitalsInput } from './resources.ts';

const FIELDS: { key: VitalKey; unit: string; step: string }[] = [
  { key: 'temperature', unit: '°C', step: '0.1' },
  { key: 'pulse', unit: '/min', step: '1' },
  { key: 'respiration', unit: '/min', step: '1' },
  { key: 'systolic', unit: 'mmHg', step: '1' },
  { key: 'diastolic', unit: 'mmHg', step: '1' },
  { key: 'spo2', unit: '%', step: '1' },
  { key: 'pain', unit: '0–10', step: '1' },
  { key: 'weight', unit: 'kg', step: '0.1' },
];

export function VitalsForm({ encounter, practitioner, onSaved }: { encounter: Encounter; practitioner?: string; onSaved?(count: number): void }) {
  const { m } = useM();
  const base = useId();
  const [input, setInput] = useState<VitalsInput>({});
  const [bad, setBad] = useState<VitalKey[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const invalid = invalidVitals(input);
    setBad(invalid);
    setDone(null);
    if (invalid.length > 0) return;
    const observations = vitalsObservations(input, contextOf(encounter, practitioner));
    if (observations.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      await requestJson('/fhir', {
        auth: true, method: 'POST', contentType: 'application/fhir+json', accept: 'application/fhir+json',
        body: { resourceType: 'Bundle', type: 'transaction', entry: observations.map((resource) => ({ resource, request: { method: 'POST', url: 'Observation' } })) },
      });
      setDone(observations.length);
      setInput({});
      onSaved?.(observations.length);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${base}-h`}>
      <h2 id={`${base}-h`}>{m('vitals')}</h2>
      <form name="vitals" className="wf-vitals" onSubmit={submit} noValidate>
        {FIELDS.map((f) => (
          <div className="field" key={f.key}>
            <label htmlFor={`${base}-${f.key}`}>{m(`vital.${f.key}`)} <span className="wf-unit">{f.unit}</span></label>
            <input id={`${base}-${f.key}`} name={f.key} type="number" inputMode="decimal" step={f.step} value={input[f.key] ?? ''}
              aria-invalid={bad.includes(f.key) || undefined} onChange={(e) => setInput((x) => ({ ...x, [f.key]: e.target.value }))} />
          </div>
        ))}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>{m('saveVitals')}</button>
        </div>
      </form>
      {bad.length > 0 ? <p className="error" role="alert">{m('vitalsInvalid', { fields: bad.map((k) => m(`vital.${k}`)).join(m('listSeparator')) })}</p> : null}
      <ErrorNote error={error} />
      {done !== null ? <p className="note ok" role="status" data-testid="vitals-saved">{m('vitalsSaved', { count: done })}</p> : null}
    </section>
  );
}
