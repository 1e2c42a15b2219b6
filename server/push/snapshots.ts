// Reads day snapshots through the availability provider, one query per room at a time: watchers
// arriving together (everyone opening the page when a day is released) share the query in flight,
// and a read after a change queues behind it rather than running beside it.
import type { AvailabilityDay, AvailabilityTime } from './events.ts';
import { roomName } from './rooms.ts';

export type AvailabilityProvider = (service: string, date: string) => Promise<AvailabilityTime[]>;

// The payload is built field by field, so that whatever else the provider's objects carry never goes out.
function availabilityTime(time: AvailabilityTime): AvailabilityTime {
  return {
    schedule: time.schedule, role: time.role, slot: time.slot, start: time.start, end: time.end,
    period: time.period, capacity: time.capacity, free: time.free,
  };
}

export class Snapshots {
  readonly #provider: AvailabilityProvider;
  readonly #latest = new Map<string, Promise<AvailabilityDay>>();

  constructor(provider: AvailabilityProvider) {
    this.#provider = provider;
  }

  /** A snapshot at least as new as the moment of the call: the one being read, or a new read. */
  current(service: string, date: string): Promise<AvailabilityDay> {
    return this.#latest.get(roomName(service, date)) ?? this.fresh(service, date);
  }

  /** A snapshot whose read starts after this call (after any read in flight), to follow a change. */
  fresh(service: string, date: string): Promise<AvailabilityDay> {
    const room = roomName(service, date);
    const before = this.#latest.get(room);
    const read = (before ? before.then(noop, noop) : Promise.resolve()).then(() => this.#read(service, date));
    this.#latest.set(room, read);
    const forget = () => {
      if (this.#latest.get(room) === read) this.#latest.delete(room);
    };
    read.then(forget, forget);
    return read;
  }

  /** Settles once no read is in flight. */
  async idle(): Promise<void> {
    while (this.#latest.size > 0) await Promise.allSettled([...this.#latest.values()]);
  }

  async #read(service: string, date: string): Promise<AvailabilityDay> {
    const at = new Date().toISOString();
    const times = await this.#provider(service, date);
    return { service, date, times: times.map(availabilityTime), at };
  }
}

function noop(): void {}
