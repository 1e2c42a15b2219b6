// The e-mails about a booked appointment: confirmation, rescheduled, cancellation, reminder (the day
// before) and stop-clinic (停诊: the doctor's clinic is cancelled, and with it the appointment).
// Each is in both languages — the patient's first — and carries the appointment as an iCalendar
// invitation (ics.ts) that calendar apps add, move or remove by its UID.
// Subjects name neither the department nor the doctor: they show on lock screens and in
// notification previews, and mail servers log them; a department can say what a patient suffers from.
import { calendar, type CalendarMethod } from './ics.ts';
import type { MailLocale } from './templates.ts';
import type { MailMessage } from './transport.ts';

export type BookingNoticeKind = 'confirmation' | 'rescheduled' | 'cancellation' | 'reminder' | 'stop-clinic';

export interface BookingNotice {
  kind: BookingNoticeKind;
  /** The patient's (or their proxy's) e-mail address; empty only for a calendar file served directly. */
  to: string;
  language: MailLocale;
  appointmentId: string;
  patientName: string;
  department: { zh: string; en: string };
  doctor: { name: string; title: { zh: string; en: string } };
  /** ISO 8601 with an offset, e.g. 2026-12-03T08:00:00+08:00. */
  start: string;
  end: string;
  queueNumber?: number;
  location?: string;
  fee?: { value: number; currency: string };
  /** Why it was cancelled (cancellation, stop-clinic). */
  reason?: string;
  /**
   * iCalendar SEQUENCE (RFC 5546 §2.1.4): must grow with every change of the appointment so calendar
   * apps take the newest message. Default 0.
   */
  sequence?: number;
}

export interface BookingMailOptions {
  /** MAIL_FROM: the invitation's ORGANIZER. */
  organizer: string;
  /** The hospital's zone (HIS_TIMEZONE): times in the mail are its clock times. */
  timeZone: string;
  siteName?: string;
}

export const methodOf = (kind: BookingNoticeKind): CalendarMethod =>
  (kind === 'cancellation' || kind === 'stop-clinic' ? 'CANCEL' : 'REQUEST');

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Wording {
  subject: Record<BookingNoticeKind, string>;
  headline: Record<BookingNoticeKind, string>;
  dear: string;
  labels: { time: string; department: string; doctor: string; queue: string; location: string; fee: string; reason: string };
  advice: Record<BookingNoticeKind, string>;
  calendar: Record<CalendarMethod, string>;
  automatic: string;
}

const wording: Record<MailLocale, Wording> = {
  'zh-CN': {
    subject: {
      confirmation: '预约成功', rescheduled: '预约已改期', cancellation: '预约已取消', reminder: '明日就诊提醒', 'stop-clinic': '停诊通知',
    },
    headline: {
      confirmation: '您的门诊预约已成功。',
      rescheduled: '您的门诊预约已改到新的时间。',
      cancellation: '您的门诊预约已取消。',
      reminder: '提醒您明天按时就诊。',
      'stop-clinic': '很抱歉，医生停诊，您的门诊预约已取消。',
    },
    dear: '{name}，您好：',
    labels: { time: '就诊时间', department: '科室', doctor: '医生', queue: '排队号', location: '地点', fee: '挂号费', reason: '原因' },
    advice: {
      confirmation: '请提前 15 分钟到达，携带身份证或医保卡签到。如不能就诊，请提前取消。',
      rescheduled: '原时间的预约已失效。请提前 15 分钟到达，携带身份证或医保卡签到。',
      cancellation: '如需就诊，请重新预约。',
      reminder: '请提前 15 分钟到达，携带身份证或医保卡签到。如不能就诊，请及时取消。',
      'stop-clinic': '请重新预约同科室的其他医生或其他时间。',
    },
    calendar: { REQUEST: '附件中的日历文件可将本次预约加入您的日历。', CANCEL: '附件中的日历文件会将本次预约从您的日历中移除。' },
    automatic: '此邮件由系统自动发送，请勿回复。',
  },
  en: {
    subject: {
      confirmation: 'Appointment confirmed', rescheduled: 'Appointment rescheduled', cancellation: 'Appointment cancelled',
      reminder: 'Your appointment tomorrow', 'stop-clinic': 'Clinic cancelled',
    },
    headline: {
      confirmation: 'Your outpatient appointment is booked.',
      rescheduled: 'Your outpatient appointment has moved to a new time.',
      cancellation: 'Your outpatient appointment is cancelled.',
      reminder: 'A reminder of your appointment tomorrow.',
      'stop-clinic': 'We are sorry: the doctor\'s clinic is cancelled, and so is your appointment.',
    },
    dear: 'Dear {name},',
    labels: { time: 'Time', department: 'Department', doctor: 'Doctor', queue: 'Queue number', location: 'Location', fee: 'Registration fee', reason: 'Reason' },
    advice: {
      confirmation: 'Please arrive 15 minutes early and check in with your ID card or medical insurance card. If you cannot come, cancel in advance.',
      rescheduled: 'The appointment at the old time no longer holds. Please arrive 15 minutes early and check in with your ID card or medical insurance card.',
      cancellation: 'To see a doctor, please book again.',
      reminder: 'Please arrive 15 minutes early and check in with your ID card or medical insurance card. If you cannot come, cancel in time.',
      'stop-clinic': 'Please book again, with another doctor of the department or at another time.',
    },
    calendar: { REQUEST: 'The attached calendar file adds this appointment to your calendar.', CANCEL: 'The attached calendar file removes this appointment from your calendar.' },
    automatic: 'This e-mail was sent automatically; replies are not read.',
  },
};

