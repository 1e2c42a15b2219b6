// The booking service: registers booking's write hooks and $operations with the FHIR engine, keeps
// the slots generated, lapses holds, marks no-shows, and tells listeners (the live push, e-mail)
// what changed once it is committed.
import { fileURLToPath } from 'node:url';
import { migrate, type Database, type FhirEngine, type Resource } from '../../fhir/index.ts';
import type { Logger } from 'pino';
import { DirectoryNames } from './appointment.ts';
import { availability, type AvailabilityTime } from './availability.ts';
import { Calendar } from './calendar.ts';
import { expireHolds, syncSlotStatus } from './claims.ts';
import { closeClinic, type ClosureInput } from './closures.ts';
import type { BookingContext } from './context.ts';
import { generateAll, generateSchedule, type GenerationResult } from './generate.ts';
import { appointmentClaimsHook, slotProjectionHook } from './hooks.ts';
import { markNoShows } from './noshow.ts';
import { bookingOperations } from './operations/index.ts';
import { createRateLimiter, type RateLimiter } from '../plugins/rate-limit.ts';
import { Coalescer } from '../push/coalescer.ts';
import { FullSlots } from './full.ts';
import { loadSettings, saveSettings, validateSettings, type BookingSettings } from './settings.ts';
import { validateTemplate, type ScheduleTemplate } from './template.ts';

const migrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'booking' };

export type NoticeKind = 'confirmation' | 'cancellation' | 'rescheduled' | 'stop-clinic';
export type AvailabilityListener = (service: string, date: string) => void;
export type NoticeListener = (kind: NoticeKind, appointment: Resource) => void;

