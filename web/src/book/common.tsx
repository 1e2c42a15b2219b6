// Pieces the booking views share: error texts, the initials avatar, the live availability of a
// doctor's 14 days, the day strip and the time list.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../shared/i18n/index.tsx';
import { booking, clock, dayRange, formatDay, hospitalDate } from '../shared/booking.ts';
import type { AvailabilityTime } from '../shared/push-events.ts';
import { onAvailability, onConnection, watchDays } from '../shared/socket.ts';

export const DAYS = 14;

// The error texts moved to shared/errors.tsx (the staff pages use them too).
export { ErrorNote, errorText } from '../shared/errors.tsx';

export function initials(name: string): string {
  const trimmed = name.trim();
  if (/[\u3400-\u9fff]/.test(trimmed)) return trimmed.slice(0, 1);
  return trimmed.split(/\s+/).slice(0, 2).map((w) => w[0]?.toUpperCase() ?? '').join('');
}

export function Avatar({ name }: { name: string }) {
  return <span className="avatar" aria-hidden="true">{initials(name)}</span>;
}

/** A section heading that takes the focus when its step opens, so keyboard and screen-reader users follow. */
export function StepHeading({ children, focus, id }: { children: ReactNode; focus?: boolean; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => { if (focus) ref.current?.focus(); }, [focus]);
  return <h2 ref={ref} id={id} tabIndex={-1}>{children}</h2>;
}

export interface DoctorDays {
  dates: string[];
  /** Times of the doctor by date; a date missing is not loaded or not released. */
  byDate: Record<string, AvailabilityTime[]>;
  /** Whether each day can be booked online now (released, not too near). */
  bookable: Record<string, boolean>;
  loading: boolean;
  error: unknown;
  reload(): void;
  /** The last live change, for the aria-live region. */
  announcement: string;
  connected: boolean;
}

/** The doctor's next 14 days: loaded once, then kept current by the `availability` push. */
export function useDoctorDays(service: string | null, role: string | null, selectedDate: string | null): DoctorDays {
  const { lang, t } = useI18n();
  // Online booking opens from tomorrow (today is for the desk), up to the booking window.
  const [dates] = useState(() => dayRange(hospitalDate(), DAYS + 1).slice(1));
  const [bookable, setBookable] = useState<Record<string, boolean>>({});
  const [byDate, setByDate] = useState<Record<string, AvailabilityTime[]>>({});
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [announcement, setAnnouncement] = useState('');
  const [connected, setConnected] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const selected = useRef(selectedDate);
  selected.current = selectedDate;
  const words = useRef({ lang, t });
  words.current = { lang, t };

  useEffect(() => {
    if (!service || !role) return;
    let live = true;
    setLoading(true);
    setError(null);
    setByDate({});
    booking.availability(service, dates[0]!, dates[dates.length - 1]!, role).then((answer) => {
      if (!live) return;
      const next: Record<string, AvailabilityTime[]> = {};
      const open: Record<string, boolean> = {};
      for (const day of answer.days) {
        next[day.date] = day.times.filter((time) => time.role === role);
        open[day.date] = day.bookable;
      }
      setByDate(next);
      setBookable(open);
    }, (err: unknown) => { if (live) setError(err); }).finally(() => { if (live) setLoading(false); });

    watchDays({ service, dates });
    const stopConnection = onConnection(setConnected);
    const stop = onAvailability((event) => {
      if (event.service !== service || !dates.includes(event.date)) return;
      const times = event.times.filter((time) => time.role === role);
      setByDate((before) => {
        if (event.date === selected.current) {
          const { t: tr } = words.current;
          const old = new Map((before[event.date] ?? []).map((time) => [time.slot, time.free]));
          const changed = times.filter((time) => old.get(time.slot) !== time.free);
          const gone = [...old.keys()].filter((slot) => !times.some((time) => time.slot === slot));
          const first = changed[0];
          if (first) {
            const label = `${clock(first.start)}–${clock(first.end)}`;
            setAnnouncement(first.free > 0 ? tr('book.liveUpdated', { time: label, count: first.free }) : tr('book.liveGone', { time: label }));
          } else if (gone.length > 0) {
            const time = (before[event.date] ?? []).find((x) => x.slot === gone[0]);
            if (time) setAnnouncement(tr('book.liveGone', { time: `${clock(time.start)}–${clock(time.end)}` }));
          }
        }
        return { ...before, [event.date]: times };
      });
    });
    return () => {
      live = false;
      stop();
      stopConnection();
      watchDays(null);
    };
  }, [service, role, dates, attempt]);

  return { dates, byDate, bookable, loading, error, reload: () => setAttempt((n) => n + 1), announcement, connected };
}

export const freeOf = (times: AvailabilityTime[] | undefined): number => (times ?? []).reduce((sum, time) => sum + Math.max(0, time.free), 0);

export function DayStrip({ days, selected, onSelect }: { days: DoctorDays; selected: string | null; onSelect(date: string): void }) {
  const { lang, t } = useI18n();
  return (
    <ul className="days" aria-label={t('book.daysLabel')}>
      {days.dates.map((date) => {
        const open = days.bookable[date] !== false;
        const free = open ? freeOf(days.byDate[date]) : 0;
        return (
          <li key={date}>
            <button type="button" className="day" aria-pressed={date === selected} disabled={free === 0} onClick={() => onSelect(date)}
              data-date={date}>
              <span className="day-date">{formatDay(date, lang)}</span>
              <span className="day-count">{!open ? t('book.dayNotOpen') : free > 0 ? t('book.dayFree', { count: free }) : t('book.dayNone')}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

export function TimeList({ times, selected, onSelect }: { times: AvailabilityTime[]; selected: string | null; onSelect(slot: string): void }) {
  const { t } = useI18n();
  if (times.length === 0 || freeOf(times) === 0) return <p>{t('book.noTimes')}</p>;
  const periods = (['morning', 'afternoon'] as const).map((period) => ({ period, times: times.filter((time) => time.period === period) }))
    .filter((group) => group.times.length > 0);
  return (
    <div className="times">
      {periods.map((group) => (
        <section key={group.period} aria-labelledby={`period-${group.period}`}>
          <h3 id={`period-${group.period}`}>{t(`book.${group.period}`)}</h3>
          <ul>
            {group.times.map((time) => (
              <li key={time.slot}>
                <button type="button" className="time" aria-pressed={time.slot === selected} disabled={time.free <= 0}
                  onClick={() => onSelect(time.slot)} data-slot={time.slot}>
                  <span className="time-clock">{clock(time.start)}–{clock(time.end)}</span>
                  <span className="time-count">{time.free > 0 ? t('book.remaining', { count: time.free }) : t('book.full')}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

/** The polite live region the page announces availability changes in. */
export function LiveRegion({ days }: { days: DoctorDays }) {
  const { t } = useI18n();
  return (
    <>
      <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="live">{days.announcement}</p>
      {days.connected ? null : <p className="note" role="status">{t('book.connectionLost')}</p>}
    </>
  );
}
