// The operations dashboard computed from a handful of known FHIR resources: bookings per hour,
// no-show rate, waits from check-in, bed occupancy per ward, admissions and discharges per day.
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';

type Json = Record<string, any>;
let server: TestServer;
const tokens: Record<string, string> = {};
let ward: string;

const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const PHYSICAL = 'http://terminology.hl7.org/CodeSystem/location-physical-type';
const BED_STATUS = 'http://terminology.hl7.org/CodeSystem/v2-0116';

async function create(body: Json & { resourceType: string }): Promise<Json> {
  return await server.fhir.create({ resourceType: body.resourceType, body }) as Json;
}

test.before(async () => {
  server = await startTestServer({ timezone: 'Asia/Shanghai' });
  for (const [login, role] of [['admin', 'admin'], ['doctor', 'doctor'], ['nurse', 'nurse']] as const) {
    await createAccount(server, { login, roles: [role] });
    tokens[login] = await logIn(server, login);
  }
  const patient = `Patient/${(await create({ resourceType: 'Patient', name: [{ text: '陈明' }] })).id}`;
  const location = (name: string, code: string, partOf?: string, status?: string) => create({
    resourceType: 'Location', name, physicalType: { coding: [{ system: PHYSICAL, code }] },
    ...(partOf ? { partOf: { reference: `Location/${partOf}` } } : {}),
    ...(status ? { operationalStatus: { system: BED_STATUS, code: status } } : {}),
  });
  ward = (await location('内科病区', 'wa')).id;
  const room = (await location('501病房', 'ro', ward)).id;
  for (const [bed, status] of [['501-1床', 'O'], ['501-2床', 'U'], ['501-3床', 'O'], ['501-4床', 'C']] as const) await location(bed, 'bd', room, status);

  const appointment = (status: string, created: string, start: string) => create({
    resourceType: 'Appointment', status, created, start, end: start.replace(/:00\+/, ':15+'),
    participant: [{ actor: { reference: patient }, status: 'accepted' }],
  });
  await appointment('fulfilled', '2026-10-01T09:15:00+08:00', '2026-10-02T09:00:00+08:00');
  await appointment('noshow', '2026-10-01T09:45:00+08:00', '2026-10-02T09:30:00+08:00');
  await appointment('arrived', '2026-10-02T14:05:00+08:00', '2026-10-03T10:00:00+08:00');
  await appointment('noshow', '2026-10-02T20:30:00+08:00', '2026-10-03T10:30:00+08:00');
  await appointment('cancelled', '2026-10-01T09:30:00+08:00', '2026-10-03T11:00:00+08:00');
  await appointment('fulfilled', '2026-09-20T09:00:00+08:00', '2026-10-02T11:00:00+08:00'); // booked before the range, seen in it

  const visit = (arrived: string, seen?: string) => create({
    resourceType: 'Encounter', status: seen ? 'finished' : 'arrived', class: { system: ACT, code: 'AMB' }, subject: { reference: patient },
    period: { start: arrived },
    statusHistory: [{ status: 'arrived', period: { start: arrived, ...(seen ? { end: seen } : {}) } }, ...(seen ? [{ status: 'in-progress', period: { start: seen } }] : [])],
  });
  await visit('2026-10-02T09:00:00+08:00', '2026-10-02T09:30:00+08:00');
  await visit('2026-10-02T10:00:00+08:00', '2026-10-02T10:10:00+08:00');
  await visit('2026-10-03T08:00:00+08:00', '2026-10-03T08:50:00+08:00');
  await visit('2026-10-03T09:00:00+08:00'); // still waiting: no wait to count yet

  const stay = (status: string, start: string, end?: string) => create({
    resourceType: 'Encounter', status, class: { system: ACT, code: 'IMP' }, subject: { reference: patient }, period: { start, ...(end ? { end } : {}) },
  });
  await stay('finished', '2026-10-01T15:00:00+08:00', '2026-10-03T10:00:00+08:00');
  await stay('in-progress', '2026-10-03T01:00:00+08:00'); // the 2nd in UTC, the 3rd in the hospital's zone
  await stay('finished', '2026-09-25T10:00:00+08:00', '2026-10-02T11:00:00+08:00');
  await stay('cancelled', '2026-10-02T10:00:00+08:00');
});
test.after.always(async () => { await server?.stop(); });

