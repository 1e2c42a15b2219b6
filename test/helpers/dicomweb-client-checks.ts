// The dicomweb-client package (dcmjs-org, the client OHIF uses) driven against a DICOMweb server, one
// check per PS3.18 service. Each check returns the problems it saw as plain sentences, so a test can
// assert "no problems" and print every mismatch at once — and so the same checks can be pointed at a
// reference server (Orthanc) to show they ask nothing a conformant server would not do.
//
// dicomweb-client speaks through XMLHttpRequest. In Node it gets xhr2 (XMLHttpRequest level 2:
// responseType arraybuffer/json, ArrayBuffer bodies), installed as the global before the client loads.
import XMLHttpRequest from 'xhr2';
import type { FixtureFile } from './dicom-fixtures.ts';

(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest ??= XMLHttpRequest;
const { api } = await import('dicomweb-client');

type Json = Record<string, { vr?: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string }>;

interface MediaType { mediaType: string; transferSyntaxUID?: string }
interface InstanceKeys { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string }
/**
 * The part of dicomweb-client's API used here, typed from its source (src/api.js): the package's own
 * generated declarations mark every optional argument as required.
 */
export interface DicomWebClient {
  storeInstances(options: { datasets: ArrayBuffer[]; studyInstanceUID?: string }): Promise<unknown>;
  searchForStudies(options?: { queryParams?: Record<string, string> }): Promise<unknown>;
  searchForSeries(options?: { studyInstanceUID?: string; queryParams?: Record<string, string> }): Promise<unknown>;
  searchForInstances(options?: { studyInstanceUID?: string; seriesInstanceUID?: string; queryParams?: Record<string, string> }): Promise<unknown>;
  retrieveStudyMetadata(options: { studyInstanceUID: string }): Promise<unknown>;
  retrieveSeriesMetadata(options: { studyInstanceUID: string; seriesInstanceUID: string }): Promise<unknown>;
  retrieveInstance(options: InstanceKeys): Promise<ArrayBuffer>;
  retrieveSeries(options: { studyInstanceUID: string; seriesInstanceUID: string }): Promise<ArrayBuffer[]>;
  retrieveInstanceFrames(options: InstanceKeys & { frameNumbers: string; mediaTypes?: MediaType[] }): Promise<ArrayBuffer[]>;
  retrieveBulkData(options: { BulkDataURI: string; mediaTypes?: MediaType[] }): Promise<ArrayBuffer[]>;
  buildInstanceWadoURIUrl(options: InstanceKeys & { contentType?: string; transferSyntax?: string }): string;
}

export function makeClient(url: string, headers: Record<string, string> = {}): DicomWebClient {
  const Client = api.DICOMwebClient as unknown as new (options: { url: string; headers: Record<string, string>; verbose: boolean }) => DicomWebClient;
  return new Client({ url, headers, verbose: false });
}

/** Frames in any transfer syntax: the server answers in the stored one, so bytes can be compared (PS3.18 §8.7.3.5.2). */
const ANY_OCTETS: MediaType[] = [{ mediaType: 'application/octet-stream', transferSyntaxUID: '*' }];

const arrayBuffer = (bytes: Buffer): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
const first = (json: Json, tag: string): unknown => json[tag]?.Value?.[0];
const uid = (json: Json, tag: string): string | undefined => first(json, tag) as string | undefined;
const describeError = (error: unknown): string => {
  const e = error as { status?: number; response?: unknown; message?: string };
  const body = typeof e.response === 'string' ? e.response : e.response instanceof ArrayBuffer ? Buffer.from(e.response).toString('utf8') : JSON.stringify(e.response);
  return e.status !== undefined ? `HTTP ${e.status} ${String(body ?? '').slice(0, 300)}` : String(e.message ?? error);
};

/** STOW-RS response body (PS3.18 §10.5.3, Table 10.5.3-1) as DICOM JSON, or undefined when it is not JSON. */
export function stowResponse(body: unknown): Json | undefined {
  if (body && typeof body === 'object' && !(body instanceof ArrayBuffer)) return body as Json;
  const text = body instanceof ArrayBuffer ? Buffer.from(body).toString('utf8') : typeof body === 'string' ? body : '';
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

const sequence = (json: Json | undefined, tag: string): Json[] => (json?.[tag]?.Value ?? []) as Json[];
export const referencedSops = (json: Json | undefined) => sequence(json, '00081199').map((item) => uid(item, '00081155'));
export const failedSops = (json: Json | undefined) => sequence(json, '00081198').map((item) => ({ sop: uid(item, '00081155'), reason: first(item, '00081197') as number | undefined }));

/**
 * storeInstances with each file that must be refused, one request each. A refusal is an HTTP error
 * (dicomweb-client rejects) or a response whose FailedSOPSequence carries a FailureReason.
 */
export async function storeRefused(client: DicomWebClient, files: FixtureFile[]): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    try {
      const body = await client.storeInstances({ datasets: [arrayBuffer(file.bytes)] });
      const response = stowResponse(body);
      if (referencedSops(response).length > 0) problems.push(`${file.path}: was stored (${JSON.stringify(response)})`);
      else if (!failedSops(response).some((f) => typeof f.reason === 'number')) problems.push(`${file.path}: accepted without a FailureReason (${String(body).slice(0, 300)})`);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === undefined || status < 400 || status >= 500) problems.push(`${file.path}: refused with ${describeError(error)}, expected a 4xx`);
      const response = stowResponse((error as { response?: unknown }).response);
      if (response && failedSops(response).some((f) => typeof f.reason !== 'number')) problems.push(`${file.path}: FailedSOPSequence item without FailureReason (0008,1197)`);
    }
  }
  return problems;
}

