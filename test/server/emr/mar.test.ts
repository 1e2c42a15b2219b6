// The medication administration record: scheduled doses of active orders at the ward's customary
// hours, matched to the administrations nurses record (given / held / refused), and the rest due,
// overdue or upcoming against the clock (fixed here, never slept on).
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';
import { addDays, Calendar } from '../../../server/booking/calendar.ts';
import { medicationAdministrationRecord, SCHEDULED_TIME_EXTENSION, MAR_NOT_GIVEN_SYSTEM, type MarRow } from '../../../server/emr/mar.ts';
import { dailyPattern } from '../../../server/emr/mar-schedule.ts';

type Json = Record<string, any>;
let server: TestServer;
const calendar = new Calendar('Asia/Shanghai');
const tokens: Record<string, string> = {};
let nurse: string;
let patient: string;
let encounter: string;
const requests: Record<string, string> = {};
/** Two days ago, so that through the real clock every dose of that day is past. */
const day = addDays(calendar.dateOf(new Date()), -2);
const at = (time: string) => calendar.format(calendar.instant(day, time));

const GTS = 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation';

function order(text: string, dosage: Json, status = 'active'): Json & { resourceType: string } {
  return {
    resourceType: 'MedicationRequest', status, intent: 'order',
    medicationCodeableConcept: { coding: [{ system: 'http://www.whocc.no/atc', code: 'X' }], text },
    subject: { reference: `Patient/${patient}` }, encounter: { reference: `Encounter/${encounter}` },
    authoredOn: calendar.format(calendar.instant(addDays(day, -3), '10:00')),
    dosageInstruction: [{ route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006', display: 'Oral route' }], text: '口服' }, ...dosage }],
  };
}

test.before(async () => {
  server = await startTestServer({ timezone: 'Asia/Shanghai' });
  const practitioner = await server.fhir.create({ resourceType: 'Practitioner', body: { resourceType: 'Practitioner', name: [{ text: '王芳' }] } }) as Json;
  nurse = practitioner.id;
  await createAccount(server, { login: 'nurse', roles: ['nurse'], practitionerId: nurse });
  await createAccount(server, { login: 'desk', roles: ['registrar'] });
  tokens.nurse = await logIn(server, 'nurse');
  tokens.desk = await logIn(server, 'desk');
  patient = (await server.fhir.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ text: '陈明' }] } }) as Json).id;
  encounter = (await server.fhir.create({
    resourceType: 'Encounter',
    body: { resourceType: 'Encounter', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' }, subject: { reference: `Patient/${patient}` } },
  }) as Json).id;
  const dose = (value: number, unit: string) => ({ doseAndRate: [{ doseQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit } }] });
  const orders: Record<string, Json & { resourceType: string }> = {
    tid: order('盐酸二甲双胍片 0.5g', { timing: { repeat: { frequency: 3, period: 1, periodUnit: 'd' }, code: { coding: [{ system: GTS, code: 'TID' }] } }, ...dose(0.5, 'g') }),
    q8h: order('注射用头孢呋辛钠 1.5g', { timing: { repeat: { frequency: 1, period: 8, periodUnit: 'h' } }, ...dose(1.5, 'g') }),
    prn: order('对乙酰氨基酚片 0.5g', { asNeededBoolean: true, ...dose(0.5, 'g') }),
    stopped: order('阿司匹林肠溶片 100mg', { timing: { code: { coding: [{ system: GTS, code: 'QD' }] } } }, 'stopped'),
  };
  for (const [key, body] of Object.entries(orders)) requests[key] = (await server.fhir.create({ resourceType: 'MedicationRequest', body }) as Json).id;
});
test.after.always(async () => { await server?.stop(); });

