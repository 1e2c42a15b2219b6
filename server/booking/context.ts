// What booking actions share: the engine's repository, the hospital's calendar and rules.
import type { Queryable, Repository } from '../../fhir/index.ts';
import type { DirectoryNames } from './appointment.ts';
import type { Calendar } from './calendar.ts';
import type { BookingSettings } from './settings.ts';
import type { FullSlots } from './full.ts';

export interface BookingContext {
  repo: Repository;
  /** For reads outside a transaction (the quick "any place left?" check). */
  db: Queryable;
  calendar: Calendar;
  settings(): BookingSettings;
  names: DirectoryNames;
  /** After a commit that changed places without writing the Slot (holds): tell the live push. */
  changed(slotIds: string[]): void;
  /** Slots found full moments ago (full.ts): refused without a query while the rush lasts. */
  full: FullSlots;
}

/** Who is acting: a patient online (rules and the booking window apply) or staff at the desk (they do not). */
export type Actor = { kind: 'patient' } | { kind: 'staff' };
