// socket.io-client over real HTTP against a test server's `/booking` namespace, and availability
// states the tests change the way bookings would.
import { io, type Socket } from 'socket.io-client';
import type { AvailabilityDay, AvailabilityTime, ClientToServerEvents, ServerToClientEvents, WatchAck } from '../../server/push/events.ts';
import type { AvailabilityProvider } from '../../server/push/push.ts';

export type BookingClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A connected client; every `availability` it receives is kept in `received`. */
export interface Watcher {
  socket: BookingClient;
  received: AvailabilityDay[];
  /** The next payload from now on that matches, or a rejection after `timeoutMs`. */
  next(match: (day: AvailabilityDay) => boolean, timeoutMs?: number): Promise<AvailabilityDay>;
  watch(request: unknown): Promise<WatchAck>;
  close(): void;
}

export async function connectWatcher(url: string, options: { origin?: string; transport?: 'websocket' | 'polling' } = {}): Promise<Watcher> {
  const socket: BookingClient = io(`${url}/booking`, {
    transports: [options.transport ?? 'websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 5000,
    ...(options.origin ? { extraHeaders: { origin: options.origin } } : {}),
  });
  const received: AvailabilityDay[] = [];
  const waiting = new Set<(day: AvailabilityDay) => void>();
  socket.on('availability', (day) => {
    received.push(day);
    for (const notify of [...waiting]) notify(day);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
  return {
    socket,
    received,
    next(match, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(notify);
          reject(new Error(`no matching availability within ${timeoutMs} ms`));
        }, timeoutMs);
        function notify(day: AvailabilityDay) {
          if (!match(day)) return;
          clearTimeout(timer);
          waiting.delete(notify);
          resolve(day);
        }
        waiting.add(notify);
      });
    },
    watch(request) {
      return socket.timeout(5000).emitWithAck('watch', request as never);
    },
    close() {
      socket.close();
    },
  };
}

/** A bookable window with `free` places of `capacity`. */
export function time(slot: string, free: number, capacity = 3): AvailabilityTime {
  return {
    schedule: 'sched-1', role: 'role-1', slot, start: '2026-03-02T08:00:00+08:00', end: '2026-03-02T08:15:00+08:00',
    period: 'morning', capacity, free,
  };
}

/**
 * Availability kept in memory, changed by the test as bookings would change it, read by the push
 * through `provider` with a real asynchronous turn. It counts reads, and the most at once per day.
 */
export class MemoryAvailability {
  readonly #days = new Map<string, AvailabilityTime[]>();
  readonly #running = new Map<string, number>();
  readonly reads = new Map<string, number>();
  readonly mostAtOnce = new Map<string, number>();

  set(service: string, date: string, times: AvailabilityTime[]): void {
    this.#days.set(`${service}/${date}`, times);
  }

  readonly provider: AvailabilityProvider = async (service, date) => {
    const key = `${service}/${date}`;
    const running = (this.#running.get(key) ?? 0) + 1;
    this.#running.set(key, running);
    this.reads.set(key, (this.reads.get(key) ?? 0) + 1);
    this.mostAtOnce.set(key, Math.max(this.mostAtOnce.get(key) ?? 0, running));
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return structuredClone(this.#days.get(key) ?? []);
    } finally {
      this.#running.set(key, (this.#running.get(key) ?? 1) - 1);
    }
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
