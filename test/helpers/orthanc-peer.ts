// Runs inside a private network namespace (private-network.ts): starts Orthanc and our server side by
// side on loopback, lets Orthanc's DICOMweb client pull a study from us, push one to us and proxy a
// QIDO search to us, and prints `RESULT <json>` with what ended up where. test/imaging/orthanc.test.ts
// asserts on it. Orthanc and the server are stopped in every case (and die with the namespace anyway).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onlyLoopback, startOrthanc, type Orthanc } from './orthanc.ts';
import { startTestServer, type TestServer } from './server.ts';
import { multipartRelated, parseMultipart } from './multipart.ts';
import { fixturesDir } from './dicom-fixtures.ts';
import dicomParser from 'dicom-parser';

export interface PeerInput {
  /** Fixture paths stored in our server, then pulled by Orthanc study by study (WADO-RS /studies/{study}). */
  pull: string[];
  /** Fixture paths stored in our server, then pulled by Orthanc series by series (/studies/{study}/series/{series}). */
  pullSeries: string[];
  /** Fixture paths uploaded to Orthanc, then pushed to our server. */
  push: string[];
}

export interface FileOutcome { path: string; sopInstanceUid: string; present: boolean; identical: boolean }

export interface PeerResult {
  orthancVersion: string;
  pull: { studies: string[]; status: number; answer: unknown; files: FileOutcome[] };
  push: {
    studies: string[]; status: number; answer: unknown;
    qido: Record<string, number>;
    files: FileOutcome[];
    /** null when the tree has no DICOM → ImagingStudy mapping yet (imaging/imaging-study.ts). */
    imagingStudy: null | Record<string, { found: number; numberOfInstances?: number; numberOfSeries?: number; patient?: string; sentInstances: number; sentSeries: number }>;
  };
  /** Through /dicom-web/servers/his/get and /dicom-web/servers/his/qido. */
  proxiedQido: { status: number; studies: string[] };
  qidoProxied: { status: number; studies: string[] };
  timings: Record<string, number>;
}

