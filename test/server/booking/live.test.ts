import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { createClinic, freeSlots, openAllDays, parametersFor, patientWithLogin, tomorrow, type Clinic } from '../../helpers/booking.ts';
import { connectWatcher } from '../../helpers/push.ts';

let server: TestServer;
let clinic: Clinic;
test.before(async () => {
  server = await startTestServer();
  await openAllDays(server);
  clinic = await createClinic(server, { capacity: 2 });
});
test.after.always(async () => { await server?.stop(); });

test('every change of a watched day is pushed: hold, book, cancel, hold expiry and 停诊', async (t) => {
  const day = tomorrow(server);
  const page = await connectWatcher(server.url);
  try {
    const first = page.next(() => true, 5000);
    t.deepEqual(await page.watch({ service: clinic.service, dates: [day] }), { ok: true });
    await first;
    const [slot] = await freeSlots(server, clinic, day);
    const freeOf = (d: { times: { slot: string; free: number }[] }) => d.times.find((x) => x.slot === slot!.slot)?.free;
    const p = await patientWithLogin(server);
    const q = await patientWithLogin(server);

    let next = page.next((d) => freeOf(d) === 1);
    await request(server, 'POST', 'Appointment/$hold', { token: p.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
    await next;
    t.pass('hold');

    next = page.next((d) => freeOf(d) === 0);
    const booked = await request(server, 'POST', 'Appointment/$book', { token: q.token, body: parametersFor({ slot: `Slot/${slot!.slot}` }) });
    t.is(booked.status, 201);
    await next;

    next = page.next((d) => freeOf(d) === 1);
    await request(server, 'POST', `Appointment/${booked.body.id}/$cancel`, { token: q.token, body: parametersFor({}) });
    await next;

    next = page.next((d) => freeOf(d) === 2);
    await server.app.db.query(`UPDATE booking_claim SET expires_at = now() - interval '1 second' WHERE slot_id = $1`, [slot!.slot]);
    await server.app.booking.expireHolds();
    await next;

    next = page.next((d) => d.times.every((x) => x.free === 0 && x.capacity === 0));
    const admin = (await import('../../helpers/booking.ts')).staffWithLogin;
    const closed = await request(server, 'POST', '/booking/closures', { token: await admin(server, ['admin']), body: { schedule: clinic.schedules[0], day, period: 'day', reason: '停诊' } });
    t.is(closed.status, 201);
    await next;
    t.true(page.received.every((d) => d.service === clinic.service && d.date === day));
    t.false(JSON.stringify(page.received).includes(p.patient) || JSON.stringify(page.received).includes(q.patient), 'no patient data in any payload');
  } finally {
    page.close();
  }
});
