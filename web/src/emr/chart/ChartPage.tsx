// /emr/patients/{id}[/{tab}[/{noteId}]]: a patient's chart — the banner, and the tabs summary,
// timeline, notes, results, trends and exchange (referral out, records from other hospitals). The summary's requests (chart-queries.ts) go out together when
// the chart opens; the banner and the summary tab share their answers.
import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { ExchangeTab } from './ExchangeTab.tsx';
import { chartSummary, type Summary } from './api.ts';
import { Banner } from './Banner.tsx';
import { Link, useChart } from './common.tsx';
import { hospitalToday, type Patient } from './fhir.ts';
import { NotesTab } from './NotesTab.tsx';
import { ResultsTab } from './ResultsTab.tsx';
import { SummaryTab } from './SummaryTab.tsx';
import { TimelineTab } from './TimelineTab.tsx';
import { TrendsTab } from './TrendsTab.tsx';

export const TABS = ['summary', 'timeline', 'notes', 'results', 'trends', 'exchange'] as const;
export type Tab = typeof TABS[number];
const tabKey = { summary: 'tabSummary', timeline: 'tabTimeline', notes: 'tabNotes', results: 'tabResults', trends: 'tabTrends', exchange: 'tabExchange' } as const;

export function ChartPage({ patientId, tab, rest }: { patientId: string; tab: Tab; rest?: string }) {
  const { m } = useChart();
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState<unknown>(null);
  const today = hospitalToday();

  const load = useCallback(() => {
    setError(null);
    return chartSummary(patientId, today).then(setSummary, setError);
  }, [patientId, today]);
  useEffect(() => {
    setSummary(null);
    void load();
  }, [load]);

  const base = `/emr/patients/${encodeURIComponent(patientId)}`;
  const patient = summary?.patient?.[0] as Patient | undefined;
  return (
    <div className="chart" data-testid="chart" data-patient={patientId}>
      {patient && summary ? <Banner patient={patient} summary={summary} today={today} /> : null}
      <ErrorNote error={error} onRetry={() => void load()} />
      <nav className="chart-tabs" aria-label={m('chartSections')}>
        {TABS.map((t) => (
          <Link key={t} href={t === 'summary' ? base : `${base}/${t}`} data-tab={t} aria-current={t === tab ? 'page' : undefined}>{m(tabKey[t])}</Link>
        ))}
      </nav>
      {!summary && !error ? <p role="status">{m('loading')}</p> : null}
      {summary ? (
        <div className="chart-body" data-tab={tab}>
          {tab === 'summary' ? <SummaryTab summary={summary} /> : null}
          {tab === 'timeline' ? <TimelineTab patientId={patientId} /> : null}
          {tab === 'notes' ? <NotesTab patientId={patientId} noteId={rest} summary={summary} onChanged={() => void load()} /> : null}
          {tab === 'results' ? <ResultsTab patientId={patientId} /> : null}
          {tab === 'trends' ? <TrendsTab patientId={patientId} summary={summary} today={today} /> : null}
          {tab === 'exchange' ? <ExchangeTab patientId={patientId} onImported={() => void load()} /> : null}
        </div>
      ) : null}
    </div>
  );
}
