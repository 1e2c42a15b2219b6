import test from 'ava';
import ICAL from 'ical.js';
import pino from 'pino';
import type { Resource } from '../../../fhir/index.ts';
import { calendarForAppointment, noticeForAppointment, QUEUE_NUMBER_EXTENSION } from '../../../server/mail/appointment-notice.ts';
import { claimBookingMail, sendReminders, tomorrow, type ReminderOptions } from '../../../server/mail/reminders.ts';
import { createMailer } from '../../../server/mail/transport.ts';
import { PROFESSIONAL_TITLE_SYSTEM, REGISTRATION_FEE_EXTENSION, SYSTEMS } from '../../../server/seed/systems.ts';
import { createAccount } from '../../helpers/accounts.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.ts';

let server: TestServer;
let smtp: TestSmtpServer;

const from = 'Open HIS <no-reply@his.example.org>';
// 20:00 on 2 December in Shanghai (12:00 UTC): tomorrow is 3 December there.
const now = new Date('2026-12-02T12:00:00Z');
const english = (content: string) => ({ extension: [{ url: SYSTEMS.translationExtension, extension: [{ url: 'lang', valueCode: 'en' }, { url: 'content', valueString: content }] }] });

async function put(resource: Resource): Promise<void> {
  await server.app.engine.repo.update(resource);
}

function appointment(id: string, patient: string, start: string, end: string, status = 'booked', queueNumber = 1): Resource {
  return {
    resourceType: 'Appointment', id, status,
    extension: [{ url: QUEUE_NUMBER_EXTENSION, valuePositiveInt: queueNumber }],
    start, end,
    participant: [
      { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
      { actor: { reference: 'PractitionerRole/rem-role' }, status: 'accepted' },
      { actor: { reference: 'Location/rem-room', display: '门诊楼二楼 3 诊室' }, status: 'accepted' },
    ],
  };
}

function options(mailer = createMailer({ smtpUrl: smtp.url, from, log: pino({ level: 'silent' }) })): ReminderOptions {
  return {
    db: server.app.db, repo: server.app.engine.repo, accounts: server.app.auth.accounts, mailer,
    log: pino({ level: 'silent' }), timezone: 'Asia/Shanghai', organizer: from,
  };
}

test.before(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({ smtpUrl: smtp.url, timezone: 'Asia/Shanghai' });
  await put({ resourceType: 'HealthcareService', id: 'rem-hcs', active: true, name: '内科门诊', _name: english('Internal Medicine outpatient clinic') });
  await put({ resourceType: 'Practitioner', id: 'rem-prac', active: true, name: [{ text: '张伟', family: '张', given: ['伟'] }] });
  await put({
    resourceType: 'PractitionerRole', id: 'rem-role', active: true,
    practitioner: { reference: 'Practitioner/rem-prac', display: '张伟' },
    code: [{ text: '医师' }, { coding: [{ system: PROFESSIONAL_TITLE_SYSTEM, code: 'chief-physician' }], text: '主任医师', _text: english('Chief Physician') }],
    healthcareService: [{ reference: 'HealthcareService/rem-hcs', display: '内科门诊' }],
    extension: [{ url: REGISTRATION_FEE_EXTENSION, valueMoney: { value: 50, currency: 'CNY' } }],
  });
  await put({ resourceType: 'Location', id: 'rem-room', name: '门诊楼二楼 3 诊室' });
  // With an account (its e-mail is the one used), one with only an e-mail on record, one with neither
  // whose mother's account acts for her, and an English speaker.
  await put({ resourceType: 'Patient', id: 'rem-pat-1', name: [{ text: '李娜' }], telecom: [{ system: 'email', value: 'old.address@example.org' }] });
  await createAccount(server, { login: 'li.na@example.org', kind: 'patient', patientId: 'rem-pat-1' });
  await put({ resourceType: 'Patient', id: 'rem-pat-2', name: [{ text: '王强' }], telecom: [{ system: 'phone', value: '13800000000' }, { system: 'email', value: 'wang.qiang@example.org' }] });
  await put({ resourceType: 'Patient', id: 'rem-pat-3', name: [{ text: '陈小雨' }] });
  const mother = await createAccount(server, { login: 'chen.mother@example.org', kind: 'patient' });
  await server.app.auth.accounts.addProxy(mother, 'rem-pat-3', 'child');
  await put({
    resourceType: 'Patient', id: 'rem-pat-4', name: [{ text: 'John Smith' }], telecom: [{ system: 'email', value: 'john.smith@example.org' }],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en' }] }, preferred: true }],
  });
  await put({ resourceType: 'Patient', id: 'rem-pat-5', name: [{ text: '无邮箱' }] });
});

test.after.always(async () => {
  await server?.stop();
  await smtp?.stop();
});

