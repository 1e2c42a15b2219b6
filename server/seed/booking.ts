// Demo booking data (SEED_DEMO): every outpatient doctor's weekly template, the slots it gives for
// the booking window, and a few appointments already booked by demo patients — through the same
// booking path as any booking, so places and queue numbers are real.
import type { BookingService } from '../booking/service.ts';
import { book } from '../booking/book.ts';
import { createPrng } from './prng.ts';
import { PATIENT_PLANS, patientId } from './patients.ts';
import { demoChildIndex, demoPatientIndex } from './accounts.ts';
import { clinicDoctors, demoTemplate, scheduleId } from './schedules.ts';
import { staffRoster } from './staff.ts';

export async function seedDemoBooking(booking: BookingService): Promise<{ templates: number; booked: number }> {
  const db = booking.ctx.db;
  const existing = (await db.query('SELECT 1 FROM booking_template LIMIT 1')).rows;
  if (existing.length > 0) return { templates: 0, booked: 0 };
  const doctors = clinicDoctors(staffRoster());
  for (const member of doctors) await booking.setTemplate(scheduleId(member), demoTemplate(member));
  // About one place in six of the coming week is taken, by the first demo patients.
  const prng = createPrng('bookings');
  const slots = (await db.query<{ slot_id: string }>(
    `SELECT slot_id FROM booking_slot WHERE start_at > now() AND start_at < now() + interval '7 days' AND status = 'free' ORDER BY slot_id`)).rows;
  // The demo portal patient and the family they look after start with no bookings of their own.
  const patients = PATIENT_PLANS.map((_, i) => patientId(i)).filter((_, i) => i !== demoPatientIndex && i !== demoChildIndex);
  let booked = 0;
  for (const { slot_id } of slots) {
    if (!prng.chance(0.17)) continue;
    const patient = patients[booked % patients.length]!;
    try {
      await book(booking.ctx, { kind: 'staff' }, slot_id, patient);
      booked++;
    } catch {
      // A demo patient already booked at that time of another department: skip the slot.
    }
  }
  return { templates: doctors.length, booked };
}
