// `npm start`: configuration → server → demo data on an empty database → listen; SIGTERM/SIGINT
// drain requests in flight and close the database.
import { loadConfig } from './config.ts';
import { createServer } from './server.ts';
import { seedDemoIfEmpty } from './seed/load.ts';
import { seedDemoAccounts } from './seed/accounts.ts';
import { seedDemoBooking } from './seed/booking.ts';
import { seedDemoImaging } from './seed/imaging.ts';
import { seedDemoClinicDay } from './seed/clinic-day.ts';
import { seedDemoNotes } from './seed/notes.ts';
import { Signatures } from './signing/signatures.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createServer(config);
  const log = app.server.logger;
  if (config.seedDemo) {
    const seeded = await seedDemoIfEmpty(app.engine, config);
    if (seeded) log.info({ resources: seeded }, 'Loaded the demo hospital into the empty database');
    const bookings = await seedDemoBooking(app.booking);
    if (bookings.templates) log.info(bookings, 'Created the demo clinic templates, their slots and some bookings');
    const accounts = await seedDemoAccounts(app.engine, app.auth.accounts, config.demoPassword);
    if (accounts) log.info({ accounts }, 'Created the demo accounts (admin, registrar, doctor, nurse, radiologist, patient@example.org) with DEMO_PASSWORD');
    const studies = await seedDemoImaging(app, { timezone: config.timezone });
    if (studies) log.info({ studies }, 'Stored the demo imaging studies with their orders and reports');
    const notes = await seedDemoNotes(app.engine, app.auth.accounts, new Signatures(app.db));
    if (notes) log.info({ notes }, 'Wrote and signed the demo clinical notes');
    const clinic = await seedDemoClinicDay(app.engine, { timezone: config.timezone });
    if (clinic) log.info({ appointments: clinic }, 'Booked today\'s demo clinic of the demo doctor');
  }
  // Extend every schedule's slots to today's booking window (idempotent; then hourly).
  const generated = await app.booking.generate();
  if (generated.created + generated.deleted > 0) log.info(generated, 'Slots brought up to the booking window');
  await app.server.start();
  log.info({ url: app.server.info.uri, database: app.db.kind }, `Open HIS listening on ${app.server.info.uri}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'Shutting down: draining requests');
    try {
      await app.stop();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'Shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: Error) => {
  console.error(`Open HIS failed to start: ${err.message}`);
  process.exit(1);
});
