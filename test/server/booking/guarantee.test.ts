import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { createClinic, createPatient, freeSlots, openAllDays, staffWithLogin, tomorrow, type Clinic } from '../../helpers/booking.ts';

// The place guarantee holds however an Appointment is written: not only through $book but by a
// plain FHIR create or update, or inside a transaction Bundle.
let server: TestServer;
let clinic: Clinic;
let registrar: string;
test.before(async () => {
  server = await startTestServer();
  await openAllDays(server);
  clinic = await createClinic(server, { capacity: 1 });
  registrar = await staffWithLogin(server, ['registrar']);
});
test.after.always(async () => { await server?.stop(); });

function appointment(slot: string, patient: string, status = 'booked') {
  return {
    resourceType: 'Appointment', status, slot: [{ reference: `Slot/${slot}` }],
    participant: [{ actor: { reference: `Patient/${patient}` }, status: 'accepted' }],
  };
}

async function appointmentsFor(slot: string): Promise<number> {
  return (await request(server, 'GET', `Appointment?slot=Slot/${slot}&status=booked&_summary=count`)).body.total;
}

test('a plain FHIR create of an Appointment for a taken slot is 409 and stores nothing', async (t) => {
  const [slot] = await freeSlots(server, clinic, tomorrow(server));
  const a = await createPatient(server);
  const b = await createPatient(server);
  t.is((await request(server, 'POST', 'Appointment', { token: registrar, body: appointment(slot!.slot, a) })).status, 201);
  const second = await request(server, 'POST', 'Appointment', { token: registrar, body: appointment(slot!.slot, b) });
  t.is(second.status, 409);
  t.is(second.body.issue[0].details.coding[0].code, 'slot-taken');
  t.deepEqual(second.body.issue[0].expression, ['Appointment.slot[0]']);
  t.is(await appointmentsFor(slot!.slot), 1);
  t.is((await request(server, 'GET', `Appointment?patient=Patient/${b}&_summary=count`)).body.total, 0);
  t.is((await request(server, 'GET', `Slot/${slot!.slot}`)).body.status, 'busy');
});

test('a transaction Bundle booking one place twice fails as a whole', async (t) => {
  const [, slot] = await freeSlots(server, clinic, tomorrow(server));
  const a = await createPatient(server);
  const b = await createPatient(server);
  const bundle = {
    resourceType: 'Bundle', type: 'transaction',
    entry: [a, b].map((p) => ({ resource: appointment(slot!.slot, p), request: { method: 'POST', url: 'Appointment' } })),
  };
  const res = await request(server, 'POST', '', { body: bundle });
  t.is(res.status, 409, res.text);
  t.is(await appointmentsFor(slot!.slot), 0);
  const claims = await server.app.db.query('SELECT 1 FROM booking_claim WHERE slot_id = $1', [slot!.slot]);
  t.is(claims.rows.length, 0, 'the rolled-back transaction left no claim behind');
});

test('updating an Appointment to cancelled by PUT frees its place; moving it by PUT onto a taken slot is 409', async (t) => {
  const [one, two] = (await freeSlots(server, clinic, tomorrow(server))).slice(2);
  const a = await createPatient(server);
  const b = await createPatient(server);
  const created = await request(server, 'POST', 'Appointment', { token: registrar, body: appointment(one!.slot, a) });
  await request(server, 'POST', 'Appointment', { token: registrar, body: appointment(two!.slot, b) });
  const moved = await request(server, 'PUT', `Appointment/${created.body.id}`, { token: registrar, body: { ...created.body, slot: [{ reference: `Slot/${two!.slot}` }] } });
  t.is(moved.status, 409);
  t.is((await request(server, 'GET', `Appointment/${created.body.id}`)).body.slot[0].reference, `Slot/${one!.slot}`);
  const cancelled = await request(server, 'PUT', `Appointment/${created.body.id}`, { token: registrar, body: { ...created.body, status: 'cancelled' } });
  t.is(cancelled.status, 200);
  t.is((await server.app.db.query('SELECT 1 FROM booking_claim WHERE slot_id = $1', [one!.slot])).rows.length, 0);
  t.is((await request(server, 'GET', `Slot/${one!.slot}`)).body.status, 'free');
});

test('a Slot with a booked place cannot be deleted; deleting the Appointment frees it', async (t) => {
  const [slot] = (await freeSlots(server, clinic, tomorrow(server))).slice(4);
  const a = await createPatient(server);
  const created = await request(server, 'POST', 'Appointment', { body: appointment(slot!.slot, a) });
  t.is((await request(server, 'DELETE', `Slot/${slot!.slot}`)).status, 409);
  t.is((await request(server, 'DELETE', `Appointment/${created.body.id}`)).status, 200);
  t.is((await request(server, 'GET', `Slot/${slot!.slot}`)).body.status, 'free');
  t.is((await request(server, 'DELETE', `Slot/${slot!.slot}`)).status, 200);
  t.is((await server.app.db.query('SELECT 1 FROM booking_slot WHERE slot_id = $1', [slot!.slot])).rows.length, 0);
});
