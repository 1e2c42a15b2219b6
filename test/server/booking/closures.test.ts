// GET /booking/closures: the administrators' list of 停诊 still to come, beside POST and DELETE.
import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { addDays, createClinic, openAllDays, staffWithLogin, tomorrow } from '../../helpers/booking.ts';

let server: TestServer;
let admin: string;
test.before(async () => {
  server = await startTestServer();
  await openAllDays(server);
  admin = await staffWithLogin(server, ['admin']);
});
test.after.always(async () => { await server?.stop(); });

test('administrators list the closures to come, of one schedule (with the whole-hospital ones) or all; others may not', async (t) => {
  const clinic = await createClinic(server, { doctors: 2 });
  const day = tomorrow(server);
  const later = addDays(day, 2);
  const close = (body: Record<string, unknown>) => request(server, 'POST', '/booking/closures', { token: admin, body, headers: { 'content-type': 'application/json' } });
  const first = await close({ schedule: clinic.schedules[0], day, period: 'morning', reason: '外出会诊' });
  t.is(first.status, 201, first.text);
  const second = await close({ schedule: clinic.schedules[1], day: later, period: 'day', reason: '休假' });
  t.is(second.status, 201, second.text);

  const own = await request(server, 'GET', `/booking/closures?schedule=${clinic.schedules[0]}`, { token: admin });
  t.is(own.status, 200, own.text);
  const mine = (own.body as { id: string; schedule: string | null }[]).filter((c) => c.schedule !== null);
  t.deepEqual(mine.map((c) => c.id), [first.body.id]);
  t.like(own.body.find((c: { id: string }) => c.id === first.body.id), { schedule: clinic.schedules[0], day, period: 'morning', reason: '外出会诊' });

  const all = await request(server, 'GET', '/booking/closures', { token: admin });
  const ids = (all.body as { id: string }[]).map((c) => c.id);
  t.true(ids.includes(first.body.id) && ids.includes(second.body.id));
  const fromLater = await request(server, 'GET', `/booking/closures?from=${later}`, { token: admin });
  t.false((fromLater.body as { id: string }[]).some((c) => c.id === first.body.id), 'from= leaves out earlier days');

  t.is((await request(server, 'DELETE', `/booking/closures/${first.body.id}`, { token: admin })).status, 200);
  const after = await request(server, 'GET', `/booking/closures?schedule=${clinic.schedules[0]}`, { token: admin });
  t.false((after.body as { id: string }[]).some((c) => c.id === first.body.id), 'a reopened day is no longer listed');

  t.is((await request(server, 'GET', '/booking/closures?from=tomorrow', { token: admin })).status, 400);
  const registrar = await staffWithLogin(server, ['registrar']);
  t.is((await request(server, 'GET', '/booking/closures', { token: registrar })).status, 403);
  t.is((await request(server, 'GET', '/booking/closures', { token: null })).status, 401);
});
