// The Socket.io contract of the `/booking` namespace. The web app imports these with `import type`,
// so this file holds types only and imports nothing at run time.

/** One bookable time window of a doctor on a day, as GET /booking/availability lists it. */
export interface AvailabilityTime {
  /** Schedule id. */
  schedule: string;
  /** PractitionerRole id of the doctor. */
  role: string;
  /** Slot id. */
  slot: string;
  /** Start instant with offset, e.g. 2026-03-02T08:00:00+08:00. */
  start: string;
  end: string;
  period: 'morning' | 'afternoon';
  /** Places in the slot. */
  capacity: number;
  /** Places still free. */
  free: number;
}

/** The whole day of one department: a full snapshot, so receiving it twice is harmless. */
export interface AvailabilityDay {
  /** HealthcareService id. */
  service: string;
  /** YYYY-MM-DD in the hospital's time zone. */
  date: string;
  times: AvailabilityTime[];
  /** When the snapshot was read (ISO instant): of two snapshots of a day, keep the later. */
  at: string;
}

/** `watch` / `unwatch`: a department and up to 31 days of it. */
export interface WatchRequest {
  service: string;
  dates: string[];
}

export type WatchAck = { ok: true } | { ok: false; error: string };

export interface ServerToClientEvents {
  availability(payload: AvailabilityDay): void;
}

export interface ClientToServerEvents {
  watch(request: WatchRequest, ack: (result: WatchAck) => void): void;
  unwatch(request: WatchRequest, ack: (result: WatchAck) => void): void;
}
