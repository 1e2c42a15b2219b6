import test from 'ava';
import type { Resource } from '../../../fhir/index.ts';
import { startTestServer, request, testClient, type TestServer } from '../../helpers/server.ts';
import { staffWithLogin } from '../../helpers/booking.ts';
import { makeResidentId } from '../../../server/identity/resident-id.ts';
import { RESIDENT_ID_SYSTEM } from '../../../server/seed/systems.ts';
import { retrieveExternalRecord } from '../../../server/exchange/records-in/retrieve.ts';
import { localIdOf } from '../../../server/exchange/records-in/reconcile.ts';

// Two real servers with their own databases: `here` fetches, `there` is the other hospital.
let here: TestServer;
let there: TestServer;
const residentId = makeResidentId('110105', '1960-03-02', 7);
const partner = () => ({ id: 'city-second', name: '市第二医院', baseUrl: there.base, organization: { system: 'urn:oid:2.16.156.10011.1.5', value: 'city-second' } });

test.before(async () => {
  [here, there] = await Promise.all([startTestServer(), startTestServer()]);
  await there.app.engine.repo.update({ resourceType: 'Patient', id: 'remote-1', identifier: [{ system: RESIDENT_ID_SYSTEM, value: residentId }], name: [{ text: '李建国' }], gender: 'male', birthDate: '1960-03-02' } as Resource);
  await there.app.engine.repo.update({ resourceType: 'Practitioner', id: 'dr-remote', name: [{ text: '赵医生' }] } as Resource);
  await there.app.engine.repo.update({
    resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/remote-1' }, recorder: { reference: 'Practitioner/dr-remote' },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] }, code: { text: '2型糖尿病' },
  } as Resource);
  await there.app.engine.repo.update({ resourceType: 'AllergyIntolerance', id: 'a1', patient: { reference: 'Patient/remote-1' }, code: { text: '青霉素' } } as Resource);
  await there.app.engine.repo.update({
    resourceType: 'Observation', id: 'o1', status: 'final', subject: { reference: 'Patient/remote-1' }, code: { text: 'HbA1c' },
    valueQuantity: { value: 7.2, unit: '%' },
  } as Resource);
  // Here: the same person (same resident ID), registered under a slightly different name.
  await here.app.engine.repo.update({ resourceType: 'Patient', id: 'local-1', identifier: [{ system: RESIDENT_ID_SYSTEM, value: residentId }], name: [{ text: '李建囯' }], gender: 'male', birthDate: '1960-03-02' } as Resource);
  await here.app.engine.repo.update({ resourceType: 'Patient', id: 'local-no-id', name: [{ text: '无证件' }] } as Resource);
});
test.after.always(async () => { await Promise.all([here?.stop(), there?.stop()]); });

const retrieve = (patientId = 'local-1') => retrieveExternalRecord({ repo: here.app.engine.repo, client: there.fhir, partner: partner(), patientId, fetchedBy: 'Practitioner/dr-here' });

async function consent(status = 'active'): Promise<string> {
  const saved = await here.app.engine.repo.create({
    resourceType: 'Consent', status, scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }], patient: { reference: 'Patient/local-1' },
    dateTime: new Date().toISOString(), policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: { type: 'permit', actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { identifier: { value: 'city-second' }, display: '市第二医院' } }] },
  } as Resource);
  return saved.version.id;
}

async function stored(type: string, id: string): Promise<any> {
  return (await here.app.db.query<{ content: any; version_id: number }>('SELECT content, version_id FROM fhir_resource WHERE resource_type = $1 AND id = $2', [type, id])).rows[0];
}

test.serial('without the patient\'s consent nothing is fetched', async (t) => {
  const err = await t.throwsAsync(retrieve());
  t.regex(JSON.stringify((err as any).issues), /consent-required/);
  t.is((await here.app.db.query(`SELECT 1 FROM fhir_resource WHERE resource_type = 'Condition'`)).rows.length, 0);
});

test.serial('with consent the record comes in: references point at our patient, sources and a Provenance are kept, our Patient is untouched', async (t) => {
  const consentId = await consent();
  const result = await retrieve();
  t.is(result.created.length, 3, JSON.stringify(result));
  t.deepEqual(result.conflicts, []);
  t.deepEqual(result.discrepancies.map((d) => d.element), ['name'], 'the names differ: reported, not applied');
  const conditionId = localIdOf(`${there.base}/Condition/c1`);
  const condition = (await stored('Condition', conditionId)).content;
  t.is(condition.subject.reference, 'Patient/local-1');
  t.is(condition.recorder.reference, `${there.base}/Practitioner/dr-remote`, 'what did not come along still points at its source');
  t.is(condition.meta.source, `${there.base}/Condition/c1`);
  t.is((await stored('Patient', 'local-1')).content.name[0].text, '李建囯', 'our Patient is never overwritten');
  const provenance = (await stored('Provenance', result.provenance!)).content;
  t.is(provenance.policy[0], `Consent/${consentId}`);
  t.is(provenance.target.length, 3);
  t.is(provenance.entity[0].what.reference, `${there.base}/Patient/remote-1`);
  t.is(provenance.agent.at(-1).who.display, '市第二医院');
});

