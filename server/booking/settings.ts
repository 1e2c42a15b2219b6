// The hospital's booking rules, with the defaults of Chinese booking platforms (实名制预约: one
// booking per patient per department per day, at most 2 per visit day and 3 within 7 days;
// no-shows lead to booking bans). Stored as one validated JSON row, edited by administrators.
import Joi from 'joi';
import type { Queryable } from '../../fhir/index.ts';
import { isTime } from './calendar.ts';

export interface BanStep {
  /** No-shows within `noShowWindowDays` that trigger this ban… */
  noShows: number;
  /** …and its length in days from the latest no-show. */
  banDays: number;
}

export interface DepartmentBooking {
  /** How many days ahead this department's slots can be booked (e.g. 14). */
  windowDays?: number;
  /** Local time (HH:MM) at which the next day is released (放号), e.g. 15:00. */
  releaseTime?: string;
}

export interface BookingSettings {
  windowDays: number;
  /** The earliest day bookable online, in days from today (1: from tomorrow; same-day is at the desk). */
  minDaysAhead: number;
  releaseTime: string;
  /** Per HealthcareService id. */
  departments: Record<string, DepartmentBooking>;
  holdMinutes: number;
  /** A patient may cancel online up to this many hours before the appointment. */
  cancelDeadlineHours: number;
  /** Only patients with a verified identity document may book (实名制). */
  realName: boolean;
  perDepartmentPerDay: number;
  perDay: number;
  perWeek: number;
  noShowWindowDays: number;
  /** Escalating bans; the step with the most no-shows reached applies. */
  banSteps: BanStep[];
  /** Minutes after a session's last slot ends before a booked appointment not checked in becomes a no-show. */
  noShowGraceMinutes: number;
  /** Rate limits on $hold/$book per account, per patient (ID) and per client address. */
  rateLimit: { perMinute: number; perAddressPerMinute: number };
}

export const defaultSettings: Readonly<BookingSettings> = Object.freeze({
  windowDays: 14,
  minDaysAhead: 1,
  releaseTime: '15:00',
  departments: {},
  holdMinutes: 5,
  cancelDeadlineHours: 2,
  realName: true,
  perDepartmentPerDay: 1,
  perDay: 2,
  perWeek: 3,
  noShowWindowDays: 90,
  banSteps: [{ noShows: 3, banDays: 30 }, { noShows: 5, banDays: 90 }, { noShows: 8, banDays: 180 }],
  noShowGraceMinutes: 30,
  rateLimit: { perMinute: 30, perAddressPerMinute: 600 },
});

const time = Joi.string().custom((v: string, helpers) => (isTime(v) ? v : helpers.error('any.invalid'))).messages({ 'any.invalid': '{{#label}} must be a time HH:MM' });

const schema = Joi.object<BookingSettings>({
  windowDays: Joi.number().integer().min(1).max(90),
  minDaysAhead: Joi.number().integer().min(0).max(30),
  releaseTime: time,
  departments: Joi.object().pattern(/^[A-Za-z0-9\-.]{1,64}$/, Joi.object({
    windowDays: Joi.number().integer().min(1).max(90),
    releaseTime: time,
  })),
  holdMinutes: Joi.number().integer().min(1).max(60),
  cancelDeadlineHours: Joi.number().min(0).max(72),
  realName: Joi.boolean(),
  perDepartmentPerDay: Joi.number().integer().min(1).max(20),
  perDay: Joi.number().integer().min(1).max(20),
  perWeek: Joi.number().integer().min(1).max(50),
  noShowWindowDays: Joi.number().integer().min(1).max(365),
  banSteps: Joi.array().items(Joi.object({ noShows: Joi.number().integer().min(1).max(100).required(), banDays: Joi.number().integer().min(1).max(3650).required() })).max(10),
  noShowGraceMinutes: Joi.number().integer().min(0).max(24 * 60),
  rateLimit: Joi.object({ perMinute: Joi.number().integer().min(1).max(100_000).required(), perAddressPerMinute: Joi.number().integer().min(1).max(1_000_000).required() }),
}).options({ abortEarly: true, convert: false });

/** Merges `input` over `base`; throws a message naming the first bad field. */
export function validateSettings(input: unknown, base: BookingSettings = defaultSettings): BookingSettings {
  const { error, value } = schema.validate(input);
  if (error) throw new SettingsError(error.details[0]?.message ?? error.message, error.details[0]?.path.join('.') ?? '');
  return { ...base, ...value };
}

export class SettingsError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export async function loadSettings(db: Queryable): Promise<BookingSettings> {
  const row = (await db.query<{ settings: unknown }>('SELECT settings FROM booking_settings WHERE id = 1')).rows[0];
  if (!row) return { ...defaultSettings };
  return validateSettings(typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings);
}

export async function saveSettings(db: Queryable, settings: BookingSettings): Promise<void> {
  await db.query(`INSERT INTO booking_settings (id, settings, updated_at) VALUES (1, $1::text::jsonb, now())
    ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = now()`, [JSON.stringify(settings)]);
}

/** The booking window of a department: its own settings over the hospital's. */
export function departmentWindow(settings: BookingSettings, serviceId: string | null): { windowDays: number; releaseTime: string } {
  const own = serviceId ? settings.departments[serviceId] : undefined;
  return { windowDays: own?.windowDays ?? settings.windowDays, releaseTime: own?.releaseTime ?? settings.releaseTime };
}
