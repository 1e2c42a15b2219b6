// One printed A4 page (visit summary, prescription, discharge summary): the hospital's name from its
// Organization (type prov), the patient's identifiers, the items, and the doctor's signature line.
// On screen it is a preview; in print (workflow.css @media print) it is the only thing on the page.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useAccount } from '../../staff/StaffGate.tsx';
import { hospitalDate } from '../../shared/booking.ts';
import { fhir, type Encounter, type Resource } from './api.ts';
import { ageOf, maskId, mrnOf, nameOf, residentIdOf, useM, visitNumberOf, type Patient } from './common.tsx';

let hospital: Promise<string | null> | null = null;
/** The hospital's own name: the Organization of type prov (HL7 organization-type "Healthcare Provider"). */
function hospitalName(): Promise<string | null> {
  hospital ??= fhir.search<Resource & { name?: string }>('Organization', 'type=prov&_count=1')
    .then(([org]) => org?.name ?? null, () => null);
  return hospital;
}

export function PrintSheet({ title, patient, encounter, children, onClose, testId }: {
  title: string; patient?: Patient; encounter?: Encounter; children: ReactNode; onClose(): void; testId: string;
}) {
  const { m } = useM();
  const account = useAccount();
  const [name, setName] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    void hospitalName().then((n) => { if (live) { setName(n); setReady(true); } });
    return () => { live = false; };
  }, []);
  // The print dialog opens once, when the sheet has its header (StrictMode runs effects twice).
  const printed = useRef(false);
  useEffect(() => {
    if (!ready || printed.current) return;
    printed.current = true;
    window.print();
  }, [ready]);
  const gender = patient?.gender === 'male' ? m('male') : patient?.gender === 'female' ? m('female') : '';
  return (
    <div className="print-sheet" data-testid={testId} role="document" aria-label={title}>
      <div className="print-tools">
        <button type="button" className="primary" onClick={() => window.print()}>{m('print')}</button>
        <button type="button" onClick={onClose}>{m('closePrint')}</button>
      </div>
      <header className="print-head">
        <p className="print-hospital">{name ?? m('hospitalFallback')}</p>
        <h1>{title}</h1>
      </header>
      <dl className="print-ids">
        <div><dt>{m('name')}</dt><dd>{nameOf(patient)}</dd></div>
        <div><dt>{m('sex')}</dt><dd>{gender}</dd></div>
        <div><dt>{m('age')}</dt><dd>{ageOf(patient?.birthDate) ?? ''}</dd></div>
        <div><dt>{m('mrn')}</dt><dd>{mrnOf(patient) ?? ''}</dd></div>
        <div><dt>{m('residentId')}</dt><dd>{maskId(residentIdOf(patient)) ?? ''}</dd></div>
        <div><dt>{m('visitNumber')}</dt><dd>{visitNumberOf(encounter) ?? ''}</dd></div>
        <div><dt>{m('date')}</dt><dd>{hospitalDate()}</dd></div>
      </dl>
      <div className="print-body">{children}</div>
      <footer className="print-sign">
        <span>{m('doctorSignature')} <span className="print-line">{account?.displayName ?? ''}</span></span>
        <span>{m('date')} <span className="print-line">{hospitalDate()}</span></span>
      </footer>
    </div>
  );
}

export function PrintSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="print-section">
      <h2>{title}</h2>
      <div className="pre">{children}</div>
    </section>
  );
}