test('tomorrow is the next day on the hospital calendar, not the UTC one', (t) => {
  const day = tomorrow(now, 'Asia/Shanghai');
  t.is(day.date, '2026-12-03');
  t.is(day.from.toISOString(), '2026-12-02T16:00:00.000Z');
  t.is(day.to.toISOString(), '2026-12-03T16:00:00.000Z');
  // Late on 2 December in Shanghai is already 3 December: tomorrow is the 4th.
  t.is(tomorrow(new Date('2026-12-02T17:00:00Z'), 'Asia/Shanghai').date, '2026-12-04');
  // A day with a clock change (New York, 8 March 2026) is 23 hours long.
  const spring = tomorrow(new Date('2026-03-07T15:00:00Z'), 'America/New_York');
  t.is(spring.from.toISOString(), '2026-03-08T05:00:00.000Z');
  t.is(spring.to.toISOString(), '2026-03-09T04:00:00.000Z');
});

test.serial('a reminder pass run twice, and by two processes at once, mails each of tomorrow\'s booked patients exactly once', async (t) => {
  await put(appointment('rem-appt-tomorrow', 'rem-pat-1', '2026-12-03T08:00:00+08:00', '2026-12-03T08:15:00+08:00', 'booked', 7));
  await put(appointment('rem-appt-day-after', 'rem-pat-1', '2026-12-04T08:00:00+08:00', '2026-12-04T08:15:00+08:00'));
  await put(appointment('rem-appt-cancelled', 'rem-pat-1', '2026-12-03T09:00:00+08:00', '2026-12-03T09:15:00+08:00', 'cancelled'));
  // Early on the 3rd in Shanghai, still the 2nd in UTC; and late on the 3rd in UTC, already the 4th in Shanghai.
  await put(appointment('rem-appt-early', 'rem-pat-2', '2026-12-03T00:30:00+08:00', '2026-12-03T00:45:00+08:00'));
  await put(appointment('rem-appt-utc-tomorrow', 'rem-pat-2', '2026-12-04T07:30:00+08:00', '2026-12-04T07:45:00+08:00'));
  await put(appointment('rem-appt-proxy', 'rem-pat-3', '2026-12-03T10:00:00+08:00', '2026-12-03T10:15:00+08:00'));
  await put(appointment('rem-appt-no-mail', 'rem-pat-5', '2026-12-03T10:15:00+08:00', '2026-12-03T10:30:00+08:00'));
  const before = smtp.messages.length;

  const one = options();
  const two = options();
  try {
    const counts = await Promise.all([sendReminders(one, now), sendReminders(two, now)]);
    t.is(counts[0] + counts[1], 3);
    t.is(await sendReminders(one, now), 0);
  } finally {
    one.mailer.close();
    two.mailer.close();
  }

  const arrived = smtp.messages.slice(before);
  t.deepEqual(arrived.map((m) => m.to[0]).sort(), ['chen.mother@example.org', 'li.na@example.org', 'wang.qiang@example.org']);

  const mail = arrived.find((m) => m.to.includes('li.na@example.org'))!;
  t.true(mail.subject.startsWith('【Open HIS】明日就诊提醒 2026-12-03'));
  t.true(mail.text.startsWith('李娜，您好：'));
  for (const line of ['就诊时间: 2026-12-03 08:00–08:15', '科室: 内科门诊', '医生: 张伟 主任医师', '排队号: 7 号', '地点: 门诊楼二楼 3 诊室', '挂号费: 50.00 元',
    'Department: Internal Medicine outpatient clinic', 'Doctor: 张伟 Chief Physician']) {
    t.true(mail.text.includes(line), line);
  }
  t.regex(mail.attachments[0]!.contentType, /method=REQUEST/);
  const vevent = new ICAL.Component(ICAL.parse(mail.attachments[0]!.content) as unknown[]).getFirstSubcomponent('vevent')!;
  t.is(vevent.getFirstPropertyValue('uid') as string, 'rem-appt-tomorrow@open-his');
  t.false(arrived.some((m) => m.text.includes('2026-12-04')), 'nothing about the day after');

  const early = arrived.find((m) => m.to.includes('wang.qiang@example.org'))!;
  t.true(early.text.includes('就诊时间: 2026-12-03 00:30–00:45'));
});

test.serial('an appointment moved to another day is reminded of again; one that stays is not', async (t) => {
  await put(appointment('rem-appt-moved', 'rem-pat-4', '2026-12-03T14:00:00+08:00', '2026-12-03T14:15:00+08:00'));
  const mailer = createMailer({ smtpUrl: smtp.url, from, log: pino({ level: 'silent' }) });
  try {
    t.is(await sendReminders(options(mailer), now), 1);
    const first = await smtp.waitForMessage('john.smith@example.org');
    t.true(first.subject.startsWith('Open HIS: Your appointment tomorrow 2026-12-03 / 【Open HIS】明日就诊提醒'));
    t.true(first.text.startsWith('Dear John Smith,'));

    await put(appointment('rem-appt-moved', 'rem-pat-4', '2026-12-10T14:00:00+08:00', '2026-12-10T14:15:00+08:00'));
    const dayBefore = new Date('2026-12-09T12:00:00Z');
    t.is(await sendReminders(options(mailer), dayBefore), 1);
    const second = await smtp.waitForMessage('john.smith@example.org');
    t.true(second.text.includes('Time: 2026-12-10 14:00–14:15'));
    t.regex(second.attachments[0]!.content, /\r\nSEQUENCE:1\r\n/, 'the second version of the appointment');
    t.is(await sendReminders(options(mailer), dayBefore), 0);
  } finally {
    mailer.close();
  }
});

