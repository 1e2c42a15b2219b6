// Calendar days and wall-clock times in the hospital's time zone. Booking thinks in local days
// ("the 3rd, morning"), the database in instants; FHIR dateTimes carry the zone's offset
// (http://hl7.org/fhir/R4/datatypes.html#dateTime).

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Whether `value` is a real calendar date written YYYY-MM-DD. */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export function isTime(value: unknown): value is string {
  return typeof value === 'string' && TIME.test(value);
}

/** Minutes after midnight of HH:MM. */
export function minutesOf(time: string): number {
  const m = TIME.exec(time);
  if (!m) throw new RangeError(`not a time: ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function addDays(date: string, days: number): string {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
}

export class Calendar {
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
  }

  /** Intl is slow and availability formats the same slot times over and over: remembered per instant. */
  readonly #seen = new Map<number, { year: number; month: number; day: number; hour: number; minute: number; second: number }>();

  #parts(instant: Date) {
    const key = instant.getTime();
    const hit = this.#seen.get(key);
    if (hit) return hit;
    const v: Record<string, number> = {};
    for (const p of this.#format.formatToParts(instant)) if (p.type !== 'literal') v[p.type] = Number(p.value);
    if (this.#seen.size >= 20_000) this.#seen.clear();
    const parts = v as { year: number; month: number; day: number; hour: number; minute: number; second: number };
    this.#seen.set(key, parts);
    return parts;
  }

  #offsetMinutes(instant: Date): number {
    const p = this.#parts(instant);
    return Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
  }

  /** The local calendar date of an instant. */
  dateOf(instant: Date): string {
    const p = this.#parts(instant);
    return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  }

  /** Local HH:MM of an instant. */
  timeOf(instant: Date): string {
    const p = this.#parts(instant);
    return `${pad(p.hour)}:${pad(p.minute)}`;
  }

  /** The instant of local `time` (HH:MM) on `date`. */
  instant(date: string, time: string): Date {
    const m = DATE.exec(date);
    if (!m) throw new RangeError(`not a date: ${date}`);
    const minutes = minutesOf(time);
    const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Math.floor(minutes / 60), minutes % 60);
    // Two passes settle the offset next to a daylight-saving change.
    let guess = wall - this.#offsetMinutes(new Date(wall)) * 60000;
    guess = wall - this.#offsetMinutes(new Date(guess)) * 60000;
    return new Date(guess);
  }

  /** A FHIR dateTime with the zone's offset, e.g. 2026-12-03T08:00:00+08:00. */
  format(instant: Date): string {
    const p = this.#parts(instant);
    const offset = this.#offsetMinutes(instant);
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  /** Local midnight at the start of `date`, and of the day after: the instants a day spans. */
  dayBounds(date: string): [Date, Date] {
    return [this.instant(date, '00:00'), this.instant(addDays(date, 1), '00:00')];
  }
}
