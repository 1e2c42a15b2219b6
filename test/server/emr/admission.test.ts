// The inpatient stay: admission into a free bed, transfer, discharge, the bed's housekeeping, and
// the guarantee that a bed never holds two patients — whichever way the Encounter is written.
import test from 'ava';
import { io } from 'socket.io-client';
import type { Resource } from '../../../fhir/index.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';
import { createPatient } from '../../helpers/booking.ts';

type Json = Record<string, any>;
let server: TestServer;
const tokens: Record<string, string> = {};
const physical = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code }] });
const bedStatus = (code: string) => ({ system: 'http://terminology.hl7.org/CodeSystem/v2-0116', code });

test.before(async () => {
  server = await startTestServer();
  const repo = server.app.engine.repo;
  await repo.update({ resourceType: 'Organization', id: 'dept-im', name: '内科' } as Resource);
  await repo.update({ resourceType: 'Location', id: 'ward-a', status: 'active', name: '内科病区', physicalType: physical('wa'), managingOrganization: { reference: 'Organization/dept-im' } } as Resource);
  await repo.update({ resourceType: 'Location', id: 'room-a1', status: 'active', name: '501病房', physicalType: physical('ro'), partOf: { reference: 'Location/ward-a' } } as Resource);
  for (const n of [1, 2, 3, 4]) {
    await repo.update({ resourceType: 'Location', id: `bed-a1-${n}`, status: 'active', name: `501-${n}床`, physicalType: physical('bd'), operationalStatus: bedStatus('U'), partOf: { reference: 'Location/room-a1' } } as Resource);
  }
  for (const [login, role] of [['doc', 'doctor'], ['nurse', 'nurse'], ['desk', 'registrar']] as const) {
    const practitioner = await server.fhir.create({ resourceType: 'Practitioner', body: { resourceType: 'Practitioner', name: [{ text: `${login}医生` }] } }) as Json;
    await createAccount(server, { login, roles: [role], practitionerId: practitioner.id });
    tokens[login] = await logIn(server, login);
  }
});
test.after.always(async () => { await server?.stop(); });

