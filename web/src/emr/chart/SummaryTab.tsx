// The summary tab, from the answers of chartSummaryQueries: active problems, allergies, active
// medications, the latest vital signs (with their time), recent results with H/L flags, imaging
// studies (opening the viewer) and reports, upcoming appointments.
import type { ReactNode } from 'react';
import { studyUidOf } from '../imaging.ts';
import type { Summary } from './api.ts';
import { Link, useChart } from './common.tsx';
import { ImportedBadge } from './exchange-common.tsx';
import {
  codeOf, conceptText, testName, formatDate, formatDateTime, quantityText,
  type AllergyIntolerance, type Appointment, type Condition, type DiagnosticReport, type ImagingStudy, type MedicationRequest, type Observation,
} from './fhir.ts';
import { flagOf, rangeText } from './results.ts';
import { FlagBadge, VitalValue } from './values.tsx';
import { VITAL_SERIES } from './trends.ts';

function Card({ title, testid, children, empty }: { title: string; testid: string; children: ReactNode; empty: boolean }) {
  const { m } = useChart();
  return (
    <section className="card" data-testid={testid} aria-label={title}>
      <h3>{title}</h3>
      {empty ? <p className="note">{m('noneRecorded')}</p> : children}
    </section>
  );
}

/** The newest Observation of each code (the list is newest first). */
function latestByCode(list: readonly Observation[]): Map<string, Observation> {
  const latest = new Map<string, Observation>();
  for (const obs of list) {
    const code = codeOf(obs.code);
    if (code && !latest.has(code)) latest.set(code, obs);
  }
  return latest;
}

export function SummaryTab({ summary }: { summary: Summary }) {
  const { m, lang } = useChart();
  const problems = (summary.problems ?? []) as Condition[];
  const allergies = (summary.allergies ?? []) as AllergyIntolerance[];
  const medications = (summary.medications ?? []) as MedicationRequest[];
  const vitals = latestByCode((summary.vitals ?? []) as Observation[]);
  const labs = [...latestByCode((summary.labs ?? []) as Observation[]).values()].slice(0, 12);
  const studies = (summary.imaging ?? []) as ImagingStudy[];
  const imagingReports = ((summary.reports ?? []) as DiagnosticReport[]).filter((r) => r.imagingStudy?.length || r.category?.some((c) => c.coding?.some((x) => x.code === 'RAD')));
  const appointments = (summary.appointments ?? []) as Appointment[];
  const vitalRows = VITAL_SERIES.map((s) => ({ series: s, obs: vitals.get(s.loinc) })).filter((r) => r.obs);

  return (
    <div className="summary-grid">
      <Card title={m('problems')} testid="problems" empty={problems.length === 0}>
        <ul className="rows">
          {problems.map((c) => (
            <li key={c.id} data-problem={c.id}>
              {conceptText(c.code, lang)} <span className="muted">{codeOf(c.code, 'http://hl7.org/fhir/sid/icd-10') ?? ''}</span>
              {c.onsetDateTime ?? c.recordedDate ? <span className="muted"> · {m('since', { date: formatDate(c.onsetDateTime ?? c.recordedDate, lang) })}</span> : null}
              <ImportedBadge resource={c} />
            </li>
          ))}
        </ul>
      </Card>
      <Card title={m('allergies')} testid="allergies" empty={allergies.length === 0}>
        <ul className="rows">
          {allergies.map((a) => (
            <li key={a.id} className={a.criticality === 'high' ? 'danger-text' : undefined}>
              {conceptText(a.code, lang)}
              {a.reaction?.[0]?.manifestation?.length ? <span className="muted"> · {a.reaction[0].manifestation.map((x) => conceptText(x, lang)).join('、')}</span> : null}
              <ImportedBadge resource={a} />
            </li>
          ))}
        </ul>
      </Card>
      <Card title={m('medications')} testid="medications" empty={medications.length === 0}>
        <ul className="rows">
          {medications.map((r) => (
            <li key={r.id}>{conceptText(r.medicationCodeableConcept, lang)} <span className="muted">{r.dosageInstruction?.[0]?.text ?? ''}</span> <ImportedBadge resource={r} /></li>
          ))}
        </ul>
      </Card>
      <Card title={m('latestVitals')} testid="vitals" empty={vitalRows.length === 0}>
        <table className="data">
          <tbody>
            {vitalRows.map(({ series, obs }) => (
              <tr key={series.key} data-vital={series.key}>
                <th scope="row">{m(series.key)}</th>
                <td><VitalValue obs={obs!} /></td>
                <td className="muted">{formatDateTime(obs!.effectiveDateTime, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title={m('recentResults')} testid="recent-results" empty={labs.length === 0}>
        <table className="data">
          <tbody>
            {labs.map((o) => (
              <tr key={o.id} data-flag={flagOf(o) ?? 'N'}>
                <th scope="row">{testName(o.code, lang)} <ImportedBadge resource={o} /></th>
                <td className={flagOf(o) ? 'abnormal' : undefined}>{quantityText(o.valueQuantity)} <FlagBadge flag={flagOf(o)} /></td>
                <td className="muted">{rangeText(o.referenceRange?.[0])}</td>
                <td className="muted">{formatDate(o.effectiveDateTime, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title={m('imaging')} testid="imaging" empty={studies.length === 0 && imagingReports.length === 0}>
        <ul className="rows">
          {studies.map((s) => {
            const uid = studyUidOf(s);
            return (
              <li key={s.id}>
                {formatDate(s.started, lang)} {s.modality?.map((x) => x.code).join('/')} {s.description ?? ''}
                {uid ? <> · <Link href={`/emr/imaging/studies/${encodeURIComponent(uid)}`} data-study={uid}>{m('openImages')}</Link></> : null}
              </li>
            );
          })}
        </ul>
        {imagingReports.length > 0 ? (
          <>
            <h4>{m('imagingReports')}</h4>
            <ul className="rows">
              {imagingReports.map((r) => (
                <li key={r.id}><strong>{conceptText(r.code, lang)}</strong> <ImportedBadge resource={r} /> <span className="muted">{formatDate(r.effectiveDateTime ?? r.issued, lang)}</span>{r.conclusion ? <p className="pre">{r.conclusion}</p> : null}</li>
              ))}
            </ul>
          </>
        ) : null}
      </Card>
      <Card title={m('appointments')} testid="appointments" empty={appointments.length === 0}>
        <ul className="rows">
          {appointments.map((a) => (
            <li key={a.id}>
              {formatDateTime(a.start, lang)} {a.serviceType?.map((s) => conceptText(s, lang)).join(' ')}
              <span className="muted"> {a.participant?.map((p) => p.actor?.display).filter(Boolean).join(' · ')}</span>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
