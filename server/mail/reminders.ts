// Reminders the day before: every pass finds the booked Appointments that start tomorrow on the
// hospital's clock and mails each patient once. Several server processes may run passes at the same
// time: a reminder is claimed in booking_mail_sent before it is sent, and only the claimant sends.
// A claim whose mail fails is given back, so the next pass tries again; a process that dies between
// claim and send loses that one reminder (at most once, never twice).
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Database, Queryable, Repository, Resource } from '../../fhir/index.ts';
import { bookingNoticeMail, type BookingNoticeKind } from './booking-notices.ts';
import { noticeForAppointment, type NoticeAccounts } from './appointment-notice.ts';
import { redactAddress, type Mailer } from './transport.ts';

export const mailMigrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'mail' };

export interface ReminderOptions {
  db: Queryable;
  repo: Repository;
  accounts: NoticeAccounts;
  mailer: Mailer;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** HIS_TIMEZONE: "tomorrow" is the next day on this zone's calendar. */
  timezone: string;
  /** MAIL_FROM, the ORGANIZER of the attached invitation. */
  organizer: string;
  siteName?: string;
}

/**
 * Claims the mail of `kind` about the appointment starting at `start`: true for the one caller that
 * should send it. A row for another start (the appointment moved) is taken over, so a rescheduled
 * appointment is reminded of again; the row lock makes concurrent claimants wait and then see it taken.
 */
export async function claimBookingMail(db: Queryable, appointmentId: string, kind: BookingNoticeKind, start: string): Promise<boolean> {
  const rows = (await db.query<{ appointment_id: string }>(
    `INSERT INTO booking_mail_sent AS s (appointment_id, kind, appointment_start) VALUES ($1, $2, $3)
     ON CONFLICT (appointment_id, kind) DO UPDATE SET appointment_start = EXCLUDED.appointment_start, sent_at = now()
       WHERE s.appointment_start <> EXCLUDED.appointment_start
     RETURNING appointment_id`, [appointmentId, kind, start])).rows;
  return rows.length === 1;
}

/** Gives a claim back after the mail could not be sent. */
export async function releaseBookingMail(db: Queryable, appointmentId: string, kind: BookingNoticeKind, start: string): Promise<void> {
  await db.query('DELETE FROM booking_mail_sent WHERE appointment_id = $1 AND kind = $2 AND appointment_start = $3', [appointmentId, kind, start]);
}

/** Milliseconds the zone's clock is ahead of UTC at `at`. */
function zoneOffset(at: number, timeZone: string): number {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(at)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(at / 1000) * 1000;
}

/** The instant the zone's calendar day `y-m-d` begins (m is 1-based; days past the month's end roll over). */
function startOfDay(y: number, m: number, d: number, timeZone: string): Date {
  const midnight = Date.UTC(y, m - 1, d);
  // Twice: the offset at the guess can differ from that at midnight when a clock change lies between.
  const guess = midnight - zoneOffset(midnight, timeZone);
  return new Date(midnight - zoneOffset(guess, timeZone));
}

/** Where the zone's next calendar day after `now` begins and ends. */
export function tomorrow(now: Date, timeZone: string): { date: string; from: Date; to: Date } {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(now).map((x) => [x.type, Number(x.value)]));
  const from = startOfDay(p.year!, p.month!, p.day! + 1, timeZone);
  const to = startOfDay(p.year!, p.month!, p.day! + 2, timeZone);
  const day = new Date(Date.UTC(p.year!, p.month! - 1, p.day! + 1));
  return { date: day.toISOString().slice(0, 10), from, to };
}

const instant = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Booked Appointments starting in [from, to), page by page. */
async function* bookedBetween(repo: Repository, from: Date, to: Date): AsyncGenerator<Resource> {
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams([['status', 'booked'], ['date', `ge${instant(from)}`], ['date', `lt${instant(to)}`], ['_sort', 'date'], ['_count', '200']]);
    if (cursor) query.set('_cursor', cursor);
    const page = await repo.search('Appointment', query, { handling: 'strict' });
    for (const version of page.versions) {
      if (version.json) yield JSON.parse(version.json) as Resource;
    }
    cursor = page.hasMore ? page.next : undefined;
  } while (cursor);
}

/** One pass: reminds every patient of tomorrow's booked appointments not yet reminded. Returns how many were sent. */
export async function sendReminders(options: ReminderOptions, now = new Date()): Promise<number> {
  const { db, repo, accounts, mailer, log } = options;
  const day = tomorrow(now, options.timezone);
  let sent = 0;
  for await (const appointment of bookedBetween(repo, day.from, day.to)) {
    const notice = await noticeForAppointment(repo, accounts, appointment, 'reminder');
    if (!notice) continue;
    if (!await claimBookingMail(db, notice.appointmentId, 'reminder', notice.start)) continue;
    try {
      await mailer.send(bookingNoticeMail(notice, { organizer: options.organizer, timeZone: options.timezone, siteName: options.siteName }));
      sent++;
    } catch (err) {
      await releaseBookingMail(db, notice.appointmentId, 'reminder', notice.start);
      log.warn({ mail: { to: redactAddress(notice.to), appointment: notice.appointmentId }, err: { message: (err as Error).message } }, 'reminder not sent; retried at the next pass');
    }
  }
  // Records of appointments long past can no longer stop a duplicate: they are dropped.
  await db.query(`DELETE FROM booking_mail_sent WHERE appointment_start < now() - interval '30 days'`);
  if (sent > 0) log.info({ reminders: sent, day: day.date }, 'booking reminders sent');
  return sent;
}

export interface Reminders {
  /** Runs one pass now (after any pass in progress). */
  runOnce(now?: Date): Promise<number>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * Runs a pass at start and then every `intervalMs` (default 15 minutes; timer unref'd). A pass that
 * fails is logged and the next one tries again; passes of one process never overlap.
 */
export function startReminders(options: ReminderOptions & { db: Database; intervalMs?: number }): Reminders {
  let running: Promise<number> = Promise.resolve(0);
  let stopped = false;
  const run = (now?: Date): Promise<number> => {
    running = running.catch(() => 0).then(() => (stopped ? 0 : sendReminders(options, now)));
    return running;
  };
  const tick = (): void => {
    run().catch((err: Error) => options.log.error({ err: { message: err.message } }, 'booking reminder pass failed'));
  };
  const first = setTimeout(tick, 0);
  const timer = setInterval(tick, options.intervalMs ?? 15 * 60_000);
  first.unref();
  timer.unref();
  return {
    runOnce: (now) => run(now),
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running.catch(() => 0);
    },
  };
}
