// Dates for the demo data, all relative to the caller's `now` and written in the hospital's
// time zone. FHIR R4 dateTime/instant values that carry a time SHALL carry a zone offset
// (http://hl7.org/fhir/R4/datatypes.html#dateTime), so times are written with the offset
// that the IANA zone has at that instant, e.g. 2024-05-01T09:30:00+08:00 for Asia/Shanghai.

export interface LocalClock {
  /** Calendar date (YYYY-MM-DD) in the zone, `daysAgo` days before `now`. */
  date(daysAgo: number): string;
  /** dateTime at local `hour:minute` on the day `daysAgo` days before `now`. */
  at(daysAgo: number, hour: number, minute?: number): string;
  /** The instant of `at(...)`, for arithmetic. */
  instant(daysAgo: number, hour: number, minute?: number): Date;
  /** Format any instant as a FHIR dateTime with the zone's offset. */
  format(instant: Date): string;
  /** `now`, as a FHIR instant. */
  now: string;
}

interface Parts { year: number; month: number; day: number; hour: number; minute: number; second: number }

function partsIn(instant: Date, timeZone: string): Parts {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const values: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  return {
    year: values.year as number, month: values.month as number, day: values.day as number,
    hour: values.hour as number, minute: values.minute as number, second: values.second as number,
  };
}

/** Offset of the zone from UTC at `instant`, in minutes (e.g. +480 for Asia/Shanghai). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const p = partsIn(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function localClock(now: Date, timeZone: string): LocalClock {
  if (Number.isNaN(now.getTime())) throw new Error('now is not a valid date');
  // Throws RangeError for an unknown zone, which is the error the caller should see.
  new Intl.DateTimeFormat('en-US', { timeZone });
  const today = partsIn(now, timeZone);

  const format = (instant: Date): string => {
    const p = partsIn(instant, timeZone);
    return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`
      + formatOffset(offsetMinutes(instant, timeZone));
  };

  const instant = (daysAgo: number, hour: number, minute = 0): Date => {
    const wall = Date.UTC(today.year, today.month - 1, today.day - daysAgo, hour, minute);
    // Two passes settle the offset even when the wall time sits next to a DST change.
    let guess = wall - offsetMinutes(new Date(wall), timeZone) * 60000;
    guess = wall - offsetMinutes(new Date(guess), timeZone) * 60000;
    return new Date(guess);
  };

  return {
    date: (daysAgo) => {
      const d = new Date(Date.UTC(today.year, today.month - 1, today.day - daysAgo));
      return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    },
    at: (daysAgo, hour, minute = 0) => format(instant(daysAgo, hour, minute)),
    instant,
    format,
    now: format(now),
  };
}
