// The Socket.io contract of the `/wards` namespace (the live bed board). Types only: the web app
// imports them with `import type`.

/** After a committed change of bed occupancy or bed status: which wards to read again. */
export interface BedsChanged {
  /** Ward Location ids. */
  wards: string[];
  /** ISO instant of the commit. */
  at: string;
}

export interface WardServerToClientEvents {
  beds(payload: BedsChanged): void;
}

// The page only listens.
export type WardClientToServerEvents = Record<string, never>;
