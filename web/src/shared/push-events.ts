// Socket.io events of the /booking namespace, exactly as in the booking contract
// (/work/notes/booking-contract.md). Stand-in until server/push/events.ts lands: then this file
// becomes `export type { ServerToClientEvents, ClientToServerEvents, AvailabilityTime, AvailabilityDay }
// from '../../../server/push/events.ts'`.

export interface AvailabilityTime {
  schedule: string;
  role: string;
  slot: string;
  start: string;
  end: string;
  period: 'morning' | 'afternoon';
  capacity: number;
  free: number;
}

export interface AvailabilityDay {
  date: string;
  times: AvailabilityTime[];
}

export interface WatchRequest { service: string; dates: string[] }
export type WatchAck = { ok: true } | { ok: false; error: string };

export interface ServerToClientEvents {
  availability(event: { service: string; date: string; times: AvailabilityTime[]; at: string }): void;
}

export interface ClientToServerEvents {
  watch(request: WatchRequest, ack: (answer: WatchAck) => void): void;
  unwatch(request: WatchRequest, ack: (answer: WatchAck) => void): void;
}
