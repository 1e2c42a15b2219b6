import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { addDays, createClinic, createPatient, freeSlots, openAllDays, parametersFor, patientWithLogin, staffWithLogin, tomorrow } from '../../helpers/booking.ts';

let server: TestServer;
let admin: string;
test.before(async () => {
  server = await startTestServer();
  await openAllDays(server);
  admin = await staffWithLogin(server, ['admin']);
});
test.after.always(async () => { await server?.stop(); });

const slotsOf = async (schedule: string, day: string) => (await server.app.db.query<{ slot_id: string }>(
  `SELECT slot_id FROM booking_slot WHERE schedule_id = $1 AND to_char(start_at AT TIME ZONE $3, 'YYYY-MM-DD') = $2 ORDER BY start_at`,
  [schedule, day, server.app.booking.calendar.timeZone])).rows.map((r) => r.slot_id);

test('a weekly template gives Slot resources for every day of the window, and regenerating changes nothing', async (t) => {
  const clinic = await createClinic(server, { capacity: 3, slotMinutes: 60, start: '08:00', end: '12:00' });
  const day = tomorrow(server);
  const ids = await slotsOf(clinic.schedules[0]!, day);
  t.is(ids.length, 4);
  const slot = (await request(server, 'GET', `Slot/${ids[0]}`)).body;
  t.is(slot.schedule.reference, `Schedule/${clinic.schedules[0]}`);
  t.regex(slot.start, /T08:00:00\+08:00$/);
  t.is(slot.status, 'free');
  const searched = await request(server, 'GET', `Slot?schedule=Schedule/${clinic.schedules[0]}&_summary=count`);
  t.true(searched.body.total >= 4 * 14, 'the whole window is generated');
  const again = await server.app.booking.setTemplate(clinic.schedules[0]!, await server.app.booking.template(clinic.schedules[0]!));
  t.is(again.created + again.updated + again.deleted, 0);
  t.is((await request(server, 'GET', `Slot/${ids[0]}/_history`)).body.entry.length, 1, 'no new versions');
});

test('editing a template regenerates the slots but never drops a booked one', async (t) => {
  const clinic = await createClinic(server, { capacity: 1, slotMinutes: 60, start: '08:00', end: '12:00' });
  const day = tomorrow(server);
  const before = await slotsOf(clinic.schedules[0]!, day);
  const patient = await createPatient(server);
  const booked = await request(server, 'POST', 'Appointment/$book', { body: parametersFor({ slot: `Slot/${before[3]}`, patient: `Patient/${patient}` }) });
  t.is(booked.status, 201);
  // The clinic now ends at 10:00: the 10:00 slot goes, the booked 11:00 slot stays.
  const changed = await request(server, 'PUT', `/booking/templates/${clinic.schedules[0]}`, {
    token: admin, body: { sessions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], period: 'morning', start: '08:00', end: '10:00', slotMinutes: 60, capacity: 1 }] },
  });
  t.is(changed.status, 200, changed.text);
  t.true(changed.body.generated.keptTaken >= 1);
  const after = await slotsOf(clinic.schedules[0]!, day);
  t.deepEqual(after, [before[0], before[1], before[3]]);
  t.is((await request(server, 'GET', `Appointment/${booked.body.id}`)).body.status, 'booked');
  t.is((await request(server, 'GET', `Slot/${before[2]}`)).status, 410);
  const read = await request(server, 'GET', `/booking/templates/${clinic.schedules[0]}`, { token: admin });
  t.is(read.body.sessions[0].end, '10:00');
});

test('templates are validated and only administrators edit them', async (t) => {
  const clinic = await createClinic(server);
  const registrar = await staffWithLogin(server, ['registrar']);
  const good = { sessions: [{ days: ['mon'], period: 'morning', start: '08:00', end: '11:00', slotMinutes: 30, capacity: 2 }] };
  t.is((await request(server, 'PUT', `/booking/templates/${clinic.schedules[0]}`, { token: registrar, body: good })).status, 403);
  t.is((await request(server, 'PUT', `/booking/templates/${clinic.schedules[0]}`, { token: null, body: good })).status, 401);
  for (const bad of [{}, { sessions: [{ ...good.sessions[0], end: '07:00' }] }, { sessions: [{ ...good.sessions[0], days: ['someday'] }] },
    { sessions: [good.sessions[0], { ...good.sessions[0], start: '09:00' }] }, { sessions: [{ ...good.sessions[0], capacity: 0 }] }]) {
    t.is((await request(server, 'PUT', `/booking/templates/${clinic.schedules[0]}`, { token: admin, body: bad })).status, 400, JSON.stringify(bad));
  }
  t.is((await request(server, 'PUT', '/booking/templates/no-such-schedule', { token: admin, body: good })).status, 404);
});