/**
 * Stores the files study by study: a study of one file through POST /studies, a study of several
 * through POST /studies/{study} (both PS3.18 §10.5.1), and checks that the response references each.
 */
export async function storeAll(client: DicomWebClient, files: FixtureFile[]): Promise<string[]> {
  const problems: string[] = [];
  const studies = new Map<string, FixtureFile[]>();
  for (const file of files) studies.set(file.studyInstanceUid!, [...(studies.get(file.studyInstanceUid!) ?? []), file]);
  for (const [study, members] of studies) {
    try {
      const options = { datasets: members.map((f) => arrayBuffer(f.bytes)), ...(members.length > 1 ? { studyInstanceUID: study } : {}) };
      const response = stowResponse(await client.storeInstances(options));
      if (!response) {
        problems.push(`study ${study}: STOW response is not DICOM JSON`);
        continue;
      }
      const referenced = new Set(referencedSops(response));
      for (const file of members) if (!referenced.has(file.sopInstanceUid)) problems.push(`${file.path}: not in ReferencedSOPSequence (${JSON.stringify(failedSops(response))})`);
    } catch (error) {
      problems.push(`study ${study} (${members.map((f) => f.path).join(', ')}): ${describeError(error)}`);
    }
  }
  return problems;
}

const instanceKeys = (file: FixtureFile) => ({ studyInstanceUID: file.studyInstanceUid!, seriesInstanceUID: file.seriesInstanceUid!, sopInstanceUID: file.sopInstanceUid! });

/**
 * retrieveInstance (WADO-RS, PS3.18 §10.4.1.1.3) answers the stored file byte for byte (one of
 * `expected`, when several encodings of the instance were sent). dicomweb-client 0.11 cannot pass media types to
 * these (its _getCommonMediaType answers "application/", which retrieveInstance then refuses), so it
 * asks — as OHIF does — `multipart/related; type="application/dicom"` with no transfer-syntax, and a
 * server that serves what it stored must answer that in the stored transfer syntax.
 */
export async function retrieveEach(client: DicomWebClient, files: FixtureFile[], expected: (file: FixtureFile) => Buffer[] = (f) => [f.bytes]): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    try {
      const body = Buffer.from(await client.retrieveInstance(instanceKeys(file)));
      if (!expected(file).some((bytes) => bytes.equals(body))) problems.push(`${file.path}: retrieved ${body.length} bytes that differ from the ${file.bytes.length} stored`);
    } catch (error) {
      problems.push(`${file.path}: retrieveInstance failed: ${describeError(error)}`);
    }
  }
  return problems;
}

/**
 * WADO-URI (PS3.18 §9) URLs as dicomweb-client builds them for cornerstone's wadouri loader
 * (`requestType=WADO&…&contentType=application/dicom&transferSyntax=*`) answer each file byte for byte.
 * `uriClient` is a client whose URL is the WADO-URI endpoint.
 */
