// WADO-RS and WADO-URI (PS3.18 §10.4, §9): instances, metadata from the index, frames and bulk data.
import test from 'ava';
import { createHash } from 'node:crypto';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { fixture, multipartParts, stowFiles, storableFixtures } from '../../helpers/stow.ts';
import { parseInstance } from '../../../imaging/parse.ts';
import { frameBytes } from '../../../imaging/frames.ts';

let server: TestServer;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const files = ['ct/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm', 'mr/MR_small_bigendian.dcm',
  'ct/CT0012.fragmented_no_bot_jpeg_ls.80.dcm', 'mr/emri_small.dcm', 'us/examples_ybr_color.dcm', 'ct/CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm',
  'other/liver.dcm', 'other/test-SR.dcm', 'ct/series-77654033-CT2/pcir_77654033_CT2_17106.dcm', 'ct/series-77654033-CT2/pcir_77654033_CT2_17136.dcm'];

test.before(async () => {
  server = await startTestServer();
  const { status } = await stowFiles(server, files.map(fixture));
  if (status !== 200) throw new Error(`setup STOW answered ${status}`);
});
test.after.always(async () => { await server?.stop(); });

function urlOf(path: string): string {
  const f = storableFixtures.find((x) => x.path === path)!;
  return `${server.url}/dicomweb/studies/${f.studyInstanceUID}/series/${f.seriesInstanceUID}/instances/${f.sopInstanceUID}`;
}

async function get(url: string, accept?: string) {
  const response = await server.fetch(url, { headers: accept ? { accept } : {} });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
}

const octets = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';

