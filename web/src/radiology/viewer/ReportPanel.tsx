// The report beside the images: findings and impression, saved as preliminary or signed as final
// (DiagnosticReport + Provenance on the server); a final report is read-only until the radiologist
// amends it. Below it, the measurements drawn on the images (saved with the study on request) and
// those already saved.
import { useCallback, useEffect, useId, useState } from 'react';
import { useI18n, type MessageKey, type Translate } from '../../shared/i18n/index.tsx';
import { ErrorNote } from '../../shared/errors.tsx';
import { ApiError } from '../../shared/http.ts';
import { radiology, reportTexts, type Measurement, type ReportAnswer, type ReportInput } from '../api.ts';
import { reportOfStudy } from '../../emr/imaging.ts';
import type { DrawnMeasurement } from './tools.ts';

/** A reader's view: the radiology route, or — where it is not open to the reader's role — the report through FHIR. */
async function readReport(studyUid: string): Promise<ReportAnswer> {
  try {
    return await radiology.report(studyUid);
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 403 && err.status !== 404)) throw err;
    return { report: await reportOfStudy(studyUid) };
  }
}

const statusKey: Record<string, MessageKey> = {
  preliminary: 'radiology.status.preliminary', partial: 'radiology.status.preliminary', registered: 'radiology.status.preliminary',
  final: 'radiology.status.final', amended: 'radiology.status.amended', corrected: 'radiology.status.amended',
};

const kindKey: Record<Measurement['kind'], MessageKey> = {
  length: 'viewer.toolLength', angle: 'viewer.toolAngle', ellipse: 'viewer.toolEllipse', rectangle: 'viewer.toolRectangle', probe: 'viewer.toolProbe',
};

export function measurementText(m: Measurement, t: Translate): string {
  const unit = m.unit === 'deg' ? '°' : m.unit ? ` ${m.unit}` : '';
  let text = `${t(kindKey[m.kind])} ${m.value}${unit}`;
  if (m.stats?.sd !== undefined) text += ` ± ${m.stats.sd}`;
  if (m.stats?.area !== undefined) text += ` (${t('viewer.area', { area: m.stats.area })})`;
  return text;
}

