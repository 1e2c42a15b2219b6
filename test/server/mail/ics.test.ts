import test from 'ava';
import ICAL from 'ical.js';
import { appointmentUid, calendar, escapeText, foldLine, utcDateTime, type CalendarEvent } from '../../../server/mail/ics.ts';

const event: CalendarEvent = {
  method: 'REQUEST',
  appointmentId: 'appt-0042',
  sequence: 0,
  start: '2026-12-03T08:00:00+08:00',
  end: '2026-12-03T08:15:00+08:00',
  summary: '内科门诊 Internal Medicine',
  location: '门诊楼二楼 内科诊区',
  description: '排队号 Queue number: 7\n科室 Department: 内科 Internal Medicine\n医生 Doctor: 张伟 主任医师',
  organizer: 'Open HIS <no-reply@his.example.org>',
  attendee: { email: 'li.na@example.org', name: '李娜' },
  stamp: new Date('2026-12-02T10:30:00Z'),
};

/** Content lines as an RFC 5545 §3.1 reader sees them: split at CRLF, continuation lines joined. */
function unfold(text: string): string[] {
  return text.replace(/\r\n[ \t]/g, '').split('\r\n').filter((line) => line !== '');
}

function property(text: string, name: string): string | undefined {
  return unfold(text).find((line) => line.startsWith(`${name}:`) || line.startsWith(`${name};`));
}

function vevent(text: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(text) as unknown[]).getFirstSubcomponent('vevent')!;
}

test('a booked appointment is a REQUEST with a stable UID, UTC times and a confirmed status', (t) => {
  const text = calendar(event);
  const lines = unfold(text);
  t.deepEqual(lines.slice(0, 5), ['BEGIN:VCALENDAR', 'PRODID:-//Open HIS//Booking//ZH-CN', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'METHOD:REQUEST']);
  t.is(property(text, 'UID'), 'UID:appt-0042@open-his');
  t.is(property(text, 'SEQUENCE'), 'SEQUENCE:0');
  t.is(property(text, 'DTSTAMP'), 'DTSTAMP:20261202T103000Z');
  t.is(property(text, 'DTSTART'), 'DTSTART:20261203T000000Z');
  t.is(property(text, 'DTEND'), 'DTEND:20261203T001500Z');
  t.is(property(text, 'STATUS'), 'STATUS:CONFIRMED');
  t.is(property(text, 'ORGANIZER'), 'ORGANIZER;CN=Open HIS:mailto:no-reply@his.example.org');
  t.is(property(text, 'ATTENDEE'), 'ATTENDEE;CN=李娜;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:li.na@example.org');
  t.is(lines.at(-1), 'END:VCALENDAR');
  t.true(text.endsWith('END:VCALENDAR\r\n'));
  t.false(/[^\r]\n/.test(text), 'every line ends in CRLF');

  const parsed = vevent(text);
  t.is(parsed.getFirstPropertyValue('uid'), 'appt-0042@open-his');
  t.is((parsed.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(), '2026-12-03T00:00:00.000Z');
  t.is(parsed.getFirstPropertyValue('description') as string, event.description!);
  t.is(parsed.getFirstPropertyValue('location') as string, event.location!);
});

test('a cancellation is a CANCEL of the same UID with a higher sequence and a cancelled status', (t) => {
  const text = calendar({ ...event, method: 'CANCEL', sequence: 2 });
  const root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  t.is(root.getFirstPropertyValue('method'), 'CANCEL');
  const parsed = root.getFirstSubcomponent('vevent')!;
  t.is(parsed.getFirstPropertyValue('uid'), appointmentUid('appt-0042'));
  t.is(Number(parsed.getFirstPropertyValue('sequence')), 2);
  t.is(parsed.getFirstPropertyValue('status'), 'CANCELLED');
});

test('a hostile summary with ; , \\ and line breaks is escaped and reads back unchanged', (t) => {
  const summary = 'a;b,c\\d\ne\r\nf:g';
  t.is(escapeText(summary), 'a\\;b\\,c\\\\d\\ne\\nf:g');
  const text = calendar({ ...event, summary, location: 'Room 3; Floor 2, "East"' });
  t.is(property(text, 'SUMMARY'), 'SUMMARY:a\\;b\\,c\\\\d\\ne\\nf:g');
  t.is(unfold(text).filter((l) => l.startsWith('SUMMARY')).length, 1, 'the summary cannot start a property of its own');
  t.false(unfold(text).some((l) => l === 'e' || l.startsWith('f:g')));
  const parsed = vevent(text);
  t.is(parsed.getFirstPropertyValue('summary'), 'a;b,c\\d\ne\nf:g');
  t.is(parsed.getFirstPropertyValue('location'), 'Room 3; Floor 2, "East"');
});

test('long Chinese text is folded at 75 octets without splitting a character and unfolds to the original', (t) => {
  const description = '请于就诊前十五分钟到达门诊楼二楼内科诊区，凭身份证或医保卡在自助机签到后候诊。如需取消预约，请至少提前一天操作。'.repeat(2);
  const text = calendar({ ...event, description });
  for (const line of text.split('\r\n')) {
    t.true(Buffer.byteLength(line, 'utf8') <= 75, `line of ${Buffer.byteLength(line, 'utf8')} octets: ${line}`);
    t.false(line.includes('\uFFFD'));
    t.is(Buffer.from(line, 'utf8').toString('utf8'), line);
  }
  const raw = text.split('\r\n').filter((l) => l.startsWith('DESCRIPTION') || l.startsWith(' '));
  t.true(raw.length > 4, 'the description spans several lines');
  t.is(property(text, 'DESCRIPTION'), `DESCRIPTION:${description}`);
  t.is(vevent(text).getFirstPropertyValue('description'), description);
});

test('a line is folded at exactly 75 octets, continuations counting their leading space', (t) => {
  const folded = foldLine(`X:${'a'.repeat(200)}`);
  const lines = folded.split('\r\n');
  t.is(lines[0]!.length, 75);
  t.true(lines.slice(1, -1).every((l) => l.length === 75 && l.startsWith(' ')));
  t.is(lines.join('').replace(/ /g, ''), `X:${'a'.repeat(200)}`);
  // Three-octet characters after a two-octet start: the 25th would make 77 octets, so it moves on.
  const chinese = foldLine(`S:${'汉'.repeat(30)}`);
  const [first, second] = chinese.split('\r\n');
  t.is(Buffer.byteLength(first!, 'utf8'), 2 + 24 * 3);
  t.is(second, ` ${'汉'.repeat(6)}`);
  t.is(foldLine('SHORT:ok'), 'SHORT:ok');
});

test('times must carry an offset, since a floating time means a different instant in every zone', (t) => {
  t.is(utcDateTime('2026-12-03T23:30:00-05:00'), '20261204T043000Z');
  t.is(utcDateTime('2026-12-03T08:00:00Z'), '20261203T080000Z');
  t.throws(() => utcDateTime('2026-12-03T08:00:00'), { message: /without an offset/ });
  t.throws(() => calendar({ ...event, start: 'tomorrow+08:00' }), { message: /not a date-time/ });
});

test('an organizer name with a colon is quoted, and a bare address has no CN', (t) => {
  t.is(property(calendar({ ...event, organizer: '"Open HIS: Booking" <booking@his.example.org>' }), 'ORGANIZER'),
    'ORGANIZER;CN="Open HIS: Booking":mailto:booking@his.example.org');
  t.is(property(calendar({ ...event, organizer: 'booking@his.example.org' }), 'ORGANIZER'), 'ORGANIZER:mailto:booking@his.example.org');
});
