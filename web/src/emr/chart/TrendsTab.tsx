// The trends tab: pick vital signs and lab tests (by LOINC code); each picked series is fetched whole
// (every Observation of that code, oldest first) and drawn as a small chart with its reference band,
// abnormal points marked, and the latest value.
import { useEffect, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { observationSeries, type Summary } from './api.ts';
import { useChart } from './common.tsx';
import { ageOf, codeOf, testName, formatDateTime, type Observation, type Patient } from './fhir.ts';
import { TrendChart } from './TrendChart.tsx';
import { VITAL_SERIES, componentLines, labCodes, valueLine, type Line, type VitalSeries } from './trends.ts';

interface Choice { loinc: string; name: string; unit: string; vital?: VitalSeries }

function SeriesChart({ patientId, choice, adult }: { patientId: string; choice: Choice; adult: boolean }) {
  const { m, lang } = useChart();
  const [list, setList] = useState<Observation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setList(null);
    observationSeries(patientId, choice.loinc).then((l) => { if (live) setList(l); }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, [patientId, choice.loinc]);

  let lines: Line[] = [];
  if (list) {
    lines = choice.vital?.components ? componentLines(choice.vital, list, adult) : [valueLine(choice.loinc, list, adult ? choice.vital?.band : undefined)];
  }
  const count = lines.reduce((n, l) => n + l.points.length, 0);
  const last = list?.[list.length - 1];
  const latest = last ? (choice.vital?.components
    ? lines.map((l) => l.points[l.points.length - 1]?.value ?? '?').join('/')
    : String(last.valueQuantity?.value ?? '')) : '';
  return (
    <figure className="trend card" data-testid="trend" data-series={choice.loinc} data-points={list ? count : undefined}>
      <figcaption>
        <strong>{choice.name}</strong>
        {list && last ? <span className="muted"> {m('latest', { value: `${latest} ${choice.unit}`, when: formatDateTime(last.effectiveDateTime, lang) })}</span> : null}
        {lines.length > 1 ? <span className="legend">{lines.map((l) => <span key={l.key} className={`key key-${l.key}`}>{m(l.key as 'systolic' | 'diastolic')}</span>)}</span> : null}
      </figcaption>
      <ErrorNote error={error} />
      {!list && !error ? <p role="status">{m('loading')}</p> : null}
      {list && count === 0 ? <p className="note">{m('noData')}</p> : null}
      {list && count > 0 ? (
        <TrendChart lines={lines} unit={choice.unit} label={m('chartOf', { name: choice.name })} format={(at) => formatDateTime(new Date(at).toISOString(), lang)} />
      ) : null}
    </figure>
  );
}

export function TrendsTab({ patientId, summary, today }: { patientId: string; summary: Summary; today: string }) {
  const { m, lang } = useChart();
  const patient = summary.patient?.[0] as Patient | undefined;
  const age = ageOf(patient?.birthDate, today);
  const adult = age?.unit === 'y' && age.value >= 14;
  const vitalsPresent = new Set(((summary.vitals ?? []) as Observation[]).map((o) => codeOf(o.code)));
  const vitalChoices: Choice[] = VITAL_SERIES.map((v) => ({ loinc: v.loinc, name: m(v.key), unit: v.unit, vital: v }));
  const labChoices: Choice[] = labCodes((summary.labs ?? []) as Observation[])
    .map(({ loinc, sample }) => ({ loinc, name: testName(sample.code, lang), unit: sample.valueQuantity?.unit ?? '' }));
  const [picked, setPicked] = useState<Set<string>>(() => new Set(VITAL_SERIES.filter((v) => vitalsPresent.has(v.loinc)).map((v) => v.loinc)));
  const toggle = (loinc: string) => setPicked((prev) => {
    const nextSet = new Set(prev);
    if (!nextSet.delete(loinc)) nextSet.add(loinc);
    return nextSet;
  });
  const chosen = [...vitalChoices, ...labChoices].filter((c) => picked.has(c.loinc));

  return (
    <section aria-label={m('trendsHeading')} className="trends">
      <fieldset className="series-picker" data-testid="series-picker">
        <legend>{m('chooseSeries')}</legend>
        <div className="picker-group">
          <span className="muted">{m('vitalSigns')}</span>
          {vitalChoices.map((c) => (
            <label key={c.loinc} className="check"><input type="checkbox" name="series" value={c.loinc} checked={picked.has(c.loinc)} onChange={() => toggle(c.loinc)} />{c.name}</label>
          ))}
        </div>
        {labChoices.length > 0 ? (
          <div className="picker-group">
            <span className="muted">{m('labTests')}</span>
            {labChoices.map((c) => (
              <label key={c.loinc} className="check"><input type="checkbox" name="series" value={c.loinc} checked={picked.has(c.loinc)} onChange={() => toggle(c.loinc)} />{c.name}</label>
            ))}
          </div>
        ) : null}
      </fieldset>
      <div className="trend-grid">
        {chosen.map((c) => <SeriesChart key={c.loinc} patientId={patientId} choice={c} adult={adult} />)}
      </div>
    </section>
  );
}
