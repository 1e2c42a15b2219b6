// STOW-RS (PS3.18 §10.5) against a real server: what is stored, what is refused and why, and that a
// refusal leaves nothing behind.
import test from 'ava';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';
import { fixture, multipartParts, stowBody, stowFiles, storableFixtures } from '../../helpers/stow.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function blobFiles(): Promise<string[]> {
  const root = server.app.imaging.store.blobs as unknown as { root: string };
  try {
    const entries = await readdir(root.root, { recursive: true });
    return entries.filter((e) => /[0-9a-f]{64}$/.test(e)).map((e) => join(root.root, e));
  } catch {
    return [];
  }
}

async function instanceCount(sop?: string): Promise<number> {
  const { rows } = await server.app.db.query<{ n: string }>(
    'SELECT count(*) AS n FROM dicom_instance WHERE $1::text IS NULL OR sop_instance_uid = $1', [sop ?? null]);
  return Number(rows[0].n);
}

test.serial('malformed files are refused with their reasons and nothing is stored', async (t) => {
  const refused = ['malformed/no_meta.dcm', 'malformed/MR_truncated.dcm', 'malformed/rtplan_truncated.dcm', 'malformed/meta_missing_tsyntax.dcm', 'other/HTJ2KLossless_08_RGB.dcm'];
  const { status, json } = await stowFiles(server, refused.map(fixture));
  t.is(status, 409);
  const failed = json['00081198'].Value!;
  t.is(failed.length, refused.length);
  t.deepEqual(failed.map((f) => f['00081197'].Value![0]), refused.map(() => 0xc000));
  t.deepEqual(failed.map((f) => f['00091001'].Value![0]), ['not-part10', 'truncated', 'truncated', 'no-transfer-syntax', 'missing-uid']);
  t.false('00081199' in json);
  t.is(await instanceCount(), 0);
  t.deepEqual(await blobFiles(), []);
});

test.serial('every storable fixture stores and is retrieved byte for byte', async (t) => {
  const firstOfInstance = new Map<string, string>();
  for (const f of storableFixtures) {
    const bytes = fixture(f.path);
    const { status, json } = await stowFiles(server, [bytes]);
    t.is(status, 200, f.path);
    t.is(json['00081199'].Value![0]['00081155'].Value![0], f.sopInstanceUID, f.path);
    if (!firstOfInstance.has(f.sopInstanceUID!)) firstOfInstance.set(f.sopInstanceUID!, sha(bytes));
  }
  t.is(await instanceCount(), firstOfInstance.size);
  for (const f of storableFixtures) {
    const url = `${server.url}/dicomweb/studies/${f.studyInstanceUID}/series/${f.seriesInstanceUID}/instances/${f.sopInstanceUID}`;
    const response = await server.fetch(url, { headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
    t.is(response.status, 200, f.path);
    const parts = multipartParts(Buffer.from(await response.arrayBuffer()), response.headers.get('content-type')!);
    t.is(parts.length, 1, f.path);
    // Re-encodings of one instance are one object: the first one sent is what is kept.
    t.is(sha(parts[0].body), firstOfInstance.get(f.sopInstanceUID!)!, f.path);
    t.regex(parts[0].headers['content-type'], /^application\/dicom; transfer-syntax=/);
  }
  const files = await blobFiles();
  t.is(files.length, firstOfInstance.size);
});

test.serial('sending the same instance again changes nothing', async (t) => {
  const bytes = fixture('ct/CT_small.dcm');
  const before = { rows: await instanceCount(), files: (await blobFiles()).length };
  const { status, json } = await stowFiles(server, [bytes, bytes]);
  t.is(status, 200);
  t.is(json['00081199'].Value!.length, 2);
  t.deepEqual({ rows: await instanceCount(), files: (await blobFiles()).length }, before);
});

test.serial('a request with good and bad instances stores the good ones and answers 202', async (t) => {
  const good = fixture('mr/MR_small.dcm');
  const { rows } = await server.app.db.query('DELETE FROM dicom_instance WHERE sop_instance_uid = $1 RETURNING blob_key', ['1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457']);
  t.is(rows.length, 1);
  const { status, json } = await stowFiles(server, [fixture('malformed/MR_truncated.dcm'), good]);
  t.is(status, 202);
  t.is(json['00081198'].Value!.length, 1);
  t.is(json['00081199'].Value!.length, 1);
  t.is(await instanceCount('1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457'), 1);
});

test.serial('an instance of another study than the request path names is refused', async (t) => {
  const { status, json } = await stowFiles(server, [fixture('mr/MR_small.dcm')], '/dicomweb/studies/1.2.3.4.5');
  t.is(status, 409);
  t.is(json['00081198'].Value![0]['00091001'].Value![0], 'study-mismatch');
  t.is(json['00081198'].Value![0]['00081197'].Value![0], 0xa900);
});

test('bodies that are not multipart/related DICOM, or cut short, are refused with 4xx', async (t) => {
  const post = (body: Buffer | string, contentType: string) =>
    server.fetch(`${server.url}/dicomweb/studies`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  t.is((await post('{}', 'application/json')).status, 415);
  t.is((await post('x', 'multipart/related; type="application/dicom+xml"; boundary=a')).status, 415);
  const { body, contentType } = stowBody([fixture('ct/CT_small.dcm')]);
  t.is((await post(body.subarray(0, body.length - 30000), contentType)).status, 400);
  t.is((await post(body, 'multipart/related; type="application/dicom"')).status, 400);
  t.is((await post(Buffer.alloc(0), contentType)).status, 400);
});

test('a body larger than DICOM_MAX_UPLOAD_BYTES is refused with 413', async (t) => {
  const small = await startTestServer({ dicomMaxUploadBytes: 10_000 });
  try {
    const { body, contentType } = stowBody([fixture('ct/CT_small.dcm')]);
    const response = await small.fetch(`${small.url}/dicomweb/studies`, { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) });
    t.is(response.status, 413);
    const { rows } = await small.app.db.query('SELECT 1 FROM dicom_instance');
    t.is(rows.length, 0);
  } finally {
    await small.stop();
  }
});

test('storing needs credentials and a role that may write images; the store is audited', async (t) => {
  const stowed = stowBody([fixture('mr/MR_small_RLE.dcm')]);
  const contentType = stowed.contentType;
  const body = new Uint8Array(stowed.body);
  const anonymous = await fetch(`${server.url}/dicomweb/studies`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  t.is(anonymous.status, 401);
  await createAccount(server, { login: 'stow-registrar', roles: ['registrar'] });
  const registrar = await logIn(server, 'stow-registrar');
  const refused = await fetch(`${server.url}/dicomweb/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${registrar}` }, body });
  t.is(refused.status, 403);
  await createAccount(server, { login: 'stow-radiologist', roles: ['radiologist'] });
  const radiologist = await logIn(server, 'stow-radiologist');
  const stored = await fetch(`${server.url}/dicomweb/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${radiologist}` }, body });
  t.is(stored.status, 200);
  await server.app.audit.flush();
  const { rows } = await server.app.db.query<{ resource: string }>(
    `SELECT content::text AS resource FROM fhir_resource WHERE resource_type = 'AuditEvent' AND content::text LIKE '%110104%' AND content::text LIKE '%stow-radiologist%'`);
  t.true(rows.length >= 1);
  t.regex(rows[0].resource, /"action":\s*"C"/);
});
