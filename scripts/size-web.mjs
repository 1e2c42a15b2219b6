// Gzipped size of each file of web/dist (what a browser downloads), and the JS total; run after
// `npm run build:web`. The public booking page loads every chunk but those of future areas.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../web/dist/', import.meta.url).pathname;
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(path);
  }
})(dist);

let js = 0;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const path of files.sort()) {
  const raw = readFileSync(path);
  const gz = gzipSync(raw, { level: 9 }).length;
  if (path.endsWith('.js')) js += gz;
  console.log(`${relative(dist, path).padEnd(44)} ${kb(raw.length).padStart(10)} ${kb(gz).padStart(10)} gzipped`);
}
console.log(`JS total ${kb(js)} gzipped (budget of the /book page: 150 KB)`);
