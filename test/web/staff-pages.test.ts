// The staff pages in Chromium against the real server: /admin/booking (templates, 停诊, rules) and
// /desk (find a patient, book for them, the day's list, check-in, the slip), the shared staff
// sign-in (roles, TOTP), and no CSP violation anywhere — the slip's blob: frame included. Each test
// has its own clinic, accounts and page, so they run side by side.
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import { startTestServer, request, type TestServer } from '../helpers/server.ts';
import { launchBrowser, cspViolations } from '../helpers/browser.ts';
import { createAccount, testPassword } from '../helpers/accounts.ts';
import { createClinic, createPatient, openAllDays, parametersFor, tomorrow } from '../helpers/booking.ts';
import { defaultWebDist } from '../../server/plugins/web.ts';
import { pageCsp } from '../../server/plugins/security-headers.ts';
import { QUEUE_NUMBER_EXTENSION } from '../../server/booking/slot-resource.ts';
import { generateTotpSecret, totpCode } from '../../server/auth/totp.ts';
import type { Role } from '../../server/auth/policy.ts';
import zhCN from '../../web/src/shared/i18n/zh-CN.ts';
import en from '../../web/src/shared/i18n/en.ts';

let server: TestServer;

test.before(async () => {
  if (!existsSync(`${defaultWebDist}/index.html`)) throw new Error('web/dist is missing: run npm run build:web (npm test does)');
  server = await startTestServer();
  await openAllDays(server);
});
test.after.always(async () => {
  await server?.stop();
});

async function staff(roles: Role[]): Promise<{ login: string; id: string }> {
  const login = `staff-${randomUUID().slice(0, 8)}`;
  return { login, id: await createAccount(server, { login, roles }) };
}

/**
 * A page in a browser of its own: a browser profile shares its cookies between pages, and a staff
 * session restored from another test's refresh cookie would skip this test's sign-in.
 */
async function openPage(t: ExecutionContext, path: string, viewport?: { width: number; height: number }): Promise<{ page: Page; violations: string[] }> {
  const own = await launchBrowser({ locale: 'zh-CN' });
  t.teardown(() => own.close());
  const page = await own.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const violations = cspViolations(page);
  await page.goto(`${server.url}${path}`);
  return { page, violations };
}

async function signIn(page: Page, login: string, password = testPassword): Promise<void> {
  const form = page.locator('form[name="staff-sign-in"]');
  await form.getByLabel(zhCN.staff.login).fill(login);
  await form.getByLabel(zhCN.staff.password).fill(password);
  await form.locator('button[type="submit"]').click();
}

async function chooseSchedule(page: Page, service: string, schedule: string): Promise<void> {
  const department = page.locator('select[name="department"]');
  await page.locator(`select[name="department"] option[value="${service}"]`).waitFor({ state: 'attached' });
  await department.selectOption(service);
  await page.locator(`select[name="doctor"] option[value="${schedule}"]`).waitFor({ state: 'attached' });
  await page.locator('select[name="doctor"]').selectOption(schedule);
}

const slotsOf = async (schedule: string, day: string) => (await server.app.db.query<{ slot_id: string; capacity: number; start: string }>(
  `SELECT slot_id, capacity, to_char(start_at AT TIME ZONE $3, 'HH24:MI') AS start FROM booking_slot
    WHERE schedule_id = $1 AND to_char(start_at AT TIME ZONE $3, 'YYYY-MM-DD') = $2 ORDER BY start_at`,
  [schedule, day, server.app.booking.calendar.timeZone])).rows;

test('/admin…, /desk… serve the app with the page CSP; the /admin API routes stay API routes', async (t) => {
  for (const path of ['/admin', '/admin/booking', '/desk', '/desk/today']) {
    const res = await fetch(`${server.url}${path}`);
    t.is(res.status, 200, path);
    t.regex(res.headers.get('content-type') ?? '', /^text\/html/, path);
    t.is(res.headers.get('content-security-policy'), pageCsp, path);
  }
  const api = await fetch(`${server.url}/admin/accounts`);
  t.is(api.status, 401);
  t.regex(api.headers.get('content-type') ?? '', /json/);
});

