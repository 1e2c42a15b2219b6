import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
  await request(server, 'PUT', 'Patient/sum-p', {
    body: {
      resourceType: 'Patient', id: 'sum-p',
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Sum</div>' },
      name: [{ family: 'Summaryfam' }], gender: 'female', birthDate: '1980-02-03',
      photo: [{ contentType: 'image/png', data: 'AAAA' }],
      contact: [{ name: { family: 'Kin' } }],
    },
  });
  await request(server, 'PUT', 'Observation/sum-o', {
    body: {
      resourceType: 'Observation', id: 'sum-o', status: 'final',
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">BP</div>' },
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      subject: { reference: 'Patient/sum-p' }, note: [{ text: 'resting' }],
      component: [{ code: { text: 'systolic' }, valueQuantity: { value: 120 }, interpretation: [{ text: 'normal' }] }],
    },
  });
});
test.after.always(async () => { await server?.stop(); });

const only = async (path: string) => {
  const res = await request(server, 'GET', path);
  return res.body.entry.filter((e: any) => e.search.mode === 'match')[0].resource;
};
const subsetted = (r: any) => (r.meta?.tag ?? []).some((t: any) => t.code === 'SUBSETTED');

test('_summary=true keeps the summary and mandatory elements and tags the copy SUBSETTED', async (t) => {
  const patient = await only('Patient?_id=sum-p&_summary=true');
  t.deepEqual(Object.keys(patient).sort(), ['birthDate', 'gender', 'id', 'meta', 'name', 'resourceType']);
  t.true(subsetted(patient));
  const obs = await only('Observation?_id=sum-o&_summary=true');
  t.is(obs.status, 'final');
  t.is(obs.note, undefined);
  t.is(obs.text, undefined);
  // Inside backbone elements the same rule applies: component.code is summary, interpretation is not.
  t.deepEqual(obs.component, [{ code: { text: 'systolic' }, valueQuantity: { value: 120 } }]);
});

test('_summary=text returns the narrative, id, meta and the mandatory elements', async (t) => {
  const obs = await only('Observation?_id=sum-o&_summary=text');
  t.deepEqual(Object.keys(obs).sort(), ['code', 'id', 'meta', 'resourceType', 'status', 'text']);
  t.true(subsetted(obs));
});

test('_summary=data drops only the narrative', async (t) => {
  const patient = await only('Patient?_id=sum-p&_summary=data');
  t.is(patient.text, undefined);
  t.truthy(patient.photo);
  t.truthy(patient.contact);
  t.true(subsetted(patient));
});

test('_summary=false returns the whole resource untagged', async (t) => {
  const patient = await only('Patient?_id=sum-p&_summary=false');
  t.truthy(patient.text);
  t.false(subsetted(patient));
});

test('_elements returns the asked elements plus the mandatory ones', async (t) => {
  const obs = await only('Observation?_id=sum-o&_elements=subject');
  t.deepEqual(Object.keys(obs).sort(), ['code', 'id', 'meta', 'resourceType', 'status', 'subject']);
  t.true(subsetted(obs));
  const typed = await only('Observation?_id=sum-o&_elements=Observation.note,Patient.gender');
  t.deepEqual(typed.note, [{ text: 'resting' }]);
  t.is(typed.gender, undefined);
});

test('_summary applies to included resources too', async (t) => {
  const res = await request(server, 'GET', 'Observation?_id=sum-o&_include=Observation:subject&_summary=true');
  const patient = res.body.entry.find((e: any) => e.search.mode === 'include').resource;
  t.is(patient.photo, undefined);
  t.is(patient.birthDate, '1980-02-03');
  t.true(subsetted(patient));
});

test('the stored resource is unchanged by a summary search', async (t) => {
  await request(server, 'GET', 'Patient?_id=sum-p&_summary=true');
  const rows = await server.database.db.query<{ content: any }>(`SELECT content FROM fhir_resource WHERE resource_type = 'Patient' AND id = 'sum-p'`);
  t.truthy(rows.rows[0]!.content.photo);
  t.false(subsetted(rows.rows[0]!.content));
});
