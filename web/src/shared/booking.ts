// The public booking endpoints (GET /booking/…), typed after the booking contract.
import { requestJson } from './http.ts';
import type { AvailabilityDay } from './push-events.ts';

export interface Department { id: string; name: { zh: string; en: string }; specialty?: string }
export interface Doctor {
  role: string;
  practitioner: string;
  name: string;
  title: { zh: string; en: string };
  specialty?: string;
  fee: { value: number; currency: string };
  schedule: string;
  nextFreeDate: string | null;
}
/** A day as GET /booking/availability answers it: `bookable` is false before its release (放号) or when it is too near for online booking. */
export interface AvailabilityAnswerDay { date: string; bookable: boolean; times: AvailabilityDay['times'] }
export interface Availability { service: string; days: AvailabilityAnswerDay[]; releasedThrough: string; nextRelease: string | null }

const q = encodeURIComponent;

export const booking = {
  departments: () => requestJson<Department[]>('/booking/departments'),
  doctors: (service: string) => requestJson<Doctor[]>(`/booking/doctors?service=${q(service)}`),
  availability: (service: string, from: string, to: string, role?: string) =>
    requestJson<Availability>(`/booking/availability?service=${q(service)}&from=${from}&to=${to}${role ? `&role=${q(role)}` : ''}`),
};

/** The hospital's time zone: the days of the calendar strip are its days. */
export const HOSPITAL_TIME_ZONE = 'Asia/Shanghai';

/** YYYY-MM-DD of `at` in the hospital's time zone. */
export function hospitalDate(at: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: HOSPITAL_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The `count` calendar days from `first` (YYYY-MM-DD) on. */
export function dayRange(first: string, count: number): string[] {
  const [y, m, d] = first.split('-').map(Number) as [number, number, number];
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10));
}

/** HH:MM of a FHIR instant as written (the slots carry the hospital's offset, so this is its wall clock). */
export const clock = (instant: string | undefined): string => instant?.slice(11, 16) ?? '';

export function formatDay(date: string, lang: string, style: 'short' | 'long' = 'short'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(lang, style === 'short'
    ? { month: 'numeric', day: 'numeric', weekday: 'short', timeZone: 'UTC' }
    : { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

export function formatMoney(fee: { value: number; currency: string } | undefined, lang: string): string {
  if (!fee) return '';
  return new Intl.NumberFormat(lang, { style: 'currency', currency: fee.currency || 'CNY' }).format(fee.value);
}
