// The clinical workflow pages (issue 7), one lazy chunk: /emr/clinic (the doctor's day),
// /emr/visits/{id} (the outpatient visit), /emr/wards (the live bed board), /emr/inpatients/{id}
// (nursing and discharge) and /admin/dashboard (operations). Each behind the staff sign-in with
// the roles that work there.
import type { StaffRole } from '../../staff/StaffGate.tsx';
import { StaffGate } from '../../staff/StaffGate.tsx';
import { useM } from './common.tsx';
import { ClinicPage } from './ClinicPage.tsx';
import { VisitPage } from './VisitPage.tsx';
import { BedBoardPage } from './BedBoard.tsx';
import { InpatientPage } from './InpatientPage.tsx';
import { DashboardPage } from './DashboardPage.tsx';
import './workflow.css';

/** Paths this page answers. */
export const workflowPath = /^\/(?:emr\/(?:clinic|visits\/[^/]+|wards|inpatients\/[^/]+)|admin\/dashboard)\/?$/;

export default function WorkflowPage({ path, navigate }: { path: string; navigate(path: string): void }) {
  const { m } = useM();
  const visit = /^\/emr\/visits\/([^/]+)\/?$/.exec(path)?.[1];
  const stay = /^\/emr\/inpatients\/([^/]+)\/?$/.exec(path)?.[1];
  let role: StaffRole | StaffRole[];
  let heading: string;
  let body;
  if (visit) {
    role = 'doctor'; heading = m('visitHeading');
    body = <VisitPage key={visit} id={decodeURIComponent(visit)} navigate={navigate} />;
  } else if (stay) {
    role = ['nurse', 'doctor']; heading = m('inpatientHeading');
    body = <InpatientPage key={stay} id={decodeURIComponent(stay)} navigate={navigate} />;
  } else if (path.startsWith('/emr/wards')) {
    role = ['nurse', 'doctor']; heading = m('wardsHeading');
    body = <BedBoardPage navigate={navigate} />;
  } else if (path.startsWith('/admin/dashboard')) {
    role = 'admin'; heading = m('dashboardHeading');
    body = <DashboardPage />;
  } else {
    role = 'doctor'; heading = m('clinicPageHeading');
    body = <ClinicPage navigate={navigate} />;
  }
  return (
    <StaffGate role={role} heading={heading}>
      <div className="wf">{body}</div>
    </StaffGate>
  );
}
