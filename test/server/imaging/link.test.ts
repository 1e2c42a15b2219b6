// Stored DICOM studies become FHIR ImagingStudy resources linked to the patient and the imaging order.
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { fixture, stowFiles } from '../../helpers/stow.ts';
import { ACCESSION_NUMBER_SYSTEM, DICOM_PATIENT_ID_SYSTEM, MRN_SYSTEM } from '../../../server/seed/systems.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

type Json = Record<string, any>;
async function search(query: string): Promise<Json[]> {
  const response = await server.fetch(`${server.base}/${query}`);
  const bundle = await response.json() as { entry?: { resource: Json }[] };
  return (bundle.entry ?? []).map((e) => e.resource);
}
const ctStudy = '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1';

test.serial('a study of a known patient links to the Patient by MRN and to the order by accession number', async (t) => {
  const patient = await server.fhir.create({ resourceType: 'Patient', body: { resourceType: 'Patient', identifier: [{ system: MRN_SYSTEM, value: '77654033' }], name: [{ family: 'Doe', given: ['Archibald'] }] } }) as Json;
  const order = await server.fhir.create({ resourceType: 'ServiceRequest', body: {
    resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${patient.id}` },
    identifier: [{ system: ACCESSION_NUMBER_SYSTEM, value: '2' }], code: { text: 'CT chest' },
  } }) as Json;
  t.is((await stowFiles(server, [fixture('ct/series-77654033-CT2/pcir_77654033_CT2_17106.dcm')])).status, 200);
  await server.app.imaging.store.idle();
  let [study] = await search(`ImagingStudy?identifier=urn:dicom:uid|urn:oid:${ctStudy}`);
  t.truthy(study);
  t.is(study.subject.reference, `Patient/${patient.id}`);
  t.deepEqual(study.basedOn, [{ reference: `ServiceRequest/${order.id}` }]);
  t.is(study.numberOfSeries, 1);
  t.is(study.numberOfInstances, 1);
  t.is(study.series[0].modality.code, 'CT');
  t.is(study.series[0].instance[0].sopClass.code, 'urn:oid:1.2.840.10008.5.1.4.1.1.2');
  t.true(study.identifier.some((i: Json) => i.value === '2' && i.system === ACCESSION_NUMBER_SYSTEM));
  t.regex(study.started, /^1995-09-03T17:30:32\+08:00$/);
  const endpoint = await server.fhir.read({ resourceType: 'Endpoint', id: study.endpoint[0].reference.split('/')[1] }) as Json;
  t.is(endpoint.connectionType.code, 'dicom-wado-rs');
  t.is(endpoint.address, `${server.url}/dicomweb`);

  // The second instance of the series updates the same ImagingStudy.
  t.is((await stowFiles(server, [fixture('ct/series-77654033-CT2/pcir_77654033_CT2_17136.dcm')])).status, 200);
  await server.app.imaging.store.idle();
  const all = await search(`ImagingStudy?identifier=urn:dicom:uid|urn:oid:${ctStudy}`);
  t.is(all.length, 1);
  [study] = all;
  t.is(study.numberOfInstances, 2);
  t.is(study.series[0].instance.length, 2);
  t.is(study.meta.versionId, '2');
  // Found through the patient too, as the chart will look for it.
  t.is((await search(`ImagingStudy?patient=Patient/${patient.id}`)).length, 1);
});

test.serial('a study of an unknown patient creates a Patient tagged for reconciliation', async (t) => {
  t.is((await stowFiles(server, [fixture('mr/MR_small.dcm')])).status, 200);
  await server.app.imaging.store.idle();
  const [patient] = await search(`Patient?identifier=${DICOM_PATIENT_ID_SYSTEM}|4MR1`);
  t.truthy(patient);
  t.is(patient.meta.tag[0].code, 'unreconciled-dicom');
  t.is(patient.name[0].family, 'CompressedSamples');
  t.deepEqual(patient.name[0].given, ['MR1']);
  const [study] = await search('ImagingStudy?identifier=urn:dicom:uid|urn:oid:1.3.6.1.4.1.5962.1.2.4.20040826185059.5457');
  t.is(study.subject.reference, `Patient/${patient.id}`);
  // The next study of that patient finds the same record instead of making another.
  t.is((await stowFiles(server, [fixture('mr/MR_small_RLE.dcm')])).status, 200);
  await server.app.imaging.store.idle();
  t.is((await search(`Patient?identifier=${DICOM_PATIENT_ID_SYSTEM}|4MR1`)).length, 1);
});

test.serial('concurrent stores of one study make one ImagingStudy', async (t) => {
  const files = ['mr/series-98892003-MR2/pcir_98892003_MR2_4950.dcm', 'mr/series-98892003-MR2/pcir_98892003_MR2_4981.dcm', 'mr/series-98892003-MR2/pcir_98892003_MR2_5011.dcm'];
  const answers = await Promise.all(files.map((f) => stowFiles(server, [fixture(f)])));
  t.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
  await server.app.imaging.store.idle();
  const studies = await search('ImagingStudy?identifier=urn:dicom:uid|urn:oid:1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.133');
  t.is(studies.length, 1);
  t.is(studies[0].numberOfInstances, 3);
  t.is((await search(`Patient?identifier=${DICOM_PATIENT_ID_SYSTEM}|98890234`)).length, 1);
});

test.serial('the ImagingStudy written is a valid R4 resource', async (t) => {
  const [study] = await search(`ImagingStudy?identifier=urn:dicom:uid|urn:oid:${ctStudy}`);
  const response = await server.fetch(`${server.base}/ImagingStudy/$validate`, {
    method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: study }] }),
  });
  const outcome = await response.json() as { issue: { severity: string; diagnostics?: string }[] };
  t.deepEqual(outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal'), []);
});
