// QIDO-RS matching (PS3.4 §C.2.2.2 through PS3.18 §10.6) over a handful of stored fixture studies.
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { fixture, stowFiles } from '../../helpers/stow.ts';

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;
let server: TestServer;
const files = ['ct/CT_small.dcm', 'mr/MR_small.dcm', 'us/examples_ybr_color.dcm', 'cr/pcir_77654033_CR1_6154.dcm',
  'ct/series-77654033-CT2/pcir_77654033_CT2_17106.dcm', 'ct/series-77654033-CT2/pcir_77654033_CT2_17136.dcm',
  'mr/series-98892003-MR2/pcir_98892003_MR2_4950.dcm', 'nm/JPEG-LL.dcm'];

test.before(async () => {
  server = await startTestServer();
  const { status } = await stowFiles(server, files.map(fixture));
  if (status !== 200) throw new Error(`setup STOW answered ${status}`);
});
test.after.always(async () => { await server?.stop(); });

async function qido(path: string): Promise<{ status: number; results: DicomJson[]; text: string }> {
  const response = await server.fetch(`${server.url}/dicomweb${path}`, { headers: { accept: 'application/dicom+json' } });
  const text = await response.text();
  return { status: response.status, results: response.status === 200 ? JSON.parse(text) as DicomJson[] : [], text };
}
const values = (results: DicomJson[], tag: string) => results.map((r) => r[tag]?.Value?.[0]);
const patients = (results: DicomJson[]) => values(results, '00100020').sort();

test('all studies, newest first, with the default study attributes', async (t) => {
  const { status, results } = await qido('/studies');
  t.is(status, 200);
  t.is(results.length, 7);
  const dates = values(results, '00080020') as string[];
  t.deepEqual(dates, [...dates].sort().reverse());
  for (const tag of ['00080020', '00080050', '00080061', '00081190', '00100010', '00100020', '0020000D', '00201206', '00201208']) t.true(tag in results[0], tag);
  const doe = results.find((r) => r['00100020'].Value?.[0] === '77654033' && r['00080061'].Value?.[0] === 'CT')!;
  t.deepEqual(doe['00201208'].Value, [2]);
  t.deepEqual(doe['00100010'].Value, [{ Alphabetic: 'Doe^Archibald' }]);
});

test('PatientName matches case-insensitively, with * and ? wildcards, and by family name', async (t) => {
  t.deepEqual(patients((await qido('/studies?PatientName=doe*')).results), ['77654033', '77654033', '98890234']);
  t.deepEqual(patients((await qido('/studies?PatientName=DOE%5EP*')).results), ['98890234']);
  t.deepEqual(patients((await qido('/studies?PatientName=Compressed%3FSamples*')).results), []);
  t.deepEqual(patients((await qido('/studies?PatientName=CompressedSamples%5EMR?')).results), ['4MR1']);
  t.deepEqual(patients((await qido('/studies?PatientName=Doe')).results), ['77654033', '77654033', '98890234']);
  t.deepEqual(patients((await qido('/studies?00100010=pla')).results), ['204']);
});

test('StudyDate matches single dates and open or closed ranges', async (t) => {
  t.deepEqual(patients((await qido('/studies?StudyDate=20040826')).results), ['4MR1', '8NM1']);
  t.deepEqual(patients((await qido('/studies?StudyDate=20040101-20041231')).results), ['1CT1', '4MR1', '8NM1']);
  t.deepEqual(patients((await qido('/studies?StudyDate=-19991231')).results), ['77654033']);
  t.deepEqual(patients((await qido('/studies?StudyDate=20100101-')).results), ['204']);
  t.deepEqual(patients((await qido('/studies?StudyDate=20040826&StudyTime=180000-190000')).results), ['4MR1', '8NM1']);
  t.is((await qido('/studies?StudyDate=2004-08-26')).status, 400);
});

