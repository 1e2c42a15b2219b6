import test from 'ava';
import ICAL from 'ical.js';
import pino from 'pino';
import { bookingNoticeMail, type BookingNotice } from '../../../server/mail/booking-notices.ts';
import { createMailer, type Mailer } from '../../../server/mail/transport.ts';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../../helpers/smtp.ts';

let smtp: TestSmtpServer;
let mailer: Mailer;
const organizer = 'Open HIS <no-reply@his.example.org>';
const options = { organizer, timeZone: 'Asia/Shanghai' };

test.before(async () => {
  smtp = await startSmtpServer();
  mailer = createMailer({ smtpUrl: smtp.url, from: organizer, log: pino({ level: 'silent' }) });
});
test.after.always(async () => {
  mailer?.close();
  await smtp?.stop();
});

const notice: BookingNotice = {
  kind: 'confirmation',
  to: 'li.na@example.org',
  language: 'zh-CN',
  appointmentId: 'appt-7',
  patientName: '李娜',
  department: { zh: '内科', en: 'Internal Medicine' },
  doctor: { name: '张伟', title: { zh: '主任医师', en: 'Chief Physician' } },
  start: '2026-12-03T08:00:00+08:00',
  end: '2026-12-03T08:15:00+08:00',
  queueNumber: 7,
  location: '门诊楼二楼 内科诊区',
  fee: { value: 50, currency: 'CNY' },
};

function event(mail: ReceivedMail): { method: string; vevent: ICAL.Component } {
  const attachment = mail.attachments.find((a) => a.filename === 'appointment.ics');
  if (!attachment) throw new Error('no appointment.ics attached');
  const root = new ICAL.Component(ICAL.parse(attachment.content) as unknown[]);
  return { method: String(root.getFirstPropertyValue('method')), vevent: root.getFirstSubcomponent('vevent')! };
}

