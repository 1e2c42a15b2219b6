import test from 'ava';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '../../../fhir/index.ts';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { patientWithLogin, staffWithLogin } from '../../helpers/booking.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';
import { runImport } from '../../../server/import/run.ts';
import { httpSink } from '../../../server/import/sinks.ts';

let server: TestServer;
const patients: string[] = [];
test.before(async () => {
  server = await startTestServer();
  const repo = server.app.engine.repo;
  for (let i = 0; i < 3; i++) {
    const id = `bulk-pat-${i}`;
    patients.push(id);
    await repo.update({ resourceType: 'Patient', id, name: [{ family: `导出${i}`, given: ['测试'] }], gender: 'male', birthDate: '1970-01-01' } as Resource);
    for (let j = 0; j < 4; j++) {
      await repo.create({
        resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${id}` },
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, valueQuantity: { value: 60 + j, unit: '/min' },
      } as Resource);
    }
    await repo.create({ resourceType: 'Condition', subject: { reference: `Patient/${id}` }, code: { text: `诊断${i}` } } as Resource);
  }
  await repo.update({ resourceType: 'Group', id: 'bulk-group', type: 'person', actual: true, member: [{ entity: { reference: 'Patient/bulk-pat-0' } }, { entity: { reference: 'Patient/bulk-pat-2' } }] } as Resource);
});
test.after.always(async () => { await server?.stop(); });

const async = { prefer: 'respond-async' };

async function kickOff(path: string, token?: string | null, headers: Record<string, string> = async) {
  return request(server, 'GET', path, { headers, ...(token !== undefined ? { token } : {}) });
}

/** Polls the status URL until the manifest (or a failure) comes back. */
async function manifestOf(location: string, token?: string): Promise<{ status: number; body: any; progressSeen: boolean }> {
  let progressSeen = false;
  for (let i = 0; i < 600; i++) {
    const res = await request(server, 'GET', location, token ? { token } : {});
    if (res.status !== 202) return { status: res.status, body: res.body, progressSeen };
    progressSeen ||= res.headers.get('x-progress') !== null;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('export did not finish');
}

async function ndjson(url: string, token?: string): Promise<{ status: number; type: string | null; resources: any[] }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token ?? server.token}` } });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), resources: res.ok ? text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [] };
}

async function dbIds(type: string): Promise<string[]> {
  return (await server.app.db.query<{ id: string }>('SELECT id FROM fhir_resource WHERE resource_type = $1 AND NOT deleted ORDER BY id', [type])).rows.map((r) => r.id);
}

test.serial('a system export runs asynchronously and its manifest lists one NDJSON file per type holding exactly what is stored', async (t) => {
  const kick = await kickOff('$export');
  t.is(kick.status, 202, kick.text);
  const location = kick.headers.get('content-location')!;
  t.regex(location, /\/fhir\/\$export-status\/[0-9a-f-]{36}$/);
  const { status, body } = await manifestOf(location);
  t.is(status, 200);
  t.true(body.requiresAccessToken);
  t.is(body.request, `${server.base}/$export`);
  t.truthy(Date.parse(body.transactionTime));
  t.deepEqual(body.error, []);
  const byType = new Map<string, any>(body.output.map((o: any) => [o.type, o]));
  for (const type of ['Patient', 'Observation', 'Condition', 'Group']) {
    const entry = byType.get(type);
    t.truthy(entry, `${type} is in the manifest`);
    const file = await ndjson(entry.url);
    t.is(file.status, 200);
    t.is(file.type, 'application/fhir+ndjson');
    const ids = file.resources.map((r) => r.id).sort();
    t.deepEqual(ids, await dbIds(type), `${type}: the file holds every stored resource once`);
    t.is(entry.count, ids.length);
    t.true(file.resources.every((r) => r.resourceType === type));
  }
});

test.serial('_type and _since narrow the export to the types named and to what changed after the instant', async (t) => {
  const since = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  const later = await server.app.engine.repo.create({
    resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/bulk-pat-1' }, code: { text: 'later' },
  } as Resource);
  const kick = await kickOff(`$export?_type=Observation,Condition&_since=${encodeURIComponent(since)}&_outputFormat=${encodeURIComponent('application/fhir+ndjson')}`);
  t.is(kick.status, 202, kick.text);
  const { body } = await manifestOf(kick.headers.get('content-location')!);
  t.deepEqual(body.output.map((o: any) => o.type), ['Observation'], 'no Condition changed since, so no Condition file');
  const file = await ndjson(body.output[0].url);
  t.deepEqual(file.resources.map((r) => r.id), [later.version.id]);
});

