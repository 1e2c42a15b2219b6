// Interoperability with Orthanc (Debian's build with its DICOMweb plugin) as a DICOMweb client of our
// server: it pulls studies from us (WADO-RS), pushes one to us (STOW-RS) and proxies a QIDO-RS search.
// Orthanc cannot bind to loopback only, so the exchanges run in test/helpers/orthanc-peer.ts inside a
// private network namespace (only `lo`), with our server started there too; this file asserts on the
// JSON it prints. Skipped, saying why, where Orthanc or namespaces are not available.
import test from 'ava';
import { orthancMissing } from '../helpers/orthanc.ts';
import { privateNetworkMissing, runInPrivateNetwork, throughUnixSocket, type PrivateRun } from '../helpers/private-network.ts';
import type { PeerInput, PeerResult } from '../helpers/orthanc-peer.ts';
import { loadConfig } from '../../server/config.ts';

const input: PeerInput = {
  // A CT study in four transfer syntaxes (implicit VR, JPEG baseline, JPEG extended, JPEG 2000), pulled
  // as a study, and a four-slice CT series, pulled as a series: Orthanc must receive exactly what we stored.
  pull: [
    'ct/CTImage.dcm_LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2.dcm',
    'ct/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm',
    'ct/CTImage.dcm_JPEGProcess2_4TransferSyntax_1.2.840.10008.1.2.4.51.dcm',
    'ct/CTImage.dcm_JPEG2000TransferSyntax_1.2.840.10008.1.2.4.91.dcm',
  ],
  pullSeries: [
    'ct/series-77654033-CT2/pcir_77654033_CT2_17106.dcm',
    'ct/series-77654033-CT2/pcir_77654033_CT2_17136.dcm',
    'ct/series-77654033-CT2/pcir_77654033_CT2_17166.dcm',
    'ct/series-77654033-CT2/pcir_77654033_CT2_17196.dcm',
  ],
  // A three-slice MR series and a 30-frame JPEG ultrasound cine.
  push: [
    'mr/series-98892003-MR2/pcir_98892003_MR2_4950.dcm',
    'mr/series-98892003-MR2/pcir_98892003_MR2_4981.dcm',
    'mr/series-98892003-MR2/pcir_98892003_MR2_5011.dcm',
    'us/examples_ybr_color.dcm',
  ],
};

const unavailable = orthancMissing() ?? privateNetworkMissing();

if (unavailable) {
  test.skip(`Orthanc interoperability — skipped: ${unavailable}`, () => {});
} else {
  let run: PrivateRun<PeerResult>;
  let result: Promise<PeerResult>;

  test.before(() => {
    // PostgreSQL on 127.0.0.1 is unreachable from inside the namespace; its Unix socket is not.
    const env = { ...process.env, DATABASE_URL: throughUnixSocket(loadConfig().databaseUrl) ?? '' };
    run = runInPrivateNetwork<PeerResult>('orthanc-peer.ts', input, env);
    result = run.result;
    // Asserted by the tests below; a rejection here must not count as unhandled before they await it.
    result.catch(() => {});
  });

  test.after.always(async () => {
    await run?.stop();
  });

  test('Orthanc pulls our studies over WADO-RS and holds byte-identical instances with the same UIDs', async (t) => {
    const { pull, timings } = await result;
    t.log('durations (ms):', timings);
    t.is(pull.status, 200, JSON.stringify(pull.answer));
    t.is(pull.files.length, input.pull.length + input.pullSeries.length);
    for (const file of pull.files) {
      t.true(file.present, `${file.path} (${file.sopInstanceUid}) is not in Orthanc`);
      t.true(file.identical, `${file.path} differs in Orthanc`);
    }
  });

  test('Orthanc pushes a study to us over STOW-RS and it is searchable, retrievable byte for byte, and an ImagingStudy', async (t) => {
    const { push } = await result;
    t.is(push.status, 200, JSON.stringify(push.answer));
    for (const study of push.studies) t.is(push.qido[study], 1, `QIDO for ${study}`);
    for (const file of push.files) {
      t.true(file.present, `${file.path} is not retrievable from us`);
      t.true(file.identical, `${file.path} differs from what Orthanc sent`);
    }
    if (push.imagingStudy === null) {
      t.log('no DICOM → ImagingStudy mapping in this tree yet (imaging/imaging-study.ts): not asserted');
      return;
    }
    for (const study of push.studies) {
      const mapped = push.imagingStudy[study]!;
      t.is(mapped.found, 1, `ImagingStudy for ${study}`);
      t.is(mapped.numberOfInstances, mapped.sentInstances);
      t.is(mapped.numberOfSeries, mapped.sentSeries);
      t.regex(mapped.patient ?? '', /^Patient\//);
    }
  });

  test('QIDO-RS searches proxied by Orthanc (/dicom-web/servers/his/get and /qido) list our studies', async (t) => {
    const { proxiedQido, qidoProxied, pull, push } = await result;
    t.is(proxiedQido.status, 200);
    t.is(qidoProxied.status, 200);
    for (const study of [...pull.studies, ...push.studies]) {
      t.true(proxiedQido.studies.includes(study), `${study} missing from /get: ${JSON.stringify(proxiedQido.studies)}`);
      t.true(qidoProxied.studies.includes(study), `${study} missing from /qido: ${JSON.stringify(qidoProxied.studies)}`);
    }
  });
}
