// FHIR date, dateTime and instant values as the interval of instants they denote.
// http://hl7.org/fhir/R4/search.html#date: "the date parameter format is yyyy-mm-ddThh:mm:ss[Z|(+|-)hh:mm]
// ... the precision of the value is the range it covers": 2013-01 is all of January 2013.
// Values without an offset are local times; http://hl7.org/fhir/R4/datatypes.html#dateTime leaves
// their zone to the server, which here is a configured IANA zone (default Asia/Shanghai).

export const defaultTimeZone = 'Asia/Shanghai';

export interface InstantRange {
  /** First millisecond covered, epoch ms. */
  low: number;
  /** Last millisecond covered (closed interval), epoch ms. */
  high: number;
}

const datePattern =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;

/**
 * The interval a date / dateTime / instant string covers, or undefined when it is not one.
 * Partial times (`2020-01-01T10`, `…T10:30`) are accepted as search values allow them.
 */
export function dateRange(value: string, timeZone: string = defaultTimeZone): InstantRange | undefined {
  const m = datePattern.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) - 1 : 0;
  const day = m[3] ? Number(m[3]) : 1;
  const hour = m[4] ? Number(m[4]) : 0;
  const minute = m[5] ? Number(m[5]) : 0;
  const second = m[6] ? Number(m[6]) : 0;
  const fraction = m[7] ?? '';
  const millis = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  if (month > 11 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;

  const start = utc(year, month, day, hour, minute, second, millis);
  let end: number;
  if (m[7] !== undefined) end = start + (fraction.length >= 3 ? 1 : 10 ** (3 - fraction.length));
  else if (m[6] !== undefined) end = start + 1000;
  else if (m[5] !== undefined) end = start + 60_000;
  else if (m[4] !== undefined) end = start + 3_600_000;
  else if (m[3] !== undefined) end = utc(year, month, day + 1);
  else if (m[2] !== undefined) end = utc(year, month + 1, 1);
  else end = utc(year + 1, 0, 1);

  const zone = m[8];
  if (zone !== undefined) {
    const offset = zone === 'Z' ? 0 : offsetMillis(zone);
    return { low: start - offset, high: end - offset - 1 };
  }
  return { low: localToUtc(start, timeZone), high: localToUtc(end, timeZone) - 1 };
}

/** Date.UTC without its mapping of years 0-99 to 1900-1999. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  return new Date(0).setUTCFullYear(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** ISO-8601 text of a range's bounds, as stored in the index (timestamptz). */
export function isoRange(range: InstantRange): { low: string; high: string } {
  return { low: isoInstant(range.low), high: isoInstant(range.high) };
}

const maxInstant = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
// PostgreSQL has no year 0 (1 BC follows AD 1) and rejects it in ISO text: clamp to AD 1.
const minInstant = new Date(0).setUTCFullYear(1, 0, 1);

/** ISO text of an instant, clamped to years 0001-9999 (toISOString writes ±YYYYYY beyond, which SQL rejects). */
export function isoInstant(ms: number): string {
  return new Date(Math.min(Math.max(ms, minInstant), maxInstant)).toISOString();
}

function offsetMillis(zone: string): number {
  const sign = zone[0] === '-' ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(zone.length - 2));
  return sign * (hours * 60 + minutes) * 60_000;
}

/** Wall-clock time in `timeZone` (encoded as if it were UTC) → the real instant. */
function localToUtc(wall: number, timeZone: string): number {
  if (timeZone === 'UTC') return wall;
  const guess = wall - zoneOffset(timeZone, wall);
  return wall - zoneOffset(timeZone, guess);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();

/** Offset of `timeZone` from UTC at `instant`, in ms; cached per zone and UTC hour (offsets change on the hour or half-hour at most). */
function zoneOffset(timeZone: string, instant: number): number {
  const key = `${timeZone}|${Math.floor(instant / 1_800_000)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
    formatters.set(timeZone, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(instant))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const asUtc = new Date(0).setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  const wall = asUtc + ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000;
  const offset = wall - (instant - (((instant % 1000) + 1000) % 1000));
  if (offsetCache.size > 100_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}