test.serial('kick-off refusals: no Prefer, another output format, unknown types and parameters; lenient handling names what it ignored', async (t) => {
  const noPrefer = await kickOff('$export', undefined, {});
  t.is(noPrefer.status, 400);
  t.is(noPrefer.body.resourceType, 'OperationOutcome');
  t.is((await kickOff('$export?_outputFormat=text/csv')).status, 400);
  t.is((await kickOff('$export?_type=NotAType')).status, 400);
  const unknown = await kickOff('$export?includeAssociatedData=LatestProvenanceResources');
  t.is(unknown.status, 400);
  t.regex(unknown.text, /includeAssociatedData/);
  t.is((await kickOff('$export?_since=yesterday')).status, 400);
  const lenient = await kickOff('$export?_type=Patient&madeUp=1', undefined, { prefer: 'respond-async, handling=lenient' });
  t.is(lenient.status, 202);
  t.regex(lenient.text, /madeUp/);
  await manifestOf(lenient.headers.get('content-location')!);
  t.is((await kickOff('$export', null)).status, 401);
  const doctor = await staffWithLogin(server, ['doctor']);
  t.is((await kickOff('$export', doctor)).status, 403, 'exporting the whole hospital is for system clients');
});

test.serial('_typeFilter narrows its type to what the same search finds (several queries ORed); other types export whole', async (t) => {
  const filter = encodeURIComponent('Observation?value-quantity=gt62');
  const kick = await kickOff(`$export?_type=Observation,Condition&_typeFilter=${filter}`);
  t.is(kick.status, 202, kick.text);
  const { body } = await manifestOf(kick.headers.get('content-location')!);
  const files = Object.fromEntries(await Promise.all(body.output.map(async (o: any) => [o.type, (await ndjson(o.url)).resources.map((r) => r.id).sort()])));
  const searched = await server.app.engine.repo.search('Observation', new URLSearchParams({ 'value-quantity': 'gt62', _count: '1000' }));
  t.deepEqual(files.Observation, searched.versions.map((v) => v.id).sort(), 'the file holds what the search finds');
  t.is(files.Observation.length, 3);
  t.deepEqual(files.Condition, await dbIds('Condition'));

  // Two queries for one type, comma-separated in one value and as two values: either may match.
  for (const query of [
    `_typeFilter=${encodeURIComponent('Observation?value-quantity=60,Observation?value-quantity=63')}`,
    `_typeFilter=${encodeURIComponent('Observation?value-quantity=60')}&_typeFilter=${encodeURIComponent('Observation?value-quantity=63')}`,
  ]) {
    const again = await kickOff(`$export?_type=Observation&${query}`);
    const manifest = (await manifestOf(again.headers.get('content-location')!)).body;
    const values = (await ndjson(manifest.output[0].url)).resources.map((r) => r.valueQuantity.value).sort();
    t.deepEqual(values, [60, 60, 60, 63, 63, 63], query);
  }

  // A patient's own export with a filter stays inside her record.
  await createAccount(server, { login: 'bulk-pat-1@example.org', kind: 'patient', patientId: 'bulk-pat-1' });
  const token = await logIn(server, 'bulk-pat-1@example.org');
  const own = await kickOff(`Patient/$export?_type=Observation&_typeFilter=${filter}`, token);
  t.is(own.status, 202, own.text);
  const ownManifest = (await manifestOf(own.headers.get('content-location')!, token)).body;
  const ownFile = await ndjson(ownManifest.output[0].url, token);
  t.deepEqual(ownFile.resources.map((r) => [r.subject.reference, r.valueQuantity.value]), [['Patient/bulk-pat-1', 63]]);
});

test.serial('_typeFilter refusals: not a search, a result parameter, an unknown parameter or type, a type outside _type', async (t) => {
  for (const [value, why] of [
    ['Observation', /Type\?parameter=value/],
    ['Observation?_count=5', /_count cannot narrow/],
    ['Observation?_sort=date', /_sort cannot narrow/],
    ['Observation?madeUp=1', /madeUp/],
    ['NotAType?status=final', /not a resource type/],
    ['Observation?', /no search parameter/],
  ] as const) {
    const res = await kickOff(`$export?_typeFilter=${encodeURIComponent(value)}`);
    t.is(res.status, 400, value);
    t.is(res.body.resourceType, 'OperationOutcome');
    t.deepEqual(res.body.issue[0].expression, ['_typeFilter'], value);
    t.regex(res.text, why, value);
  }
  const outside = await kickOff(`$export?_type=Condition&_typeFilter=${encodeURIComponent('Observation?status=final')}`);
  t.is(outside.status, 400);
  t.regex(outside.text, /does not include/);
  const before = Number((await server.app.db.query<{ n: string }>('SELECT count(*) AS n FROM bulk_export_job')).rows[0]!.n);
  await kickOff(`$export?_typeFilter=${encodeURIComponent('Observation?madeUp=1')}`);
  t.is(Number((await server.app.db.query<{ n: string }>('SELECT count(*) AS n FROM bulk_export_job')).rows[0]!.n), before, 'no job for a refused kick-off');
});

