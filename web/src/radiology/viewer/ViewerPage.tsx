// The viewer page (lazily loaded with cornerstone and its codecs): series thumbnails, the viewport
// and, beside the images, the report panel (read-only for the ordering doctor).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useI18n } from '../../shared/i18n/index.tsx';
import { ErrorNote } from '../../shared/errors.tsx';
import { initCornerstone } from './cornerstone.ts';
import { loadStudy, type StudyView } from './study.ts';
import { measurementsOf, type DrawnMeasurement } from './tools.ts';
import { Thumbnail } from './Thumbnail.tsx';
import { Viewport } from './Viewport.tsx';
import { ReportPanel } from './ReportPanel.tsx';

export default function ViewerPage({ studyUid, readOnly = false, backHref, navigate }: {
  studyUid: string; readOnly?: boolean; backHref: string; navigate(path: string): void;
}) {
  const { t } = useI18n();
  initCornerstone();
  const [study, setStudy] = useState<StudyView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState(0);
  const [drawn, setDrawn] = useState<DrawnMeasurement[]>([]);

  useEffect(() => {
    let live = true;
    setStudy(null);
    setError(null);
    loadStudy(studyUid).then((s) => { if (live) { setStudy(s); setActive(0); } }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, [studyUid]);

  const stack = study?.series[active];
  const allImageIds = useMemo(() => study?.series.flatMap((s) => s.imageIds) ?? [], [study]);
  const refreshDrawn = useCallback(() => {
    if (!study) return;
    setDrawn(measurementsOf(allImageIds, (id) => study.series.find((s) => s.images.has(id))?.images.get(id)));
  }, [study, allImageIds]);

  return (
    <div className="viewer" data-testid="viewer">
      <div className="viewer-head">
        <a href={backHref} className="link" onClick={(e) => { e.preventDefault(); navigate(backHref); }}>{t('viewer.back')}</a>
        {study ? <span className="viewer-title">{study.studyDescription ?? study.studyUid}</span> : null}
      </div>
      <ErrorNote error={error} />
      {!study && !error ? <p role="status">{t('viewer.loadingStudy')}</p> : null}
      {study && study.series.length === 0 ? <p className="panel" role="alert" data-testid="no-images">{t('viewer.noImages')}</p> : null}
      {study && stack ? (
        <div className="viewer-body">
          <nav className="thumbnails" aria-label={t('viewer.series')}>
            {study.series.map((s, i) => <Thumbnail key={s.seriesUid} stack={s} active={i === active} onSelect={() => setActive(i)} />)}
          </nav>
          <Viewport study={study} stack={stack} onMeasurementsChanged={refreshDrawn} />
          <ReportPanel studyUid={studyUid} readOnly={readOnly} drawn={drawn} />
        </div>
      ) : null}
    </div>
  );
}
