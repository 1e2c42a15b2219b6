// parseInstance over the shared DICOM fixtures (test/fixtures/dicom, see its MANIFEST.md for sources).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseInstance } from '../../imaging/parse.ts';
import { frameBytes } from '../../imaging/frames.ts';
import { DicomError } from '../../imaging/errors.ts';
import { characterSet } from '../../imaging/dicom/charset.ts';

const root = new URL('../fixtures/dicom/', import.meta.url);
interface ManifestFile {
  path: string; sopInstanceUID?: string; studyInstanceUID?: string; seriesInstanceUID?: string; sopClassUID?: string;
  transferSyntaxUID?: string; rows?: number; columns?: number; numberOfFrames: number | null; bitsAllocated?: number;
  samplesPerPixel?: number; photometricInterpretation?: string; dicomParser: { status: string };
}
const manifest = JSON.parse(readFileSync(new URL('manifest.json', root), 'utf8')) as { files: ManifestFile[] };
const read = (path: string) => readFileSync(new URL(path, root));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const storable = manifest.files.filter((f): f is ManifestFile & Required<Pick<ManifestFile, 'sopInstanceUID' | 'studyInstanceUID' | 'seriesInstanceUID' | 'sopClassUID'>> => f.dicomParser.status === 'ok' && Boolean(f.studyInstanceUID) && Boolean(f.seriesInstanceUID) && Boolean(f.sopClassUID) && Boolean(f.sopInstanceUID));

test('every storable fixture gives the UIDs, transfer syntax and frame count its manifest lists', (t) => {
  t.true(storable.length > 50);
  for (const f of storable) {
    const p = parseInstance(read(f.path));
    t.is(p.sopInstanceUid, f.sopInstanceUID, f.path);
    t.is(p.studyInstanceUid, f.studyInstanceUID, f.path);
    t.is(p.seriesInstanceUid, f.seriesInstanceUID, f.path);
    t.is(p.sopClassUid, f.sopClassUID, f.path);
    t.is(p.transferSyntaxUid, f.transferSyntaxUID!, f.path);
    t.is(p.instance.numberOfFrames, f.numberOfFrames ?? 0, f.path);
    t.is(p.pixels?.frames.length ?? 0, f.numberOfFrames ?? 0, f.path);
    if (f.rows) t.is(p.instance.rows, f.rows, f.path);
  }
});

test('malformed files are refused with a stable code', (t) => {
  const codes: Record<string, string> = {
    'malformed/no_meta.dcm': 'not-part10',
    'malformed/MR_truncated.dcm': 'truncated',
    'malformed/rtplan_truncated.dcm': 'truncated',
    'malformed/meta_missing_tsyntax.dcm': 'no-transfer-syntax',
    'other/HTJ2KLossless_08_RGB.dcm': 'missing-uid',
    'edge-cases/priv_SQ.dcm': 'missing-uid',
  };
  for (const [path, code] of Object.entries(codes)) {
    const err = t.throws(() => parseInstance(read(path)), { instanceOf: DicomError }, path);
    t.is(err?.code as string | undefined, code, path);
    t.is(err?.failureReason, 0xc000, path);
  }
});

test('a good file cut short anywhere after its header is refused as truncated, never parsed', (t) => {
  const whole = read('ct/CT_small.dcm');
  for (const cut of [400, 5_000, 20_000, whole.length - 100]) {
    const err = t.throws(() => parseInstance(whole.subarray(0, cut)), { instanceOf: DicomError });
    // Cut between elements the rest is simply missing (here: the UIDs); cut inside one it is truncated.
    if (cut > 20_000) t.is(err?.code, 'truncated', `cut at ${cut}`);
  }
});

test('a bare dataset without preamble is read when the transfer syntax is given, and refused without', (t) => {
  const whole = read('mr/MR_small_implicit.dcm');
  const metaLength = whole.readUInt32LE(132 + 8);
  const bare = whole.subarray(132 + 12 + metaLength);
  t.is(t.throws(() => parseInstance(bare), { instanceOf: DicomError })?.code, 'not-part10');
  const p = parseInstance(bare, { transferSyntaxUid: '1.2.840.10008.1.2' });
  t.is(p.sopInstanceUid, parseInstance(whole).sopInstanceUid);
});

test('native frames have rows × columns × samples × bits / 8 bytes', (t) => {
  for (const f of storable.filter((x) => x.transferSyntaxUID === '1.2.840.10008.1.2.1' && x.numberOfFrames && (x.bitsAllocated ?? 0) >= 8)) {
    const bytes = read(f.path);
    const p = parseInstance(bytes);
    const samples = f.photometricInterpretation?.endsWith('_422') ? 2 : f.samplesPerPixel ?? 1;
    const expected = f.rows! * f.columns! * samples * (f.bitsAllocated! / 8);
    for (let i = 0; i < p.pixels!.frames.length; i++) t.is(frameBytes(bytes, p.pixels!, i).length, expected, `${f.path} frame ${i + 1}`);
  }
});

