// E-mail for booking events: confirmation, change, cancellation and 停诊 notices go out after the
// commit (never inside the transaction: a slow SMTP server must not hold a booking's locks), each
// with the appointment as an .ics attachment. A failed send is logged without the address or text.
import type { Repository, Resource } from '../../fhir/index.ts';
import type { Logger } from 'pino';
import type { Mailer } from '../mail/transport.ts';
import { noticeForAppointment, type NoticeAccounts } from '../mail/appointment-notice.ts';
import { bookingNoticeMail } from '../mail/booking-notices.ts';
import type { BookingService } from './service.ts';

export interface BookingMailOptions {
  repo: Repository;
  accounts: NoticeAccounts;
  mailer: Mailer;
  log: Pick<Logger, 'warn'>;
  timeZone: string;
  organizer: string;
}

export function mailBookingNotices(booking: BookingService, options: BookingMailOptions): { idle(): Promise<void> } {
  const pending = new Set<Promise<void>>();
  booking.onNotice((kind, appointment: Resource) => {
    const reason = (appointment as { cancelationReason?: { text?: string } }).cancelationReason?.text;
    const sending = (async () => {
      const notice = await noticeForAppointment(options.repo, options.accounts, appointment, kind, reason ? { reason } : {});
      if (!notice) return;
      await options.mailer.send(bookingNoticeMail(notice, { organizer: options.organizer, timeZone: options.timeZone }));
    })().catch((err: Error) => options.log.warn({ kind, appointment: appointment.id, err: err.message }, 'Booking notice not sent'));
    pending.add(sending);
    void sending.finally(() => pending.delete(sending));
  });
  return { idle: async () => { await Promise.all(pending); } };
}