test('停诊: closing a clinic day cancels its appointments and closes its slots; reopening offers them again', async (t) => {
  const clinic = await createClinic(server, { capacity: 2 });
  const day = addDays(tomorrow(server), 2);
  const p = await patientWithLogin(server);
  const [slot] = await freeSlots(server, clinic, day);
  const booked = await request(server, 'POST', 'Appointment/$book', { token: p.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
  t.is(booked.status, 201);
  const closed = await request(server, 'POST', '/booking/closures', { token: admin, body: { schedule: clinic.schedules[0], day, period: 'morning', reason: '医生外出会诊' } });
  t.is(closed.status, 201, closed.text);
  t.deepEqual(closed.body.cancelled, [booked.body.id]);
  const appointment = (await request(server, 'GET', `Appointment/${booked.body.id}`)).body;
  t.is(appointment.status, 'cancelled');
  t.is(appointment.cancelationReason.coding[0].code, 'prov');
  t.is(appointment.cancelationReason.text, '医生外出会诊');
  t.is((await request(server, 'GET', `Slot/${slot!.slot}`)).body.status, 'busy-unavailable');
  t.deepEqual(await freeSlots(server, clinic, day), []);
  const refused = await request(server, 'POST', 'Appointment/$book', { token: p.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
  t.is(refused.status, 409);
  t.is((await request(server, 'DELETE', `/booking/closures/${closed.body.id}`, { token: admin })).status, 200);
  t.is((await request(server, 'GET', `Slot/${slot!.slot}`)).body.status, 'free');
  t.true((await freeSlots(server, clinic, day)).length > 0);
});

test('an appointment not checked in by the end of its session becomes a no-show; a checked-in one does not', async (t) => {
  const clinic = await createClinic(server, { capacity: 2 });
  const cal = server.app.booking.calendar;
  const yesterday = addDays(cal.dateOf(new Date()), -1);
  // Yesterday lies outside what regeneration manages (today onwards).
  // Slots in the past exist only as history; write two through FHIR as a migration would.
  const slots = [];
  for (const time of ['08:00', '08:30']) {
    const id = `past-${clinic.schedules[0]}-${time.replace(':', '')}`;
    const start = cal.instant(yesterday, time);
    await request(server, 'PUT', `Slot/${id}`, { body: {
      resourceType: 'Slot', id, schedule: { reference: `Schedule/${clinic.schedules[0]}` }, status: 'free',
      start: cal.format(start), end: cal.format(new Date(start.getTime() + 30 * 60_000)),
    } });
    slots.push(id);
  }
  const missed = await request(server, 'POST', 'Appointment', { body: { resourceType: 'Appointment', status: 'booked', slot: [{ reference: `Slot/${slots[0]}` }], participant: [{ actor: { reference: `Patient/${await createPatient(server)}` }, status: 'accepted' }] } });
  const came = await request(server, 'POST', 'Appointment', { body: { resourceType: 'Appointment', status: 'arrived', slot: [{ reference: `Slot/${slots[1]}` }], participant: [{ actor: { reference: `Patient/${await createPatient(server)}` }, status: 'accepted' }] } });
  const marked = await server.app.booking.markNoShows();
  t.true(marked.includes(missed.body.id));
  t.false(marked.includes(came.body.id));
  t.is((await request(server, 'GET', `Appointment/${missed.body.id}`)).body.status, 'noshow');
  t.is((await request(server, 'GET', `Appointment/${came.body.id}`)).body.status, 'arrived');
});

test('the desk checks a patient in on the day only', async (t) => {
  const clinic = await createClinic(server, { capacity: 2 });
  const registrar = await staffWithLogin(server, ['registrar']);
  const patient = await createPatient(server);
  const [slot] = await freeSlots(server, clinic, tomorrow(server));
  const booked = await request(server, 'POST', 'Appointment/$book', { token: registrar, body: parametersFor({ slot: `Slot/${slot!.slot}`, patient: `Patient/${patient}` }) });
  const early = await request(server, 'POST', `Appointment/${booked.body.id}/$check-in`, { token: registrar, body: parametersFor({}) });
  t.is(early.status, 422);
  t.is(early.body.issue[0].details.coding[0].code, 'not-today');
  const p = await patientWithLogin(server);
  t.is((await request(server, 'POST', `Appointment/${booked.body.id}/$check-in`, { token: p.token, body: parametersFor({}) })).status, 403, 'patients do not check themselves in');
});

test('checking in on the day marks the appointment arrived', async (t) => {
  const clinic = await createClinic(server, { capacity: 2 });
  const cal = server.app.booking.calendar;
  const today = cal.dateOf(new Date());
  const start = cal.instant(today, '00:00');
  // A schedule kept by hand (no template), so that regeneration leaves its slot alone.
  const schedule = `manual-${clinic.schedules[0]}`;
  await request(server, 'PUT', `Schedule/${schedule}`, { body: { resourceType: 'Schedule', id: schedule, actor: [{ reference: `PractitionerRole/${clinic.roles[0]}` }, { reference: `HealthcareService/${clinic.service}` }] } });
  const id = `today-${clinic.schedules[0]}`;
  await request(server, 'PUT', `Slot/${id}`, { body: {
    resourceType: 'Slot', id, schedule: { reference: `Schedule/${schedule}` }, status: 'free',
    start: cal.format(start), end: cal.format(new Date(start.getTime() + 60_000)),
  } });
  const registrar = await staffWithLogin(server, ['registrar']);
  const created = await request(server, 'POST', 'Appointment', { token: registrar, body: { resourceType: 'Appointment', status: 'booked', start: cal.format(start), slot: [{ reference: `Slot/${id}` }], participant: [{ actor: { reference: `Patient/${await createPatient(server)}` }, status: 'accepted' }] } });
  t.is(created.status, 201);
  const arrived = await request(server, 'POST', `Appointment/${created.body.id}/$check-in`, { token: registrar, body: parametersFor({}) });
  t.is(arrived.status, 200, arrived.text);
  t.is(arrived.body.status, 'arrived');
  t.is((await server.app.db.query<{ status: string }>('SELECT status FROM booking_claim WHERE appointment_id = $1', [created.body.id])).rows[0]!.status, 'arrived');
});