export async function wadoUriEach(uriClient: DicomWebClient, headers: Record<string, string>, files: FixtureFile[]): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    const url = uriClient.buildInstanceWadoURIUrl(instanceKeys(file));
    const res = await fetch(url, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) problems.push(`${file.path}: WADO-URI answered ${res.status} ${body.toString('utf8').slice(0, 200)}`);
    else if (!body.equals(file.bytes)) problems.push(`${file.path}: WADO-URI answered ${body.length} bytes that differ from the ${file.bytes.length} stored`);
    else if (!/^application\/dicom\b/.test(res.headers.get('content-type') ?? '')) problems.push(`${file.path}: WADO-URI Content-Type is ${res.headers.get('content-type')}`);
  }
  return problems;
}

/** retrieveSeries answers every instance of each series of several, byte for byte. */
export async function retrieveSeriesEach(client: DicomWebClient, files: FixtureFile[]): Promise<string[]> {
  const problems: string[] = [];
  const series = new Map<string, FixtureFile[]>();
  for (const file of files) series.set(file.seriesInstanceUid!, [...(series.get(file.seriesInstanceUid!) ?? []), file]);
  for (const [seriesUid, members] of series) {
    if (members.length < 2) continue;
    try {
      const parts = (await client.retrieveSeries({ studyInstanceUID: members[0]!.studyInstanceUid!, seriesInstanceUID: seriesUid })).map((p) => Buffer.from(p));
      if (parts.length !== members.length) problems.push(`series ${seriesUid}: retrieveSeries gave ${parts.length} instances, ${members.length} stored`);
      for (const file of members) if (!parts.some((p) => file.bytes.equals(p))) problems.push(`${file.path}: not byte-identical in retrieveSeries`);
    } catch (error) {
      problems.push(`series ${seriesUid}: retrieveSeries failed: ${describeError(error)}`);
    }
  }
  return problems;
}

