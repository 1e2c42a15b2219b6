// The doctors' view of a patient's imaging (a minimal part of the EMR): find the patient, see the
// signed radiology reports (DiagnosticReport final/amended, FHIR R4 §DiagnosticReport) with their
// studies, and open the images read-only. FHIR searches, so it needs no radiology-only route.
import { Suspense, lazy, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../shared/i18n/index.tsx';
import { ErrorNote } from '../shared/errors.tsx';
import { StaffGate } from '../staff/StaffGate.tsx';
import { Input } from '../staff/ui.tsx';
import { desk, patientName, type Patient } from '../staff/api.ts';
import { reportTexts } from '../radiology/api.ts';
import { imagingReports, type ImagingReportRow } from './imaging.ts';
import '../radiology/radiology.css';

const ViewerPage = lazy(() => import('../radiology/viewer/ViewerPage.tsx'));
const q = encodeURIComponent;

export default function ImagingPage({ path, navigate }: { path: string; navigate(path: string): void }) {
  const { t } = useI18n();
  const study = /^\/emr\/imaging\/studies\/([^/]+)\/?$/.exec(path)?.[1];
  return (
    <StaffGate role="doctor" heading={t('emr.heading')}>
      {study ? (
        <Suspense fallback={<p role="status">{t('viewer.loadingViewer')}</p>}>
          <ViewerPage studyUid={decodeURIComponent(study)} readOnly backHref={`/emr/imaging${location.search}`} navigate={navigate} />
        </Suspense>
      ) : <PatientImaging navigate={navigate} />}
    </StaffGate>
  );
}

function PatientImaging({ navigate }: { navigate(path: string): void }) {
  const { t } = useI18n();
  const [chosen, setChosen] = useState(() => new URLSearchParams(location.search).get('patient'));
  useEffect(() => {
    const update = () => setChosen(new URLSearchParams(location.search).get('patient'));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  const [text, setText] = useState('');
  const [patients, setPatients] = useState<Patient[] | null>(null);
  const [rows, setRows] = useState<ImagingReportRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    setRows(null);
    if (!chosen) return;
    imagingReports(chosen).then(setRows, setError);
  }, [chosen]);

  async function find(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try { setPatients(await desk.findPatients(text)); } catch (err) { setError(err); }
  }

  return (
    <section aria-labelledby="emr-imaging">
      <h2 id="emr-imaging">{t('emr.imaging')}</h2>
      <form className="filters" name="find-patient" role="search" onSubmit={find}>
        <Input label={t('emr.findPatient')} name="patient" type="search" required value={text} onChange={(e) => setText(e.target.value)} />
        <div className="actions"><button type="submit" className="primary">{t('radiology.search')}</button></div>
      </form>
      {patients ? (
        <ul className="patients" data-testid="patients">
          {patients.map((p) => (
            <li key={p.id}>
              <a href={`/emr/imaging?patient=${q(p.id)}`} data-patient={p.id} onClick={(e) => { e.preventDefault(); history.pushState(null, '', `/emr/imaging?patient=${q(p.id)}`); setChosen(p.id); }}>
                {patientName(p)} {p.birthDate ?? ''}
              </a>
            </li>
          ))}
          {patients.length === 0 ? <li>{t('emr.noPatients')}</li> : null}
        </ul>
      ) : null}
      <ErrorNote error={error} />
      {chosen && rows ? (
        rows.length === 0 ? <p data-testid="no-reports">{t('emr.noReports')}</p> : (
          <ul className="imaging-reports" data-testid="imaging-reports">
            {rows.map(({ report, study, uid }) => {
              const texts = reportTexts(report);
              return (
                <li key={report.id} className="panel" data-report={report.id} data-status={report.status} data-study={uid}>
                  <h3>{study?.description ?? t('emr.study')} {study?.started ? `· ${new Date(study.started).toLocaleDateString()}` : ''}</h3>
                  <p className="note">{t('emr.reportStatus', { status: report.status })}{report.issued ? ` · ${new Date(report.issued).toLocaleString()}` : ''}</p>
                  <h4>{t('report.findings')}</h4>
                  <p className="pre">{texts.findings || '—'}</p>
                  <h4>{t('report.impression')}</h4>
                  <p className="pre" data-testid="impression">{texts.impression || '—'}</p>
                  {uid ? (
                    <a href={`/emr/imaging/studies/${q(uid)}`} className="button" onClick={(e) => { e.preventDefault(); navigate(`/emr/imaging/studies/${q(uid)}${location.search}`); }}>
                      {t('emr.openImages')}
                    </a>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )
      ) : null}
    </section>
  );
}