test('the staff sign-in: wrong password, a registrar on the admin page, a patient, and the TOTP step', async (t) => {
  const { page, violations } = await openPage(t, '/admin');
  try {
    await page.waitForURL(/\/admin\/booking$/);
    const registrar = await staff(['registrar']);
    await signIn(page, registrar.login, 'not the password');
    await page.getByRole('alert').filter({ hasText: zhCN.errors['invalid-credentials'] }).waitFor();
    await signIn(page, registrar.login);
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor();
    t.true((await refusal.textContent())!.includes(zhCN.staff.roleAdmin));
    await page.getByRole('button', { name: zhCN.staff.signOut }).click();

    const patient = await createPatient(server);
    const patientLogin = `${patient}@example.org`;
    await createAccount(server, { login: patientLogin, kind: 'patient', patientId: patient });
    await signIn(page, patientLogin);
    await page.getByTestId('refusal').filter({ hasText: zhCN.staff.notStaff }).waitFor();
    await page.getByRole('button', { name: zhCN.staff.signOut }).click();

    const administrator = await staff(['admin']);
    const secret = generateTotpSecret();
    await server.app.auth.accounts.setTotp(administrator.id, { secret, pending: null, lastStep: null });
    await signIn(page, administrator.login);
    const code = page.getByLabel(zhCN.staff.totp);
    await code.waitFor();
    await code.fill(totpCode(secret, Date.now()));
    await page.locator('form[name="staff-sign-in"] button[type="submit"]').click();
    await page.getByRole('button', { name: zhCN.admin.tabTemplates }).waitFor();
    t.deepEqual(violations, []);
  } finally {
    await page.close();
  }
});

test('an administrator edits a doctor\'s weekly template: the server\'s refusal is shown, then the slots change', async (t) => {
  const clinic = await createClinic(server, { capacity: 1, slotMinutes: 30, start: '08:00', end: '12:00' });
  const day = tomorrow(server);
  t.is((await slotsOf(clinic.schedules[0]!, day)).length, 8);
  const administrator = await staff(['admin']);
  const { page, violations } = await openPage(t, '/admin/booking');
  try {
    await signIn(page, administrator.login);
    await chooseSchedule(page, clinic.service, clinic.schedules[0]!);
    const session = page.locator('fieldset[data-session="0"]');
    await session.waitFor();
    t.is(await session.locator('input[name="slotMinutes"]').inputValue(), '30');

    await session.locator('input[name="end"]').fill('07:00');
    await page.getByRole('button', { name: zhCN.admin.save, exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'end must be after start' }).waitFor();
    t.is((await slotsOf(clinic.schedules[0]!, day)).length, 8, 'nothing changed');

    await session.locator('input[name="end"]').fill('12:00');
    await session.locator('input[name="slotMinutes"]').fill('60');
    await session.locator('input[name="capacity"]').fill('3');
    await page.getByRole('button', { name: zhCN.admin.save, exact: true }).click();
    const status = page.getByRole('status').filter({ hasText: '已保存' });
    await status.waitFor();
    t.regex((await status.textContent())!, /新增 \d+，更新 \d+，删除 \d+/);

    const slots = await slotsOf(clinic.schedules[0]!, day);
    t.deepEqual(slots.map((s) => s.start), ['08:00', '09:00', '10:00', '11:00']);
    t.true(slots.every((s) => s.capacity === 3));
    const template = await request(server, 'GET', `/booking/templates/${clinic.schedules[0]}`);
    t.like(template.body.sessions[0], { slotMinutes: 60, capacity: 3, start: '08:00', end: '12:00' });
    t.deepEqual(violations, []);
  } finally {
    await page.close();
  }
});

