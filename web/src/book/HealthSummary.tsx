// /book/summary: the patient's health summary — the server's Patient/$summary document (an
// International Patient Summary style FHIR document Bundle) shown from its section narratives, to
// download as the document itself (FHIR JSON, for another hospital's system) or to print (the
// print style keeps the document only). A proxy (a parent, say) chooses whose summary.
import { useEffect, useState } from 'react';
import { requestJson, type Account } from '../shared/http.ts';
import { ErrorNote } from '../shared/errors.tsx';
import { Narrative } from '../shared/xhtml.tsx';
import { fhir } from '../shared/fhir.ts';
import { useMessages } from '../emr/i18n.ts';
import { personName, type Patient } from '../emr/chart/fhir.ts';
import { summaryMessages } from './summary-messages.ts';

type Named = Pick<Patient, 'id' | 'name' | 'birthDate'>;
interface Section { title?: string; code?: { coding?: { code?: string }[] }; text?: { div?: string } }
interface DocumentBundle {
  resourceType: 'Bundle';
  type: string;
  identifier?: { value?: string };
  timestamp?: string;
  entry?: { fullUrl?: string; resource?: { resourceType: string; id?: string; title?: string; section?: Section[] } }[];
}

async function summaryOf(patientId: string): Promise<DocumentBundle> {
  return requestJson<DocumentBundle>(`/fhir/Patient/${encodeURIComponent(patientId)}/$summary`, { auth: true, accept: 'application/fhir+json' });
}

function download(bundle: DocumentBundle, patientId: string): void {
  const blob = new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/fhir+json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `health-summary-${patientId}-${(bundle.timestamp ?? new Date().toISOString()).slice(0, 10)}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export default function HealthSummary() {
  const { m, lang } = useMessages(summaryMessages);
  const [patients, setPatients] = useState<Named[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [bundle, setBundle] = useState<DocumentBundle | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      const me = await requestJson<Account>('/auth/me', { auth: true });
      const ids = [...new Set([me.patientId, ...(me.patients ?? [])].filter((id): id is string => Boolean(id)))];
      return Promise.all(ids.map((id) => fhir.read<Named>('Patient', id)));
    })().then((found) => {
      if (!live) return;
      setPatients(found);
      setChosen(found[0]?.id ?? null);
    }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, []);

  useEffect(() => {
    if (!chosen) return;
    let live = true;
    setBundle(null);
    setError(null);
    summaryOf(chosen).then((b) => { if (live) setBundle(b); }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, [chosen]);

  const composition = bundle?.entry?.[0]?.resource;
  const patient = bundle?.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as Named | undefined;
  const issuer = bundle?.entry?.find((e) => e.resource?.resourceType === 'Organization')?.resource as { name?: string } | undefined;
  const when = bundle?.timestamp ? new Date(bundle.timestamp).toLocaleString(lang, { dateStyle: 'long', timeStyle: 'short' }) : '';

  return (
    <section className="panel health-summary" aria-labelledby="summary-heading">
      <h2 id="summary-heading">{m('heading')}</h2>
      <p className="note no-print">{m('intro')}</p>
      {patients && patients.length > 1 ? (
        <label className="no-print">{m('whose')}{' '}
          <select name="whose" value={chosen ?? ''} onChange={(e) => setChosen(e.target.value)}>
            {patients.map((p) => <option key={p.id} value={p.id}>{personName(p, lang)}</option>)}
          </select>
        </label>
      ) : null}
      {patients?.length === 0 ? <p>{m('noPatient')}</p> : null}
      <ErrorNote error={error} />
      {chosen && !bundle && !error ? <p role="status">…</p> : null}
      {bundle && composition ? (
        <>
          <div className="actions no-print">
            <button type="button" className="primary" name="download" onClick={() => download(bundle, chosen!)}>{m('download')}</button>
            <button type="button" name="print" onClick={() => print()}>{m('print')}</button>
          </div>
          <article className="document" data-testid="summary-document" data-bundle={bundle.identifier?.value}>
            <h3>{composition.title}</h3>
            <p>{m('patient', { name: personName(patient, lang) })}{patient?.birthDate ? ` · ${m('birthDate', { date: patient.birthDate })}` : ''}</p>
            <p className="note">{m('generated', { when })}{issuer?.name ? ` · ${m('issuer', { name: issuer.name })}` : ''}</p>
            {(composition.section ?? []).map((section, i) => (
              <section key={i} className="document-section" data-section={section.code?.coding?.[0]?.code}>
                <h4>{section.title}</h4>
                <Narrative div={section.text?.div} />
              </section>
            ))}
          </article>
        </>
      ) : null}
    </section>
  );
}
