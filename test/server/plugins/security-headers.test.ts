import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(async () => { await server?.stop(); });

const expected = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

test('FHIR answers, errors included, carry the security headers', async (t) => {
  for (const res of [await request(server, 'GET', 'metadata'), await request(server, 'GET', 'Patient/nobody'), await request(server, 'POST', 'Patient', { raw: '{', headers: { 'content-type': 'application/fhir+json' } })]) {
    for (const [name, value] of Object.entries(expected)) t.is(res.headers.get(name), value, `${res.status} ${name}`);
    t.is(res.headers.get('strict-transport-security'), null, 'no HSTS over plain http');
  }
});

test('unknown paths and health answers carry them too', async (t) => {
  for (const path of ['/nowhere', '/health/live']) {
    const res = await fetch(`${server.url}${path}`);
    t.is(res.headers.get('x-content-type-options'), 'nosniff', path);
  }
});

test('HSTS is sent when the public URL is https', async (t) => {
  const https = await startTestServer({ publicUrl: 'https://his.example.org' });
  try {
    const res = await fetch(`${https.url}/health/live`);
    t.is(res.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
  } finally {
    await https.stop();
  }
});

test('the page CSP frames blob: documents only and allows the registration slip\'s one stylesheet by its hash', async (t) => {
  const { pageCsp } = await import('../../../server/plugins/security-headers.ts');
  const { slipStyle, slipHtml } = await import('../../../server/booking/slip.ts');
  const { createHash } = await import('node:crypto');
  const directives = Object.fromEntries(pageCsp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
  t.deepEqual(directives['frame-src'], ['blob:']);
  t.deepEqual(directives['script-src'], ["'self'"], 'no script is allowed beyond the app\'s own');
  const hash = `'sha256-${createHash('sha256').update(slipStyle).digest('base64')}'`;
  t.deepEqual(directives['style-src'], ["'self'", hash]);
  t.false(pageCsp.includes('unsafe-inline'));
  // The slip's <style> is exactly the hashed text, whatever the appointment.
  const html = slipHtml({
    appointment: { resourceType: 'Appointment', id: 'a1', status: 'booked' },
    hospital: 'H', calendar: server.app.booking.calendar,
  });
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
  t.is(style, slipStyle);
  t.is(html.match(/<style/g)?.length, 1);
  t.false(/\sstyle=/.test(html), 'no style attributes (a hash does not cover them)');
});

test('the viewer pages\' CSP adds only what the DICOM codecs need: WebAssembly, eval in their worker, blob: workers, data: fetches', async (t) => {
  const { pageCsp, viewerPageCsp } = await import('../../../server/plugins/security-headers.ts');
  const parse = (csp: string) => Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  const page = parse(pageCsp);
  const viewer = parse(viewerPageCsp);
  t.deepEqual(viewer['script-src'], ["'self'", "'wasm-unsafe-eval'", "'unsafe-eval'"]);
  t.deepEqual(viewer['worker-src'], ["'self'", 'blob:']);
  t.deepEqual(viewer['connect-src'], [...page['connect-src']!, 'data:']);
  t.deepEqual(viewer['img-src'], [...page['img-src']!, 'blob:']);
  for (const name of ['default-src', 'style-src', 'frame-src', 'frame-ancestors', 'base-uri', 'form-action']) {
    t.deepEqual(viewer[name], page[name], name);
  }
  t.false(viewerPageCsp.includes('unsafe-inline'));
  // The strict page policy (the public booking page) allows none of it.
  t.deepEqual(page['script-src'], ["'self'"]);
  t.false('worker-src' in page);
});