test('an administrator closes a doctor\'s day (停诊): the booked appointment is cancelled; reopening lists it no more', async (t) => {
  const clinic = await createClinic(server, { capacity: 1 });
  const day = tomorrow(server);
  const slot = (await slotsOf(clinic.schedules[0]!, day))[0]!.slot_id;
  const patient = await createPatient(server);
  const booked = await request(server, 'POST', 'Appointment/$book', { body: parametersFor({ slot: `Slot/${slot}`, patient: `Patient/${patient}` }) });
  t.is(booked.status, 201, booked.text);
  const administrator = await staff(['admin']);
  const { page, violations } = await openPage(t, '/admin/booking', { width: 390, height: 844 });
  try {
    await signIn(page, administrator.login);
    await page.getByRole('button', { name: zhCN.admin.tabClosures }).click();
    await chooseSchedule(page, clinic.service, clinic.schedules[0]!);
    const form = page.locator('form[name="closure"]');
    await form.getByLabel(zhCN.admin.day).fill(day);
    await form.getByLabel(zhCN.admin.period).selectOption('day');
    await form.getByLabel(zhCN.admin.reason).fill('外出会诊');
    await form.getByRole('button', { name: zhCN.admin.close }).click();
    const status = page.getByRole('status').filter({ hasText: '已停诊' });
    await status.waitFor();
    t.true((await status.textContent())!.includes('1 个预约已取消'));
    const appointment = await request(server, 'GET', `Appointment/${booked.body.id}`);
    t.is(appointment.body.status, 'cancelled');

    const listed = page.locator('li.closure');
    await listed.filter({ hasText: '外出会诊' }).waitFor();
    t.is(await listed.count(), 1);
    await listed.getByRole('button', { name: zhCN.admin.reopen }).click();
    await page.getByRole('status').filter({ hasText: zhCN.admin.reopened }).waitFor();
    await page.getByText(zhCN.admin.noClosures).waitFor();
    t.is((await server.app.db.query('SELECT 1 FROM booking_closure WHERE schedule_id = $1', [clinic.schedules[0]])).rows.length, 0);
    t.deepEqual(violations, []);
  } finally {
    await page.close();
  }
});

test('an administrator changes the booking rules; a value the server refuses shows its message (in English)', async (t) => {
  const administrator = await staff(['admin']);
  const { page, violations } = await openPage(t, '/admin/booking');
  try {
    await page.getByRole('button', { name: en.app.languageName }).click();
    await page.locator('form[name="staff-sign-in"]').getByLabel(en.staff.login).fill(administrator.login);
    await page.locator('form[name="staff-sign-in"]').getByLabel(en.staff.password).fill(testPassword);
    await page.locator('form[name="staff-sign-in"] button[type="submit"]').click();
    await page.getByRole('button', { name: en.admin.tabRules }).click();
    const form = page.locator('form[name="rules"]');
    const holdMinutes = form.getByLabel(en.admin.holdMinutes);
    await holdMinutes.waitFor();
    t.is(await holdMinutes.inputValue(), String(server.app.booking.settings.holdMinutes));
    await holdMinutes.fill('500');
    await form.getByRole('button', { name: en.admin.save, exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'holdMinutes' }).waitFor();
    await holdMinutes.fill('7');
    await form.getByRole('button', { name: en.admin.save, exact: true }).click();
    await page.getByRole('status').filter({ hasText: en.admin.rulesSaved }).waitFor();
    t.is(server.app.booking.settings.holdMinutes, 7);
    t.is(server.app.booking.settings.releaseTime, '00:00', 'the other rules are kept');
    t.deepEqual(violations, []);
  } finally {
    await page.close();
  }
});

