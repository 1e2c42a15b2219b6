// The hospital's booking limits for one patient (实名制预约 rules of Chinese booking platforms).
// Checked inside the booking transaction after taking a per-patient advisory lock, so two
// simultaneous bookings by one patient are counted one after the other, never both against the
// same earlier count.
import type { Queryable, Resource } from '../../fhir/index.ts';
import type { Calendar } from './calendar.ts';
import { bookingError } from './errors.ts';
import type { BookingSettings } from './settings.ts';
import { OCCUPYING_STATUSES } from './slot-resource.ts';
import { lockName } from './advisory-lock.ts';
import {
  HK_MACAO_TRAVEL_PERMIT_SYSTEM, RESIDENT_ID_SYSTEM, TAIWAN_TRAVEL_PERMIT_SYSTEM, passportSystem,
} from '../seed/systems.ts';

export async function lockPatient(tx: Queryable, patientId: string): Promise<void> {
  await lockName(tx, `booking-patient:${patientId}`);
}

const passportPrefix = passportSystem('XXX').replace(/XXX$/, '');

/** Real-name booking: the Patient carries a checked identity document (resident ID, passport, permits). */
export function hasIdentityDocument(patient: Resource): boolean {
  const identifiers = (patient as { identifier?: { system?: string; value?: string }[] }).identifier ?? [];
  return identifiers.some((i) => i.value && i.system && (i.system === RESIDENT_ID_SYSTEM || i.system === HK_MACAO_TRAVEL_PERMIT_SYSTEM
    || i.system === TAIWAN_TRAVEL_PERMIT_SYSTEM || i.system.startsWith(passportPrefix)));
}

export interface LimitCheck {
  patientId: string;
  serviceId: string | null;
  /** Local date of the visit. */
  day: string;
  /** The appointment being booked or moved does not count against itself. */
  excludeAppointment?: string;
  /** A move: the booking was counted towards the 7-day limit when it was made. */
  moving?: boolean;
}

export async function checkLimits(tx: Queryable, calendar: Calendar, settings: BookingSettings, check: LimitCheck, now = new Date()): Promise<void> {
  await checkBan(tx, settings, check.patientId, now);
  const [dayStart, dayEnd] = calendar.dayBounds(check.day);
  const counts = (await tx.query<{ same_department: number; same_day: number; week: number }>(
    `SELECT count(*) FILTER (WHERE s.start_at >= $2 AND s.start_at < $3 AND s.service_id IS NOT DISTINCT FROM $4)::integer AS same_department,
            count(*) FILTER (WHERE s.start_at >= $2 AND s.start_at < $3)::integer AS same_day,
            count(*) FILTER (WHERE c.claimed_at > $5::timestamptz - interval '7 days')::integer AS week
       FROM booking_claim c JOIN booking_slot s ON s.slot_id = c.slot_id
      WHERE c.patient_id = $1 AND c.appointment_id IS NOT NULL AND c.status = ANY($6::text[])
        AND c.appointment_id IS DISTINCT FROM $7`,
    [check.patientId, dayStart.toISOString(), dayEnd.toISOString(), check.serviceId, now.toISOString(), [...OCCUPYING_STATUSES], check.excludeAppointment ?? null])).rows[0]!;
  if (counts.same_department >= settings.perDepartmentPerDay) {
    throw bookingError('department-daily-limit', `A patient may book ${settings.perDepartmentPerDay} appointment(s) per department per day; this patient already has ${counts.same_department} on ${check.day}`);
  }
  if (counts.same_day >= settings.perDay) {
    throw bookingError('daily-limit', `A patient may book ${settings.perDay} appointments per visit day; this patient already has ${counts.same_day} on ${check.day}`);
  }
  if (!check.moving && counts.week >= settings.perWeek) {
    throw bookingError('weekly-limit', `A patient may book ${settings.perWeek} appointments within 7 days; this patient has booked ${counts.week}`);
  }
}

/** Escalating bans after no-shows: the highest step reached applies, counted from the latest no-show. */
export async function checkBan(tx: Queryable, settings: BookingSettings, patientId: string, now = new Date()): Promise<void> {
  if (settings.banSteps.length === 0) return;
  const row = (await tx.query<{ n: number; latest: Date | string | null }>(
    `SELECT count(*)::integer AS n, max(s.start_at) AS latest FROM booking_claim c JOIN booking_slot s ON s.slot_id = c.slot_id
      WHERE c.patient_id = $1 AND c.status = 'noshow' AND s.start_at > $2::timestamptz - ($3::integer * interval '1 day')`,
    [patientId, now.toISOString(), settings.noShowWindowDays])).rows[0]!;
  const step = [...settings.banSteps].sort((a, b) => b.noShows - a.noShows).find((s) => row.n >= s.noShows);
  if (!step || !row.latest) return;
  const until = new Date(new Date(row.latest).getTime() + step.banDays * 86_400_000);
  if (until.getTime() > now.getTime()) {
    throw bookingError('booking-banned', `Online booking is suspended until ${until.toISOString().slice(0, 10)} after ${row.n} missed appointments within ${settings.noShowWindowDays} days`);
  }
}
