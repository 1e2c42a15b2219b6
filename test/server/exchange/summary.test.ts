// Patient/$summary: the IPS-shaped document Bundle — sections with narratives (or emptyReason),
// every referenced resource included, the imaging report with its ImagingStudy, validated by the
// engine; doctors get it authored by their Practitioner, a patient gets her own and her child's
// (authored by the hospital), while anyone else's does not exist for her (fhir/rest/guard.ts); the read is audited.
import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';

let s: TestServer;
const ids: Record<string, string> = {};

async function create(resource: Record<string, unknown>): Promise<string> {
  const res = await request(s, 'POST', `/${resource.resourceType}`, { body: resource });
  if (res.status !== 201) throw new Error(`${resource.resourceType}: ${res.status} ${res.text}`);
  return res.body.id as string;
}

test.before(async () => {
  s = await startTestServer();
  ids.mother = await create({ resourceType: 'Patient', name: [{ text: '王芳' }], gender: 'female', birthDate: '1985-03-02' });
  ids.child = await create({ resourceType: 'Patient', name: [{ text: '王小明' }], gender: 'male', birthDate: '2018-06-01' });
  ids.other = await create({ resourceType: 'Patient', name: [{ text: '李四' }], gender: 'male', birthDate: '1970-01-01' });
  ids.doctor = await create({ resourceType: 'Practitioner', name: [{ text: '张医生' }] });
  const patient = { reference: `Patient/${ids.mother}` };
  await create({ resourceType: 'Condition', subject: patient, code: { text: '2型糖尿病 <b>Type 2 diabetes</b>' },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } });
  await create({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: patient, medicationCodeableConcept: { text: '二甲双胍 Metformin 500 mg' },
    dosageInstruction: [{ text: '每日两次 twice daily' }] });
  await create({ resourceType: 'Observation', status: 'final', subject: patient, code: { text: 'HbA1c' },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    effectiveDateTime: '2026-11-01T08:00:00+08:00', valueQuantity: { value: 7.1, unit: '%' } });
  ids.study = await create({ resourceType: 'ImagingStudy', status: 'available', subject: patient });
  await create({ resourceType: 'DiagnosticReport', status: 'final', subject: patient, code: { text: '胸部X线 Chest X-ray' },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
    imagingStudy: [{ reference: `ImagingStudy/${ids.study}` }], conclusion: '未见异常 No abnormality' });
  await createAccount(s, { login: 'dr.zhang', roles: ['doctor'], practitionerId: ids.doctor });
  const mother = await createAccount(s, { login: 'wang.fang@example.com', kind: 'patient', patientId: ids.mother });
  await s.app.auth.accounts.addProxy(mother, ids.child!, 'mother');
});
test.after.always(async () => { await s?.stop(); });

type Entry = { fullUrl: string; resource: { resourceType: string; id: string; [k: string]: any } };

test('a doctor gets a document Bundle: Composition first, the five IPS sections, every reference included, valid', async (t) => {
  const token = await logIn(s, 'dr.zhang');
  const res = await request(s, 'GET', `/Patient/${ids.mother}/$summary`, { token });
  t.is(res.status, 200, res.text);
  const bundle = res.body;
  t.is(bundle.type, 'document');
  t.truthy(bundle.identifier.value);
  t.truthy(bundle.timestamp);
  const entries = bundle.entry as Entry[];
  const composition = entries[0]!.resource;
  t.is(composition.resourceType, 'Composition');
  t.is(composition.type.coding[0].code, '60591-5');
  t.deepEqual(composition.section.map((x: any) => x.code.coding[0].code), ['11450-4', '48765-2', '10160-0', '30954-2', '18748-4']);
  t.is(composition.author[0].reference, `${s.base}/Practitioner/${ids.doctor}`);
  const allergies = composition.section[1];
  t.is(allergies.entry, undefined);
  t.is(allergies.emptyReason.coding[0].code, 'unavailable');
  // Narrative escapes what it shows.
  t.true(composition.section[0].text.div.includes('&lt;b&gt;Type 2 diabetes&lt;/b&gt;'));
  const urls = new Set(entries.map((e) => e.fullUrl));
  t.is(urls.size, entries.length);
  const referenced = [composition.subject, composition.custodian, ...composition.author, ...composition.section.flatMap((x: any) => x.entry ?? [])].map((r: any) => r.reference);
  for (const ref of referenced) t.true(urls.has(ref), ref);
  t.true(urls.has(`${s.base}/ImagingStudy/${ids.study}`));
  t.true(urls.has(`${s.base}/Organization/demo-org-1`));
  const validated = await request(s, 'POST', '/Bundle/$validate', { body: bundle });
  t.is(validated.status, 200, validated.text);
  t.false((validated.body.issue ?? []).some((i: any) => i.severity === 'error'), validated.text);
});

test('a patient downloads her own and her child\'s summary, authored by the hospital, and someone else\'s does not exist for her (404, the engine\'s compartment rule)', async (t) => {
  const token = await logIn(s, 'wang.fang@example.com');
  const own = await request(s, 'GET', `/Patient/${ids.mother}/$summary`, { token });
  t.is(own.status, 200, own.text);
  t.is(own.body.entry[0].resource.author[0].reference, `${s.base}/Organization/demo-org-1`);
  const child = await request(s, 'GET', `/Patient/${ids.child}/$summary`, { token });
  t.is(child.status, 200, child.text);
  t.is(child.body.entry[0].resource.section.filter((x: any) => x.emptyReason).length, 5);
  const other = await request(s, 'GET', `/Patient/${ids.other}/$summary`, { token });
  t.is(other.status, 404);
  t.false(other.text.includes('李四'));
});

test('a summary read is audited with the patient', async (t) => {
  const token = await logIn(s, 'dr.zhang');
  await request(s, 'GET', `/Patient/${ids.child}/$summary`, { token });
  await s.app.audit.flush();
  const found = (await s.app.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM fhir_resource WHERE resource_type = 'AuditEvent' AND content::text LIKE $1 AND content::text LIKE '%$summary%'`, [`%Patient/${ids.child}%`])).rows[0]!.n;
  t.true(found > 0);
});