export function ReportPanel({ studyUid, readOnly, drawn }: { studyUid: string; readOnly: boolean; drawn: DrawnMeasurement[] }) {
  const { t } = useI18n();
  const ids = { findings: useId(), impression: useId(), reason: useId() };
  const [reason, setReason] = useState('');
  const [savedKeys, setSavedKeys] = useState<ReadonlySet<string>>(new Set());
  const [answer, setAnswer] = useState<ReportAnswer | null>(null);
  const [texts, setTexts] = useState<ReportInput>({ findings: '', impression: '' });
  const [amending, setAmending] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<Measurement[]>([]);

  const load = useCallback(async () => {
    const [report, measurements] = await Promise.all([
      readOnly ? readReport(studyUid) : radiology.report(studyUid),
      radiology.measurements(studyUid).catch((err: unknown) => { if (readOnly) return []; throw err; }),
    ]);
    setAnswer(report);
    setTexts(reportTexts(report.report));
    setSaved(measurements);
  }, [studyUid, readOnly]);
  useEffect(() => { load().catch(setError); }, [load]);

  const status = answer?.report?.status;
  const signed = status === 'final' || status === 'amended' || status === 'corrected';
  const editable = !readOnly && (!signed || amending);

  async function act(what: 'save' | 'sign') {
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      if (what === 'save') await radiology.saveReport(studyUid, texts);
      else if (signed) await radiology.amendReport(studyUid, { ...texts, reason });
      else await radiology.signReport(studyUid, texts);
      await load();
      setAmending(false);
      setReason('');
      setNotice(what === 'save' ? t('report.savedPreliminary') : t('report.signed'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const unsaved = drawn.filter((m) => !savedKeys.has(m.key));
  async function saveMeasurements() {
    setBusy(true);
    setError(null);
    try {
      for (const { key, ...m } of unsaved) {
        await radiology.saveMeasurement(studyUid, { ...m, label: measurementText(m, t) });
        setSavedKeys((keys) => new Set([...keys, key]));
      }
      setSaved(await radiology.measurements(studyUid));
      setNotice(t('report.measurementsSaved', { count: unsaved.length }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <aside className="report-panel" aria-labelledby="report-heading" data-testid="report-panel">
      <h2 id="report-heading">{t('report.heading')}</h2>
      <p data-testid="report-status" data-status={status ?? 'none'}>
        {t('report.statusLabel')}{status ? t(statusKey[status] ?? 'radiology.status.preliminary') : t('radiology.status.unread')}
      </p>
      {answer?.signature ? (
        <p className="note" data-testid="signature" data-verified={String(answer.signature.verified)}>
          {t(answer.signature.verified ? 'report.signedBy' : 'report.signatureUnverified', {
            name: answer.signature.signer, when: new Date(answer.signature.when).toLocaleString(),
          })}
        </p>
      ) : null}
      {!answer ? (error ? null : <p role="status">{t('report.loading')}</p>) : editable ? (
        <form className="form" name="report" onSubmit={(e) => { e.preventDefault(); void act('sign'); }}>
          <div className="field">
            <label htmlFor={ids.findings}>{t('report.findings')}</label>
            <textarea id={ids.findings} name="findings" rows={8} value={texts.findings} onChange={(e) => setTexts({ ...texts, findings: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={ids.impression}>{t('report.impression')}</label>
            <textarea id={ids.impression} name="impression" rows={4} required value={texts.impression} onChange={(e) => setTexts({ ...texts, impression: e.target.value })} />
          </div>
          {signed ? (
            <div className="field">
              <label htmlFor={ids.reason}>{t('report.amendReason')}</label>
              <input id={ids.reason} name="reason" required value={reason} onChange={(e) => setReason(e.target.value)} />
            </div>
          ) : null}
          <div className="actions">
            {!signed ? (
              <button type="button" name="save" disabled={busy} onClick={() => void act('save')}>{t('report.savePreliminary')}</button>
            ) : null}
            <button type="submit" name="sign" className="primary" disabled={busy || !texts.impression.trim() || (signed && !reason.trim())}>
              {signed ? t('report.signAmendment') : t('report.signFinal')}
            </button>
            {amending ? <button type="button" className="link" onClick={() => { setAmending(false); setTexts(reportTexts(answer?.report)); }}>{t('report.cancel')}</button> : null}
          </div>
        </form>
      ) : (
        <div className="report-text" data-testid="report-text">
          <h3>{t('report.findings')}</h3>
          <p className="pre">{texts.findings || '—'}</p>
          <h3>{t('report.impression')}</h3>
          <p className="pre">{texts.impression || '—'}</p>
          {signed && !readOnly ? <button type="button" name="amend" onClick={() => setAmending(true)}>{t('report.amend')}</button> : null}
        </div>
      )}
      {notice ? <p className="note ok" role="status">{notice}</p> : null}
      <ErrorNote error={error} />
      <h3>{t('report.measurements')}</h3>
      {unsaved.length > 0 && !readOnly ? (
        <>
          <ul className="measurements" data-testid="drawn-measurements">
            {unsaved.map((m) => <li key={m.key} data-kind={m.kind} data-value={m.value} data-unit={m.unit}>{measurementText(m, t)}</li>)}
          </ul>
          <button type="button" name="save-measurements" disabled={busy} onClick={() => void saveMeasurements()}>{t('report.saveMeasurements')}</button>
        </>
      ) : null}
      {saved.length > 0 ? (
        <ul className="measurements saved" data-testid="saved-measurements">
          {saved.map((m, i) => <li key={m.id ?? m.label ?? i} data-kind={m.kind} data-value={m.value} data-unit={m.unit}>{measurementText(m, t)}</li>)}
        </ul>
      ) : unsaved.length === 0 ? <p className="note">{t('report.noMeasurements')}</p> : null}
    </aside>
  );
}
