// Gzipped size of each file of web/dist (what a browser downloads), the JS total, and the JS each
// area loads — from the chunk graph Vite writes (dist/.vite/manifest.json): the shell's chunks plus
// the area's lazily loaded chunk and what it imports. Run after `npm run build:web`. The budget is
// the public /book page's; the staff pages (/admin/booking, /desk, /radiology, /emr) and the image
// viewer (cornerstone and its codecs, loaded when a study opens) are lazy chunks it never loads.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../web/dist/', import.meta.url).pathname;
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === '.vite') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(path);
  }
})(dist);

const gzipped = new Map();
let js = 0;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const path of files.sort()) {
  const raw = readFileSync(path);
  const gz = gzipSync(raw, { level: 9 }).length;
  gzipped.set(relative(dist, path), gz);
  if (path.endsWith('.js')) js += gz;
  console.log(`${relative(dist, path).padEnd(44)} ${kb(raw.length).padStart(10)} ${kb(gz).padStart(10)} gzipped`);
}
console.log(`JS total ${kb(js)} gzipped (all areas)`);

const manifestPath = join(dist, '.vite/manifest.json');
if (existsSync(manifestPath)) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  /** The chunk files a key loads at once: itself and its static imports, transitively. */
  const closure = (key, out = new Set()) => {
    const chunk = manifest[key];
    if (!chunk || out.has(chunk.file)) return out;
    out.add(chunk.file);
    for (const next of chunk.imports ?? []) closure(next, out);
    return out;
  };
  const shell = closure('index.html');
  const areas = {
    '/book': 'src/book/BookPage.tsx', '/admin/booking': 'src/admin/AdminBookingPage.tsx', '/desk': 'src/desk/DeskPage.tsx',
    '/radiology': 'src/radiology/RadiologyPage.tsx', '/emr/imaging': 'src/emr/ImagingPage.tsx',
    '/radiology/studies/… (viewer, lazy)': 'src/radiology/viewer/ViewerPage.tsx',
  };
  for (const [page, key] of Object.entries(areas)) {
    if (!manifest[key]) continue;
    const chunks = closure(key, new Set(shell));
    const total = [...chunks].reduce((sum, file) => sum + (gzipped.get(file) ?? 0), 0);
    const budget = page === '/book' ? ' (budget: 150 KB)' : '';
    console.log(`${page} page JS ${kb(total)} gzipped${budget}: ${[...chunks].join(', ')}`);
    if (page === '/book' && total > 150 * 1024) process.exitCode = 1;
  }
}
