// The radiology area (radiologists; the upload page also admins): /radiology is the worklist,
// /radiology/studies/{StudyInstanceUID} the viewer with the report, /radiology/upload the upload.
// The viewer and its codecs load only when a study is opened.
import { Suspense, lazy, useEffect } from 'react';
import { useI18n } from '../shared/i18n/index.tsx';
import { StaffGate } from '../staff/StaffGate.tsx';
import { Worklist } from './Worklist.tsx';
import { Upload } from './Upload.tsx';
import './radiology.css';

const loadViewer = () => import('./viewer/ViewerPage.tsx');
const ViewerPage = lazy(loadViewer);

export default function RadiologyPage({ path, navigate }: { path: string; navigate(path: string, replace?: boolean): void }) {
  const { t } = useI18n();
  const study = /^\/radiology\/studies\/([^/]+)\/?$/.exec(path)?.[1];
  const upload = /^\/radiology\/upload\/?$/.test(path);
  // A radiologist on the worklist opens a study next: fetch the viewer chunk while the page is idle.
  useEffect(() => {
    const id = requestIdleCallback(() => { void loadViewer(); }, { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }, []);
  const nav = (
    <nav className="area-nav" aria-label={t('radiology.heading')}>
      <a href="/radiology" aria-current={!study && !upload ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate('/radiology'); }}>{t('radiology.worklist')}</a>
      <a href="/radiology/upload" aria-current={upload ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate('/radiology/upload'); }}>{t('upload.heading')}</a>
    </nav>
  );
  if (upload) {
    return (
      <StaffGate role={['radiologist', 'admin']} heading={t('radiology.heading')}>
        {nav}
        <Upload />
      </StaffGate>
    );
  }
  return (
    <StaffGate role="radiologist" heading={t('radiology.heading')}>
      {nav}
      {study ? (
        <Suspense fallback={<p role="status">{t('viewer.loadingViewer')}</p>}>
          <ViewerPage studyUid={decodeURIComponent(study)} backHref="/radiology" navigate={navigate} />
        </Suspense>
      ) : <Worklist navigate={navigate} />}
    </StaffGate>
  );
}
