// The outpatient visit: check-in opens the Encounter, the doctor's list shows the queue, call-next
// takes the lowest queue number, closing the visit fulfils the Appointment; imaging orders get an
// accession number and wait on the radiology worklist.
import test from 'ava';
import type { Resource } from '../../../fhir/index.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';
import { createPatient } from '../../helpers/booking.ts';

type Json = Record<string, any>;
let server: TestServer;
const tokens: Record<string, string> = {};
const QUEUE = 'https://open-his.example.org/fhir/StructureDefinition/queue-number';
const ACCESSION = 'https://open-his.example.org/fhir/sid/accession-number';
const appointments: string[] = [];
const patients: string[] = [];

test.before(async () => {
  server = await startTestServer();
  const repo = server.app.engine.repo;
  await repo.update({ resourceType: 'Practitioner', id: 'prac-zhang', name: [{ text: '张伟', family: '张', given: ['伟'] }] } as Resource);
  await repo.update({ resourceType: 'Organization', id: 'dept-im', name: '内科' } as Resource);
  await repo.update({ resourceType: 'PractitionerRole', id: 'role-zhang', active: true, practitioner: { reference: 'Practitioner/prac-zhang', display: '张伟' }, organization: { reference: 'Organization/dept-im' } } as Resource);
  await createAccount(server, { login: 'doc', roles: ['doctor'], practitionerId: 'prac-zhang' });
  await createAccount(server, { login: 'desk', roles: ['registrar'] });
  await createAccount(server, { login: 'rad', roles: ['radiologist'] });
  for (const login of ['doc', 'desk', 'rad']) tokens[login] = await logIn(server, login);
  // Three booked visits of today, queue numbers 3, 1, 2 (booking order differs from queue order on purpose).
  const soon = new Date(Date.now() + 60 * 60_000).toISOString();
  for (const number of [3, 1, 2]) {
    const patient = await createPatient(server);
    patients.push(patient);
    const created = await repo.create({
      resourceType: 'Appointment', status: 'booked', start: soon, end: soon,
      extension: [{ url: QUEUE, valuePositiveInt: number }],
      serviceType: [{ text: '内科' }],
      participant: [
        { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
        { actor: { reference: 'PractitionerRole/role-zhang' }, status: 'accepted' },
      ],
    } as Resource);
    appointments.push(created.version.id);
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
const none = { resourceType: 'Parameters', parameter: [] };
const encounterOf = async (appointment: string) =>
  (await server.app.engine.repo.search('Encounter', new URLSearchParams({ appointment: `Appointment/${appointment}` }))).versions.map((v) => JSON.parse(v.json!) as Json);
const clinic = async () => (await call('doc', 'GET', '/emr/clinic-list')).json;

test.serial('check-in at the desk opens an outpatient Encounter linked to the Appointment, attended by the booked doctor', async (t) => {
  const before = await clinic();
  t.deepEqual(before.items.map((i: Json) => i.state), ['booked', 'booked', 'booked']);
  t.is(before.practitioner.name, '张伟');
  for (const id of appointments) t.is((await call('desk', 'POST', `/fhir/Appointment/${id}/$check-in`, none)).status, 200);
  const [encounter] = await encounterOf(appointments[0]!);
  t.truthy(encounter);
  t.like(encounter, { status: 'arrived', class: { code: 'AMB' }, subject: { reference: `Patient/${patients[0]}` } });
  t.is(encounter!.participant[0].individual.reference, 'Practitioner/prac-zhang');
  t.is(encounter!.serviceProvider.reference, 'Organization/dept-im');
  t.is(encounter!.extension[0].valuePositiveInt, 3);
  t.regex(encounter!.identifier[0].value, /^MZ\d{12}$/);
  // Checking in twice changes nothing and opens no second visit.
  t.is((await call('desk', 'POST', `/fhir/Appointment/${appointments[0]}/$check-in`, none)).status, 200);
  t.is((await encounterOf(appointments[0]!)).length, 1);
  const list = await clinic();
  t.deepEqual(list.items.map((i: Json) => i.state), ['arrived', 'arrived', 'arrived']);
  t.is(typeof list.items[0].waitedMinutes, 'number');
  t.regex(list.items[0].patient.name, /^测试/);
  t.truthy(list.items[0].encounterId);
});

test.serial('call-next takes the lowest queue number; seeing a patient twice or finishing an unseen visit is a 409', async (t) => {
  const first = await call('doc', 'POST', '/fhir/Encounter/$call-next', none);
  t.is(first.status, 200, JSON.stringify(first.json));
  t.is(first.json.extension[0].valuePositiveInt, 1);
  t.is(first.json.status, 'in-progress');
  t.deepEqual(first.json.statusHistory.map((h: Json) => [h.status, Boolean(h.period.end)]), [['arrived', true], ['in-progress', false]]);
  const again = await call('doc', 'POST', `/fhir/Encounter/${first.json.id}/$start-visit`, none);
  t.is(again.status, 409);
  t.is(again.json.issue[0].diagnostics, 'wrong-visit-state');
  const waiting = (await encounterOf(appointments[2]!))[0]!;
  const early = await call('doc', 'POST', `/fhir/Encounter/${waiting.id}/$finish-visit`, none);
  t.is(early.status, 409);
  t.is((await call('doc', 'GET', `/fhir/Encounter/${waiting.id}`)).json.status, 'arrived');
  t.deepEqual((await clinic()).items.map((i: Json) => [i.queueNumber, i.state]).sort(), [[1, 'in-consultation'], [2, 'arrived'], [3, 'arrived']]);
});

test.serial('finishing the visit ends the Encounter and fulfils its Appointment; the queue then empties with a 422', async (t) => {
  const seeing = (await clinic()).items.find((i: Json) => i.state === 'in-consultation');
  const done = await call('doc', 'POST', `/fhir/Encounter/${seeing.encounterId}/$finish-visit`, none);
  t.is(done.status, 200);
  t.is(done.json.status, 'finished');
  t.truthy(done.json.period.end);
  t.is((await call('doc', 'GET', `/fhir/Appointment/${seeing.appointmentId}`)).json.status, 'fulfilled');
  t.is((await call('doc', 'POST', `/fhir/Encounter/${seeing.encounterId}/$finish-visit`, none)).status, 409);
  const second = await call('doc', 'POST', '/fhir/Encounter/$call-next', none);
  t.is(second.json.extension[0].valuePositiveInt, 2);
  const third = await call('doc', 'POST', `/fhir/Encounter/${(await encounterOf(appointments[0]!))[0]!.id}/$start-visit`, none);
  t.is(third.status, 200);
  const empty = await call('doc', 'POST', '/fhir/Encounter/$call-next', none);
  t.is(empty.status, 422);
  t.is(empty.json.issue[0].diagnostics, 'queue-empty');
  t.is((await call('desk', 'POST', '/fhir/Encounter/$call-next', none)).status, 403);
});

test.serial('an imaging order gets an accession number and waits on the radiology worklist until its study arrives', async (t) => {
  const encounter = (await encounterOf(appointments[1]!))[0]!;
  const order = await call('doc', 'POST', '/fhir/ServiceRequest', {
    resourceType: 'ServiceRequest', status: 'active', intent: 'order',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '24627-2', display: 'CT Chest' }], text: '胸部CT平扫' },
    subject: { reference: `Patient/${patients[1]}` }, encounter: { reference: `Encounter/${encounter.id}` },
    authoredOn: new Date().toISOString(), requester: { reference: 'Practitioner/prac-zhang', display: '张伟' },
  });
  t.is(order.status, 201, JSON.stringify(order.json));
  const accession = order.json.identifier.find((i: Json) => i.system === ACCESSION)?.value;
  t.regex(accession, /^A\d{14}$/);
  t.is(order.json.meta.versionId, '1');
  const stored = JSON.parse((await server.app.engine.repo.read('ServiceRequest', order.json.id)).json!) as Json;
  t.is(stored.identifier[0].value, accession);
  const worklist = await call('rad', 'GET', '/radiology/worklist');
  t.is(worklist.status, 200);
  t.like(worklist.json.ordered.find((o: Json) => o.orderId === order.json.id), { accessionNumber: accession, modality: 'CT', description: '胸部CT平扫', patient: { id: patients[1] } });
  t.is((await call('rad', 'GET', '/radiology/worklist?status=ordered')).json.total, 0);
  t.is((await call('rad', 'GET', `/radiology/worklist?accession=${accession}`)).json.ordered.length, 1);
  // A second order naming the same accession number is refused.
  const copy = await call('doc', 'POST', '/fhir/ServiceRequest', { ...order.json, id: undefined, meta: undefined });
  t.is(copy.status, 409);
  t.is(copy.json.issue[0].diagnostics, 'accession-taken');
  // A lab order gets no accession number.
  const lab = await call('doc', 'POST', '/fhir/ServiceRequest', {
    resourceType: 'ServiceRequest', status: 'active', intent: 'order',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '58410-2' }] }, subject: { reference: `Patient/${patients[1]}` },
  });
  t.falsy(lab.json.identifier);
  // Cancelling the order takes it off the worklist.
  t.is((await call('doc', 'PUT', `/fhir/ServiceRequest/${order.json.id}`, { ...order.json, status: 'revoked' })).status, 200);
  t.is((await call('rad', 'GET', '/radiology/worklist')).json.ordered.length, 0);
});
