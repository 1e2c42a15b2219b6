import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The dependency direction of the project: the web app shares two things with the server, the push
// event maps of /booking and /wards, as types — no server module may end up in the browser bundle.
const webSrc = fileURLToPath(new URL('../../web/src/', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...await sources(path));
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(path);
  }
  return out;
}

test('the web app imports nothing from server, fhir or imaging but the push event maps, as types', async (t) => {
  const offending: string[] = [];
  const files = await sources(webSrc);
  t.true(files.length > 5);
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const statements = text.match(/^(?:import|export)\s[^;]*?from\s+['"][^'"]+['"]/gms) ?? [];
    for (const s of statements) {
      const target = /from\s+['"]([^'"]+)['"]/.exec(s)![1]!;
      if (!/(^|\/)(server|fhir|imaging)\//.test(target)) continue;
      const typesOnly = /^(import|export)\s+type\s/.test(s);
      if (!typesOnly || !/(^|\/)server\/(push|emr)\/events\.ts$/.test(target)) offending.push(`${file}: ${s.replace(/\s+/g, ' ')}`);
    }
  }
  t.deepEqual(offending, []);
});
