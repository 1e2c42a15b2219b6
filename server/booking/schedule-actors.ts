// The department (HealthcareService) and doctor (PractitionerRole) a Schedule belongs to: its actors
// (http://hl7.org/fhir/R4/schedule.html, Schedule.actor).
import { FhirError, type Repository, type Resource } from '../../fhir/index.ts';

export interface ScheduleActors { service: string | null; role: string | null }

export function actorsOf(schedule: Resource): ScheduleActors {
  const actors = (schedule as { actor?: { reference?: string }[] }).actor ?? [];
  const find = (type: string) => actors.map((a) => new RegExp(`^(?:.*/)?${type}/([^/]+)$`).exec(a.reference ?? '')?.[1]).find(Boolean) ?? null;
  return { service: find('HealthcareService'), role: find('PractitionerRole') };
}

export async function scheduleActors(repo: Repository, scheduleId: string): Promise<ScheduleActors> {
  try {
    return actorsOf(JSON.parse((await repo.read('Schedule', scheduleId)).json!) as Resource);
  } catch (err) {
    if (err instanceof FhirError && (err.code === 'not-found' || err.code === 'deleted')) {
      throw new FhirError('invalid-resource', `Slot.schedule refers to Schedule/${scheduleId}, which does not exist`, { expression: ['Slot.schedule'] });
    }
    throw err;
  }
}
