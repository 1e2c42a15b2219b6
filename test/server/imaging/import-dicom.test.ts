// npm run import:dicom: a folder of files stored through the running server, or into the embedded
// database when none answers; refused files listed with reasons and a non-zero exit.
import test from 'ava';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../../helpers/server.ts';
import { dicomFixtures } from '../../helpers/stow.ts';
import { openDatabase } from '../../../fhir/index.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = join(root, 'scripts/import-dicom.ts');

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'open-his-import-dicom-'));
  await mkdir(join(dir, 'series'));
  for (const f of ['ct/series-77654033-CT2/pcir_77654033_CT2_17106.dcm', 'ct/series-77654033-CT2/pcir_77654033_CT2_17136.dcm', 'mr/MR_small.dcm']) {
    await cp(new URL(f, dicomFixtures), join(dir, 'series', f.split('/').pop()!));
  }
  await cp(new URL('malformed/MR_truncated.dcm', dicomFixtures), join(dir, 'broken.dcm'));
  await writeFile(join(dir, 'README.txt'), 'not DICOM, skipped');
  return dir;
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

test('a folder goes through the running server; the truncated file is refused with its reason', async (t) => {
  const server = await startTestServer();
  const dir = await folder();
  try {
    const { code, stderr } = await cli([dir, '--url', server.url, '--token', server.token], {});
    t.is(code, 1);
    t.regex(stderr, /3 of 4 files stored/);
    t.regex(stderr, /REFUSED .*broken\.dcm: The file ends inside a data element/);
    t.notRegex(stderr, /README/);
    const { rows } = await server.app.db.query<{ n: string }>('SELECT count(*) AS n FROM dicom_instance');
    t.is(Number(rows[0].n), 3);
    await server.app.imaging.store.idle();
    const studies = await server.fetch(`${server.base}/ImagingStudy`).then((r) => r.json()) as { total?: number; entry?: unknown[] };
    t.is(studies.entry?.length, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await server.stop();
  }
});

test('with no server running, files go into the embedded database and DICOM_DIR', async (t) => {
  const dir = await folder();
  const data = await mkdtemp(join(tmpdir(), 'open-his-import-dicom-data-'));
  try {
    const { code, stderr } = await cli([join(dir, 'series')], { DATA_DIR: data, DATABASE_URL: '', PORT: '1' });
    t.is(code, 0, stderr);
    t.regex(stderr, /embedded database/);
    const db = await openDatabase({ dataDir: data });
    try {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM dicom_instance');
      t.is(Number(rows[0].n), 3);
      const imaging = await db.query<{ n: string }>(`SELECT count(*) AS n FROM fhir_resource WHERE resource_type = 'ImagingStudy'`);
      t.is(Number(imaging.rows[0].n), 2);
    } finally {
      await db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
  }
});
