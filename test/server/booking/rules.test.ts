import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { addDays, createClinic, freeSlots, openAllDays, parametersFor, patientWithLogin, staffWithLogin, tomorrow, type Clinic } from '../../helpers/booking.ts';

let server: TestServer;
let clinicA: Clinic;
let clinicB: Clinic;
let clinicC: Clinic;
test.before(async () => {
  server = await startTestServer();
  await openAllDays(server, { rateLimit: { perMinute: 1000, perAddressPerMinute: 100_000 } });
  clinicA = await createClinic(server, { capacity: 5 });
  clinicB = await createClinic(server, { capacity: 5 });
  clinicC = await createClinic(server, { capacity: 5 });
});
test.after.always(async () => { await server?.stop(); });

const code = (res: { body: { issue: { details: { coding: { code: string }[] } }[] } }) => res.body.issue[0]!.details.coding[0]!.code;

async function bookAs(token: string, slot: string, patient?: string) {
  return request(server, 'POST', 'Appointment/$book', { token, body: parametersFor({ slot: `Slot/${slot}`, ...(patient ? { patient: `Patient/${patient}` } : {}) }) });
}

test('one booking per patient per department per day', async (t) => {
  const p = await patientWithLogin(server);
  const [a, b] = await freeSlots(server, clinicA, tomorrow(server));
  t.is((await bookAs(p.token, a!.slot)).status, 201);
  const second = await bookAs(p.token, b!.slot);
  t.is(second.status, 422);
  t.is(code(second), 'department-daily-limit');
});

test('at most two bookings per visit day, across departments', async (t) => {
  const p = await patientWithLogin(server);
  const day = addDays(tomorrow(server), 1);
  t.is((await bookAs(p.token, (await freeSlots(server, clinicA, day))[0]!.slot)).status, 201);
  t.is((await bookAs(p.token, (await freeSlots(server, clinicB, day))[1]!.slot)).status, 201);
  const third = await bookAs(p.token, (await freeSlots(server, clinicC, day))[2]!.slot);
  t.is(third.status, 422);
  t.is(code(third), 'daily-limit');
});

test('at most three bookings within seven days', async (t) => {
  const p = await patientWithLogin(server);
  for (let i = 2; i < 5; i++) t.is((await bookAs(p.token, (await freeSlots(server, clinicA, addDays(tomorrow(server), i)))[0]!.slot)).status, 201);
  const fourth = await bookAs(p.token, (await freeSlots(server, clinicA, addDays(tomorrow(server), 6)))[0]!.slot);
  t.is(fourth.status, 422);
  t.is(code(fourth), 'weekly-limit');
});

test('the registration desk books outside the online limits', async (t) => {
  const p = await patientWithLogin(server);
  const registrar = await staffWithLogin(server, ['registrar']);
  const [a, b] = await freeSlots(server, clinicB, addDays(tomorrow(server), 3));
  t.is((await bookAs(registrar, a!.slot, p.patient)).status, 201);
  t.is((await bookAs(registrar, b!.slot, p.patient)).status, 201);
});

test('three no-shows within 90 days suspend online booking', async (t) => {
  const p = await patientWithLogin(server);
  for (let i = 0; i < 3; i++) {
    const [slot] = await freeSlots(server, clinicC, addDays(tomorrow(server), 7 + i));
    const booked = await bookAs(server.token, slot!.slot, p.patient);
    t.is(booked.status, 201, booked.text);
    t.is((await request(server, 'PUT', `Appointment/${booked.body.id}`, { body: { ...booked.body, status: 'noshow' } })).status, 200);
  }
  const refused = await bookAs(p.token, (await freeSlots(server, clinicC, addDays(tomorrow(server), 11)))[0]!.slot);
  t.is(refused.status, 422);
  t.is(code(refused), 'booking-banned');
  t.regex(refused.body.issue[0].details.text, /suspended until \d{4}-\d{2}-\d{2}/);
});

test('real-name booking: a patient without a verified identity document cannot book online', async (t) => {
  const p = await patientWithLogin(server, { residentId: false });
  const res = await bookAs(p.token, (await freeSlots(server, clinicB, addDays(tomorrow(server), 5)))[0]!.slot);
  t.is(res.status, 422);
  t.is(code(res), 'real-name-required');
});

test('days beyond the booking window are not released yet', async (t) => {
  const p = await patientWithLogin(server);
  const today = server.app.booking.calendar.dateOf(new Date());
  const outside = addDays(today, server.app.booking.settings.windowDays + 1);
  const far = (await freeSlots(server, clinicA, outside))[0];
  t.truthy(far, 'slots exist a day ahead of release');
  const res = await bookAs(p.token, far!.slot);
  t.is(res.status, 422);
  t.is(code(res), 'not-released');
  const availability = await request(server, 'GET', `/booking/availability?service=${clinicA.service}&from=${outside}&to=${outside}`, { token: null });
  t.false(availability.body.days[0].bookable);
});

test('patients cancel online only before the deadline', async (t) => {
  const p = await patientWithLogin(server);
  await server.app.booking.updateSettings({ cancelDeadlineHours: 72 });
  try {
    const booked = await bookAs(p.token, (await freeSlots(server, clinicC, tomorrow(server)))[0]!.slot);
    const refused = await request(server, 'POST', `Appointment/${booked.body.id}/$cancel`, { token: p.token, body: parametersFor({}) });
    t.is(refused.status, 422);
    t.is(code(refused), 'cancel-deadline');
    const registrar = await staffWithLogin(server, ['registrar']);
    t.is((await request(server, 'POST', `Appointment/${booked.body.id}/$cancel`, { token: registrar, body: parametersFor({}) })).status, 200, 'the desk may still cancel');
  } finally {
    await server.app.booking.updateSettings({ cancelDeadlineHours: 2 });
  }
});

test('$hold and $book are rate limited per account with 429 and Retry-After', async (t) => {
  const own = await startTestServer();
  try {
    await openAllDays(own, { rateLimit: { perMinute: 3, perAddressPerMinute: 1000 } });
    const clinic = await createClinic(own, { capacity: 5 });
    const p = await patientWithLogin(own);
    const [slot] = await freeSlots(own, clinic, tomorrow(own));
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await request(own, 'POST', 'Appointment/$hold', { token: p.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) }));
    t.deepEqual(answers.map((a) => a.status), [200, 200, 200, 429]);
    t.is(code(answers[3]!), 'rate-limited');
    t.truthy(answers[3]!.headers.get('retry-after'));
  } finally {
    await own.stop();
  }
});

test('booking settings are validated; only administrators change them', async (t) => {
  const admin = await staffWithLogin(server, ['admin']);
  const registrar = await staffWithLogin(server, ['registrar']);
  t.is((await request(server, 'PUT', '/booking/settings', { token: registrar, body: { perDay: 3 } })).status, 403);
  t.is((await request(server, 'PUT', '/booking/settings', { token: admin, body: { perDay: -1 } })).status, 400);
  t.is((await request(server, 'PUT', '/booking/settings', { token: admin, body: { releaseTime: '25:00' } })).status, 400);
  t.is((await request(server, 'PUT', '/booking/settings', { token: admin, body: { nonsense: true } })).status, 400);
  const ok = await request(server, 'GET', '/booking/settings', { token: admin });
  t.is(ok.status, 200);
  t.is(ok.body.perDay, 2);
});