async function administer(request: string, scheduled: string | undefined, effective: string, outcome: 'given' | 'held' | 'refused'): Promise<Json> {
  const response = await fetch(`${server.base}/MedicationAdministration`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.nurse}`, 'content-type': 'application/fhir+json' },
    body: JSON.stringify({
      resourceType: 'MedicationAdministration',
      status: outcome === 'given' ? 'completed' : 'not-done',
      ...(outcome === 'given' ? {} : { statusReason: [{ coding: [{ system: MAR_NOT_GIVEN_SYSTEM, code: outcome }], text: outcome }] }),
      medicationCodeableConcept: { text: 'copy of the order' },
      subject: { reference: `Patient/${patient}` }, context: { reference: `Encounter/${encounter}` },
      request: { reference: `MedicationRequest/${request}` },
      effectiveDateTime: effective,
      performer: [{ actor: { reference: `Practitioner/${nurse}`, display: '王芳' } }],
      ...(scheduled ? { extension: [{ url: SCHEDULED_TIME_EXTENSION, valueDateTime: scheduled }] } : {}),
    }),
  });
  const json = await response.json() as Json;
  if (response.status !== 201) throw new Error(`administration: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const states = (row: MarRow | Json | undefined) => row?.doses.map((d: Json) => [d.scheduled, d.state]);

test.serial('customary hours come from Timing.code, repeat and event timing', (t) => {
  const times = (timing: Json) => dailyPattern({ timing })?.times;
  t.deepEqual(times({ code: { coding: [{ system: GTS, code: 'QD' }] } }), ['08:00']);
  t.deepEqual(times({ repeat: { frequency: 2, period: 1, periodUnit: 'd' } }), ['08:00', '20:00']);
  t.deepEqual(times({ repeat: { frequency: 4, period: 1, periodUnit: 'd' } }), ['08:00', '12:00', '16:00', '20:00']);
  t.deepEqual(times({ repeat: { frequency: 1, period: 1, periodUnit: 'd', when: ['HS'] } }), ['21:00']);
  t.deepEqual(times({ repeat: { frequency: 1, period: 8, periodUnit: 'h' } }), ['00:00', '08:00', '16:00']);
  t.deepEqual(times({ repeat: { timeOfDay: ['09:30:00'] } }), ['09:30']);
  t.is(dailyPattern({ asNeededBoolean: true, timing: { code: { coding: [{ system: GTS, code: 'QD' }] } } }), undefined);
});

test.serial('doses recorded as given, held and refused are matched to their scheduled times; the rest are due, overdue or upcoming', async (t) => {
  const given = await administer(requests.tid!, at('08:00'), at('08:10'), 'given');
  await administer(requests.tid!, at('12:00'), at('12:05'), 'refused');
  await administer(requests.q8h!, at('00:00'), at('00:15'), 'held');
  await administer(requests.prn!, undefined, at('15:00'), 'given');
  // What the nurse wrote is what the record holds.
  const stored = await server.fhir.read({ resourceType: 'MedicationAdministration', id: given.id }) as Json;
  t.is(stored.extension[0].valueDateTime, at('08:00'));

  const now = calendar.instant(day, '15:30');
  const { mar, read } = await medicationAdministrationRecord(server.app.engine.repo, calendar, encounter, day, now);
  t.is(mar.date, day);
  t.deepEqual(mar.rows.map((r) => r.request.id).sort(), [requests.tid, requests.q8h, requests.prn].sort(), 'the stopped order is not listed');
  const row = (key: string) => mar.rows.find((r) => r.request.id === requests[key]);
  t.deepEqual(states(row('tid')), [[at('08:00'), 'given'], [at('12:00'), 'refused'], [at('18:00'), 'upcoming']]);
  t.deepEqual(states(row('q8h')), [[at('00:00'), 'held'], [at('08:00'), 'overdue'], [at('16:00'), 'due']]);
  t.deepEqual(states(row('prn')), [[at('15:00'), 'given']]);
  t.deepEqual(row('tid')!.request, { id: requests.tid, medication: '盐酸二甲双胍片 0.5g', dose: '0.5 g', route: '口服', frequency: 'TID', asNeeded: false });
  t.true(row('prn')!.request.asNeeded);
  t.is(row('q8h')!.request.frequency, 'Q8H');
  const first = row('tid')!.doses[0]!.administration!;
  t.deepEqual(first, { id: given.id, status: 'completed', at: at('08:10'), by: '王芳' });
  t.is(row('tid')!.doses[1]!.administration!.reason, 'refused');
  t.true(read.some((r) => r.resourceType === 'Encounter' && r.id === encounter));

  // Before the order was written there is nothing to give; an hour before a dose it is due.
  const early = await medicationAdministrationRecord(server.app.engine.repo, calendar, encounter, addDays(day, -3), calendar.instant(addDays(day, -3), '11:10'));
  t.deepEqual(states(early.mar.rows.find((r) => r.request.id === requests.tid)), [[calendar.format(calendar.instant(addDays(day, -3), '12:00')), 'due'], [calendar.format(calendar.instant(addDays(day, -3), '18:00')), 'upcoming']]);
});

test.serial('GET /emr/encounters/{id}/mar answers for the day asked, on the real clock, to those who may read administrations', async (t) => {
  const get = (token: string, query = `?date=${day}`) => fetch(`${server.url}/emr/encounters/${encounter}/mar${query}`, { headers: { authorization: `Bearer ${token}` } });
  const response = await get(tokens.nurse!);
  t.is(response.status, 200);
  const mar = await response.json() as Json;
  t.is(mar.date, day);
  t.deepEqual(states(mar.rows.find((r: Json) => r.request.id === requests.q8h)), [[at('00:00'), 'held'], [at('08:00'), 'overdue'], [at('16:00'), 'overdue']]);
  t.is((await get(tokens.desk!)).status, 403);
  t.is((await get(tokens.nurse!, '?date=yesterday')).status, 400);
  t.is((await fetch(`${server.url}/emr/encounters/nope/mar`, { headers: { authorization: `Bearer ${tokens.nurse}` } })).status, 404);
  t.is((await fetch(`${server.url}/emr/encounters/${encounter}/mar`)).status, 401);
});
