// The reading room: worklist status, report draft → sign → amend with verifiable signatures, and
// measurements, with the refusals a hospital expects.
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';
import { fixture, stowFiles } from '../../helpers/stow.ts';

type Json = Record<string, any>;
let server: TestServer;
const tokens: Record<string, string> = {};
const study = '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1';

test.before(async () => {
  server = await startTestServer();
  for (const [login, role, family] of [['rad-a', 'radiologist', '王'], ['rad-b', 'radiologist', '李'], ['doc', 'doctor', '张']] as const) {
    const practitioner = await server.fhir.create({ resourceType: 'Practitioner', body: { resourceType: 'Practitioner', name: [{ text: `${family}医生`, family }] } }) as Json;
    await createAccount(server, { login, roles: [role], practitionerId: practitioner.id });
    tokens[login] = await logIn(server, login);
  }
  const { status } = await stowFiles(server, ['ct/series-77654033-CT2/pcir_77654033_CT2_17106.dcm', 'ct/series-77654033-CT2/pcir_77654033_CT2_17136.dcm', 'mr/MR_small.dcm'].map(fixture));
  if (status !== 200) throw new Error(`STOW ${status}`);
  await server.app.imaging.store.idle();
});
test.after.always(async () => { await server?.stop(); });

async function call(who: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${server.url}${path}`, {
    method, headers: { authorization: `Bearer ${tokens[who] ?? server.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) as Json : {} };
}
const worklistStatus = async () => ((await call('rad-a', 'GET', `/radiology/worklist?accession=2`)).json.items[0] as Json).status;

test.serial('the worklist lists stored studies, unread, with their ImagingStudy and patient', async (t) => {
  const { status, json } = await call('rad-a', 'GET', '/radiology/worklist');
  t.is(status, 200);
  t.is(json.total, 2);
  const ct = json.items.find((i: Json) => i.studyInstanceUid === study);
  t.is(ct.status, 'unread');
  t.deepEqual(ct.modalities, ['CT']);
  t.is(ct.numberOfInstances, 2);
  t.truthy(ct.imagingStudyId);
  t.truthy(ct.patient.id);
  t.is(ct.patient.identifier, '77654033');
  t.is((await call('rad-a', 'GET', '/radiology/worklist?modality=MR')).json.total, 1);
  t.is((await call('rad-a', 'GET', '/radiology/worklist?q=doe')).json.total, 1);
  t.is((await call('rad-a', 'GET', '/radiology/worklist?q=77654033')).json.total, 1);
  t.is((await call('rad-a', 'GET', '/radiology/worklist?from=1995-09-03&to=1995-09-03')).json.total, 1);
  t.is((await call('rad-a', 'GET', '/radiology/worklist?status=final')).json.total, 0);
  const bad = await call('rad-a', 'GET', '/radiology/worklist?from=03/09/1995');
  t.is(bad.status, 400);
  t.is(bad.json.resourceType, 'OperationOutcome');
  t.is((await fetch(`${server.url}/radiology/worklist`)).status, 401);
});

test.serial('a draft is saved as preliminary; doctors and other radiologists cannot sign it', async (t) => {
  const draft = await call('rad-a', 'PUT', `/radiology/studies/${study}/report`, { findings: '右肺上叶见一结节，约8mm。', impression: 'Nodule RUL, follow-up CT in 3 months.' });
  t.is(draft.status, 200);
  t.is(draft.json.status, 'preliminary');
  t.is(draft.json.conclusion, 'Nodule RUL, follow-up CT in 3 months.');
  t.is(Buffer.from(draft.json.presentedForm[0].data, 'base64').toString().includes('右肺上叶见一结节'), true);
  t.is(await worklistStatus(), 'preliminary');
  const stored = await server.fhir.read({ resourceType: 'DiagnosticReport', id: draft.json.id }) as Json;
  t.is(stored.status, 'preliminary');
  t.is(stored.imagingStudy[0].reference.startsWith('ImagingStudy/'), true);
  t.is((await call('doc', 'POST', `/radiology/studies/${study}/report/sign`, { findings: 'x', impression: 'y' })).status, 403);
  t.is((await call('doc', 'PUT', `/radiology/studies/${study}/report`, { findings: 'x', impression: 'y' })).status, 403);
  const other = await call('rad-b', 'POST', `/radiology/studies/${study}/report/sign`, { findings: 'x', impression: 'y' });
  t.is(other.status, 403);
  t.is(other.json.resourceType, 'OperationOutcome');
  t.is(((await server.fhir.read({ resourceType: 'DiagnosticReport', id: draft.json.id })) as Json).meta.versionId, stored.meta.versionId);
  t.is((await call('rad-a', 'PUT', `/radiology/studies/${study}/report`, { findings: 42 })).status, 400);
});

