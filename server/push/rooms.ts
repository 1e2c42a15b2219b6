// Room names of the push: one room per department and day. A FHIR id has no ':', so the name splits back.
import type { WatchRequest } from './events.ts';

/** Days one request may name: a month of the booking calendar. */
export const MAX_DATES_PER_REQUEST = 31;

/** Rooms one connection may be in: two months, so a page paging through the calendar stays well inside. */
export const MAX_ROOMS_PER_SOCKET = 64;

const PREFIX = 'availability:';
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function roomName(service: string, date: string): string {
  return `${PREFIX}${service}:${date}`;
}

export function isAvailabilityRoom(room: string): boolean {
  return room.startsWith(PREFIX);
}

/** A calendar date that exists: 2026-02-28 is one, 2026-02-30 is not. */
function isRealDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
}

/**
 * Checks a `watch` / `unwatch` payload from the network. Anything but exactly `{ service, dates }` is
 * refused; errors are fixed texts that never echo the input back.
 */
export function parseWatchRequest(input: unknown): { ok: true; request: WatchRequest } | { ok: false; error: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, error: 'expected { service, dates }' };
  const keys = Object.keys(input);
  if (keys.length !== 2 || !keys.includes('service') || !keys.includes('dates')) return { ok: false, error: 'expected exactly { service, dates }' };
  const { service, dates } = input as Record<string, unknown>;
  if (typeof service !== 'string' || !FHIR_ID.test(service)) return { ok: false, error: 'service must be a HealthcareService id' };
  if (!Array.isArray(dates) || dates.length === 0 || dates.length > MAX_DATES_PER_REQUEST) {
    return { ok: false, error: `dates must list 1 to ${MAX_DATES_PER_REQUEST} days` };
  }
  if (!dates.every((d): d is string => typeof d === 'string' && isRealDate(d))) return { ok: false, error: 'dates must be real dates YYYY-MM-DD' };
  return { ok: true, request: { service, dates: [...new Set(dates)] } };
}

/** The department and day of a room named by `roomName`. */
export function parseRoom(room: string): { service: string; date: string } {
  const split = room.lastIndexOf(':');
  return { service: room.slice(PREFIX.length, split), date: room.slice(split + 1) };
}
