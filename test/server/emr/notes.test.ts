// Clinical notes: drafted, signed by their author (a Provenance signature that verifies), locked
// once signed whichever way a write comes, corrected only by amendments that keep every version.
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';

type Json = Record<string, any>;
let server: TestServer;
const tokens: Record<string, string> = {};
const practitioners: Record<string, string> = {};
let patientId: string;
let encounterId: string;

test.before(async () => {
  server = await startTestServer();
  for (const [login, role, name] of [['doc-a', 'doctor', '张伟'], ['doc-b', 'doctor', '李娜'], ['nurse-c', 'nurse', '王芳']] as const) {
    const practitioner = await server.fhir.create({ resourceType: 'Practitioner', body: { resourceType: 'Practitioner', name: [{ text: name }] } }) as Json;
    practitioners[login] = practitioner.id;
    await createAccount(server, { login, roles: [role], practitionerId: practitioner.id });
    tokens[login] = await logIn(server, login);
  }
  const patient = await server.fhir.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ text: '陈明' }], gender: 'male', birthDate: '1960-05-01' } }) as Json;
  patientId = patient.id;
  const encounter = await server.fhir.create({
    resourceType: 'Encounter',
    body: { resourceType: 'Encounter', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' }, subject: { reference: `Patient/${patientId}` } },
  }) as Json;
  encounterId = encounter.id;
});
test.after.always(async () => { await server?.stop(); });

async function call(who: string | null, method: string, path: string, body?: unknown, contentType = 'application/fhir+json'): Promise<{ status: number; json: Json }> {
  const token = who === null ? server.token : tokens[who];
  const response = await fetch(`${server.url}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json', ...(body !== undefined ? { 'content-type': contentType } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) as Json : {} };
}

const section = (title: string, code: string, text: string) => ({
  title, code: { coding: [{ system: 'http://loinc.org', code }] },
  text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${text}</div>` },
});

async function draft(author = 'doc-a', title = '病程记录'): Promise<Json> {
  const { status, json } = await call(author, 'POST', '/fhir/Composition', {
    resourceType: 'Composition', status: 'preliminary',
    type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
    subject: { reference: `Patient/${patientId}` }, encounter: { reference: `Encounter/${encounterId}` },
    date: '2026-12-03T09:00:00+08:00', author: [{ reference: `Practitioner/${practitioners[author]}` }], title,
    section: [section('主诉', '10154-3', '咳嗽3天'), section('诊疗计划', '18776-5', '头孢呋辛 1.5g q8h 静滴')],
  });
  if (status !== 201) throw new Error(`draft: ${status} ${JSON.stringify(json)}`);
  return json;
}

const sign = (who: string | null, id: string) => call(who, 'POST', `/fhir/Composition/${id}/$sign`, { resourceType: 'Parameters' });
const amend = (who: string, id: string, resource: Json, reason?: string) => call(who, 'POST', `/fhir/Composition/${id}/$amend`, {
  resourceType: 'Parameters',
  parameter: [{ name: 'resource', resource }, ...(reason !== undefined ? [{ name: 'reason', valueString: reason }] : [])],
});
const historyCount = async (id: string) => ((await call(null, 'GET', `/fhir/Composition/${id}/_history`)).json.entry as Json[]).length;
const provenances = async (id: string) => ((await call(null, 'GET', `/fhir/Provenance?target=Composition/${id}`)).json.entry ?? []) as Json[];
const versions = async (id: string) => (await call('doc-b', 'GET', `/emr/notes/${id}/versions`)).json.versions as Json[];
const diagnostics = (json: Json) => json.issue?.[0]?.diagnostics;

