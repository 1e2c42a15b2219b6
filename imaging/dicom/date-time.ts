// DICOM DA / TM (PS3.5 §6.2) to an ISO 8601 date-time for FHIR. A study date without an offset is in
// the hospital's time zone (Timezone Offset From UTC (0008,0201) is rarely sent).

function offsetOf(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(date);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return match ? `${match[1]}:${match[2] ?? '00'}` : '+00:00';
}

/** `20240131` + `143005.123` → `2024-01-31T14:30:05+08:00`; a date alone → `2024-01-31`; unreadable → undefined. */
export function dicomDateTime(date: string | undefined, time: string | undefined, timeZone: string): string | undefined {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(date?.trim() ?? '') ?? /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(date?.trim() ?? '');
  if (!d) return undefined;
  const day = `${d[1]}-${d[2]}-${d[3]}`;
  if (Number(d[2]) < 1 || Number(d[2]) > 12 || Number(d[3]) < 1 || Number(d[3]) > 31) return undefined;
  const t = /^(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(time?.trim() ?? '');
  if (!t) return day;
  const hh = t[1], mm = t[2] ?? '00', ss = t[3] ?? '00';
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60) return day;
  const local = `${day}T${hh}:${mm}:${ss}`;
  const offset = offsetOf(new Date(`${local}Z`), timeZone);
  return `${local}${offset}`;
}
