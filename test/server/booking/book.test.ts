import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { createClinic, freeSlots, openAllDays, parametersFor, patientWithLogin, tomorrow, type Clinic } from '../../helpers/booking.ts';
import { QUEUE_NUMBER_EXTENSION } from '../../../server/booking/slot-resource.ts';

let server: TestServer;
let clinic: Clinic;
test.before(async () => {
  server = await startTestServer();
  await openAllDays(server);
  clinic = await createClinic(server, { capacity: 2 });
});
test.after.always(async () => { await server?.stop(); });

async function claims(slot: string) {
  return (await server.app.db.query<{ patient_id: string; appointment_id: string | null; status: string }>(
    'SELECT patient_id, appointment_id, status FROM booking_claim WHERE slot_id = $1 ORDER BY position', [slot])).rows;
}

async function slotStatus(slot: string): Promise<string> {
  return (await request(server, 'GET', `Slot/${slot}`)).body.status;
}

test('a patient holds and books a place: the Appointment is booked with a queue number and the place is claimed in the database', async (t) => {
  const { patient, token } = await patientWithLogin(server);
  const [slot] = await freeSlots(server, clinic, tomorrow(server));
  const held = await request(server, 'POST', 'Appointment/$hold', { token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
  t.is(held.status, 200, held.text);
  t.truthy(held.body.parameter.find((p: { name: string }) => p.name === 'expires').valueInstant);
  t.deepEqual((await claims(slot!.slot)).map((c) => c.status), ['held']);
  const booked = await request(server, 'POST', 'Appointment/$book', { token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
  t.is(booked.status, 201, booked.text);
  t.is(booked.body.status, 'booked');
  t.is(booked.body.participant[0].actor.reference, `Patient/${patient}`);
  t.is(booked.body.extension.find((e: { url: string }) => e.url === QUEUE_NUMBER_EXTENSION).valuePositiveInt, 1);
  t.deepEqual((await claims(slot!.slot)).map((c) => [c.appointment_id, c.status]), [[booked.body.id, 'booked']], 'the hold became the booking: one place taken');
  t.is(await slotStatus(slot!.slot), 'free', 'one of two places is left');
  const stored = await request(server, 'GET', `Appointment/${booked.body.id}`);
  t.is(stored.status, 200);
  t.is(stored.body.slot[0].reference, `Slot/${slot!.slot}`);
});

test('the last place makes the Slot busy, and a third patient gets 409 slot-taken', async (t) => {
  const [slot] = (await freeSlots(server, clinic, tomorrow(server))).slice(3);
  const first = await patientWithLogin(server);
  const second = await patientWithLogin(server);
  const third = await patientWithLogin(server);
  for (const p of [first, second]) {
    t.is((await request(server, 'POST', 'Appointment/$book', { token: p.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) })).status, 201);
  }
  t.is(await slotStatus(slot!.slot), 'busy');
  const late = await request(server, 'POST', 'Appointment/$book', { token: third.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
  t.is(late.status, 409);
  t.is(late.body.resourceType, 'OperationOutcome');
  t.is(late.body.issue[0].details.coding[0].code, 'slot-taken');
  const numbers = (await request(server, 'GET', `Appointment?slot=Slot/${slot!.slot}`)).body.entry
    .map((e: { resource: { extension: { url: string; valuePositiveInt: number }[] } }) => e.resource.extension.find((x) => x.url === QUEUE_NUMBER_EXTENSION)!.valuePositiveInt)
    .sort();
  t.is(numbers.length, 2);
  t.not(numbers[0], numbers[1], 'two places, two queue numbers');
});

test('a place held by one patient cannot be booked by another; expiry frees it', async (t) => {
  const cap1 = await createClinic(server, { capacity: 1 });
  const [slot] = await freeSlots(server, cap1, tomorrow(server));
  const holder = await patientWithLogin(server);
  const other = await patientWithLogin(server);
  t.is((await request(server, 'POST', 'Appointment/$hold', { token: holder.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) })).status, 200);
  t.is(await slotStatus(slot!.slot), 'busy-tentative');
  const refused = await request(server, 'POST', 'Appointment/$book', { token: other.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
  t.is(refused.status, 409);
  t.is(refused.body.issue[0].details.coding[0].code, 'slot-taken');
  // The hold lapses (as if its minutes had passed): the server's sweep frees the place.
  await server.app.db.query(`UPDATE booking_claim SET expires_at = now() - interval '1 second' WHERE slot_id = $1`, [slot!.slot]);
  t.true(await server.app.booking.expireHolds() >= 1);
  t.deepEqual(await claims(slot!.slot), []);
  t.is(await slotStatus(slot!.slot), 'free');
  t.is((await request(server, 'POST', 'Appointment/$book', { token: other.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) })).status, 201);
});

test('a new hold ends the patient\'s previous one: one held place at a time', async (t) => {
  const [a, b] = (await freeSlots(server, clinic, tomorrow(server))).slice(5);
  const p = await patientWithLogin(server);
  await request(server, 'POST', 'Appointment/$hold', { token: p.token, body: parametersFor({ slot: `Slot/${a!.slot}` }) });
  await request(server, 'POST', 'Appointment/$hold', { token: p.token, body: parametersFor({ slot: `Slot/${b!.slot}` }) });
  t.deepEqual(await claims(a!.slot), []);
  t.deepEqual((await claims(b!.slot)).map((c) => c.status), ['held']);
});

test('cancelling frees the place; the same patient can book again', async (t) => {
  const cap1 = await createClinic(server, { capacity: 1 });
  const [slot] = await freeSlots(server, cap1, tomorrow(server));
  const p = await patientWithLogin(server);
  const booked = await request(server, 'POST', 'Appointment/$book', { token: p.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
  t.is(await slotStatus(slot!.slot), 'busy');
  const cancelled = await request(server, 'POST', `Appointment/${booked.body.id}/$cancel`, { token: p.token, body: parametersFor({ reason: '出差' }) });
  t.is(cancelled.status, 200, cancelled.text);
  t.is(cancelled.body.status, 'cancelled');
  t.is(cancelled.body.cancelationReason.coding[0].code, 'pat');
  t.deepEqual(await claims(slot!.slot), []);
  t.is(await slotStatus(slot!.slot), 'free');
  t.is((await request(server, 'GET', `Appointment/${booked.body.id}`)).body.status, 'cancelled');
});

test('rescheduling moves the appointment in one step: same id, new slot taken, old slot freed', async (t) => {
  const cap1 = await createClinic(server, { capacity: 1 });
  const [from, to] = await freeSlots(server, cap1, tomorrow(server));
  const p = await patientWithLogin(server);
  const booked = await request(server, 'POST', 'Appointment/$book', { token: p.token, body: parametersFor({ slot: `Slot/${from!.slot}` }) });
  const moved = await request(server, 'POST', `Appointment/${booked.body.id}/$reschedule`, { token: p.token, body: parametersFor({ slot: `Slot/${to!.slot}` }) });
  t.is(moved.status, 200, moved.text);
  t.is(moved.body.id, booked.body.id);
  t.is(moved.body.slot[0].reference, `Slot/${to!.slot}`);
  t.is(moved.body.start, to!.start);
  t.deepEqual(await claims(from!.slot), []);
  t.deepEqual((await claims(to!.slot)).map((c) => c.appointment_id), [booked.body.id]);
  t.is(await slotStatus(from!.slot), 'free');
  t.is(await slotStatus(to!.slot), 'busy');
  const history = await request(server, 'GET', `Appointment/${booked.body.id}/_history`);
  t.is(history.body.total ?? history.body.entry.length, 2, 'the move is a new version of the same appointment');
});

test('rescheduling onto a full slot fails and leaves the appointment where it was', async (t) => {
  const cap1 = await createClinic(server, { capacity: 1 });
  const [mine, full] = await freeSlots(server, cap1, tomorrow(server));
  const p = await patientWithLogin(server);
  const q = await patientWithLogin(server);
  const booked = await request(server, 'POST', 'Appointment/$book', { token: p.token, body: parametersFor({ slot: `Slot/${mine!.slot}` }) });
  await request(server, 'POST', 'Appointment/$book', { token: q.token, body: parametersFor({ slot: `Slot/${full!.slot}` }) });
  const refused = await request(server, 'POST', `Appointment/${booked.body.id}/$reschedule`, { token: p.token, body: parametersFor({ slot: `Slot/${full!.slot}` }) });
  t.is(refused.status, 409);
  t.deepEqual((await claims(mine!.slot)).map((c) => c.appointment_id), [booked.body.id]);
  t.is((await request(server, 'GET', `Appointment/${booked.body.id}`)).body.slot[0].reference, `Slot/${mine!.slot}`);
});

test('a patient cannot book for, cancel or move someone else\'s appointment', async (t) => {
  const [slot] = (await freeSlots(server, clinic, tomorrow(server))).slice(7);
  const p = await patientWithLogin(server);
  const stranger = await patientWithLogin(server);
  const forOther = await request(server, 'POST', 'Appointment/$book', { token: p.token, body: parametersFor({ slot: `Slot/${slot!.slot}`, patient: `Patient/${stranger.patient}` }) });
  t.is(forOther.status, 403);
  t.is(forOther.body.issue[0].details.coding[0].code, 'not-your-patient');
  const booked = await request(server, 'POST', 'Appointment/$book', { token: stranger.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
  t.is((await request(server, 'POST', `Appointment/${booked.body.id}/$cancel`, { token: p.token, body: parametersFor({}) })).status, 404);
  t.is((await request(server, 'GET', `Appointment/${booked.body.id}`)).body.status, 'booked');
});

test('anonymous callers may $find but not $hold or $book', async (t) => {
  const found = await request(server, 'GET', `Appointment/$find?service=${clinic.service}&start=${tomorrow(server)}&end=${tomorrow(server)}`, { token: null });
  t.is(found.status, 200);
  t.is(found.body.resourceType, 'Bundle');
  t.true(found.body.entry.length > 0);
  t.true(found.body.entry.every((e: { resource: { resourceType: string; status: string } }) => e.resource.resourceType === 'Slot' && e.resource.status !== 'busy'));
  const slot = found.body.entry[0].resource.id;
  const anonymous = await request(server, 'POST', 'Appointment/$book', { token: null, body: parametersFor({ slot: `Slot/${slot}` }) });
  t.is(anonymous.status, 401);
  t.is((await request(server, 'POST', 'Appointment/$hold', { token: null, body: parametersFor({ slot: `Slot/${slot}` }) })).status, 401);
});

test('malformed operation input is a 400 OperationOutcome, never a 500', async (t) => {
  const p = await patientWithLogin(server);
  for (const body of [{ resourceType: 'Patient' }, { resourceType: 'Parameters', parameter: 'x' }, { resourceType: 'Parameters', parameter: [{ name: 'slot' }] },
    { resourceType: 'Parameters', parameter: [{ name: 'slot', valueReference: { reference: 'Patient/1' } }] }, { resourceType: 'Parameters' },
    { resourceType: 'Parameters', parameter: [{ name: 'slot', valueReference: { reference: "Slot/'; DROP TABLE booking_claim;--" } }] }]) {
    const res = await request(server, 'POST', 'Appointment/$book', { token: p.token, body });
    t.is(res.status, 400, JSON.stringify(body));
    t.is(res.body.resourceType, 'OperationOutcome');
  }
  t.is((await request(server, 'POST', 'Appointment/$book', { token: p.token, body: parametersFor({ slot: 'Slot/no-such-slot' }) })).status, 404);
  t.is((await request(server, 'GET', `Appointment/$find?service=${clinic.service}&start=2026-02-30`, { token: null })).status, 400);
});

test('patients read the booking directory whole, Schedules included (public data in a compartment type)', async (t) => {
  const p = await patientWithLogin(server);
  t.is((await request(server, 'GET', `Schedule/${clinic.schedules[0]}`, { token: p.token })).status, 200);
  const searched = await request(server, 'GET', `Schedule?actor=PractitionerRole/${clinic.roles[0]}`, { token: p.token });
  t.is(searched.body.entry.length, 1);
  t.is((await request(server, 'GET', `Schedule/${clinic.schedules[0]}`, { token: null })).status, 200);
});