test.serial('the author signs a draft: final, attested, with a Provenance signature that verifies until the stored content is tampered with', async (t) => {
  const note = await draft();
  const signed = await sign('doc-a', note.id);
  t.is(signed.status, 200);
  t.is(signed.json.status, 'final');
  t.is(signed.json.meta.versionId, '2');
  t.is(signed.json.attester[0].mode, 'legal');
  t.is(signed.json.attester[0].party.reference, `Practitioner/${practitioners['doc-a']}`);
  const [provenance] = await provenances(note.id);
  t.is(provenance.resource.target[0].reference, `Composition/${note.id}/_history/2`);
  t.is(provenance.resource.signature[0].sigFormat, 'application/jose');
  t.is(provenance.resource.activity.coding[0].code, 'CREATE');
  t.is(provenance.resource.agent[0].who.display, '张伟');

  const listed = await versions(note.id);
  t.deepEqual(listed.map((v) => [v.versionId, v.status]), [['2', 'final'], ['1', 'preliminary']]);
  t.true(listed[0].signature.verified);
  t.is(listed[0].signature.signer, '张伟');
  t.is(listed[1].signature, undefined);

  const again = await sign('doc-a', note.id);
  t.is(again.status, 409);
  t.is(diagnostics(again.json), 'note-signed');

  // Someone edits the stored version behind the engine: its signature no longer verifies.
  for (const table of ['fhir_resource', 'fhir_resource_history']) {
    await server.app.db.query(`UPDATE ${table} SET content = jsonb_set(content, '{title}', '"已篡改"') WHERE resource_type = 'Composition' AND id = $1 AND version_id = 2`, [note.id]);
  }
  const tampered = await versions(note.id);
  t.false(tampered[0].signature.verified);
});

test.serial('a signed note is locked: PUT, PATCH, DELETE and transaction edits are 409 note-signed and write nothing', async (t) => {
  const note = await draft();
  const signed = (await sign('doc-a', note.id)).json;
  t.is(await historyCount(note.id), 2);

  const put = await call('doc-a', 'PUT', `/fhir/Composition/${note.id}`, { ...signed, title: '改过的病程记录' });
  t.is(put.status, 409);
  t.is(diagnostics(put.json), 'note-signed');

  const patch = await call('doc-a', 'PATCH', `/fhir/Composition/${note.id}`, [{ op: 'replace', path: '/title', value: '改过的' }], 'application/json-patch+json');
  t.is(patch.status, 409);
  t.is(diagnostics(patch.json), 'note-signed');

  const remove = await call(null, 'DELETE', `/fhir/Composition/${note.id}`);
  t.is(remove.status, 409);

  // A transaction that edits the note and writes something else: all refused, the other entry included.
  const marker = `lock-test-${Date.now()}`;
  const bundle = await call('doc-a', 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { resource: { ...signed, status: 'amended', title: '偷偷改' }, request: { method: 'PUT', url: `Composition/${note.id}` } },
      {
        fullUrl: 'urn:uuid:8c1f0e4a-43a5-4f0e-9b5e-8d1f4f1e2a01',
        resource: {
          resourceType: 'Provenance', target: [{ reference: `Composition/${note.id}/_history/3` }], recorded: '2026-12-03T10:00:00+08:00',
          agent: [{ who: { reference: `Practitioner/${practitioners['doc-a']}` } }],
          signature: [{ type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1' }], when: '2026-12-03T10:00:00+08:00', who: { reference: `Practitioner/${practitioners['doc-a']}` }, sigFormat: 'application/jose', data: Buffer.from('eyJhbGciOiJFUzI1NiJ9.e30.forged').toString('base64') }],
        },
        request: { method: 'POST', url: 'Provenance' },
      },
      {
        resource: { resourceType: 'Observation', status: 'final', code: { text: marker }, subject: { reference: `Patient/${patientId}` } },
        request: { method: 'POST', url: 'Observation' },
      },
    ],
  });
  t.is(bundle.status, 409);
  t.is(diagnostics(bundle.json), 'note-signed');
  t.is(((await call(null, 'GET', `/fhir/Observation?code:text=${marker}`)).json.entry ?? []).length, 0);

  t.is(await historyCount(note.id), 2);
  t.is((await provenances(note.id)).length, 1);
  const stored = (await call(null, 'GET', `/fhir/Composition/${note.id}`)).json;
  t.is(stored.title, '病程记录');
  t.is(stored.status, 'final');

  // Drafts stay editable.
  const other = await draft();
  t.is((await call('doc-a', 'PUT', `/fhir/Composition/${other.id}`, { ...other, title: '病程记录（修改）' })).status, 200);
});

