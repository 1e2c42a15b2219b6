// The live bed board: Socket.io namespace `/wards` on the same listener (and Redis adapter) as the
// booking push. Only staff who may read Encounters connect (the handshake carries the access
// token). After each committed change of beds the namespace hears which wards changed — ids only,
// no patient data — and open boards read them again. Changes within a short window fold into one.
import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import type { Database } from '../../../fhir/index.ts';
import type { AuthService } from '../../auth/service.ts';
import { accessFor } from '../../auth/caller.ts';
import type { WardClientToServerEvents, WardServerToClientEvents } from '../events.ts';

export const WARDS_NAMESPACE = '/wards';

export interface WardPush {
  /** After a commit: these beds may have changed. */
  bedsChanged(bedIds: string[]): void;
  /** Waits for the lookups in flight and stops the timer. */
  close(): Promise<void>;
}

export function attachWardPush(io: Server, options: { auth: AuthService; db: Database; log: Pick<Logger, 'warn'>; coalesceMs: number }): WardPush {
  const wards = io.of(WARDS_NAMESPACE) as unknown as import('socket.io').Namespace<WardClientToServerEvents, WardServerToClientEvents>;
  wards.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length > 4096) return next(new Error('unauthorized'));
    options.auth.caller(`Bearer ${token}`).then((caller) => {
      if (caller.kind !== 'staff' || !accessFor(caller).allows('Encounter', 'read')) next(new Error('forbidden'));
      else next();
    }, () => next(new Error('unauthorized')));
  });

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let inFlight = Promise.resolve();
  let closed = false;
  const flush = () => {
    timer = undefined;
    const list = [...pending];
    pending.clear();
    if (list.length > 0 && !closed) wards.emit('beds', { wards: list.sort(), at: new Date().toISOString() });
  };
  return {
    bedsChanged(bedIds) {
      if (closed) return;
      inFlight = inFlight.then(async () => {
        const { rows } = await options.db.query<{ ward_id: string | null }>('SELECT DISTINCT ward_id FROM emr_bed WHERE bed_id = ANY($1::text[])', [bedIds]);
        for (const r of rows) if (r.ward_id) pending.add(r.ward_id);
        if (pending.size > 0 && !timer && !closed) timer = setTimeout(flush, options.coalesceMs);
      }).catch((err: Error) => options.log.warn({ err: err.message }, 'Bed board push: could not tell which wards changed'));
    },
    async close() {
      closed = true;
      await inFlight;
      if (timer) clearTimeout(timer);
    },
  };
}
