// Live availability: one Socket.io connection to the /booking namespace (same origin, path
// /socket.io). The page says which department days it shows; after a reconnect it watches them again.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, AvailabilityTime } from './push-events.ts';

type BookingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type AvailabilityEvent = { service: string; date: string; times: AvailabilityTime[]; at: string };

let socket: BookingSocket | null = null;
let watched: { service: string; dates: string[] } | null = null;
const handlers = new Set<(event: AvailabilityEvent) => void>();
const statusHandlers = new Set<(connected: boolean) => void>();

function connect(): BookingSocket {
  if (socket) return socket;
  socket = io('/booking', { path: '/socket.io' });
  socket.on('connect', () => {
    for (const h of statusHandlers) h(true);
    if (watched) socket!.emit('watch', watched, () => undefined);
  });
  socket.on('disconnect', () => { for (const h of statusHandlers) h(false); });
  socket.on('availability', (event) => { for (const h of handlers) h(event); });
  return socket;
}

/** Watches these days of a department (replacing what was watched before); null stops watching. */
export function watchDays(next: { service: string; dates: string[] } | null): void {
  const s = connect();
  if (watched && s.connected) s.emit('unwatch', watched, () => undefined);
  watched = next && next.dates.length > 0 ? { service: next.service, dates: next.dates.slice(0, 31) } : null;
  if (watched && s.connected) s.emit('watch', watched, () => undefined);
}

export function onAvailability(handler: (event: AvailabilityEvent) => void): () => void {
  connect();
  handlers.add(handler);
  return () => handlers.delete(handler);
}

export function onConnection(handler: (connected: boolean) => void): () => void {
  statusHandlers.add(handler);
  return () => statusHandlers.delete(handler);
}