test('the desk finds a patient by resident ID, books tomorrow for them, checks in today\'s appointment and shows its slip', async (t) => {
  const clinic = await createClinic(server, { capacity: 2 });
  const cal = server.app.booking.calendar;
  const today = cal.dateOf(new Date());
  const day = tomorrow(server);
  const patient = await createPatient(server);
  const patientResource = (await request(server, 'GET', `Patient/${patient}`)).body;
  const residentId: string = patientResource.identifier[0].value;
  const patientName: string = patientResource.name[0].text;

  // Today's appointment, on a slot of a schedule kept by hand (regeneration leaves it alone).
  const start = cal.instant(today, '00:00');
  const schedule = `manual-${clinic.schedules[0]}`;
  const actors = [{ reference: `PractitionerRole/${clinic.roles[0]}` }, { reference: `HealthcareService/${clinic.service}` }];
  t.is((await request(server, 'PUT', `Schedule/${schedule}`, { body: { resourceType: 'Schedule', id: schedule, actor: actors } })).status, 201);
  const slotId = `today-${clinic.schedules[0]}`;
  await request(server, 'PUT', `Slot/${slotId}`, { body: {
    resourceType: 'Slot', id: slotId, schedule: { reference: `Schedule/${schedule}` }, status: 'free',
    start: cal.format(start), end: cal.format(new Date(start.getTime() + 60_000)),
  } });
  const other = await createPatient(server);
  const todays = await request(server, 'POST', 'Appointment', { body: {
    resourceType: 'Appointment', status: 'booked', start: cal.format(start), end: cal.format(new Date(start.getTime() + 60_000)),
    extension: [{ url: QUEUE_NUMBER_EXTENSION, valuePositiveInt: 7 }],
    slot: [{ reference: `Slot/${slotId}` }],
    participant: [
      { actor: { reference: `Patient/${other}`, display: '李四' }, status: 'accepted' },
      { actor: actors[0], status: 'accepted' },
      { actor: actors[1], status: 'accepted' },
    ],
  } });
  t.is(todays.status, 201, todays.text);

  const registrar = await staff(['registrar']);
  const { page, violations } = await openPage(t, '/desk', { width: 390, height: 844 });
  try {
    await signIn(page, registrar.login);
    const find = page.locator('form[name="find-patient"]');
    await find.getByLabel(zhCN.desk.patientQuery).fill(residentId);
    await find.getByRole('button', { name: zhCN.desk.search }).click();
    await page.locator(`[data-patient="${patient}"]`).getByRole('button').click();
    await page.getByRole('heading', { name: zhCN.desk.chosenPatient.replace('{name}', patientName) }).waitFor();

    await page.locator('select[name="department"]').selectOption(clinic.service);
    await page.locator(`[data-role="${clinic.roles[0]}"]`).click();
    await page.locator(`[data-date="${day}"]`).click();
    const time = page.locator('button.time:not([disabled])').first();
    await time.waitFor();
    const chosenSlot = await time.getAttribute('data-slot');
    await time.click();
    const bookedAnswer = page.waitForResponse((res) => res.url().endsWith('/fhir/Appointment/$book'));
    await page.getByRole('button', { name: zhCN.desk.bookFor.replace('{name}', patientName) }).click();
    t.is((await bookedAnswer).status(), 201);
    await page.getByRole('status').filter({ hasText: '挂号成功' }).waitFor();
    const mine = await request(server, 'GET', `Appointment?patient=Patient/${patient}`);
    t.is(mine.body.entry.length, 1);
    t.is(mine.body.entry[0].resource.status, 'booked');
    t.is(mine.body.entry[0].resource.slot[0].reference, `Slot/${chosenSlot}`);
    t.is(mine.body.entry[0].resource.start.slice(0, 10), day);

    const row = page.locator(`[data-appointment="${todays.body.id}"]`);
    await row.waitFor();
    t.true((await row.textContent())!.includes('7 号'));
    await row.getByRole('button', { name: `${zhCN.desk.checkIn} 李四` }).click();
    await row.getByText(zhCN.mine.status.arrived).waitFor();
    t.is((await request(server, 'GET', `Appointment/${todays.body.id}`)).body.status, 'arrived');

    await row.getByRole('button', { name: `${zhCN.desk.slip} 李四` }).click();
    const frame = page.frameLocator(`iframe.slip-frame[data-appointment="${todays.body.id}"]`);
    await frame.locator('.number').filter({ hasText: '7 号' }).waitFor();
    t.true((await frame.locator('table').textContent())!.includes('arrived'));
    const number = frame.locator('.number');
    t.is(await number.evaluate((el) => getComputedStyle(el).fontSize), '40px', 'the slip\'s own stylesheet applies (allowed by its hash)');
    t.deepEqual(violations, []);
  } finally {
    await page.close();
  }
});