test.serial('signing makes the report final with a Provenance signature that verifies, and breaks when the content is changed', async (t) => {
  const signed = await call('rad-a', 'POST', `/radiology/studies/${study}/report/sign`, { findings: '右肺上叶见一结节，约8mm。', impression: 'Nodule RUL, follow-up CT in 3 months.' });
  t.is(signed.status, 200);
  t.is(signed.json.status, 'final');
  t.is(await worklistStatus(), 'final');
  const provenance = await server.fetch(`${server.base}/Provenance?target=DiagnosticReport/${signed.json.id}`).then((r) => r.json()) as Json;
  t.is(provenance.entry.length, 1);
  const signature = provenance.entry[0].resource.signature[0];
  t.is(signature.sigFormat, 'application/jose');
  t.is(signature.type[0].code, '1.2.840.10065.1.12.1.1');
  t.is(provenance.entry[0].resource.target[0].reference, `DiagnosticReport/${signed.json.id}/_history/${signed.json.meta.versionId}`);
  const read = await call('doc', 'GET', `/radiology/studies/${study}/report`);
  t.is(read.status, 200);
  t.true(read.json.signature.verified);
  t.is(read.json.signature.signer, '王医生');

  const edit = await call('rad-a', 'PUT', `/radiology/studies/${study}/report`, { findings: 'changed', impression: 'changed' });
  t.is(edit.status, 409);
  t.is(((await server.fhir.read({ resourceType: 'DiagnosticReport', id: signed.json.id })) as Json).conclusion, 'Nodule RUL, follow-up CT in 3 months.');

  // Someone changes the signed content behind the radiology API: the signature no longer verifies.
  const current = await server.fhir.read({ resourceType: 'DiagnosticReport', id: signed.json.id }) as Json;
  await server.fhir.update({ resourceType: 'DiagnosticReport', id: current.id, body: { ...current, resourceType: 'DiagnosticReport', conclusion: 'No nodule.' } });
  t.false((await call('doc', 'GET', `/radiology/studies/${study}/report`)).json.signature.verified);
});

test.serial('an amendment makes a new signed version and keeps the old one in history', async (t) => {
  t.is((await call('rad-a', 'POST', `/radiology/studies/${study}/report/amend`, { findings: 'a', impression: 'b' })).status, 400, 'a reason is required');
  const amended = await call('rad-b', 'POST', `/radiology/studies/${study}/report/amend`, { findings: '右肺上叶结节 8mm，边缘光整。', impression: 'Benign-appearing nodule.', reason: 'Comparison with prior CT' });
  t.is(amended.status, 200);
  t.is(amended.json.status, 'amended');
  t.is(await worklistStatus(), 'amended');
  const history = await server.fetch(`${server.base}/DiagnosticReport/${amended.json.id}/_history`).then((r) => r.json()) as Json;
  // Draft, signed, changed behind the API, amended: every version is kept.
  t.is(history.entry.length, 4);
  t.deepEqual(history.entry.map((e: Json) => e.resource.status), ['amended', 'final', 'final', 'preliminary']);
  t.true((await call('doc', 'GET', `/radiology/studies/${study}/report`)).json.signature.verified);
  const provenance = await server.fetch(`${server.base}/Provenance?target=DiagnosticReport/${amended.json.id}`).then((r) => r.json()) as Json;
  t.is(provenance.entry.length, 2);
  t.is((await call('rad-a', 'GET', '/radiology/worklist?status=final')).json.total, 1);
});

test.serial('measurements are saved with the study and listed for the viewer', async (t) => {
  const measurement = { kind: 'ellipse', value: 78.5, unit: 'mm²', seriesInstanceUid: '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.2', sopInstanceUid: '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.93', frame: 1, label: 'RUL nodule', stats: { mean: 35.2, sd: 12.1, area: 78.5 }, handles: { start: { x: 1, y: 2 }, end: { x: 10, y: 12 } } };
  const saved = await call('rad-a', 'POST', `/radiology/studies/${study}/measurements`, measurement);
  t.is(saved.status, 201);
  const observation = await server.fhir.read({ resourceType: 'Observation', id: saved.json.id }) as Json;
  t.is(observation.valueQuantity.code, 'mm2');
  t.is(observation.component[0].valueQuantity.code, "[hnsf'U]");
  t.regex(observation.derivedFrom[0].reference, /^ImagingStudy\//);
  const list = await call('doc', 'GET', `/radiology/studies/${study}/measurements`);
  t.is(list.json.length, 1);
  t.deepEqual(list.json[0].handles, measurement.handles);
  t.is(list.json[0].stats.mean, 35.2);
  t.is((await call('doc', 'POST', `/radiology/studies/${study}/measurements`, measurement)).status, 403);
  t.is((await call('rad-a', 'POST', `/radiology/studies/${study}/measurements`, { ...measurement, value: 'big' })).status, 400);
  t.is((await call('rad-a', 'GET', '/radiology/studies/1.2.3/measurements')).status, 404);
});
