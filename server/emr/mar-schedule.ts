// When the doses of a medication order fall on one hospital day, from its Dosage.timing
// (http://hl7.org/fhir/R4/datatypes.html#Timing). Wards give drugs at customary hours rather than
// at exact intervals from the first dose, so the schedule is the ward's: QD 08:00, BID 08:00/20:00,
// TID 08:00/12:00/18:00, QID 08:00/12:00/16:00/20:00, Q8H 00:00/08:00/16:00, HS 21:00.
// Precedence: explicit repeat.timeOfDay, then repeat.when (event timing), then timing.code (the v3
// GTS abbreviation), then repeat.frequency / period / periodUnit. As-needed orders have no schedule.
import { daysBetween, isDate, type Calendar } from '../booking/calendar.ts';

interface Json { [key: string]: any }

/** Customary administration hours by GTS abbreviation (http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation). */
export const CUSTOMARY_TIMES: Readonly<Record<string, readonly string[]>> = {
  QD: ['08:00'], BID: ['08:00', '20:00'], TID: ['08:00', '12:00', '18:00'], QID: ['08:00', '12:00', '16:00', '20:00'],
  AM: ['08:00'], PM: ['20:00'], Q4H: ['00:00', '04:00', '08:00', '12:00', '16:00', '20:00'], Q6H: ['00:00', '06:00', '12:00', '18:00'],
  Q8H: ['00:00', '08:00', '16:00'], Q12H: ['08:00', '20:00'], HS: ['21:00'],
};

/** Hours of the event-timing codes (http://hl7.org/fhir/R4/valueset-event-timing.html) on the ward. */
const EVENT_TIMES: Readonly<Record<string, string>> = {
  HS: '21:00', WAKE: '06:00', MORN: '08:00', AFT: '14:00', EVE: '18:00', NIGHT: '22:00',
  C: '12:00', CM: '07:00', CD: '12:00', CV: '18:00', AC: '11:30', ACM: '06:30', ACD: '11:30', ACV: '17:30',
  PC: '12:30', PCM: '07:30', PCD: '12:30', PCV: '18:30',
};

const pad = (n: number): string => String(n).padStart(2, '0');

/** `count` times a day spread evenly from midnight (e.g. 3 → 00:00, 08:00, 16:00). */
function evenly(count: number): string[] {
  const step = 24 * 60 / count;
  return Array.from({ length: count }, (_, i) => Math.round(i * step)).map((m) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`);
}

export interface DailyPattern {
  /** Local HH:MM of each dose on a day with doses. */
  times: string[];
  /** Doses every this many days, counted from the order's first day (1 = daily). */
  everyDays: number;
}

/** The daily pattern of a Dosage, or undefined when it has none a ward can schedule (as-needed, weekly …). */
export function dailyPattern(dosage: Json | undefined): DailyPattern | undefined {
  if (!dosage || dosage.asNeededBoolean === true || dosage.asNeededCodeableConcept) return undefined;
  const timing = (dosage.timing ?? {}) as Json;
  const repeat = (timing.repeat ?? {}) as Json;
  const daily = (times: readonly string[], everyDays = 1): DailyPattern => ({ times: [...new Set(times)].sort(), everyDays });
  const timeOfDay = (repeat.timeOfDay ?? []) as string[];
  if (timeOfDay.length > 0) return daily(timeOfDay.map((t) => t.slice(0, 5)));
  const when = ((repeat.when ?? []) as string[]).map((w) => EVENT_TIMES[w]).filter((t): t is string => t !== undefined);
  if (when.length > 0) return daily(when);
  const code = (timing.code?.coding as Json[] | undefined)?.map((c) => c.code).find((c) => typeof c === 'string' && CUSTOMARY_TIMES[c]);
  if (code) return daily(CUSTOMARY_TIMES[code]!);
  const frequency = Number(repeat.frequency ?? 1);
  const period = Number(repeat.period ?? 1);
  if (!(frequency >= 1) || !(period > 0)) return undefined;
  if (repeat.periodUnit === 'h' && 24 % (period / frequency) === 0) return daily(evenly(24 * frequency / period));
  if (repeat.periodUnit === 'd' && period === 1) return daily(CUSTOMARY_TIMES[['QD', 'BID', 'TID', 'QID'][frequency - 1] ?? ''] ?? evenly(frequency));
  if (repeat.periodUnit === 'd' && Number.isInteger(period) && frequency === 1) return daily(CUSTOMARY_TIMES.QD!, period);
  return undefined;
}

/**
 * The scheduled instants of one order on the hospital day `date`: within the order's bounds
 * (repeat.boundsPeriod, else from authoredOn), at the pattern's hours in the hospital's zone.
 */
export function dosesOn(request: Json, date: string, calendar: Calendar): Date[] {
  const dosage = (request.dosageInstruction as Json[] | undefined)?.[0];
  const pattern = dailyPattern(dosage);
  if (!pattern) return [];
  const bounds = (dosage?.timing?.repeat?.boundsPeriod ?? {}) as Json;
  // A date without a time bounds whole local days: from its start, until the end of the day.
  const instant = (text: unknown, edge: 0 | 1, otherwise: number): number => typeof text !== 'string' ? otherwise
    : isDate(text) ? calendar.dayBounds(text)[edge].getTime() : Date.parse(text);
  const start = instant(bounds.start ?? request.authoredOn, 0, Number.NEGATIVE_INFINITY);
  const end = instant(bounds.end, 1, Number.POSITIVE_INFINITY);
  if (pattern.everyDays > 1 && Number.isFinite(start)) {
    const first = calendar.dateOf(new Date(start));
    if (daysBetween(first, date) % pattern.everyDays !== 0) return [];
  }
  return pattern.times.map((t) => calendar.instant(date, t)).filter((d) => d.getTime() >= start && d.getTime() < end);
}