test.serial('only the author signs: another clinician gets 422 not-author, a system client 403, and nothing is written', async (t) => {
  const note = await draft();
  const other = await sign('doc-b', note.id);
  t.is(other.status, 422);
  t.is(diagnostics(other.json), 'not-author');
  t.is(other.json.issue[0].code, 'business-rule');
  t.is((await sign(null, note.id)).status, 403);
  t.is(await historyCount(note.id), 1);
  t.is((await provenances(note.id)).length, 0);
  t.is((await call(null, 'GET', `/fhir/Composition/${note.id}`)).json.status, 'preliminary');
  // A nurse signs her own nursing note.
  const nursing = await draft('nurse-c', '护理记录');
  t.is((await sign('nurse-c', nursing.id)).json.status, 'final');
});

test.serial('an amendment is version n+1, signed by the amender with the reason, and every version stays listed and verified', async (t) => {
  const note = await draft();
  const refused = await amend('doc-b', note.id, { ...note, title: 'x' }, 'too early');
  t.is(refused.status, 409);
  t.is(diagnostics(refused.json), 'not-signed');
  const signed = (await sign('doc-a', note.id)).json;

  const corrected = {
    ...signed, title: '病程记录（更正）', subject: { reference: 'Patient/someone-else' },
    section: [section('主诉', '10154-3', '咳嗽3天'), section('诊疗计划', '18776-5', '头孢呋辛 0.75g q8h 静滴')],
  };
  t.is((await amend('doc-b', note.id, corrected)).status, 400, 'a reason is required');
  t.is((await amend('doc-b', note.id, { resourceType: 'Patient' }, 'x')).status, 400);
  const amended = await amend('doc-b', note.id, corrected, '剂量记录错误');
  t.is(amended.status, 200);
  t.is(amended.json.status, 'amended');
  t.is(amended.json.meta.versionId, '3');
  t.is(amended.json.id, note.id);
  t.is(amended.json.subject.reference, `Patient/${patientId}`, 'the subject is kept');
  t.deepEqual(amended.json.author.map((a: Json) => a.reference), [`Practitioner/${practitioners['doc-a']}`, `Practitioner/${practitioners['doc-b']}`]);

  const provenance = (await provenances(note.id)).map((e) => e.resource).find((p) => p.target[0].reference.endsWith('/_history/3'));
  t.is(provenance.reason[0].text, '剂量记录错误');
  t.is(provenance.activity.coding[0].code, 'UPDATE');
  t.deepEqual(provenance.entity, [{ role: 'revision', what: { reference: `Composition/${note.id}/_history/2` } }]);

  const listed = await versions(note.id);
  t.deepEqual(listed.map((v) => [v.versionId, v.status, v.signature?.verified]), [['3', 'amended', true], ['2', 'final', true], ['1', 'preliminary', undefined]]);
  t.is(listed[0].amendmentReason, '剂量记录错误');
  t.is(listed[0].author, '李娜');
  t.is(listed[0].signature.signer, '李娜');
  t.is(listed[1].author, '张伟');
  t.is(listed[1].amendmentReason, undefined);

  const v2 = (await call(null, 'GET', `/fhir/Composition/${note.id}/_history/2`)).json;
  t.true(v2.section[1].text.div.includes('1.5g'));
  // The amended note is locked too.
  const put = await call('doc-a', 'PUT', `/fhir/Composition/${note.id}`, { ...amended.json, title: 'again' });
  t.is(put.status, 409);
  t.is(await historyCount(note.id), 3);
});
