// Weekly clinic templates (出诊模板): which half-days a doctor sees patients, cut into slots of a
// fixed length, each with a number of places (号源). Pure: a template and a day give the slots that
// day should have; server/booking/generate.ts makes the Slot resources agree with that.
import Joi from 'joi';
import { isTime, minutesOf, weekdayOf, type Weekday } from './calendar.ts';

export type Period = 'morning' | 'afternoon';

export interface SessionTemplate {
  days: Weekday[];
  period: Period;
  /** Local HH:MM. */
  start: string;
  end: string;
  slotMinutes: number;
  /** Places per slot (1: numbered single places). */
  capacity: number;
}

export interface ScheduleTemplate {
  sessions: SessionTemplate[];
}

export interface PlannedSlot {
  period: Period;
  start: string;
  end: string;
  capacity: number;
  /** Queue number of the slot's first place: numbers run on through the day. */
  firstNumber: number;
}

const time = Joi.string().custom((v: string, helpers) => (isTime(v) ? v : helpers.error('any.invalid'))).messages({ 'any.invalid': '{{#label}} must be a time HH:MM' });

const sessionSchema = Joi.object<SessionTemplate>({
  days: Joi.array().items(Joi.string().valid('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')).min(1).max(7).unique().required(),
  period: Joi.string().valid('morning', 'afternoon').required(),
  start: time.required(),
  end: time.required(),
  slotMinutes: Joi.number().integer().min(5).max(240).required(),
  capacity: Joi.number().integer().min(1).max(200).required(),
}).custom((s: SessionTemplate, helpers) => {
  if (minutesOf(s.end) <= minutesOf(s.start)) return helpers.error('any.invalid', { message: 'end must be after start' });
  if (minutesOf(s.end) - minutesOf(s.start) < s.slotMinutes) return helpers.error('any.invalid', { message: 'the session is shorter than one slot' });
  return s;
}).messages({ 'any.invalid': '{{#label}}: {{#message}}' });

const templateSchema = Joi.object<ScheduleTemplate>({
  sessions: Joi.array().items(sessionSchema).max(28).required(),
}).custom((t: ScheduleTemplate, helpers) => {
  // Two sessions of one weekday must not overlap: one doctor cannot sit two clinics at once.
  for (const [i, a] of t.sessions.entries()) {
    for (const b of t.sessions.slice(i + 1)) {
      const sameDay = a.days.some((d) => b.days.includes(d));
      if (sameDay && minutesOf(a.start) < minutesOf(b.end) && minutesOf(b.start) < minutesOf(a.end)) {
        return helpers.error('any.invalid', { message: 'two sessions overlap on the same weekday' });
      }
    }
  }
  return t;
}).messages({ 'any.invalid': '{{#message}}' }).options({ convert: false });

export class TemplateError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export function validateTemplate(input: unknown): ScheduleTemplate {
  const { error, value } = templateSchema.validate(input);
  if (error) throw new TemplateError(error.details[0]?.message ?? error.message, error.details[0]?.path.join('.') ?? '');
  return value;
}

const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The slots of `date` (local HH:MM times), in time order; `closed` periods are left out. */
export function planDay(template: ScheduleTemplate, date: string): PlannedSlot[] {
  const weekday = weekdayOf(date);
  const sessions = template.sessions.filter((s) => s.days.includes(weekday)).sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
  const out: PlannedSlot[] = [];
  let number = 1;
  for (const s of sessions) {
    const end = minutesOf(s.end);
    for (let t = minutesOf(s.start); t + s.slotMinutes <= end; t += s.slotMinutes) {
      out.push({ period: s.period, start: hhmm(t), end: hhmm(t + s.slotMinutes), capacity: s.capacity, firstNumber: number });
      number += s.capacity;
    }
  }
  return out;
}

/** Morning or afternoon, by local start time (the two clinic sessions of a Chinese outpatient day). */
export function periodOf(localTime: string): Period {
  return minutesOf(localTime) < 12 * 60 ? 'morning' : 'afternoon';
}