const get = async (who: string, query: string) => {
  const response = await fetch(`${server.url}/emr/dashboard${query}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  return { status: response.status, json: await response.json() as Json };
};

test('the dashboard figures follow from the stored Appointments, Encounters and bed Locations', async (t) => {
  const { status, json } = await get('admin', '?from=2026-10-01&to=2026-10-03');
  t.is(status, 200);
  t.is(json.from, '2026-10-01');
  t.is(json.to, '2026-10-03');
  t.is(json.bookingsPerHour.length, 24);
  t.deepEqual(json.bookingsPerHour.filter((h: Json) => h.count > 0), [{ hour: 9, count: 3 }, { hour: 14, count: 1 }, { hour: 20, count: 1 }]);
  t.is(json.noShowRate, 2 / 5);
  t.is(json.averageWaitMinutes, 30);
  t.deepEqual(json.waitsPerDay, [{ date: '2026-10-02', minutes: 20 }, { date: '2026-10-03', minutes: 50 }]);
  t.deepEqual(json.occupancy, [{ ward, name: '内科病区', occupied: 2, total: 4 }]);
  t.deepEqual(json.admissionsPerDay, [
    { date: '2026-10-01', admissions: 1, discharges: 0 },
    { date: '2026-10-02', admissions: 0, discharges: 1 },
    { date: '2026-10-03', admissions: 1, discharges: 1 },
  ]);
});

test('doctors read it too; nurses do not; a range without visits has no rates; bad ranges are 400', async (t) => {
  const empty = await get('doctor', '?from=2025-01-01&to=2025-01-02');
  t.is(empty.status, 200);
  t.is(empty.json.noShowRate, null);
  t.is(empty.json.averageWaitMinutes, null);
  t.deepEqual(empty.json.admissionsPerDay.map((d: Json) => d.date), ['2025-01-01', '2025-01-02']);
  t.is((await get('nurse', '')).status, 403);
  t.is((await get('admin', '?from=2026-10-03&to=2026-10-01')).status, 400);
  t.is((await get('admin', '?from=2024-01-01&to=2026-10-01')).status, 400);
  t.is((await get('admin', '?from=1.10.2026')).status, 400);
});

test('the charting catalogue lists diagnoses, drugs, frequencies, routes, lab panels and imaging to any member of staff', async (t) => {
  const response = await fetch(`${server.url}/emr/catalogue`, { headers: { authorization: `Bearer ${tokens.nurse}` } });
  t.is(response.status, 200);
  const catalogue = await response.json() as Json;
  t.deepEqual(catalogue.diagnoses.find((d: Json) => d.code === 'I10'), { code: 'I10', zh: '原发性高血压', en: 'Essential (primary) hypertension' });
  const metformin = catalogue.drugs.find((d: Json) => d.key === 'metformin');
  t.like(metformin, { atc: 'A10BA02', frequency: 'TID', route: { code: '26643006', zh: '口服', en: 'Oral route' }, dose: { value: 0.5, code: 'g' } });
  t.deepEqual(catalogue.frequencies.find((f: Json) => f.code === 'Q8H'), { code: 'Q8H', zh: '每8小时1次', en: 'Every 8 hours', repeat: { frequency: 1, period: 8, periodUnit: 'h' } });
  t.is(catalogue.frequencies.find((f: Json) => f.code === 'PRN').repeat, undefined);
  t.true(catalogue.labPanels.some((p: Json) => p.code === '58410-2' && p.zh === '血常规'));
  t.deepEqual(catalogue.imaging.map((i: Json) => [i.code, i.modality]), [['24725-4', 'CT'], ['24627-2', 'CT'], ['36643-5', 'DX'], ['24590-2', 'MR'], ['24558-9', 'US']]);
  t.is((await fetch(`${server.url}/emr/catalogue`)).status, 401);
});
