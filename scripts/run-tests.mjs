// Runs ava with TAP output, passes it through, and ends with the plain line CI reads:
// `N passed, N failed, N skipped`. Exits with ava's code, and non-zero when no test ran.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const args = ['ava', '--tap', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
let passed = 0;
let failed = 0;
let skipped = 0;
const lines = createInterface({ input: child.stdout });
lines.on('line', (line) => {
  process.stdout.write(line + '\n');
  if (/^not ok\b/.test(line)) {
    if (/#\s*TODO\b/i.test(line)) skipped++;
    else failed++;
  } else if (/^ok\b/.test(line)) {
    if (/#\s*(SKIP|TODO)\b/i.test(line)) skipped++;
    else passed++;
  }
});
child.on('close', (code) => {
  lines.close();
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (passed + failed === 0) process.exit(1);
  process.exit(code ?? (failed > 0 ? 1 : 0));
});
