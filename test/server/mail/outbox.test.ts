import test from 'ava';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { bookingNoticeMail, type BookingNotice } from '../../../server/mail/booking-notices.ts';
import { createOutbox, decodeEncodedWords } from '../../../server/mail/outbox.ts';
import { createMailer } from '../../../server/mail/transport.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
let outboxDir: string;
let admin: string;
let doctor: string;

test.before(async () => {
  outboxDir = await mkdtemp(join(tmpdir(), 'open-his-outbox-test-'));
  server = await startTestServer({ smtpUrl: undefined, mailOutboxDir: join(outboxDir, 'outbox') });
  await createAccount(server, { login: 'outbox-admin', roles: ['admin'] });
  await createAccount(server, { login: 'outbox-doctor', roles: ['doctor'], practitionerId: 'outbox-doc' });
  admin = await logIn(server, 'outbox-admin');
  doctor = await logIn(server, 'outbox-doctor');
});
test.after.always(async () => {
  await server?.stop();
  await rm(outboxDir, { recursive: true, force: true });
});

const notice: BookingNotice = {
  kind: 'confirmation', to: 'Zhao.Lei@example.org', language: 'zh-CN', appointmentId: 'appt-outbox-1', patientName: '赵磊',
  department: { zh: '外科', en: 'Surgery' }, doctor: { name: '王芳', title: { zh: '副主任医师', en: 'Associate Chief Physician' } },
  start: '2026-12-04T09:00:00+08:00', end: '2026-12-04T09:15:00+08:00', queueNumber: 12,
};

function get(path: string, token: string | null): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

test.serial('with no SMTP_URL a sent notice is kept as an .eml in the outbox and listed for administrators', async (t) => {
  const mail = bookingNoticeMail(notice, { organizer: 'Open HIS <no-reply@open-his.invalid>', timeZone: 'Asia/Shanghai' });
  await server.app.mailer.send(mail);

  const files = await readdir(join(outboxDir, 'outbox'));
  t.is(files.length, 1);
  t.regex(files[0]!, /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-[0-9a-f]{12}\.eml$/);
  const raw = await readFile(join(outboxDir, 'outbox', files[0]!), 'utf8');
  t.regex(raw, /^To: Zhao\.Lei@example\.org\r$/m);
  t.regex(raw, /^Auto-Submitted: auto-generated\r$/m);
  t.regex(raw, /Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
  t.false(/[^\r]\n/.test(raw), 'CRLF line ends, as on the wire');

  const listed = await get('/dev/outbox', admin);
  t.is(listed.status, 200);
  const entries = await listed.json() as { file: string; date: string; to: string; subject: string }[];
  t.is(entries.length, 1);
  t.is(entries[0]!.file, files[0]);
  t.is(entries[0]!.to, 'Zhao.Lei@example.org');
  t.is(entries[0]!.subject, mail.subject);
  t.true(Math.abs(Date.parse(entries[0]!.date) - Date.now()) < 60_000);

  const download = await get(`/dev/outbox/${files[0]}`, admin);
  t.is(download.status, 200);
  t.is(download.headers.get('content-type'), 'message/rfc822');
  t.is(download.headers.get('content-disposition'), `attachment; filename="${files[0]}"`);
  t.is(await download.text(), raw);
});

test.serial('a one-time code sent without SMTP is kept in the outbox too', async (t) => {
  const res = await fetch(`${server.url}/auth/signup/code`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'new.patient@example.org' }),
  });
  t.true(res.status < 300, `code request answered ${res.status}`);
  const entries = await (await get('/dev/outbox', admin)).json() as { to: string; subject: string }[];
  t.is(entries.length, 2);
  t.is(entries[0]!.to, 'new.patient@example.org', 'newest first');
});

test('the outbox is for administrators only', async (t) => {
  t.is((await get('/dev/outbox', doctor)).status, 403);
  t.true([401, 403].includes((await get('/dev/outbox', null)).status));
  const files = await readdir(join(outboxDir, 'outbox')).catch(() => [] as string[]);
  const name = files[0] ?? '2026-12-02T10-00-00.000Z-000000000000.eml';
  t.is((await get(`/dev/outbox/${name}`, doctor)).status, 403);
});

test('a file name that is not an outbox name is refused, however it is encoded', async (t) => {
  await writeFile(join(outboxDir, 'secret.txt'), 'not mail');
  for (const path of ['..%2F..%2Fetc%2Fpasswd', '..%2Fsecret.txt', '%2E%2E%2Fsecret.txt', '..', 'secret.txt',
    '2026-12-02T10-00-00.000Z-000000000000.eml%00.txt', '..%5C..%5Cwindows%5Cwin.ini']) {
    const res = await get(`/dev/outbox/${path}`, admin);
    t.true(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
    t.false((await res.text()).includes('not mail'));
  }
  t.is((await get('/dev/outbox/2026-12-02T10-00-00.000Z-000000000000.eml', admin)).status, 404);
});

test('the outbox keeps only the newest messages', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'open-his-outbox-keep-'));
  try {
    const mailer = createMailer({ from: 'Open HIS <no-reply@open-his.invalid>', outbox: createOutbox(dir, { keep: 3 }), log: pino({ level: 'silent' }) });
    for (let i = 1; i <= 5; i++) {
      await mailer.send({ to: `p${i}@example.org`, subject: `消息 ${i}`, text: 'x' });
    }
    mailer.close();
    const entries = await createOutbox(dir).list();
    t.deepEqual(entries.map((e) => e.to), ['p5@example.org', 'p4@example.org', 'p3@example.org']);
    t.deepEqual(entries.map((e) => e.subject), ['消息 5', '消息 4', '消息 3']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('encoded words in headers read back as text, split characters included', (t) => {
  t.is(decodeEncodedWords('=?UTF-8?B?5Lit?= =?UTF-8?B?5paH?= text'), '中文 text');
  t.is(decodeEncodedWords('=?UTF-8?Q?caf=C3=A9_au_lait?='), 'café au lait');
  // 中 is E4 B8 AD: its bytes split over two words still make one character.
  t.is(decodeEncodedWords('=?UTF-8?Q?=E4=B8?= =?UTF-8?Q?=AD?='), '中');
  t.is(decodeEncodedWords('plain'), 'plain');
});

test('a server with an SMTP server has no outbox routes', async (t) => {
  const withSmtp = await startTestServer({ smtpUrl: 'smtp://127.0.0.1:9' });
  try {
    // The system token passes the administrator check: a 404 means there is no route at all.
    t.is((await fetch(`${withSmtp.url}/dev/outbox`, { headers: { authorization: `Bearer ${withSmtp.token}` } })).status, 404);
  } finally {
    await withSmtp.stop();
  }
});