test('a confirmation arrives in Chinese then English, with the appointment attached as a calendar REQUEST', async (t) => {
  await mailer.send(bookingNoticeMail(notice, options));
  const mail = await smtp.waitForMessage('li.na@example.org');
  t.is(mail.subject, '【Open HIS】预约成功 2026-12-03 / Open HIS: Appointment confirmed 2026-12-03');
  t.false(mail.subject.includes('内科'), 'the department is not on the lock screen');
  t.is(mail.headers['auto-submitted'], 'auto-generated');
  const zh = mail.text.indexOf('您的门诊预约已成功。');
  const en = mail.text.indexOf('Your outpatient appointment is booked.');
  t.true(zh >= 0 && en > zh, 'Chinese first, English second');
  for (const line of ['就诊时间: 2026-12-03 08:00–08:15', '科室: 内科', '医生: 张伟 主任医师', '排队号: 7 号', '挂号费: 50.00 元',
    'Time: 2026-12-03 08:00–08:15', 'Department: Internal Medicine', 'Doctor: 张伟 Chief Physician', 'Queue number: No. 7', 'Registration fee: CNY 50.00']) {
    t.true(mail.text.includes(line), line);
  }
  t.true(mail.html!.includes('<div lang="zh-CN">'));

  const attachment = mail.attachments[0]!;
  t.is(attachment.contentType.replace(/\s+/g, ' '), 'text/calendar; charset=utf-8; method=REQUEST; name=appointment.ics');
  const { method, vevent } = event(mail);
  t.is(method, 'REQUEST');
  t.is(vevent.getFirstPropertyValue('uid') as string, 'appt-7@open-his');
  t.is(vevent.getFirstPropertyValue('status') as string, 'CONFIRMED');
  t.is((vevent.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(), '2026-12-03T00:00:00.000Z');
  t.regex(vevent.getFirstPropertyValue('description') as string, /排队号 Queue number: 7/);
  t.is(vevent.getFirstProperty('organizer')!.getFirstValue() as string, 'mailto:no-reply@his.example.org');
});

test('an English-speaking patient reads English first', async (t) => {
  await mailer.send(bookingNoticeMail({ ...notice, to: 'john.smith@example.org', language: 'en', patientName: 'John Smith' }, options));
  const mail = await smtp.waitForMessage('john.smith@example.org');
  t.true(mail.subject.startsWith('Open HIS: Appointment confirmed 2026-12-03 / 【Open HIS】预约成功'));
  t.true(mail.text.startsWith('Dear John Smith,'));
  t.true(mail.text.indexOf('John Smith，您好：') > mail.text.indexOf('Your outpatient appointment is booked.'));
  t.true(mail.html!.indexOf('<div lang="en">') < mail.html!.indexOf('<div lang="zh-CN">'));
});

test('a stop-clinic notice cancels the calendar entry, gives the reason and suggests booking again', async (t) => {
  await mailer.send(bookingNoticeMail({ ...notice, to: 'wang.fang@example.org', kind: 'stop-clinic', reason: '医生外出会诊', sequence: 3 }, options));
  const mail = await smtp.waitForMessage('wang.fang@example.org');
  t.true(mail.subject.startsWith('【Open HIS】停诊通知 2026-12-03 / Open HIS: Clinic cancelled'));
  t.true(mail.text.includes('很抱歉，医生停诊，您的门诊预约已取消。'));
  t.true(mail.text.includes('原因: 医生外出会诊'));
  t.true(mail.text.includes('请重新预约'));
  t.true(mail.text.includes('Please book again'));
  t.regex(mail.attachments[0]!.contentType, /method=CANCEL/);
  const { method, vevent } = event(mail);
  t.is(method, 'CANCEL');
  t.is(vevent.getFirstPropertyValue('status') as string, 'CANCELLED');
  t.is(Number(vevent.getFirstPropertyValue('sequence')), 3);
  t.is(vevent.getFirstPropertyValue('uid') as string, 'appt-7@open-his');
});

test('every kind has its own subject and calendar method', (t) => {
  const expected = { confirmation: 'REQUEST', rescheduled: 'REQUEST', reminder: 'REQUEST', cancellation: 'CANCEL', 'stop-clinic': 'CANCEL' } as const;
  const subjects = new Set<string>();
  for (const [kind, method] of Object.entries(expected)) {
    const mail = bookingNoticeMail({ ...notice, kind: kind as BookingNotice['kind'] }, options);
    subjects.add(mail.subject);
    t.is(mail.attachments![0]!.contentType, `text/calendar; charset=utf-8; method=${method}`);
    t.true(String(mail.attachments![0]!.content).includes(`\r\nMETHOD:${method}\r\n`));
  }
  t.is(subjects.size, 5);
  t.true(bookingNoticeMail({ ...notice, kind: 'reminder' }, options).text.includes('提醒您明天按时就诊。'));
});

test('values from records are HTML-escaped and cannot add markup', (t) => {
  const hostile = '<script>alert(1)</script>&"\'';
  const mail = bookingNoticeMail({ ...notice, patientName: hostile, location: '<img src=x onerror=alert(1)>', kind: 'cancellation', reason: '<b>x</b>' }, options);
  t.false(mail.html!.includes('<script>'));
  t.false(mail.html!.includes('<img'));
  t.false(mail.html!.includes('<b>x</b>'));
  t.true(mail.html!.includes('&#60;script&#62;alert(1)&#60;/script&#62;&#38;&#34;&#39;'));
  t.true(mail.text.includes(hostile), 'the text part is plain text and keeps the value as it is');
});

test('times are shown on the hospital clock whatever offset they were given in', (t) => {
  const mail = bookingNoticeMail({ ...notice, start: '2026-12-03T00:00:00Z', end: '2026-12-03T00:15:00Z' }, options);
  t.true(mail.text.includes('就诊时间: 2026-12-03 08:00–08:15'));
});
