// The medication administration record (MAR) of an encounter for one hospital day: the scheduled
// doses of its active MedicationRequests (mar-schedule.ts), each matched to the
// MedicationAdministration recorded for it — by the request it fulfils and the scheduled-time
// extension naming the dose — and the state the nurse sees: given, held, refused, or, with nothing
// recorded, due (within an hour of now), overdue (more than an hour past) or upcoming.
// As-needed orders have no schedule: they are listed with the doses given that day.
import { type Repository, type TouchedResource } from '../../fhir/index.ts';
import type { Calendar } from '../booking/calendar.ts';
import { OPEN_HIS_BASE } from '../seed/systems.ts';
import { dosesOn } from './mar-schedule.ts';

interface Json { [key: string]: any }

export const SCHEDULED_TIME_EXTENSION = `${OPEN_HIS_BASE}/StructureDefinition/scheduled-time`;
export const MAR_NOT_GIVEN_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/mar-not-given`;

export type DoseState = 'given' | 'held' | 'refused' | 'due' | 'overdue' | 'upcoming';

export interface MarDose {
  scheduled: string;
  state: DoseState;
  administration?: { id: string; status: string; at: string; by: string; reason?: string };
}

export interface MarRow {
  request: { id: string; medication: string; dose: string; route: string; frequency: string; asNeeded: boolean };
  doses: MarDose[];
}

export interface Mar { date: string; rows: MarRow[] }

/** A dose counts as due from an hour before its time until an hour after; later it is overdue. */
const DUE_WINDOW_MS = 60 * 60_000;
const pageSize = 500;

const text = (concept: Json | undefined): string =>
  concept?.text ?? (concept?.coding as Json[] | undefined)?.find((c) => c.display)?.display ?? (concept?.coding as Json[] | undefined)?.[0]?.code ?? '';

/** The GTS abbreviation a ward writes for a Timing.repeat (Q8H, BID, HS …), else frequency/period+unit. */
function abbreviation(repeat: Json): string {
  const frequency = Number(repeat.frequency ?? 1);
  const period = Number(repeat.period ?? 1);
  if ((repeat.when as string[] | undefined)?.length === 1 && repeat.when[0] === 'HS') return 'HS';
  if (repeat.periodUnit === 'h' && frequency === 1) return `Q${period}H`;
  if (repeat.periodUnit === 'd' && period === 1 && frequency >= 1 && frequency <= 4) return ['QD', 'BID', 'TID', 'QID'][frequency - 1]!;
  return `${frequency}/${period}${repeat.periodUnit ?? 'd'}`;
}

function describeRequest(request: Json): MarRow['request'] {
  const dosage = ((request.dosageInstruction ?? []) as Json[])[0] ?? {};
  const dose = ((dosage.doseAndRate ?? []) as Json[])[0]?.doseQuantity as Json | undefined;
  const repeat = dosage.timing?.repeat as Json | undefined;
  const asNeeded = dosage.asNeededBoolean === true || dosage.asNeededCodeableConcept !== undefined;
  const frequency = (dosage.timing?.code?.coding as Json[] | undefined)?.[0]?.code ?? dosage.timing?.code?.text
    ?? (asNeeded ? 'PRN' : repeat ? abbreviation(repeat) : '');
  return {
    id: request.id,
    medication: request.medicationCodeableConcept ? text(request.medicationCodeableConcept) : request.medicationReference?.display ?? '',
    dose: dose ? `${dose.value} ${dose.unit ?? dose.code ?? ''}`.trim() : dosage.text ?? '',
    route: text(dosage.route),
    frequency,
    asNeeded,
  };
}

/** Given, held or refused, from the administration's status and (not done) its reason; undefined: not a record of the dose. */
function recordedState(administration: Json): DoseState | undefined {
  switch (administration.status) {
    case 'completed': case 'in-progress': case 'stopped':
      return 'given';
    case 'not-done': case 'on-hold': {
      const reasons = (administration.statusReason ?? []) as Json[];
      const coded = reasons.flatMap((r) => (r.coding ?? []) as Json[]).find((c) => c.system === MAR_NOT_GIVEN_SYSTEM)?.code;
      const said = coded ?? reasons.map((r) => r.text).find((t) => t === 'held' || t === 'refused');
      return said === 'refused' ? 'refused' : 'held';
    }
    default:
      return undefined; // entered-in-error, unknown
  }
}

function administrationOf(administration: Json): NonNullable<MarDose['administration']> {
  const actor = ((administration.performer ?? []) as Json[])[0]?.actor as Json | undefined;
  const reason = ((administration.statusReason ?? []) as Json[]).map((r) => text(r)).find((t) => t !== '');
  return {
    id: administration.id, status: administration.status,
    at: administration.effectiveDateTime ?? administration.effectivePeriod?.start ?? '',
    by: actor?.display ?? actor?.reference ?? '',
    ...(reason ? { reason } : {}),
  };
}

const scheduledAt = (administration: Json): number | undefined => {
  const value = ((administration.extension ?? []) as Json[]).find((e) => e.url === SCHEDULED_TIME_EXTENSION)?.valueDateTime;
  return typeof value === 'string' ? Date.parse(value) : undefined;
};
const effectiveAt = (administration: Json): number => Date.parse(administrationOf(administration).at);

function openState(scheduled: number, now: number): DoseState {
  if (now > scheduled + DUE_WINDOW_MS) return 'overdue';
  return now >= scheduled - DUE_WINDOW_MS ? 'due' : 'upcoming';
}

/** The MAR of `encounterId` on `date` as it stands at `now`, and the resources it read (for the audit record). */
export async function medicationAdministrationRecord(repo: Repository, calendar: Calendar, encounterId: string, date: string, now: Date): Promise<{ mar: Mar; read: TouchedResource[] }> {
  const encounter = await repo.read('Encounter', encounterId);
  const [dayStart, dayEnd] = calendar.dayBounds(date);
  const requests = (await repo.search('MedicationRequest', new URLSearchParams({
    encounter: `Encounter/${encounterId}`, status: 'active', _sort: 'authoredon', _count: String(pageSize),
  }))).versions.map((v) => JSON.parse(v.json!) as Json);
  // A dose may be charted a while after its time (the night's last dose after midnight): a day either side.
  const found = await repo.search('MedicationAdministration', new URLSearchParams([
    ['context', `Encounter/${encounterId}`], ['_count', String(pageSize)],
    ['effective-time', `ge${new Date(dayStart.getTime() - 86_400_000).toISOString()}`],
    ['effective-time', `lt${new Date(dayEnd.getTime() + 86_400_000).toISOString()}`],
  ]));
  const administrations = found.versions.map((v) => JSON.parse(v.json!) as Json).filter((a) => recordedState(a) !== undefined);
  const byRequest = new Map<string, Json[]>();
  for (const a of administrations) {
    const ref = a.request?.reference as string | undefined;
    if (ref) byRequest.set(ref, [...(byRequest.get(ref) ?? []), a]);
  }
  const rows: MarRow[] = requests.map((request) => {
    const described = describeRequest(request);
    // Latest first, so that a correction recorded later wins.
    const recorded = (byRequest.get(`MedicationRequest/${request.id}`) ?? []).sort((a, b) => effectiveAt(b) - effectiveAt(a));
    if (described.asNeeded) {
      const doses = recorded.filter((a) => effectiveAt(a) >= dayStart.getTime() && effectiveAt(a) < dayEnd.getTime())
        .sort((a, b) => effectiveAt(a) - effectiveAt(b))
        .map((a): MarDose => ({ scheduled: calendar.format(new Date(effectiveAt(a))), state: recordedState(a)!, administration: administrationOf(a) }));
      return { request: described, doses };
    }
    const doses = dosesOn(request, date, calendar).map((instant): MarDose => {
      const match = recorded.find((a) => scheduledAt(a) === instant.getTime());
      const scheduled = calendar.format(instant);
      return match
        ? { scheduled, state: recordedState(match)!, administration: administrationOf(match) }
        : { scheduled, state: openState(instant.getTime(), now.getTime()) };
    });
    return { request: described, doses };
  });
  const read: TouchedResource[] = [
    { resourceType: 'Encounter', id: encounterId, json: encounter.json },
    ...requests.map((r) => ({ resourceType: 'MedicationRequest', id: r.id as string, json: JSON.stringify(r) })),
    ...administrations.map((a) => ({ resourceType: 'MedicationAdministration', id: a.id as string, json: JSON.stringify(a) })),
  ];
  return { mar: { date, rows }, read };
}