const repository = fileURLToPath(new URL('../../', import.meta.url));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const uidsOf = (bytes: Buffer) => {
  const dataSet = dicomParser.parseDicom(bytes);
  return { sop: dataSet.string('x00080018')!.trim(), study: dataSet.string('x0020000d')!.trim(), series: dataSet.string('x0020000e')!.trim() };
};

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as PeerInput;
  if (!onlyLoopback()) throw new Error('orthanc-peer.ts must run inside a private network namespace');
  let orthanc: Orthanc | undefined;
  let server: TestServer | undefined;
  let stopping: Promise<unknown> | undefined;
  const cleanup = () => (stopping ??= Promise.allSettled([orthanc?.stop(), server?.stop()]));
  // The parent went away (test failed or timed out): stop everything and leave.
  process.stdin.on('end', () => { void cleanup().finally(() => process.exit(1)); });
  process.stdin.resume();
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(performance.now() - start);
    }
  };
  try {
    [orthanc, server] = await timed('start', () => Promise.all([startOrthanc(), startTestServer()]));
    const his = server;
    const peer = orthanc;
    await peer.addDicomWebServer('his', { Url: `${his.url}/dicomweb/`, HttpHeaders: { Authorization: `Bearer ${his.token}` } });
    const system = await peer.json<{ Version: string }>('GET', '/system');

    // Pull: our server holds the studies, Orthanc retrieves them over WADO-RS.
    const read = (path: string) => ({ path, bytes: readFileSync(join(fixturesDir, path)) });
    const bySeries = input.pullSeries.map(read);
    const pullFiles = [...input.pull.map(read), ...bySeries];
    const stow = multipartRelated(pullFiles.map((f) => f.bytes));
    const stored = await his.fetch(`${his.url}/dicomweb/studies`, { method: 'POST', headers: { 'content-type': stow.contentType, accept: 'application/dicom+json' }, body: new Uint8Array(stow.body) });
    if (!stored.ok) throw new Error(`STOW to our server failed: ${stored.status} ${await stored.text()}`);
    const pullStudies = [...new Set(pullFiles.map((f) => uidsOf(f.bytes).study))];
    const resources = [
      ...[...new Set(input.pull.map((path) => uidsOf(read(path).bytes).study))].map((Study) => ({ Study })),
      ...[...new Map(bySeries.map((f) => [uidsOf(f.bytes).series, uidsOf(f.bytes).study])).entries()].map(([Series, Study]) => ({ Study, Series })),
    ];
    const pulled = await timed('pull', () => fetch(`${peer.url}/dicom-web/servers/his/retrieve`, {
      method: 'POST', body: JSON.stringify({ Resources: resources }),
    }));
    const pullAnswer = await pulled.text();
    const pullOutcomes: FileOutcome[] = [];
    for (const file of pullFiles) {
      const { sop } = uidsOf(file.bytes);
      const found = await lookup(peer, sop);
      const instance = found.find((f) => f.Type === 'Instance');
      let identical = false;
      if (instance) {
        const res = await fetch(`${peer.url}/instances/${instance.ID}/file`);
        identical = sha(Buffer.from(await res.arrayBuffer())) === sha(file.bytes);
      }
      pullOutcomes.push({ path: file.path, sopInstanceUid: sop, present: Boolean(instance), identical });
    }

    // Push: Orthanc holds the studies (its own REST upload), and sends them to us over STOW-RS.
    const pushFiles = input.push.map((path) => ({ path, bytes: readFileSync(join(fixturesDir, path)) }));
    const orthancStudies = new Set<string>();
    for (const file of pushFiles) {
      const res = await fetch(`${peer.url}/instances`, { method: 'POST', body: file.bytes });
      if (!res.ok) throw new Error(`Orthanc refused ${file.path}: ${res.status} ${await res.text()}`);
      orthancStudies.add(((await res.json()) as { ParentStudy: string }).ParentStudy);
    }
    const pushStudies = [...new Set(pushFiles.map((f) => uidsOf(f.bytes).study))];
    const pushed = await timed('push', () => fetch(`${peer.url}/dicom-web/servers/his/stow`, {
      method: 'POST', body: JSON.stringify({ Resources: [...orthancStudies] }),
    }));
    const pushAnswer = await pushed.text();
    await his.app.imaging.store.idle();
    const qido: Record<string, number> = {};
    for (const study of pushStudies) {
      const res = await his.fetch(`${his.url}/dicomweb/studies?StudyInstanceUID=${study}`, { headers: { accept: 'application/dicom+json' } });
      qido[study] = res.ok ? ((await res.json()) as unknown[]).length : -res.status;
    }
    const pushOutcomes: FileOutcome[] = [];
    for (const file of pushFiles) {
      const dataSet = dicomParser.parseDicom(file.bytes);
      const sop = dataSet.string('x00080018')!.trim();
      const url = `${his.url}/dicomweb/studies/${dataSet.string('x0020000d')!.trim()}/series/${dataSet.string('x0020000e')!.trim()}/instances/${sop}`;
      const res = await his.fetch(url, { headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
      let identical = false;
      if (res.ok) {
        const parts = parseMultipart(Buffer.from(await res.arrayBuffer()), res.headers.get('content-type') ?? '');
        identical = parts.length === 1 && sha(parts[0]!.body) === sha(file.bytes);
      }
      pushOutcomes.push({ path: file.path, sopInstanceUid: sop, present: res.ok, identical });
    }
    let imagingStudy: PeerResult['push']['imagingStudy'] = null;
    if (existsSync(join(repository, 'imaging/imaging-study.ts'))) {
      imagingStudy = {};
      for (const study of pushStudies) {
        const res = await his.fetch(`${his.base}/ImagingStudy?identifier=${encodeURIComponent(`urn:dicom:uid|urn:oid:${study}`)}`, { headers: { accept: 'application/fhir+json' } });
        const bundle = (res.ok ? await res.json() : {}) as { entry?: Array<{ resource: { numberOfInstances?: number; numberOfSeries?: number; subject?: { reference?: string } } }> };
        const resource = bundle.entry?.[0]?.resource;
        const sent = pushFiles.map((f) => dicomParser.parseDicom(f.bytes)).filter((d) => d.string('x0020000d')?.trim() === study);
        imagingStudy[study] = {
          found: bundle.entry?.length ?? -res.status, numberOfInstances: resource?.numberOfInstances, numberOfSeries: resource?.numberOfSeries, patient: resource?.subject?.reference,
          sentInstances: sent.length, sentSeries: new Set(sent.map((d) => d.string('x0020000e')?.trim())).size,
        };
      }
    }

    // QIDO through Orthanc: /servers/{name}/get forwards a GET with the Accept we give and returns our
    // answer as is; /servers/{name}/qido sends `Accept: */*` and re-encodes our DICOM JSON as its own.
    const proxied = await timed('proxiedQido', () => fetch(`${peer.url}/dicom-web/servers/his/get`, {
      method: 'POST', body: JSON.stringify({ Uri: '/studies', Arguments: { limit: '100' }, HttpHeaders: { Accept: 'application/dicom+json' } }),
    }));
    const proxiedStudies = studyUidsOf(await proxied.text());
    const qidoProxied = await fetch(`${peer.url}/dicom-web/servers/his/qido`, { method: 'POST', body: JSON.stringify({ Uri: '/studies', Arguments: { limit: '100' } }) });
    const qidoStudies = studyUidsOf(await qidoProxied.text());

    const result: PeerResult = {
      orthancVersion: system.Version,
      pull: { studies: pullStudies, status: pulled.status, answer: tryJson(pullAnswer), files: pullOutcomes },
      push: { studies: pushStudies, status: pushed.status, answer: tryJson(pushAnswer), qido, files: pushOutcomes, imagingStudy },
      proxiedQido: { status: proxied.status, studies: proxiedStudies },
      qidoProxied: { status: qidoProxied.status, studies: qidoStudies },
      timings,
    };
    if (!pulled.ok || !pushed.ok) process.stderr.write(`Orthanc log:\n${(await peer.log()).slice(-6000)}\n`);
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await cleanup();
  }
}

/** Study Instance UIDs of a QIDO answer (DICOM JSON, or Orthanc's re-encoding with the same keys). */
function studyUidsOf(body: string): string[] {
  try {
    return (JSON.parse(body) as Array<Record<string, { Value?: unknown }>>).map((s) => {
      const value = s['0020000D']?.Value;
      return String(Array.isArray(value) ? value[0] : value);
    });
  } catch {
    return [`not JSON: ${body.slice(0, 300)}`];
  }
}

/** Orthanc's ids for a DICOM UID: POST /tools/lookup takes the bare UID as its body. */
async function lookup(orthanc: Orthanc, uid: string): Promise<Array<{ ID: string; Type: string }>> {
  const res = await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', body: uid });
  if (!res.ok) throw new Error(`Orthanc /tools/lookup ${uid} → ${res.status}: ${await res.text()}`);
  return await res.json() as Array<{ ID: string; Type: string }>;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 2000);
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