test('big-endian, implicit and deflated frames equal the explicit little-endian twin of the same instance', (t) => {
  const twins = [
    ['ct/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm', [
      'ct/CTImage.dcm_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm',
      'ct/CTImage.dcm_LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2.dcm',
      'ct/CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm']],
    ['mr/MR_small.dcm', ['mr/MR_small_bigendian.dcm', 'mr/MR_small_implicit.dcm']],
  ] as const;
  for (const [reference, others] of twins) {
    const refBytes = read(reference);
    const ref = parseInstance(refBytes);
    const want = sha(frameBytes(refBytes, ref.pixels!, 0));
    for (const other of others) {
      const bytes = read(other);
      const p = parseInstance(bytes);
      t.is(p.sopInstanceUid, ref.sopInstanceUid, other);
      t.is(sha(frameBytes(bytes, p.pixels!, 0, { littleEndian: true })), want, other);
      // The DICOM JSON of the twins agrees on what they share (names, numbers, UIDs).
      for (const tag of ['00100010', '00100020', '00280010', '00280030', '00200032', '0020000D']) {
        t.deepEqual(p.metadata[tag], ref.metadata[tag], `${other} ${tag}`);
      }
    }
  }
});

test('encapsulated frames start with their codec\'s marker (PS3.5 §A.4, §G.5 for RLE)', (t) => {
  for (const f of storable.filter((x) => x.numberOfFrames && !['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99'].includes(x.transferSyntaxUID!))) {
    const bytes = read(f.path);
    const p = parseInstance(bytes);
    t.true(p.pixels!.encapsulated, f.path);
    for (let i = 0; i < p.pixels!.frames.length; i++) {
      const frame = frameBytes(bytes, p.pixels!, i);
      const ts = f.transferSyntaxUID!;
      if (ts === '1.2.840.10008.1.2.5') {
        const segments = frame.readUInt32LE(0);
        t.true(segments >= 1 && segments <= 15, `${f.path} frame ${i + 1}: ${segments} RLE segments`);
        t.is(frame.readUInt32LE(4), 64, `${f.path} frame ${i + 1}: first segment after the 64-byte header`);
      } else if (/\.4\.9\d$/.test(ts) || /\.4\.20\d$/.test(ts)) {
        t.true((frame[0] === 0xff && frame[1] === 0x4f) || frame.subarray(4, 8).toString('latin1') === 'jP  ', `${f.path} frame ${i + 1}`);
      } else {
        t.true(frame[0] === 0xff && frame[1] === 0xd8, `${f.path} frame ${i + 1}`);
      }
    }
  }
});

test('multi-frame fragmented files without an offset table split into their frames', (t) => {
  for (const path of ['ct/CT0012.fragmented_no_bot_jpeg_ls.80.dcm', 'ct/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm', 'us/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm']) {
    const bytes = read(path);
    const p = parseInstance(bytes);
    const frames = p.pixels!.frames.map((_, i) => frameBytes(bytes, p.pixels!, i));
    t.is(frames.length, p.instance.numberOfFrames, path);
    for (const frame of frames) t.deepEqual([frame[frame.length - 2], frame[frame.length - 1]].some((b) => b === 0xd9) || frame.includes(Buffer.from([0xff, 0xd9])), true, path);
  }
});

test('DICOM JSON writes numbers as numbers, names as PN objects and pixel data as bulk data', (t) => {
  const p = parseInstance(read('ct/CT_small.dcm'));
  t.deepEqual(p.metadata['00080060'], { vr: 'CS', Value: ['CT'] });
  t.is((p.metadata['00100010'] as { vr: string }).vr, 'PN');
  t.truthy(((p.metadata['00100010'] as { Value: { Alphabetic: string }[] }).Value[0]).Alphabetic);
  t.deepEqual(p.metadata['00280010'], { vr: 'US', Value: [128] });
  t.deepEqual((p.metadata['00280030'] as { Value: number[] }).Value.map((n) => typeof n), ['number', 'number']);
  t.deepEqual(p.metadata['7FE00010'], { vr: 'OW', BulkDataURI: '{{bulk}}/7FE00010' });
  t.false('00020010' in p.metadata);
});

test('empty or unreadable IS/DS values are left out instead of failing the instance', (t) => {
  const p = parseInstance(read('edge-cases/reportsi_with_empty_number_tags.dcm'));
  for (const attribute of Object.values(p.metadata) as { vr: string; Value?: unknown[] }[]) {
    if (attribute.vr === 'IS' || attribute.vr === 'DS') t.true(attribute.Value === undefined || attribute.Value.every((v) => v === null || typeof v === 'number'));
  }
});

test('GB18030, GBK and UTF-8 names decode (PS3.3 C.12.1.1.2)', (t) => {
  const zhangSan = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]);
  t.is(characterSet('GB18030').decode(zhangSan), '张三');
  t.is(characterSet('GBK').decode(zhangSan), '张三');
  t.is(characterSet('ISO_IR 192').decode(Buffer.from('张三^Wang', 'utf8')), '张三^Wang');
  t.is(characterSet('ISO_IR 100').decode(Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72])), 'Müller');
});

test('the cine file reports its frame time', (t) => {
  const p = parseInstance(read('mr/cine-test.dcm'));
  t.is(p.instance.numberOfFrames, 8);
  t.true(p.instance.frameTimeMs === undefined || p.instance.frameTimeMs > 0);
});