test.serial('fetching again changes nothing; a remote change comes in; a copy edited here is not overwritten', async (t) => {
  const again = await retrieve();
  t.deepEqual([again.created.length, again.updated.length, again.unchanged], [0, 0, 3]);
  t.is(again.provenance, undefined);
  await there.app.engine.repo.update({
    resourceType: 'Observation', id: 'o1', status: 'final', subject: { reference: 'Patient/remote-1' }, code: { text: 'HbA1c' }, valueQuantity: { value: 6.8, unit: '%' },
  } as Resource);
  const allergyId = localIdOf(`${there.base}/AllergyIntolerance/a1`);
  const local = (await stored('AllergyIntolerance', allergyId)).content;
  await here.app.engine.repo.update({ ...local, note: [{ text: '本院核实：皮试阳性' }] } as Resource);
  await there.app.engine.repo.update({ resourceType: 'AllergyIntolerance', id: 'a1', patient: { reference: 'Patient/remote-1' }, code: { text: '青霉素类' } } as Resource);
  const third = await retrieve();
  const observationId = localIdOf(`${there.base}/Observation/o1`);
  t.deepEqual(third.updated, [`Observation/${observationId}`]);
  t.is((await stored('Observation', observationId)).content.valueQuantity.value, 6.8);
  t.deepEqual(third.conflicts, [{ local: `AllergyIntolerance/${allergyId}`, source: `${there.base}/AllergyIntolerance/a1` }]);
  const kept = (await stored('AllergyIntolerance', allergyId)).content;
  t.is(kept.note[0].text, '本院核实：皮试阳性');
  t.is(kept.code.text, '青霉素', 'the local edit stays; the remote change is reported');
});

test.serial('a patient without a resident ID, or unknown at the other hospital, is refused', async (t) => {
  const missing = await t.throwsAsync(retrieve('local-no-id'));
  t.regex(JSON.stringify((missing as any).issues), /identity-missing/);
  await there.app.engine.repo.update({ resourceType: 'Patient', id: 'remote-1', identifier: [{ system: RESIDENT_ID_SYSTEM, value: makeResidentId('110105', '1960-03-02', 8) }], name: [{ text: '李建国' }] } as Resource);
  const unknown = await t.throwsAsync(retrieve());
  t.regex(JSON.stringify((unknown as any).issues), /remote-patient-not-found/);
});

test.serial('a doctor fetches through Patient/$fetch-external from a registered partner; a registrar may not', async (t) => {
  // Back to the resident ID the consented patient has here.
  await there.app.engine.repo.update({ resourceType: 'Patient', id: 'remote-1', identifier: [{ system: RESIDENT_ID_SYSTEM, value: residentId }], name: [{ text: '李建国' }] } as Resource);
  await there.app.engine.repo.update({ resourceType: 'Immunization', id: 'i1', status: 'completed', patient: { reference: 'Patient/remote-1' }, vaccineCode: { text: '乙肝疫苗' }, occurrenceDateTime: '2020-05-01' } as Resource);
  await here.app.exchange.partners.save({
    id: 'city-second', name: '市第二医院', baseUrl: there.base, organization: partner().organization,
    auth: { kind: 'client-credentials', clientId: testClient.id, secret: testClient.secret },
  });
  const doctor = await staffWithLogin(here, ['doctor']);
  const body = { resourceType: 'Parameters', parameter: [{ name: 'partner', valueString: 'city-second' }] };
  const res = await request(here, 'POST', 'Patient/local-1/$fetch-external', { token: doctor, body });
  t.is(res.status, 200, res.text);
  const created = res.body.parameter.filter((p: any) => p.name === 'created').map((p: any) => p.valueString);
  t.deepEqual(created, [`Immunization/${localIdOf(`${there.base}/Immunization/i1`)}`]);
  t.is((await stored('Immunization', localIdOf(`${there.base}/Immunization/i1`))).content.patient.reference, 'Patient/local-1');
  const registrar = await staffWithLogin(here, ['registrar']);
  t.is((await request(here, 'POST', 'Patient/local-1/$fetch-external', { token: registrar, body })).status, 403);
});
