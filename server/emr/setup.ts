// Sets the EMR up on an engine: its tables, the write hooks that keep beds, visits and imaging
// orders right and signed notes locked however the resources are written, and the workflow and
// note-signing operations.
import { fileURLToPath } from 'node:url';
import { migrate, type Database, type FhirEngine } from '../../fhir/index.ts';
import { Calendar } from '../booking/calendar.ts';
import { bedOccupancyHook, type BedsChangedListener } from './beds/occupancy-hook.ts';
import { openVisitHook } from './visits/open-visit-hook.ts';
import { imagingOrderHook } from './orders/imaging-orders.ts';
import { emrOperations } from './operations.ts';
import { noteLockHook } from './notes/lock-hook.ts';
import { noteOperations } from './notes/operations.ts';
import type { Signatures } from '../signing/signatures.ts';

export const emrMigrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'emr' };

export interface EmrSetup {
  /** Where bed changes are told after their commit (the live bed board); set once the push is up. */
  onBedsChanged(listener: BedsChangedListener): void;
  calendar: Calendar;
}

export async function setUpEmr(db: Database, engine: FhirEngine, options: { timezone: string; signatures: Signatures; now?: () => Date }): Promise<EmrSetup> {
  await migrate(db, emrMigrations);
  const listeners: BedsChangedListener[] = [];
  const calendar = new Calendar(options.timezone);
  engine.addWriteHook(bedOccupancyHook((beds) => { for (const l of listeners) l(beds); }));
  engine.addWriteHook(openVisitHook({ timezone: options.timezone, now: options.now }));
  engine.addWriteHook(imagingOrderHook(options.now));
  for (const op of emrOperations({
    timezone: options.timezone, now: options.now,
    dayStart: (now) => calendar.dayBounds(calendar.dateOf(now))[0].toISOString(),
  })) engine.addOperation(op);
  engine.addWriteHook(noteLockHook(options.signatures));
  for (const op of noteOperations(options.signatures)) engine.addOperation(op);
  return { onBedsChanged: (listener) => listeners.push(listener), calendar };
}
