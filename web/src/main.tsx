// The web app's shell: language switch, and a router that knows /book, the staff pages /admin/booking,
// /admin/exchange and /desk (each loaded lazily, so the public page never downloads them); / goes to /book and
// /admin to /admin/booking; /radiology (worklist, viewer, upload) and /emr (the EMR: patient search,
// chart, imaging, and the clinic / ward / dashboard pages — /admin/dashboard included — routed by
// emr/EmrPage.tsx). The viewer and its codecs are a chunk of their own, loaded when a study opens.
import { StrictMode, Suspense, lazy, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider, languages, translate, useI18n } from './shared/i18n/index.tsx';
import { navigate } from './shared/navigate.ts';
import './styles.css';

const BookPage = lazy(() => import('./book/BookPage.tsx'));
const AdminBookingPage = lazy(() => import('./admin/AdminBookingPage.tsx'));
const AdminExchangePage = lazy(() => import('./admin/AdminExchangePage.tsx'));
const DeskPage = lazy(() => import('./desk/DeskPage.tsx'));
const RadiologyPage = lazy(() => import('./radiology/RadiologyPage.tsx'));
const EmrPage = lazy(() => import('./emr/EmrPage.tsx'));

const within = (path: string, area: string) => path === area || path.startsWith(`${area}/`);

/** The current path; navigate() changes it without a reload. */
function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    addEventListener('open-his:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('open-his:navigate', update);
    };
  }, []);
  return path;
}

export { navigate };

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang" role="group" aria-label={t('app.language')}>
      {languages.map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={l === lang} onClick={() => setLang(l)}>
          {translate(l, 'app.languageName')}
        </button>
      ))}
    </div>
  );
}

function Shell() {
  const { t } = useI18n();
  const path = usePath();
  useEffect(() => {
    if (path === '/' || path === '') navigate('/book', true);
    else if (path === '/admin' || path === '/admin/') navigate('/admin/booking', true);
  }, [path]);
  return (
    <>
      <a className="skip" href="#main">{t('app.skipToContent')}</a>
      <header className="top">
        <span className="brand">{t('app.brand')}</span>
        <LanguageSwitch />
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">{t('app.loading')}</p>}>
          {within(path, '/book') ? <BookPage path={path} navigate={navigate} /> : null}
          {within(path, '/admin/booking') ? <AdminBookingPage /> : null}
          {within(path, '/admin/exchange') ? <AdminExchangePage /> : null}
          {within(path, '/desk') ? <DeskPage /> : null}
          {within(path, '/radiology') ? <RadiologyPage path={path} navigate={navigate} /> : null}
          {within(path, '/emr') || within(path, '/admin/dashboard') ? <EmrPage path={path} navigate={navigate} /> : null}
        </Suspense>
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <Shell />
    </I18nProvider>
  </StrictMode>,
);
