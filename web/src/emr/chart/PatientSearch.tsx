// /emr: find a patient by name (prefix), resident ID, phone or MRN — one FHIR search — and open the
// chart. The query stays in the address (?q=&by=) so that Back returns to the same list.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { Input, Select } from '../../staff/ui.tsx';
import { searchPatients, type SearchBy } from './api.ts';
import { ageText, genderText, Link, useChart } from './common.tsx';
import { MRN_SYSTEM, RESIDENT_ID_SYSTEM, hospitalToday, identifierOf, maskResidentId, personName, type Patient } from './fhir.ts';

const byKey = { auto: 'byAuto', name: 'byName', residentId: 'byResidentId', phone: 'byPhone', mrn: 'byMrn' } as const;

export function PatientSearch() {
  const { m, lang } = useChart();
  const params = new URLSearchParams(location.search);
  const [text, setText] = useState(params.get('q') ?? '');
  const [by, setBy] = useState<SearchBy>(() => {
    const given = params.get('by');
    return given && given in byKey ? given as SearchBy : 'auto';
  });
  const [result, setResult] = useState<{ query: string; by: Exclude<SearchBy, 'auto'>; patients: Patient[] } | null>(null);
  // Only the answer to the latest search is shown (an earlier one may come back later).
  const latest = useRef(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const today = hospitalToday();

  async function run(query: string, kind: SearchBy) {
    if (!query.trim()) return;
    const mine = ++latest.current;
    setBusy(true);
    setError(null);
    try {
      const found = await searchPatients(query, kind);
      if (mine === latest.current) setResult({ query: query.trim(), ...found });
    } catch (err) {
      if (mine === latest.current) setError(err);
    } finally {
      if (mine === latest.current) setBusy(false);
    }
  }

  useEffect(() => {
    if (text.trim()) void run(text, by);
    // Only the query the page was opened with.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    history.replaceState(null, '', `/emr?${new URLSearchParams({ q: text.trim(), by })}`);
    void run(text, by);
  }

  return (
    <section aria-labelledby="emr-search" className="emr-search">
      <h2 id="emr-search">{m('searchHeading')}</h2>
      <form className="filters" name="patient-search" role="search" onSubmit={submit}>
        <div className="grow">
          <Input label={m('searchLabel')} name="q" type="search" required autoFocus value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <Select label={m('searchBy')} name="by" value={by} onChange={(e) => setBy(e.target.value as SearchBy)}>
          {(Object.keys(byKey) as SearchBy[]).map((k) => <option key={k} value={k}>{m(byKey[k])}</option>)}
        </Select>
        <div className="actions"><button type="submit" className="primary" disabled={busy}>{m('search')}</button></div>
      </form>
      <ErrorNote error={error} />
      {result ? (
        <>
          <p className="note" role="status">{m('searchedBy', { by: m(byKey[result.by]), count: result.patients.length })}</p>
          {result.patients.length === 0 ? <p data-testid="no-patients" data-query={result.query}>{m('noPatients')}</p> : (
            <ul className="patients" data-testid="patient-results" data-query={result.query}>
              {result.patients.map((p) => (
                <li key={p.id} className="patient">
                  <Link href={`/emr/patients/${encodeURIComponent(p.id)}`} data-patient={p.id}>
                    <strong>{personName(p, lang)}</strong>
                  </Link>
                  <span>{genderText(m, p.gender)} · {ageText(m, p.birthDate, today)}</span>
                  <span className="muted">{m('mrn')} {identifierOf(p, MRN_SYSTEM) ?? '—'}</span>
                  <span className="muted mono">{maskResidentId(identifierOf(p, RESIDENT_ID_SYSTEM)) ?? ''}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </section>
  );
}