test.serial('the status and files belong to who asked: others get 404; DELETE cancels and removes the files', async (t) => {
  const kick = await kickOff('$export?_type=Patient');
  const location = kick.headers.get('content-location')!;
  const { body } = await manifestOf(location);
  const doctor = await staffWithLogin(server, ['doctor']);
  t.is((await request(server, 'GET', location, { token: doctor })).status, 404);
  t.is((await ndjson(body.output[0].url, doctor)).status, 404);
  const id = location.split('/').pop()!;
  const dir = join(server.app.bulkExport.jobDir(id));
  t.true(existsSync(dir));
  const cancel = await request(server, 'DELETE', location);
  t.is(cancel.status, 202);
  t.is((await request(server, 'GET', location)).status, 404);
  t.false(existsSync(dir), 'the files are gone');
  t.is((await ndjson(body.output[0].url)).status, 404);
  const audited = await server.app.db.query(`SELECT 1 FROM fhir_resource WHERE resource_type = 'AuditEvent' AND content->'type'->>'code' = '110106'`);
  await server.app.audit.flush();
  const after = await server.app.db.query(`SELECT content->>'outcomeDesc' AS d FROM fhir_resource WHERE resource_type = 'AuditEvent' AND content->'type'->>'code' = '110106'`);
  t.true(after.rows.length >= audited.rows.length && after.rows.some((r: any) => r.d === 'bulk export download Patient.ndjson'), 'kick-offs and downloads are audited');
});

test.serial('a patient exports only her own record; a Group export holds only its members\' records', async (t) => {
  const { patient, token } = await patientWithLogin(server);
  await server.app.engine.repo.create({ resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${patient}` }, code: { text: 'mine' } } as Resource);
  t.is((await kickOff('$export', token)).status, 403);
  const kick = await kickOff('Patient/$export', token);
  t.is(kick.status, 202, kick.text);
  const { body } = await manifestOf(kick.headers.get('content-location')!, token);
  for (const entry of body.output) {
    const file = await ndjson(entry.url, token);
    for (const r of file.resources) t.is(r.resourceType === 'Patient' ? r.id : r.subject?.reference ?? r.patient?.reference, r.resourceType === 'Patient' ? patient : `Patient/${patient}`);
  }
  t.deepEqual(body.output.map((o: any) => o.type).sort(), ['Observation', 'Patient']);

  const group = await kickOff('Group/bulk-group/$export?_type=Patient,Observation');
  const manifest = (await manifestOf(group.headers.get('content-location')!)).body;
  const files = await Promise.all(manifest.output.map((o: any) => ndjson(o.url)));
  const refs = files.flatMap((f) => f.resources.map((r: any) => (r.resourceType === 'Patient' ? r.id : r.subject.reference.slice('Patient/'.length))));
  t.deepEqual([...new Set(refs)].sort(), ['bulk-pat-0', 'bulk-pat-2']);
  t.is(files.flatMap((f) => f.resources).filter((r: any) => r.resourceType === 'Observation').length, 8);
  t.is((await kickOff('Group/no-such-group/$export')).status, 404);
});

test.serial('round trip: an export imported into an empty server gives the same resources', async (t) => {
  const kick = await kickOff('$export?_type=Patient,Observation,Condition,Group');
  const { body } = await manifestOf(kick.headers.get('content-location')!);
  const dir = await mkdtemp(join(tmpdir(), 'open-his-roundtrip-'));
  const second = await startTestServer();
  try {
    // References must resolve on the way in: patients first.
    const order = ['Patient', 'Group', 'Condition', 'Observation'];
    for (const type of order) {
      const entry = body.output.find((o: any) => o.type === type);
      const res = await fetch(entry.url, { headers: { authorization: `Bearer ${server.token}` } });
      await writeFile(join(dir, `${type}.ndjson`), await res.text());
    }
    for (const type of order) {
      const summary = await runImport([join(dir, `${type}.ndjson`)], httpSink(second.base, { authorization: `Bearer ${second.token}` }), { concurrency: 1 });
      t.deepEqual(summary.failures, [], type);
    }
    const strip = (r: any) => { const { meta, ...rest } = r; void meta; return rest; };
    for (const type of order) {
      const rows = async (s: TestServer) => (await s.app.db.query<{ id: string; content: any }>(
        'SELECT id, content FROM fhir_resource WHERE resource_type = $1 AND NOT deleted ORDER BY id', [type])).rows.map((r) => strip(r.content));
      t.deepEqual(await rows(second), await rows(server), `${type} is the same on both servers`);
    }
    t.deepEqual((await readdir(dir)).sort(), order.map((o) => `${o}.ndjson`).sort());
  } finally {
    await second.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