/** searchForStudies / searchForSeries / searchForInstances by UID and by the usual matching keys (PS3.18 §10.6.1.2). */
export async function searchEach(client: DicomWebClient, files: FixtureFile[]): Promise<string[]> {
  const problems: string[] = [];
  const studyUids = (results: Json[]) => results.map((r) => uid(r, '0020000D'));
  const search = async (what: string, run: () => Promise<unknown>): Promise<Json[]> => {
    try {
      const results = await run();
      if (!Array.isArray(results)) {
        problems.push(`${what}: answer is not a JSON array`);
        return [];
      }
      return results as Json[];
    } catch (error) {
      problems.push(`${what}: ${describeError(error)}`);
      return [];
    }
  };
  const studies = new Map<string, FixtureFile[]>();
  for (const file of files) studies.set(file.studyInstanceUid!, [...(studies.get(file.studyInstanceUid!) ?? []), file]);
  for (const [study, members] of studies) {
    const byUid = await search(`study ${study} by StudyInstanceUID`, () => client.searchForStudies({ queryParams: { StudyInstanceUID: study } }));
    if (byUid.length !== 1 || uid(byUid[0]!, '0020000D') !== study) problems.push(`study ${study}: StudyInstanceUID search gave ${byUid.length} results`);
    const f = members[0]!;
    const expectStudy = async (key: string, queryParams: Record<string, string>, present = true) => {
      const found = studyUids(await search(`study ${study} by ${key}`, () => client.searchForStudies({ queryParams: { ...queryParams, limit: '1000' } })));
      if (found.includes(study) !== present) problems.push(`study ${study} (${f.path}): ${present ? 'missing from' : 'wrongly in'} the answer to ${JSON.stringify(queryParams)}`);
    };
    if (f.patientId) await expectStudy('PatientID', { PatientID: f.patientId });
    // PN matching with a trailing wildcard on the family name (PS3.4 C.2.2.2.4), as a worklist search
    // types it; ASCII names only, so the query is plain.
    const family = f.patientName?.split('^')[0] ?? '';
    if (family.length >= 2 && /^[\x20-\x7e]+$/.test(family)) await expectStudy('PatientName', { PatientName: `${family.slice(0, 2)}*` });
    if (f.studyDate && /^\d{8}$/.test(f.studyDate)) {
      await expectStudy('StudyDate range', { StudyDate: `${f.studyDate}-${f.studyDate}` });
      const next = String(Number(f.studyDate.slice(0, 4)) + 1);
      await expectStudy('StudyDate after it', { StudyDate: `${next}0101-` }, false);
      if (f.modality) await expectStudy('StudyDate + ModalitiesInStudy', { StudyDate: `${f.studyDate.slice(0, 4)}0101-${f.studyDate.slice(0, 4)}1231`, ModalitiesInStudy: f.modality });
    }
    if (f.modality) await expectStudy('ModalitiesInStudy', { ModalitiesInStudy: f.modality });
    if (f.accessionNumber) await expectStudy('AccessionNumber', { AccessionNumber: f.accessionNumber });

    const series = await search(`series of ${study}`, () => client.searchForSeries({ studyInstanceUID: study }));
    const seriesUids = new Set(series.map((s) => uid(s, '0020000E')));
    for (const member of members) {
      if (!seriesUids.has(member.seriesInstanceUid)) problems.push(`${member.path}: series ${member.seriesInstanceUid} missing from searchForSeries of its study`);
    }
    for (const seriesUid of new Set(members.map((m) => m.seriesInstanceUid!))) {
      const expected = members.filter((m) => m.seriesInstanceUid === seriesUid).map((m) => m.sopInstanceUid).sort();
      const instances = await search(`instances of ${seriesUid}`, () => client.searchForInstances({ studyInstanceUID: study, seriesInstanceUID: seriesUid }));
      const got = instances.map((i) => uid(i, '00080018')).sort();
      if (JSON.stringify(got) !== JSON.stringify(expected)) problems.push(`series ${seriesUid}: searchForInstances gave ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    }
  }
  for (const file of files) {
    const found = await search(`${file.path} by SOPInstanceUID`, () => client.searchForInstances({ queryParams: { SOPInstanceUID: file.sopInstanceUid! } }));
    if (found.length !== 1) problems.push(`${file.path}: searchForInstances by SOPInstanceUID gave ${found.length} results`);
    else if (uid(found[0]!, '0020000E') !== file.seriesInstanceUid || uid(found[0]!, '0020000D') !== file.studyInstanceUid) problems.push(`${file.path}: instance found with the wrong study/series UIDs`);
  }
  // Paging (PS3.18 §8.3.4.4): limit/offset over all studies lists each once.
  const all = new Set<string | undefined>();
  for (let offset = 0; offset < 500; offset += 7) {
    const page = studyUids(await search(`studies page at ${offset}`, () => client.searchForStudies({ queryParams: { limit: '7', offset: String(offset) } })));
    if (page.length > 7) problems.push(`limit=7 answered ${page.length} studies`);
    for (const s of page) {
      if (all.has(s)) problems.push(`study ${s} listed twice while paging`);
      all.add(s);
    }
    if (page.length < 7) break;
  }
  for (const study of studies.keys()) if (!all.has(study)) problems.push(`study ${study} missing when paging with limit/offset`);
  return problems;
}

/**
 * retrieveStudyMetadata / retrieveSeriesMetadata (PS3.18 §10.4.1.1.2) describe every stored instance,
 * and retrieveBulkData on each BulkDataURI answers the value (native pixel data byte for byte).
 */
export async function metadataEach(client: DicomWebClient, files: FixtureFile[]): Promise<string[]> {
  const problems: string[] = [];
  const studies = new Map<string, FixtureFile[]>();
  for (const file of files) studies.set(file.studyInstanceUid!, [...(studies.get(file.studyInstanceUid!) ?? []), file]);
  for (const [study, members] of studies) {
    let metadata: Json[] = [];
    try {
      metadata = await client.retrieveStudyMetadata({ studyInstanceUID: study }) as Json[];
    } catch (error) {
      problems.push(`study ${study}: retrieveStudyMetadata failed: ${describeError(error)}`);
      continue;
    }
    const bySop = new Map(metadata.map((m) => [uid(m, '00080018'), m]));
    if (metadata.length !== members.length) problems.push(`study ${study}: metadata has ${metadata.length} instances, ${members.length} stored`);
    for (const file of members) {
      const entry = bySop.get(file.sopInstanceUid);
      if (!entry) {
        problems.push(`${file.path}: missing from its study's metadata`);
        continue;
      }
      if (uid(entry, '00080016') !== file.sopClassUid) problems.push(`${file.path}: metadata SOPClassUID ${uid(entry, '00080016')} ≠ ${file.sopClassUid}`);
      if (uid(entry, '0020000E') !== file.seriesInstanceUid) problems.push(`${file.path}: metadata SeriesInstanceUID differs`);
      // Native Pixel Data must be reachable from the metadata (PS3.18 §F.2.7: a BulkDataURI or inline);
      // Orthanc leaves encapsulated pixel data out, which viewers do not need (they ask for frames).
      const pixel = file.pixelTag ? entry[file.pixelTag] : undefined;
      if (file.pixelTag === '7FE00010' && !file.encapsulated && !pixel?.BulkDataURI && !pixel?.InlineBinary) problems.push(`${file.path}: metadata has no BulkDataURI or InlineBinary for the pixel data`);
      if (pixel?.BulkDataURI) problems.push(...await bulkData(client, file, pixel.BulkDataURI));
    }
    for (const seriesUid of new Set(members.map((m) => m.seriesInstanceUid!))) {
      try {
        const series = await client.retrieveSeriesMetadata({ studyInstanceUID: study, seriesInstanceUID: seriesUid }) as Json[];
        const expected = members.filter((m) => m.seriesInstanceUid === seriesUid).map((m) => m.sopInstanceUid).sort();
        const got = series.map((m) => uid(m, '00080018')).sort();
        if (JSON.stringify(got) !== JSON.stringify(expected)) problems.push(`series ${seriesUid}: metadata lists ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
      } catch (error) {
        problems.push(`series ${seriesUid}: retrieveSeriesMetadata failed: ${describeError(error)}`);
      }
    }
  }
  return problems;
}

async function bulkData(client: DicomWebClient, file: FixtureFile, uri: string): Promise<string[]> {
  try {
    const parts = await client.retrieveBulkData({ BulkDataURI: uri });
    const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
    if (body.length === 0) return [`${file.path}: bulk data at ${uri} is empty`];
    // Native pixel data is the frames one after another (PS3.18 §8.7.3.5.4: little endian).
    if (!file.encapsulated && file.frames) {
      const expected = Buffer.concat(file.frames);
      if (!body.subarray(0, expected.length).equals(expected)) return [`${file.path}: pixel bulk data (${body.length} bytes) differs from the file's pixel data (${expected.length} bytes)`];
    }
    return [];
  } catch (error) {
    return [`${file.path}: retrieveBulkData ${uri} failed: ${describeError(error)}`];
  }
}

/** retrieveInstanceFrames (PS3.18 §10.4.1.1.4) gives each frame: one at a time, and all in one request. */
export async function framesEach(client: DicomWebClient, files: FixtureFile[]): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    if (!file.frames) continue;
    const numbers = file.frames.map((_, i) => i + 1);
    const check = (label: string, got: Buffer, index: number) => {
      const expected = file.frames![index]!;
      // An encapsulated frame may carry the fragment's trailing pad byte (PS3.5 §A.4) — or not.
      const same = got.equals(expected) || (file.encapsulated && (got.equals(expected.subarray(0, -1)) || expected.equals(got.subarray(0, -1))));
      if (!same) problems.push(`${file.path}: ${label} frame ${index + 1} is ${got.length} bytes that differ from the expected ${expected.length}`);
    };
    for (const n of numbers.slice(0, 3)) {
      try {
        const parts = await client.retrieveInstanceFrames({ ...instanceKeys(file), frameNumbers: String(n), mediaTypes: ANY_OCTETS });
        if (parts.length !== 1) problems.push(`${file.path}: frame ${n} came in ${parts.length} parts`);
        else check('single', Buffer.from(parts[0]!), n - 1);
      } catch (error) {
        problems.push(`${file.path}: retrieveInstanceFrames ${n} failed: ${describeError(error)}`);
      }
    }
    if (numbers.length > 1) {
      try {
        const parts = await client.retrieveInstanceFrames({ ...instanceKeys(file), frameNumbers: numbers.join(','), mediaTypes: ANY_OCTETS });
        if (parts.length !== numbers.length) problems.push(`${file.path}: frames ${numbers.join(',')} came in ${parts.length} parts`);
        else parts.forEach((part, i) => check('listed', Buffer.from(part), i));
      } catch (error) {
        problems.push(`${file.path}: retrieveInstanceFrames ${numbers.join(',')} failed: ${describeError(error)}`);
      }
    }
  }
  return problems;
}

/** searchForInstances by SOP Instance UID: how many the server holds. */
export async function countInstances(client: DicomWebClient, sopInstanceUid: string): Promise<number> {
  const found = await client.searchForInstances({ queryParams: { SOPInstanceUID: sopInstanceUid } });
  return Array.isArray(found) ? found.length : -1;
}

export async function countStudies(client: DicomWebClient, studyInstanceUid: string): Promise<number> {
  const found = await client.searchForStudies({ queryParams: { StudyInstanceUID: studyInstanceUid } });
  return Array.isArray(found) ? found.length : -1;
}

export { arrayBuffer, describeError };