test('native frames are the pixel bytes; big-endian ones arrive little endian', async (t) => {
  for (const path of ['ct/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm', 'mr/MR_small_bigendian.dcm', 'mr/emri_small.dcm', 'ct/CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm']) {
    const bytes = fixture(path);
    const parsed = parseInstance(bytes);
    const frames = parsed.pixels!.frames.length;
    const list = Array.from({ length: Math.min(frames, 3) }, (_, i) => i + 1).join(',');
    const { status, contentType, body } = await get(`${urlOf(path)}/frames/${list}`, octets);
    t.is(status, 200, path);
    const parts = multipartParts(body, contentType);
    t.is(parts.length, Math.min(frames, 3), path);
    parts.forEach((part, i) => {
      t.is(part.headers['content-type'], 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1', path);
      t.is(sha(part.body), sha(frameBytes(bytes, parsed.pixels!, i, { littleEndian: true })), `${path} frame ${i + 1}`);
      t.is(part.body.length, parsed.instance.rows! * parsed.instance.columns! * (parsed.instance.bitsAllocated! / 8), path);
    });
  }
  // The big-endian MR equals its little-endian twin, frame for frame (same SOP Instance, PS3.5 §7.3).
  const twin = fixture('mr/MR_small.dcm');
  const twinParsed = parseInstance(twin);
  const { body, contentType } = await get(`${urlOf('mr/MR_small_bigendian.dcm')}/frames/1`, octets);
  t.is(sha(multipartParts(body, contentType)[0].body), sha(frameBytes(twin, twinParsed.pixels!, 0)));
});

test('compressed frames keep their codec and say their transfer syntax; a fragmented file without offsets splits into frames', async (t) => {
  const url = urlOf('ct/CT0012.fragmented_no_bot_jpeg_ls.80.dcm');
  const wildcard = await get(`${url}/frames/1,2`, octets);
  t.is(wildcard.status, 200);
  const parts = multipartParts(wildcard.body, wildcard.contentType);
  t.is(parts.length, 2);
  for (const part of parts) {
    t.is(part.headers['content-type'], 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.80');
    t.deepEqual([...part.body.subarray(0, 2)], [0xff, 0xd8]);
  }
  const jls = await get(`${url}/frames/2`, 'multipart/related; type="image/jls"');
  t.is(jls.status, 200);
  t.regex(multipartParts(jls.body, jls.contentType)[0].headers['content-type'], /^image\/jls; transfer-syntax=1\.2\.840\.10008\.1\.2\.4\.80/);
  // Uncompressed octets of a compressed frame would need decoding, which this server does not do.
  t.is((await get(`${url}/frames/1`, 'multipart/related; type="application/octet-stream"')).status, 406);
  const color = await get(`${urlOf('us/examples_ybr_color.dcm')}/frames/30`, octets);
  t.is(color.status, 200);
  t.deepEqual([...multipartParts(color.body, color.contentType)[0].body.subarray(0, 2)], [0xff, 0xd8]);
});

test('frame numbers out of range or malformed, and frames of objects without pixels, are refused', async (t) => {
  t.is((await get(`${urlOf('mr/emri_small.dcm')}/frames/11`, octets)).status, 404);
  t.is((await get(`${urlOf('mr/emri_small.dcm')}/frames/0`, octets)).status, 400);
  t.is((await get(`${urlOf('mr/emri_small.dcm')}/frames/1;2`, octets)).status, 400);
  t.is((await get(`${urlOf('other/test-SR.dcm')}/frames/1`, octets)).status, 400);
  t.is((await get(`${server.url}/dicomweb/studies/1.2.3/series/1.2.3/instances/1.2.3/frames/1`, octets)).status, 404);
});

test('1-bit segmentation frames are whole frames of packed bits', async (t) => {
  const { status, body, contentType } = await get(`${urlOf('other/liver.dcm')}/frames/1,2,3`, octets);
  t.is(status, 200);
  const parts = multipartParts(body, contentType);
  t.deepEqual(parts.map((p) => p.body.length), [512 * 512 / 8, 512 * 512 / 8, 512 * 512 / 8]);
});

test('metadata of a series comes from the index with resolvable bulk data URIs', async (t) => {
  const f = storableFixtures.find((x) => x.path === 'ct/series-77654033-CT2/pcir_77654033_CT2_17106.dcm')!;
  const response = await server.fetch(`${server.url}/dicomweb/studies/${f.studyInstanceUID}/series/${f.seriesInstanceUID}/metadata`);
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'application/dicom+json');
  const instances = await response.json() as Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>[];
  t.is(instances.length, 2);
  const first = instances.find((i) => i['00080018'].Value![0] === f.sopInstanceUID)!;
  const bulk = first['7FE00010'].BulkDataURI!;
  t.regex(bulk, /\/bulk\/7FE00010$/);
  const bulkBase = bulk.slice(0, -'/7FE00010'.length);
  t.deepEqual(first, JSON.parse(JSON.stringify(parseInstance(fixture(f.path)).metadata).replaceAll('{{bulk}}', bulkBase)));
  const pixels = await get(bulk, 'multipart/related; type="application/octet-stream"');
  t.is(pixels.status, 200);
  const parsed = parseInstance(fixture(f.path));
  t.is(sha(multipartParts(pixels.body, pixels.contentType)[0].body), sha(frameBytes(fixture(f.path), parsed.pixels!, 0)));
  // Instance and study levels too; no file read is needed, but the answers agree.
  const one = await (await server.fetch(`${urlOf(f.path)}/metadata`)).json() as unknown[];
  t.is(one.length, 1);
  t.is((await server.fetch(`${server.url}/dicomweb/studies/1.2.3.4/metadata`)).status, 404);
});

test('study and series retrieve answer every instance as stored', async (t) => {
  const f = storableFixtures.find((x) => x.path === 'ct/series-77654033-CT2/pcir_77654033_CT2_17106.dcm')!;
  const { status, contentType, body } = await get(`${server.url}/dicomweb/studies/${f.studyInstanceUID}`, 'multipart/related; type="application/dicom"');
  t.is(status, 200);
  const parts = multipartParts(body, contentType);
  t.deepEqual(parts.map((p) => sha(p.body)).sort(), ['ct/series-77654033-CT2/pcir_77654033_CT2_17106.dcm', 'ct/series-77654033-CT2/pcir_77654033_CT2_17136.dcm'].map((p) => sha(fixture(p))).sort());
  // A transfer syntax other than the stored one would need transcoding: refused, not silently ignored.
  const big = await get(urlOf('mr/MR_small_bigendian.dcm'), 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1');
  t.is(big.status, 406);
});

test('WADO-URI answers the DICOM object; rendered types are refused with 406', async (t) => {
  const f = storableFixtures.find((x) => x.path === 'mr/emri_small.dcm')!;
  const base = `${server.url}/dicomweb/wado?requestType=WADO&studyUID=${f.studyInstanceUID}&seriesUID=${f.seriesInstanceUID}&objectUID=${f.sopInstanceUID}`;
  const dicom = await get(`${base}&contentType=application%2Fdicom`);
  t.is(dicom.status, 200);
  t.is(dicom.contentType, 'application/dicom');
  t.is(sha(dicom.body), sha(fixture(f.path)));
  t.is((await get(base)).status, 406);
  t.is((await get(`${server.url}/dicomweb/wado?requestType=WADO&studyUID=1`)).status, 400);
  t.is((await get(`${base.replace('requestType=WADO', 'requestType=X')}&contentType=application%2Fdicom`)).status, 400);
});

test('reading needs a clinical role', async (t) => {
  const anonymous = await fetch(`${server.url}/dicomweb/studies`);
  t.is(anonymous.status, 401);
});
