// The results tab: DiagnosticReports newest first, each with its Observations (fetched with
// _include=DiagnosticReport:result): value, unit, reference range, H/L flag, and the previous value of
// the same LOINC code among the loaded results (↑/↓, value and date).
import { useEffect, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { reportPage } from './api.ts';
import { LoadMore, useChart } from './common.tsx';
import { codeOf, conceptText, testName, formatDate, formatDateTime, idOf, type DiagnosticReport, type Observation } from './fhir.ts';
import { flagOf, previousOf, rangeText } from './results.ts';
import { FlagBadge } from './values.tsx';

function ResultRow({ obs, all }: { obs: Observation; all: readonly Observation[] }) {
  const { lang } = useChart();
  const flag = flagOf(obs);
  const comparison = previousOf(obs, all);
  return (
    <tr data-observation={obs.id} data-code={codeOf(obs.code)} data-flag={flag ?? 'N'}>
      <th scope="row">{testName(obs.code, lang)}</th>
      <td className={flag ? 'abnormal value' : 'value'}>{obs.valueQuantity?.value ?? obs.valueString ?? conceptText(obs.valueCodeableConcept, lang)}</td>
      <td>{obs.valueQuantity?.unit ?? ''}</td>
      <td className="muted">{rangeText(obs.referenceRange?.[0])}</td>
      <td><FlagBadge flag={flag} /></td>
      <td data-testid="previous">
        {comparison ? (
          <span data-previous={comparison.previous.valueQuantity?.value}>
            <span className="direction">{comparison.direction}</span> {comparison.previous.valueQuantity?.value}{' '}
            <span className="muted">({formatDate(comparison.previous.effectiveDateTime ?? comparison.previous.issued, lang)})</span>
          </span>
        ) : null}
      </td>
    </tr>
  );
}

export function ResultsTab({ patientId }: { patientId: string }) {
  const { m, lang } = useChart();
  const [reports, setReports] = useState<DiagnosticReport[] | null>(null);
  const [observations, setObservations] = useState<Observation[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function load(link?: string) {
    setBusy(true);
    try {
      const page = await reportPage(patientId, link);
      setReports((prev) => [...(link ? prev ?? [] : []), ...page.items]);
      setObservations((prev) => [...(link ? prev : []), ...page.observations]);
      setNext(page.next);
    } catch (err) { setError(err); } finally { setBusy(false); }
  }
  useEffect(() => { void load(); }, [patientId]); // eslint-disable-line react-hooks/exhaustive-deps

  const byId = new Map(observations.map((o) => [o.id, o]));
  return (
    <section aria-label={m('tabResults')}>
      <ErrorNote error={error} />
      {reports === null ? <p role="status">{m('loading')}</p> : reports.length === 0 ? <p>{m('noResults')}</p> : (
        <div className="reports" data-testid="reports">
          {reports.map((r) => {
            const results = (r.result ?? []).map((ref) => byId.get(idOf(ref) ?? '')).filter((o): o is Observation => Boolean(o));
            return (
              <section key={r.id} className="card report" data-report={r.id}>
                <h3>{conceptText(r.code, lang)} <span className="muted">{formatDateTime(r.effectiveDateTime ?? r.issued, lang)}</span></h3>
                {results.length > 0 ? (
                  <table className="data results">
                    <thead>
                      <tr><th scope="col">{m('test')}</th><th scope="col">{m('value')}</th><th scope="col">{m('unit')}</th><th scope="col">{m('range')}</th><th scope="col">{m('flag')}</th><th scope="col">{m('previous')}</th></tr>
                    </thead>
                    <tbody>{results.map((o) => <ResultRow key={o.id} obs={o} all={observations} />)}</tbody>
                  </table>
                ) : null}
                {r.conclusion ? <p><span className="muted">{m('conclusion')}</span><span className="pre">{r.conclusion}</span></p> : null}
              </section>
            );
          })}
        </div>
      )}
      <LoadMore next={next} busy={busy} onMore={() => void load(next)} />
    </section>
  );
}