export interface BookingServiceOptions {
  engine: FhirEngine;
  db: Database;
  timezone: string;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export class BookingService {
  readonly ctx: BookingContext;
  readonly calendar: Calendar;
  readonly #db: Database;
  readonly #log: BookingServiceOptions['log'];
  #settings: BookingSettings;
  readonly #availabilityListeners: AvailabilityListener[] = [];
  readonly #noticeListeners: NoticeListener[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #limiters: { account: RateLimiter; patient: RateLimiter; address: RateLimiter } | undefined;
  #running = Promise.resolve();
  /** Settles Slot statuses after commits (claims.ts syncSlotStatus), one slot at a time, folding bursts. */
  readonly #reconciler: Coalescer;

  private constructor(options: BookingServiceOptions, settings: BookingSettings) {
    this.#db = options.db;
    this.#log = options.log;
    this.#settings = settings;
    this.calendar = new Calendar(options.timezone);
    this.ctx = {
      repo: options.engine.repo, db: options.db, calendar: this.calendar,
      settings: () => this.#settings, names: new DirectoryNames(), changed: (ids) => this.slotsChanged(ids), full: new FullSlots(),
    };
    this.#reconciler = new Coalescer(50, (slotId) => this.ctx.repo.transaction((repo, sql) => syncSlotStatus(repo, sql, [slotId], { lock: true }))
      .catch((err: Error) => this.#log.warn({ err: err.message, slot: slotId }, 'Could not settle a slot\'s status')));
  }

  static async create(options: BookingServiceOptions): Promise<BookingService> {
    await migrate(options.db, migrations);
    const service = new BookingService(options, await loadSettings(options.db));
    const changed = (slotIds: string[]) => service.slotsChanged(slotIds);
    options.engine.addWriteHook(slotProjectionHook(changed));
    options.engine.addWriteHook(appointmentClaimsHook(changed));
    for (const op of bookingOperations(service)) options.engine.addOperation(op);
    return service;
  }

  get settings(): BookingSettings {
    return this.#settings;
  }

  async updateSettings(input: unknown): Promise<BookingSettings> {
    const next = validateSettings(input, this.#settings);
    await saveSettings(this.#db, next);
    this.#settings = next;
    this.#limiters = undefined;
    return next;
  }

  /** Rate limiters of $hold/$book, per account, per patient (identity document) and per client address. */
  limiters() {
    if (!this.#limiters) {
      const { perMinute, perAddressPerMinute } = this.#settings.rateLimit;
      this.#limiters = {
        account: createRateLimiter({ limit: perMinute, windowMs: 60_000 }),
        patient: createRateLimiter({ limit: perMinute, windowMs: 60_000 }),
        address: createRateLimiter({ limit: perAddressPerMinute, windowMs: 60_000 }),
      };
    }
    return this.#limiters;
  }

  onAvailabilityChanged(listener: AvailabilityListener): void {
    this.#availabilityListeners.push(listener);
  }

  onNotice(listener: NoticeListener): void {
    this.#noticeListeners.push(listener);
  }

  notice(kind: NoticeKind, appointment: Resource): void {
    for (const l of this.#noticeListeners) {
      try { l(kind, appointment); } catch (err) { this.#log.error({ err: (err as Error).message, kind }, 'Booking notice listener failed'); }
    }
  }

  /** After a commit: settle the slots' statuses, and tell which departments' days changed. */
  slotsChanged(slotIds: string[]): void {
    this.ctx.full.changed(slotIds);
    for (const id of slotIds) this.#reconciler.mark(id);
    if (this.#availabilityListeners.length === 0 || slotIds.length === 0) return;
    void this.#db.query<{ service_id: string | null; start_at: Date | string }>(
      'SELECT service_id, start_at FROM booking_slot WHERE slot_id = ANY($1::text[])', [slotIds])
      .then(({ rows }) => {
        const seen = new Set<string>();
        for (const r of rows) {
          if (!r.service_id) continue;
          const key = `${r.service_id}|${this.calendar.dateOf(new Date(r.start_at))}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const [service, date] = key.split('|') as [string, string];
          for (const l of this.#availabilityListeners) l(service, date);
        }
      })
      .catch((err: Error) => this.#log.warn({ err: err.message }, 'Could not tell which availability changed'));
  }

  async availabilityOf(service: string, date: string): Promise<AvailabilityTime[]> {
    return (await availability(this.#db, this.calendar, { service, from: date, to: date })).get(date) ?? [];
  }

  async template(scheduleId: string): Promise<ScheduleTemplate | null> {
    const row = (await this.#db.query<{ template: unknown }>('SELECT template FROM booking_template WHERE schedule_id = $1', [scheduleId])).rows[0];
    if (!row) return null;
    return (typeof row.template === 'string' ? JSON.parse(row.template) : row.template) as ScheduleTemplate;
  }

  /** Saves a schedule's template and regenerates its slots at once. */
  async setTemplate(scheduleId: string, input: unknown): Promise<GenerationResult> {
    const template = validateTemplate(input);
    await this.ctx.repo.read('Schedule', scheduleId);
    await this.#db.query(`INSERT INTO booking_template (schedule_id, template, updated_at) VALUES ($1, $2::text::jsonb, now())
      ON CONFLICT (schedule_id) DO UPDATE SET template = excluded.template, updated_at = now()`, [scheduleId, JSON.stringify(template)]);
    return generateSchedule(this.ctx.repo, this.calendar, this.#settings, scheduleId, template, this.calendar.dateOf(new Date()));
  }

  async generate(): Promise<GenerationResult> {
    return generateAll(this.ctx.repo, this.#db, this.calendar, this.#settings, this.calendar.dateOf(new Date()));
  }

  async closeClinic(input: ClosureInput): Promise<{ id: string; cancelled: Resource[]; slots: string[] }> {
    const result = await closeClinic(this.ctx, input);
    for (const appointment of result.cancelled) this.notice('stop-clinic', appointment);
    return result;
  }

  async expireHolds(): Promise<number> {
    const slots = await this.ctx.repo.transaction(async (repo, sql) => {
      const expired = await expireHolds(sql);
      await syncSlotStatus(repo, sql, expired);
      return expired;
    });
    this.slotsChanged(slots);
    return slots.length;
  }

  async markNoShows(): Promise<string[]> {
    return markNoShows(this.ctx);
  }

  /** Background upkeep: holds lapse within seconds, no-shows each minute, slots extend each hour. */
  start(intervals: { holdsMs?: number; noShowMs?: number; generateMs?: number } = {}): void {
    const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
      const timer = setInterval(() => {
        // One upkeep task at a time: on PGlite they share the one connection with requests.
        this.#running = this.#running.then(fn).then(() => undefined, (err: Error) => this.#log.warn({ err: err.message }, `Booking upkeep failed: ${what}`));
      }, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(intervals.holdsMs ?? 2000, 'expire holds', () => this.expireHolds());
    every(intervals.noShowMs ?? 60_000, 'mark no-shows', () => this.markNoShows());
    every(intervals.generateMs ?? 3_600_000, 'generate slots', () => this.generate());
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers.length = 0;
    await this.#running;
    await this.#reconciler.stop();
  }
}
