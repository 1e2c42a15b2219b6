// The /emr area's router and its top navigation (patients / clinic / wards / imaging):
// /emr the patient search and /emr/patients/{id}[/{tab}[/{note}]] the chart (doctors and nurses);
// /emr/imaging… the doctors' imaging page (ImagingPage.tsx); the clinic, visit, ward, inpatient and
// dashboard pages (/emr/clinic, /emr/visits/…, /emr/wards, /emr/inpatients/…, /admin/dashboard) are
// the workflow area (workflow/WorkflowPage.tsx). Each is a lazy chunk; the delegated pages have their
// own StaffGate.
import { Suspense, lazy } from 'react';
import { StaffGate } from '../staff/StaffGate.tsx';
import { ChartPage, TABS, type Tab } from './chart/ChartPage.tsx';
import { Link, useChart } from './chart/common.tsx';
import { PatientSearch } from './chart/PatientSearch.tsx';
import './chart/chart.css';

const ImagingPage = lazy(() => import('./ImagingPage.tsx'));
const WorkflowPage = lazy(() => import('./workflow/WorkflowPage.tsx'));

const within = (path: string, area: string) => path === area || path.startsWith(`${area}/`);
const WORKFLOW = ['/emr/clinic', '/emr/visits', '/emr/wards', '/emr/inpatients', '/admin/dashboard'];

function EmrNav({ path }: { path: string }) {
  const { m } = useChart();
  const items = [
    { href: '/emr', label: m('navPatients'), current: path === '/emr' || path === '/emr/' || within(path, '/emr/patients') },
    { href: '/emr/clinic', label: m('navClinic'), current: within(path, '/emr/clinic') || within(path, '/emr/visits') },
    { href: '/emr/wards', label: m('navWards'), current: within(path, '/emr/wards') || within(path, '/emr/inpatients') },
    { href: '/emr/imaging', label: m('navImaging'), current: within(path, '/emr/imaging') },
  ];
  return (
    <nav className="area-nav emr-nav" aria-label={m('heading')}>
      {items.map((i) => <Link key={i.href} href={i.href} aria-current={i.current ? 'page' : undefined}>{i.label}</Link>)}
    </nav>
  );
}

/** /emr/patients/{id}[/{tab}[/{rest}]] → its parts; null for other paths. */
function chartRoute(path: string): { patientId: string; tab: Tab; rest?: string } | null {
  const match = /^\/emr\/patients\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?\/?$/.exec(path);
  if (!match) return null;
  const tab = (TABS as readonly string[]).includes(match[2] ?? '') ? match[2] as Tab : 'summary';
  return { patientId: decodeURIComponent(match[1]!), tab, rest: match[3] ? decodeURIComponent(match[3]) : undefined };
}

export default function EmrPage({ path, navigate }: { path: string; navigate(path: string): void }) {
  const { m } = useChart();
  const chart = chartRoute(path);
  let body;
  if (within(path, '/emr/imaging')) body = <ImagingPage path={path} navigate={navigate} />;
  else if (WORKFLOW.some((area) => within(path, area))) body = <WorkflowPage path={path} navigate={navigate} />;
  else {
    body = (
      <StaffGate role={['doctor', 'nurse']} heading={m('heading')}>
        {chart ? <ChartPage key={chart.patientId} {...chart} /> : <PatientSearch />}
      </StaffGate>
    );
  }
  return (
    <div className="emr">
      {within(path, '/emr') ? <EmrNav path={path} /> : null}
      <Suspense fallback={<p role="status">{m('loading')}</p>}>{body}</Suspense>
    </div>
  );
}