test('ModalitiesInStudy, AccessionNumber, PatientID and UID lists', async (t) => {
  t.deepEqual(patients((await qido('/studies?ModalitiesInStudy=CT')).results), ['1CT1', '77654033']);
  t.deepEqual(patients((await qido('/studies?ModalitiesInStudy=CT%5CMR')).results), ['1CT1', '4MR1', '77654033', '98890234']);
  t.deepEqual(patients((await qido('/studies?AccessionNumber=134')).results), ['98890234']);
  t.deepEqual(patients((await qido('/studies?PatientID=7765*')).results), ['77654033', '77654033']);
  const list = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322,1.3.6.1.4.1.5962.1.2.4.20040826185059.5457';
  t.deepEqual(patients((await qido(`/studies?StudyInstanceUID=${list}`)).results), ['1CT1', '4MR1']);
  t.deepEqual(patients((await qido(`/studies?StudyInstanceUID=${list.replace(',', '%5C')}`)).results), ['1CT1', '4MR1']);
});

test('limit and offset page through results and say when more are left', async (t) => {
  const all = values((await qido('/studies')).results, '0020000D');
  const first = await server.fetch(`${server.url}/dicomweb/studies?limit=3`);
  t.regex(first.headers.get('warning') ?? '', /additional results/);
  const page1 = values(await first.json() as DicomJson[], '0020000D');
  const page2 = values((await qido('/studies?limit=3&offset=3')).results, '0020000D');
  const page3 = values((await qido('/studies?limit=3&offset=6')).results, '0020000D');
  t.deepEqual([...page1, ...page2, ...page3], all);
  t.is(page3.length, 1);
});

test('includefield adds attributes by keyword or tag, and all adds the study\'s stored ones', async (t) => {
  const { results } = await qido('/studies?PatientID=1CT1&includefield=InstitutionName,00100030');
  t.true('00100030' in results[0]);
  t.true('00080080' in results[0]);
  const all = (await qido('/studies?PatientID=1CT1&includefield=all')).results[0];
  t.true('00100030' in all);
  t.false('7FE00010' in all);
  t.false('00280010' in all, 'image attributes are not study attributes');
});

test('series and instance levels, within a study and across all', async (t) => {
  const study = '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1';
  const series = await qido(`/studies/${study}/series`);
  t.is(series.results.length, 1);
  t.deepEqual(series.results[0]['00201209'].Value, [2]);
  t.deepEqual(series.results[0]['00080060'].Value, ['CT']);
  const instances = await qido(`/studies/${study}/series/${series.results[0]['0020000E'].Value![0]}/instances`);
  t.is(instances.results.length, 2);
  const numbers = values(instances.results, '00200013') as number[];
  t.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'instances come in InstanceNumber order');
  t.deepEqual(values((await qido('/series?Modality=MR')).results, '00100020').length, 2);
  const byClass = await qido('/instances?SOPClassUID=1.2.840.10008.5.1.4.1.1.2');
  t.is(byClass.results.length, 3);
  t.deepEqual(values((await qido(`/studies/${study}/instances?InstanceNumber=18`)).results, '00200013'), [18]);
});

test('attributes without an index column match on the stored metadata', async (t) => {
  const { results } = await qido('/studies?Manufacturer=GE*');
  t.true(results.length >= 1);
  const none = await qido('/studies?Manufacturer=NoSuchVendor');
  t.is(none.results.length, 0);
});

test('unknown parameters and malformed values are refused with 400', async (t) => {
  for (const query of ['Foo=1', 'limit=-1', 'offset=x', 'includefield=NotAnAttribute', 'StudyInstanceUID=abc', 'fuzzymatching=maybe', 'PixelData=1']) {
    const { status, text } = await qido(`/studies?${query}`);
    t.is(status, 400, query);
    t.notRegex(text, /stack|at .*\.ts/);
  }
});

test('hostile values are matched literally, never as SQL or patterns', async (t) => {
  for (const value of ["'; DROP TABLE dicom_study; --", '100%', 'a_b', '\\\\']) {
    const { status } = await qido(`/studies?PatientID=${encodeURIComponent(value)}`);
    t.is(status, 200, value);
  }
  t.is((await qido('/studies')).results.length, 7);
  t.deepEqual((await qido('/studies?PatientID=1CT_')).results, []);
});
