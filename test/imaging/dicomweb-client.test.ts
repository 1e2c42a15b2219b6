// Interoperability with a client nobody here wrote: dcmjs-org's dicomweb-client (what OHIF uses) stores,
// searches and retrieves every shared fixture file that dicom-parser can read, through our /dicomweb
// root, with the system token as a bearer header. The client runs in Node on xhr2 (see
// test/helpers/dicomweb-client-checks.ts): it only needs XMLHttpRequest, and in-process runs are fast and
// debuggable; the browser path is covered by the viewer's own end-to-end tests.
import test from 'ava';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { bySopInstance, loadFixtures } from '../helpers/dicom-fixtures.ts';
import {
  countInstances, countStudies, describeError, failedSops, framesEach, makeClient, metadataEach, referencedSops,
  retrieveEach, retrieveSeriesEach, searchEach, wadoUriEach, storeAll, storeRefused, stowResponse, arrayBuffer, type DicomWebClient,
} from '../helpers/dicomweb-client-checks.ts';

const files = loadFixtures();
// Malformed files, and parseable ones without the Study / Series / SOP UIDs an instance needs.
const refused = files.filter((f) => !f.storable);
// Re-encodings share a SOP Instance UID with an earlier file (MANIFEST.md): they are stored last.
const { first: stored, repeats } = bySopInstance(files.filter((f) => f.storable));
const fixture = (path: string) => files.find((f) => f.path === path)!;

let server: TestServer;
let client: DicomWebClient;

test.before(async () => {
  server = await startTestServer();
  client = makeClient(`${server.url}/dicomweb`, { Authorization: `Bearer ${server.token}` });
});

test.after.always(async () => {
  await server?.stop();
});

test.serial('the fixtures give the client something to do: parseable files to store and malformed ones to refuse', (t) => {
  t.true(stored.length >= 40);
  t.true(refused.some((f) => f.path.startsWith('malformed/')));
  t.true(repeats.length > 0);
});

test.serial('storeInstances is refused for each malformed or UID-less file, and nothing of it is stored', async (t) => {
  t.deepEqual(await storeRefused(client, refused), []);
  for (const file of refused) {
    const study = file.studyInstanceUid ?? file.declared.studyInstanceUid;
    if (study) t.is(await server.app.imaging.index.study(study), undefined, `${file.path} left its study in the index`);
    const sop = file.sopInstanceUid ?? file.declared.sopInstanceUid;
    if (sop) t.is(await countInstances(client, sop), 0, `${file.path} is searchable`);
  }
});

test.serial('a request mixing a good and a truncated file stores the good one and lists the other with a FailureReason', async (t) => {
  const good = fixture('ct/CT_small.dcm');
  const bad = fixture('malformed/rtplan_truncated.dcm');
  const body = await client.storeInstances({ datasets: [arrayBuffer(good.bytes), arrayBuffer(bad.bytes)] })
    .catch((error: unknown) => t.fail(`storeInstances rejected: ${describeError(error)}`));
  const response = stowResponse(body);
  t.deepEqual(referencedSops(response), [good.sopInstanceUid]);
  t.is(failedSops(response).length, 1);
  t.is(typeof failedSops(response)[0]!.reason, 'number');
  t.is(await countInstances(client, good.sopInstanceUid!), 1);
  t.is(await countStudies(client, bad.declared.studyInstanceUid!), 0);
});

test.serial('storeInstances stores every parseable file, study by study, and the index holds each', async (t) => {
  t.deepEqual(await storeAll(client, stored), []);
  for (const file of stored) {
    const study = await server.app.imaging.index.study(file.studyInstanceUid!);
    const series = study?.series.find((s) => s.seriesInstanceUid === file.seriesInstanceUid);
    t.truthy(series?.instances.find((i) => i.sopInstanceUid === file.sopInstanceUid && i.transferSyntaxUid === file.transferSyntaxUid), `${file.path} is not in the index as stored`);
  }
});

test.serial('retrieveInstance and retrieveSeries answer each stored file byte for byte', async (t) => {
  t.deepEqual(await retrieveEach(client, stored), []);
  t.deepEqual(await retrieveSeriesEach(client, stored), []);
});

test.serial('WADO-URI URLs built by buildInstanceWadoURIUrl answer each stored file byte for byte', async (t) => {
  const authorization = { Authorization: `Bearer ${server.token}` };
  t.deepEqual(await wadoUriEach(makeClient(`${server.url}/dicomweb/wado`), authorization, stored), []);
});

test.serial('searchForStudies, searchForSeries and searchForInstances find each instance by UID and by the usual matching keys', async (t) => {
  t.deepEqual(await searchEach(client, stored), []);
});

test.serial('retrieveStudyMetadata and retrieveSeriesMetadata describe each instance, and retrieveBulkData answers its pixel data', async (t) => {
  t.deepEqual(await metadataEach(client, stored), []);
});

test.serial('retrieveInstanceFrames answers each frame of native and encapsulated pixel data, one by one and as a list', async (t) => {
  const withFrames = stored.filter((f) => f.frames);
  t.true(withFrames.some((f) => f.encapsulated) && withFrames.some((f) => f.frames!.length > 1));
  t.deepEqual(await framesEach(client, withFrames), []);
});

test.serial('storing the same instance again, or a re-encoding of it, keeps one instance whose bytes are one of those sent', async (t) => {
  const again = fixture('ct/CT_small.dcm');
  t.deepEqual(referencedSops(stowResponse(await client.storeInstances({ datasets: [arrayBuffer(again.bytes)] }))), [again.sopInstanceUid]);
  t.deepEqual(await retrieveEach(client, [again]), []);
  for (const file of repeats) {
    try {
      const response = stowResponse(await client.storeInstances({ datasets: [arrayBuffer(file.bytes)] }));
      const answered = referencedSops(response).includes(file.sopInstanceUid) || failedSops(response).some((f) => f.sop === file.sopInstanceUid && typeof f.reason === 'number');
      t.true(answered, `${file.path}: the STOW response neither references nor fails it`);
    } catch (error) {
      const status = (error as { status?: number }).status ?? 0;
      t.true(status >= 400 && status < 500, `${file.path}: ${describeError(error)}`);
    }
    t.is(await countInstances(client, file.sopInstanceUid!), 1, `${file.path}: more than one instance with its UID`);
  }
  const group = (sop: string) => files.filter((f) => f.storable && f.sopInstanceUid === sop).map((f) => f.bytes);
  t.deepEqual(await retrieveEach(client, repeats, (file) => group(file.sopInstanceUid!)), []);
});

test.serial('without the bearer token the same client is refused and learns nothing', async (t) => {
  const anonymous = makeClient(`${server.url}/dicomweb`);
  const error = await t.throwsAsync(anonymous.searchForStudies({ queryParams: { PatientID: stored[0]!.patientId! } }));
  t.is((error as unknown as { status: number }).status, 401);
  const storeError = await t.throwsAsync(anonymous.storeInstances({ datasets: [arrayBuffer(fixture('mr/MR_small.dcm').bytes)] }));
  t.is((storeError as unknown as { status: number }).status, 401);
});