/** "2026-12-03 08:00–08:15" in the hospital's zone. */
function timeRange(start: string, end: string, timeZone: string): { date: string; from: string; to: string } {
  const parts = (iso: string) => {
    const values = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
    return { date: `${values.year}-${values.month}-${values.day}`, time: `${values.hour}:${values.minute}` };
  };
  const a = parts(start);
  const b = parts(end);
  return { date: a.date, from: a.time, to: b.date === a.date ? b.time : `${b.date} ${b.time}` };
}

function money(fee: { value: number; currency: string }, locale: MailLocale): string {
  const amount = fee.value.toFixed(2);
  if (fee.currency === 'CNY') return locale === 'zh-CN' ? `${amount} 元` : `CNY ${amount}`;
  return `${fee.currency} ${amount}`;
}

interface Section {
  locale: MailLocale;
  dear: string;
  headline: string;
  rows: [string, string][];
  advice: string;
  calendar: string;
  automatic: string;
}

function section(notice: BookingNotice, locale: MailLocale, when: ReturnType<typeof timeRange>): Section {
  const words = wording[locale];
  const zh = locale === 'zh-CN';
  const rows: [string, string][] = [
    [words.labels.time, `${when.date} ${when.from}–${when.to}`],
    [words.labels.department, zh ? notice.department.zh : notice.department.en],
    [words.labels.doctor, `${notice.doctor.name} ${zh ? notice.doctor.title.zh : notice.doctor.title.en}`.trim()],
  ];
  if (notice.queueNumber !== undefined) rows.push([words.labels.queue, zh ? `${notice.queueNumber} 号` : `No. ${notice.queueNumber}`]);
  if (notice.location) rows.push([words.labels.location, notice.location]);
  if (notice.fee) rows.push([words.labels.fee, money(notice.fee, locale)]);
  if (notice.reason && methodOf(notice.kind) === 'CANCEL') rows.push([words.labels.reason, notice.reason]);
  return {
    locale,
    dear: words.dear.replace('{name}', notice.patientName),
    headline: words.headline[notice.kind],
    rows,
    advice: words.advice[notice.kind],
    calendar: words.calendar[methodOf(notice.kind)],
    automatic: words.automatic,
  };
}

function textOf(s: Section): string {
  return [s.dear, '', s.headline, '', ...s.rows.map(([label, value]) => `${label}: ${value}`), '', s.advice, s.calendar, '', s.automatic].join('\n');
}

// Labels and wording are ours; every value that came from a record is escaped.
function htmlOf(s: Section): string {
  return [
    `<div lang="${s.locale}">`,
    `<p>${escapeHtml(s.dear)}</p>`,
    `<p><strong>${s.headline}</strong></p>`,
    '<table style="border-collapse:collapse">',
    ...s.rows.map(([label, value]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0">${label}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    `<p>${s.advice}</p>`,
    `<p>${s.calendar}</p>`,
    `<p style="color:#666">${s.automatic}</p>`,
    '</div>',
  ].join('\n');
}

/** The calendar text of a notice: the attachment, and what GET /booking/appointments/{id}/ics can serve. */
export function noticeCalendar(notice: BookingNotice, options: BookingMailOptions): string {
  const method = methodOf(notice.kind);
  const queue = notice.queueNumber !== undefined ? [`排队号 Queue number: ${notice.queueNumber}`] : [];
  return calendar({
    method,
    appointmentId: notice.appointmentId,
    sequence: notice.sequence ?? 0,
    start: notice.start,
    end: notice.end,
    summary: `${notice.department.zh} ${notice.doctor.name} / ${notice.department.en}`,
    ...(notice.location ? { location: notice.location } : {}),
    description: [
      ...queue,
      `科室 Department: ${notice.department.zh} ${notice.department.en}`,
      `医生 Doctor: ${notice.doctor.name} ${notice.doctor.title.zh} ${notice.doctor.title.en}`.trim(),
      ...(notice.reason && method === 'CANCEL' ? [`原因 Reason: ${notice.reason}`] : []),
    ].join('\n'),
    organizer: options.organizer,
    ...(notice.to ? { attendee: { email: notice.to, name: notice.patientName } } : {}),
  });
}

/** The e-mail of a notice: bilingual subject, text and HTML, with the .ics attached. */
export function bookingNoticeMail(notice: BookingNotice, options: BookingMailOptions): MailMessage {
  const site = options.siteName ?? 'Open HIS';
  const when = timeRange(notice.start, notice.end, options.timeZone);
  const order: MailLocale[] = notice.language === 'en' ? ['en', 'zh-CN'] : ['zh-CN', 'en'];
  const sections = order.map((locale) => section(notice, locale, when));
  const subjects = order.map((locale) => (locale === 'zh-CN'
    ? `【${site}】${wording['zh-CN'].subject[notice.kind]} ${when.date}`
    : `${site}: ${wording.en.subject[notice.kind]} ${when.date}`));
  const subject = subjects.join(' / ');
  const method = methodOf(notice.kind);
  return {
    to: notice.to,
    subject,
    text: `${sections.map(textOf).join('\n\n----------------------------------------\n\n')}\n`,
    html: [
      '<!DOCTYPE html>',
      `<html lang="${notice.language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
      '<body style="font-family:sans-serif;line-height:1.6">',
      sections.map(htmlOf).join('\n<hr>\n'),
      '</body></html>',
    ].join('\n'),
    attachments: [{
      filename: 'appointment.ics',
      content: noticeCalendar(notice, options),
      contentType: `text/calendar; charset=utf-8; method=${method}`,
    }],
  };
}