test.serial('a reminder the mail server refuses is given back and sent at the next pass', async (t) => {
  await put(appointment('rem-appt-retry', 'rem-pat-2', '2026-12-03T15:00:00+08:00', '2026-12-03T15:15:00+08:00'));
  const down = await startSmtpServer();
  await down.stop();
  const broken = createMailer({ smtpUrl: down.url, from, log: pino({ level: 'silent' }) });
  try {
    t.is(await sendReminders(options(broken), now), 0);
  } finally {
    broken.close();
  }
  const mailer = createMailer({ smtpUrl: smtp.url, from, log: pino({ level: 'silent' }) });
  try {
    t.is(await sendReminders(options(mailer), now), 1);
    const last = smtp.messages.filter((m) => m.to.includes('wang.qiang@example.org')).at(-1)!;
    t.true(last.text.includes('就诊时间: 2026-12-03 15:00–15:15'));
  } finally {
    mailer.close();
  }
});

test('a mail is claimed once per appointment, kind and start', async (t) => {
  const db = server.app.db;
  t.true(await claimBookingMail(db, 'rem-claim', 'confirmation', '2026-12-05T08:00:00+08:00'));
  t.false(await claimBookingMail(db, 'rem-claim', 'confirmation', '2026-12-05T08:00:00+08:00'));
  t.false(await claimBookingMail(db, 'rem-claim', 'confirmation', '2026-12-05T00:00:00Z'), 'the same instant written otherwise');
  t.true(await claimBookingMail(db, 'rem-claim', 'cancellation', '2026-12-05T08:00:00+08:00'));
  t.true(await claimBookingMail(db, 'rem-claim', 'confirmation', '2026-12-06T08:00:00+08:00'));
});

test('a notice is built from the Appointment and the resources its participants name', async (t) => {
  const appt = appointment('rem-appt-notice', 'rem-pat-1', '2026-12-05T08:00:00+08:00', '2026-12-05T08:15:00+08:00', 'cancelled', 3);
  const notice = await noticeForAppointment(server.app.engine.repo, server.app.auth.accounts, appt, 'stop-clinic', { reason: '医生外出会诊', sequence: 4 });
  t.deepEqual(notice, {
    kind: 'stop-clinic', to: 'li.na@example.org', language: 'zh-CN', appointmentId: 'rem-appt-notice', patientName: '李娜',
    department: { zh: '内科门诊', en: 'Internal Medicine outpatient clinic' },
    doctor: { name: '张伟', title: { zh: '主任医师', en: 'Chief Physician' } },
    start: '2026-12-05T08:00:00+08:00', end: '2026-12-05T08:15:00+08:00', queueNumber: 3, location: '门诊楼二楼 3 诊室',
    fee: { value: 50, currency: 'CNY' }, reason: '医生外出会诊', sequence: 4,
  });
  t.is(await noticeForAppointment(server.app.engine.repo, server.app.auth.accounts, appointment('x', 'rem-pat-5', '2026-12-05T08:00:00+08:00', '2026-12-05T08:15:00+08:00'), 'confirmation'), null,
    'no address known: no notice');
});

test('the calendar file of an appointment needs no e-mail address and follows its status', async (t) => {
  const { repo } = server.app.engine;
  const calendarOptions = { organizer: from, timeZone: 'Asia/Shanghai' };
  const booked = await calendarForAppointment(repo, server.app.auth.accounts,
    appointment('rem-appt-ics', 'rem-pat-5', '2026-12-05T08:00:00+08:00', '2026-12-05T08:15:00+08:00'), calendarOptions);
  const root = new ICAL.Component(ICAL.parse(booked!) as unknown[]);
  t.is(root.getFirstPropertyValue('method') as string, 'REQUEST');
  const vevent = root.getFirstSubcomponent('vevent')!;
  t.is(vevent.getFirstPropertyValue('uid') as string, 'rem-appt-ics@open-his');
  t.is(vevent.getFirstPropertyValue('summary') as string, '内科门诊 张伟 / Internal Medicine outpatient clinic');
  t.is(vevent.getFirstProperty('attendee'), null, 'no address, no attendee');
  const cancelled = await calendarForAppointment(repo, server.app.auth.accounts,
    appointment('rem-appt-ics', 'rem-pat-5', '2026-12-05T08:00:00+08:00', '2026-12-05T08:15:00+08:00', 'cancelled'), calendarOptions);
  t.regex(cancelled!, /\r\nMETHOD:CANCEL\r\n[\s\S]*\r\nSTATUS:CANCELLED\r\n/);
});