async function call(who: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${server.url}${path}`, {
    method, headers: { authorization: `Bearer ${tokens[who] ?? server.token}`, ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) as Json : {} };
}
const params = (values: Record<string, string>) => ({
  resourceType: 'Parameters',
  parameter: Object.entries(values).map(([name, value]) => (value.includes('/') ? { name, valueReference: { reference: value } } : { name, valueCode: value })),
});
const admit = (who: string, patient: string, bed: string) => call(who, 'POST', '/fhir/Encounter/$admit', params({ patient: `Patient/${patient}`, bed: `Location/${bed}` }));
const occupancy = async () => (await server.database.db.query<{ bed_id: string; encounter_id: string; patient_id: string }>('SELECT * FROM emr_bed_occupancy ORDER BY bed_id')).rows;
const bedCode = async (bed: string) => (JSON.parse((await server.app.engine.repo.read('Location', bed)).json!) as Json).operationalStatus?.code;
const encountersOf = async (patient: string) => (await server.app.engine.repo.search('Encounter', new URLSearchParams({ patient: `Patient/${patient}` }))).versions.length;

test.serial('a nurse admits a patient into a free bed: an inpatient Encounter in progress, the bed occupied', async (t) => {
  const patient = await createPatient(server);
  const { status, json } = await admit('nurse', patient, 'bed-a1-1');
  t.is(status, 201, JSON.stringify(json));
  t.is(json.status, 'in-progress');
  t.is(json.class.code, 'IMP');
  t.is(json.location[0].location.reference, 'Location/bed-a1-1');
  t.is(json.location[0].status, 'active');
  t.is(json.serviceProvider.reference, 'Organization/dept-im');
  t.regex(json.identifier[0].value, /^ZY\d{12}$/);
  t.deepEqual((await occupancy()).map((r) => [r.bed_id, r.encounter_id, r.patient_id]), [['bed-a1-1', json.id, patient]]);
  t.is(await bedCode('bed-a1-1'), 'O');
});

test.serial('admitting into an occupied bed, or a patient already in hospital, is a 409 that writes nothing', async (t) => {
  const other = await createPatient(server);
  const taken = await admit('nurse', other, 'bed-a1-1');
  t.is(taken.status, 409);
  t.is(taken.json.issue[0].diagnostics, 'bed-occupied');
  t.is(await encountersOf(other), 0);
  const inBed = (await occupancy())[0]!;
  const again = await admit('nurse', inBed.patient_id, 'bed-a1-2');
  t.is(again.status, 409);
  t.is(again.json.issue[0].diagnostics, 'already-admitted');
  t.is(await encountersOf(inBed.patient_id), 1);
  t.is(await bedCode('bed-a1-2'), 'U');
});

test.serial('a plain FHIR write or a transaction putting a second patient in a bed is refused by the database guarantee', async (t) => {
  const other = await createPatient(server);
  const encounter = {
    resourceType: 'Encounter', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
    subject: { reference: `Patient/${other}` }, location: [{ location: { reference: 'Location/bed-a1-1' }, status: 'active' }],
  };
  const created = await call('doc', 'POST', '/fhir/Encounter', encounter);
  t.is(created.status, 409, JSON.stringify(created.json));
  t.is(created.json.issue[0].diagnostics, 'bed-occupied');
  const bundle = await call('doc', 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:6f1c7c1e-2b1a-4c1e-9a51-1e8f0c3b7a01', resource: { resourceType: 'Condition', subject: { reference: `Patient/${other}` }, code: { text: 'x' } }, request: { method: 'POST', url: 'Condition' } },
      { resource: encounter, request: { method: 'POST', url: 'Encounter' } },
    ],
  });
  t.is(bundle.status, 409);
  t.is(await encountersOf(other), 0);
  t.is((await server.app.engine.repo.search('Condition', new URLSearchParams({ patient: `Patient/${other}` }))).versions.length, 0);
  // An update of an existing finished encounter into the bed is refused the same way.
  const finished = await call('doc', 'POST', '/fhir/Encounter', { ...encounter, status: 'finished', location: [{ location: { reference: 'Location/bed-a1-1' }, status: 'completed' }] });
  t.is(finished.status, 201);
  const moved = await call('doc', 'PUT', `/fhir/Encounter/${finished.json.id}`, { ...finished.json, status: 'in-progress', location: encounter.location });
  t.is(moved.status, 409);
  t.is((await call('doc', 'GET', `/fhir/Encounter/${finished.json.id}`)).json.meta.versionId, '1');
  t.is((await occupancy()).length, 1);
});

test.serial('two admissions into one bed at the same moment: exactly one wins', async (t) => {
  const [a, b] = [await createPatient(server), await createPatient(server)];
  const results = await Promise.all([admit('nurse', a, 'bed-a1-3'), admit('doc', b, 'bed-a1-3')]);
  t.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
  t.is((await occupancy()).filter((r) => r.bed_id === 'bed-a1-3').length, 1);
  // Leave the bed free for what follows.
  const winner = results.find((r) => r.status === 201)!.json;
  t.is((await call('nurse', 'POST', `/fhir/Encounter/${winner.id}/$discharge`, params({}))).status, 200);
  t.is((await call('nurse', 'POST', '/fhir/Location/bed-a1-3/$bed-status', params({ status: 'free' }))).status, 200);
});

test.serial('a transfer closes the old bed period, opens the new one, and sends the old bed to cleaning; the bed board and its live push follow', async (t) => {
  const socket = io(`${server.url}/wards`, { path: '/socket.io', auth: { token: tokens.nurse }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => { socket.on('connect', () => resolve()); socket.on('connect_error', reject); });
  const heard = new Promise<Json>((resolve) => socket.on('beds', (payload: Json) => resolve(payload)));
  const inBed = (await occupancy()).find((r) => r.bed_id === 'bed-a1-1')!;
  const moved = await call('nurse', 'POST', `/fhir/Encounter/${inBed.encounter_id}/$transfer`, params({ bed: 'Location/bed-a1-2' }));
  t.is(moved.status, 200, JSON.stringify(moved.json));
  t.deepEqual(moved.json.location.map((l: Json) => [l.location.reference, l.status, Boolean(l.period.end)]), [
    ['Location/bed-a1-1', 'completed', true], ['Location/bed-a1-2', 'active', false],
  ]);
  t.deepEqual((await heard).wards, ['ward-a']);
  socket.close();
  t.is(await bedCode('bed-a1-1'), 'K');
  t.is(await bedCode('bed-a1-2'), 'O');
  const board = await call('nurse', 'GET', '/emr/bed-board');
  t.is(board.status, 200);
  const ward = board.json.wards[0];
  t.like(ward, { id: 'ward-a', name: '内科病区', total: 4, occupied: 1, cleaning: 1, free: 2, closed: 0 });
  const beds = ward.rooms[0].beds as Json[];
  t.deepEqual(beds.map((b) => b.status), ['cleaning', 'occupied', 'free', 'free']);
  t.is(beds[1].occupant.patient.id, inBed.patient_id);
  t.is(beds[1].occupant.lengthOfStayDays, 0);
});

test.serial('a bed being cleaned takes nobody until housekeeping frees it; an occupied bed cannot be freed or closed', async (t) => {
  const patient = await createPatient(server);
  const refused = await admit('nurse', patient, 'bed-a1-1');
  t.is(refused.status, 409);
  t.is(refused.json.issue[0].diagnostics, 'bed-unavailable');
  const occupied = await call('nurse', 'POST', '/fhir/Location/bed-a1-2/$bed-status', params({ status: 'free' }));
  t.is(occupied.status, 409);
  t.is(await bedCode('bed-a1-2'), 'O');
  const plain = JSON.parse((await server.app.engine.repo.read('Location', 'bed-a1-2')).json!) as Json;
  t.is((await call('nurse', 'PUT', '/fhir/Location/bed-a1-2', { ...plain, operationalStatus: bedStatus('U') })).status, 409);
  t.is((await call('nurse', 'POST', '/fhir/Location/bed-a1-1/$bed-status', params({ status: 'free' }))).status, 200);
  t.is((await admit('nurse', patient, 'bed-a1-1')).status, 201);
  t.is((await call('nurse', 'POST', '/fhir/Location/bed-a1-4/$bed-status', params({ status: 'closed' }))).status, 200);
  const closed = await admit('nurse', await createPatient(server), 'bed-a1-4');
  t.is(closed.json.issue[0].diagnostics, 'bed-unavailable');
  t.is((await call('nurse', 'POST', '/fhir/Location/bed-a1-4/$bed-status', params({ status: 'dusted' }))).status, 400);
});

test.serial('discharge finishes the stay with its disposition and frees the bed for cleaning; discharging someone never admitted is a 409', async (t) => {
  const stay = (await occupancy()).find((r) => r.bed_id === 'bed-a1-2')!;
  const visit = await call('doc', 'POST', '/fhir/Encounter', { resourceType: 'Encounter', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: `Patient/${stay.patient_id}` } });
  const never = await call('doc', 'POST', `/fhir/Encounter/${visit.json.id}/$discharge`, params({}));
  t.is(never.status, 409);
  t.is(never.json.issue[0].diagnostics, 'not-admitted');
  t.is((await call('doc', 'GET', `/fhir/Encounter/${visit.json.id}`)).json.status, 'in-progress');
  const done = await call('doc', 'POST', `/fhir/Encounter/${stay.encounter_id}/$discharge`, params({ disposition: 'home' }));
  t.is(done.status, 200);
  t.is(done.json.status, 'finished');
  t.truthy(done.json.period.end);
  t.is(done.json.hospitalization.dischargeDisposition.coding[0].code, 'home');
  t.is(done.json.location.at(-1).status, 'completed');
  t.is(await bedCode('bed-a1-2'), 'K');
  t.falsy((await occupancy()).find((r) => r.bed_id === 'bed-a1-2'));
  const twice = await call('doc', 'POST', `/fhir/Encounter/${stay.encounter_id}/$discharge`, params({}));
  t.is(twice.json.issue[0].diagnostics, 'not-admitted');
  t.is((await call('doc', 'POST', `/fhir/Encounter/${stay.encounter_id}/$transfer`, params({ bed: 'Location/bed-a1-3' }))).status, 409);
});

test.serial('the registration desk cannot admit, and the bed board and its push are for clinical staff only', async (t) => {
  t.is((await admit('desk', await createPatient(server), 'bed-a1-3')).status, 403);
  t.is((await fetch(`${server.url}/emr/bed-board`)).status, 401);
  const socket = io(`${server.url}/wards`, { path: '/socket.io', auth: { token: 'not-a-token' }, transports: ['websocket'], reconnection: false });
  const error = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
  t.is(error.message, 'unauthorized');
  socket.close();
});
