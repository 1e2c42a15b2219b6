import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { createClinic, freeSlots, openAllDays, parametersFor, staffWithLogin, tomorrow } from '../../helpers/booking.ts';
import { RESIDENT_ID_SYSTEM } from '../../../server/seed/systems.ts';
import { makeResidentId } from '../../../server/identity/resident-id.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

test('500 concurrent $book calls for 20 places: exactly 20 appointments, no slot over capacity, every loser a 409', async (t) => {
  await openAllDays(server, { rateLimit: { perMinute: 100_000, perAddressPerMinute: 100_000 } });
  const clinic = await createClinic(server, { capacity: 2, slotMinutes: 30, start: '08:00', end: '13:00' });
  const slots = (await freeSlots(server, clinic, tomorrow(server))).map((s) => s.slot);
  t.is(slots.length, 10, '10 slots of 2 places');
  const registrar = await staffWithLogin(server, ['registrar']);
  const patients = Array.from({ length: 500 }, (_, i) => `race-${i}`);
  const bundle = {
    resourceType: 'Bundle', type: 'transaction',
    entry: patients.map((id, i) => ({
      resource: { resourceType: 'Patient', id, identifier: [{ system: RESIDENT_ID_SYSTEM, value: makeResidentId('110101', '1990-01-01', i) }] },
      request: { method: 'PUT', url: `Patient/${id}` },
    })),
  };
  t.is((await request(server, 'POST', '', { body: bundle })).status, 200);

  const answers = await Promise.all(patients.map((patient, i) => request(server, 'POST', 'Appointment/$book', {
    token: registrar, body: parametersFor({ slot: `Slot/${slots[i % slots.length]}`, patient: `Patient/${patient}` }),
  })));
  const statuses = answers.map((a) => a.status);
  t.is(statuses.filter((s) => s === 201).length, 20);
  t.is(statuses.filter((s) => s === 409).length, 480, `other answers: ${[...new Set(statuses)].join(', ')}`);
  t.true(answers.filter((a) => a.status === 409).every((a) => a.body.issue[0].details.coding[0].code === 'slot-taken'));

  const perSlot = (await server.app.db.query<{ slot_id: string; n: number }>(
    `SELECT slot_id, count(*)::integer AS n FROM booking_claim WHERE slot_id = ANY($1::text[]) GROUP BY slot_id`, [slots])).rows;
  t.is(perSlot.length, 10);
  t.true(perSlot.every((r) => r.n === 2), 'every slot holds exactly its capacity');
  const stored = await request(server, 'GET', `Appointment?slot=${slots.map((s) => `Slot/${s}`).join(',')}&_summary=count`);
  t.is(stored.body.total, 20, 'exactly 20 Appointments in the database');
  const numbers = new Set<number>();
  for (const a of answers.filter((x) => x.status === 201)) numbers.add(a.body.extension[0].valuePositiveInt);
  t.is(numbers.size, 20, 'twenty distinct queue numbers');
  for (const slot of slots) t.is((await request(server, 'GET', `Slot/${slot}`)).body.status, 'busy');
});
