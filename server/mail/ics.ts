// iCalendar (RFC 5545) text for one appointment, sent as an iTIP message (RFC 5546): METHOD:REQUEST
// puts it in the patient's calendar or updates it there, METHOD:CANCEL takes it out. Calendar apps
// match the two by UID and keep the version with the highest SEQUENCE (RFC 5546 §2.1.4), so the UID
// is stable per appointment and the caller raises the sequence with every change.

export type CalendarMethod = 'REQUEST' | 'CANCEL';

export interface CalendarEvent {
  method: CalendarMethod;
  /** The Appointment's id; the UID is `<appointmentId>@open-his`. */
  appointmentId: string;
  /** 0 for the first message, higher for every reschedule or cancellation. */
  sequence: number;
  /** ISO 8601 date-times with an offset or Z, e.g. 2026-12-03T08:00:00+08:00. */
  start: string;
  end: string;
  summary: string;
  location?: string;
  description?: string;
  /** The hospital's sender, "Open HIS <no-reply@his.example.org>" or a bare address. */
  organizer: string;
  /** The patient the message goes to (RFC 5546 §3.2.2: a REQUEST names at least one attendee). */
  attendee?: { email: string; name?: string };
  /** When the message was made (DTSTAMP); now when not given. */
  stamp?: Date;
}

export const appointmentUid = (appointmentId: string): string => `${appointmentId}@open-his`;

const PRODID = '-//Open HIS//Booking//ZH-CN';

/** A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks as \n. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * A DATE-TIME in UTC (RFC 5545 §3.3.5, form #2, "20261203T000000Z"). A time without an offset would
 * be floating — the same clock time in every zone — so one is required.
 */
export function utcDateTime(value: string | Date): string {
  if (typeof value === 'string' && !/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    throw new Error(`date-time without an offset: ${value}`);
  }
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`not a date-time: ${String(value)}`);
  return date.toISOString().replace(/\.\d{3}/, '').replace(/[-:]/g, '');
}

/**
 * Folds a content line (RFC 5545 §3.1): no line longer than 75 octets without its CRLF; each
 * continuation starts with one space, which counts. Octets are UTF-8 bytes, and a fold never
 * falls inside a multi-byte character, so every line stays valid UTF-8 on its own.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let bytes = 0;
  let limit = 75;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > limit) {
      parts.push(current);
      current = ' ';
      bytes = 1;
      limit = 75;
    }
    current += char;
    bytes += size;
  }
  parts.push(current);
  return parts.join('\r\n');
}

// A parameter value (RFC 5545 §3.1, param-value) cannot hold a DQUOTE at all, and must be quoted
// when it holds a colon, semicolon or comma.
function parameterValue(value: string): string {
  const clean = value.replace(/["\r\n]/g, '');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

function mailbox(address: string): { email: string; name?: string } {
  const angle = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(address);
  if (angle) return { email: angle[2]!.trim(), ...(angle[1] ? { name: angle[1].trim() } : {}) };
  return { email: address.trim() };
}

function calAddress(property: string, who: { email: string; name?: string }, extra = ''): string {
  const cn = who.name ? `;CN=${parameterValue(who.name)}` : '';
  return `${property}${cn}${extra}:mailto:${who.email}`;
}

/** The whole VCALENDAR object, CRLF line ends (RFC 5545 §3.1), folded, ending in CRLF. */
export function calendar(event: CalendarEvent): string {
  const cancelled = event.method === 'CANCEL';
  const lines = [
    'BEGIN:VCALENDAR',
    `PRODID:${PRODID}`,
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    `METHOD:${event.method}`,
    'BEGIN:VEVENT',
    `UID:${appointmentUid(event.appointmentId)}`,
    `SEQUENCE:${event.sequence}`,
    `DTSTAMP:${utcDateTime(event.stamp ?? new Date())}`,
    `DTSTART:${utcDateTime(event.start)}`,
    `DTEND:${utcDateTime(event.end)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    ...(event.location ? [`LOCATION:${escapeText(event.location)}`] : []),
    ...(event.description ? [`DESCRIPTION:${escapeText(event.description)}`] : []),
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    // An appointment takes the patient's time: shown as busy (RFC 5545 §3.8.2.7).
    'TRANSP:OPAQUE',
    calAddress('ORGANIZER', mailbox(event.organizer)),
    ...(event.attendee ? [calAddress('ATTENDEE', event.attendee, ';ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED')] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
