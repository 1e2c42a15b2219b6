// The radiology pages' plain functions, outside the browser: worklist query strings, report texts
// from a DiagnosticReport, STOW-RS batching, newest-first order.
import test from 'ava';
import { newestFirst, reportTexts, worklistSearch, type DiagnosticReport, type WorklistItem } from '../../web/src/radiology/api.ts';
import { batches } from '../../web/src/radiology/stow-batches.ts';
import { studyUidOf } from '../../web/src/emr/imaging.ts';

test('worklist queries leave out empty filters and keep the others', (t) => {
  t.is(worklistSearch({ from: '2026-12-01', to: '', modality: 'CT', status: '', q: '张三', accession: undefined, offset: 0, limit: 50 }),
    'from=2026-12-01&modality=CT&q=%E5%BC%A0%E4%B8%89&offset=0&limit=50');
});

test('a report\'s impression is its conclusion; its findings come from the plain-text presented form (or an extension)', (t) => {
  const text = Buffer.from('Findings:\nLungs clear.\n\nImpression: normal', 'utf8').toString('base64');
  const report: DiagnosticReport = { resourceType: 'DiagnosticReport', status: 'final', conclusion: 'normal', presentedForm: [{ contentType: 'text/plain; charset=utf-8', data: text }] };
  t.deepEqual(reportTexts(report), { findings: 'Lungs clear.', impression: 'normal' });
  const plain: DiagnosticReport = { resourceType: 'DiagnosticReport', status: 'preliminary', conclusion: '未见异常', presentedForm: [{ contentType: 'text/plain', data: Buffer.from('双肺纹理清晰', 'utf8').toString('base64') }] };
  t.deepEqual(reportTexts(plain), { findings: '双肺纹理清晰', impression: '未见异常' });
  const extension: DiagnosticReport = { resourceType: 'DiagnosticReport', status: 'final', extension: [{ url: 'https://open-his.example/findings', valueString: 'F' }] };
  t.deepEqual(reportTexts(extension), { findings: 'F', impression: '' });
  t.deepEqual(reportTexts(null), { findings: '', impression: '' });
});

test('uploads go in batches of at most 50 files or 32 MB', (t) => {
  const file = (size: number) => ({ size }) as File;
  t.deepEqual(batches(Array.from({ length: 120 }, () => file(10))).map((b) => b.length), [50, 50, 20]);
  t.deepEqual(batches([file(20e6), file(20e6), file(1e6)]).map((b) => b.length), [1, 2]);
  t.deepEqual(batches([file(100e6)]).map((b) => b.length), [1], 'a file larger than a batch goes alone');
  t.deepEqual(batches([]), []);
});

test('the worklist shows the newest study first, undated ones last; a study\'s UID comes from its urn:dicom:uid identifier', (t) => {
  const item = (started?: string) => ({ studyInstanceUid: started ?? 'none', started }) as WorklistItem;
  t.deepEqual([item('2026-12-01T08:00:00Z'), item(), item('2026-12-02T08:00:00Z')].sort(newestFirst).map((i) => i.studyInstanceUid),
    ['2026-12-02T08:00:00Z', '2026-12-01T08:00:00Z', 'none']);
  t.is(studyUidOf({ resourceType: 'ImagingStudy', id: 'x', identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.3' }] }), '1.2.3');
  t.is(studyUidOf(undefined), undefined);
});
