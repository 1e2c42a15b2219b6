// The booking flow in the browser against the real booking API, push and mail (issue 5).
import test from 'ava';
import type { Page } from 'playwright-core';
import { startTestServer, request, type TestServer } from '../helpers/server.ts';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.ts';
import { launchBrowser, cspViolations, type TestBrowser } from '../helpers/browser.ts';
import { seedDemoIfEmpty } from '../../server/seed/load.ts';
import { seedDemoAccounts, demoPatientLogin } from '../../server/seed/accounts.ts';
import { seedDemoBooking } from '../../server/seed/booking.ts';
import { makeResidentId } from '../../server/identity/resident-id.ts';
import zhCN from '../../web/src/shared/i18n/zh-CN.ts';

const demoPassword = 'demo password for the web tests';

interface Choice { service: string; role: string; date: string; slot: string; free: number; doctorName: string }

let server: TestServer;
let smtp: TestSmtpServer;

test.before(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({ smtpUrl: smtp.url });
  await prepare(server);
});
test.after.always(async () => {
  await server?.stop();
  await smtp?.stop();
});

/** The demo hospital, its clinic templates, slots and bookings, and its log-ins. */
async function prepare(target: TestServer): Promise<void> {
  await seedDemoIfEmpty(target.app.engine, { timezone: 'Asia/Shanghai' });
  await seedDemoBooking(target.app.booking);
  await seedDemoAccounts(target.app.engine, target.app.auth.accounts, demoPassword);
}

async function json<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return await res.json() as T;
}

/** A doctor's time with at least `minFree` free places (other than those in `avoid`), found through the public API. */
async function findFreeTime(minFree: number, avoid: string[] = [], skipDepartments: string[] = []): Promise<Choice> {
  const departments = await json<{ id: string }[]>('/booking/departments');
  for (const department of departments.filter((d) => !skipDepartments.includes(d.id))) {
    const doctors = await json<{ role: string; name: string; nextFreeDate: string | null }[]>(`/booking/doctors?service=${department.id}`);
    for (const doctor of doctors) {
      if (!doctor.nextFreeDate) continue;
      const availability = await json<{ days: { date: string; times: { role: string; slot: string; free: number }[] }[] }>(
        `/booking/availability?service=${department.id}&from=${doctor.nextFreeDate}&to=${doctor.nextFreeDate}&role=${doctor.role}`);
      const time = availability.days.flatMap((d) => d.times).find((x) => x.role === doctor.role && x.free >= minFree && !avoid.includes(x.slot));
      if (time) return { service: department.id, role: doctor.role, date: doctor.nextFreeDate, slot: time.slot, free: time.free, doctorName: doctor.name };
    }
  }
  throw new Error(`no doctor has a time with ${minFree} free places in the demo data`);
}

/** Opens /book and goes to the doctor's day (the page opens the doctor's next free day by itself). */
async function openDay(page: Page, choice: Choice): Promise<void> {
  await page.goto(`${server.url}/book`);
  await page.locator(`[data-department="${choice.service}"]`).click();
  await page.locator(`[data-role="${choice.role}"]`).click();
  const day = page.locator(`[data-date="${choice.date}"]`);
  if (await day.getAttribute('aria-pressed') !== 'true') await day.click();
  await page.locator(`[data-slot="${choice.slot}"]`).waitFor();
}

async function chooseAndBook(page: Page, slot: string): Promise<void> {
  await page.locator(`[data-slot="${slot}"]`).click();
  await page.getByRole('button', { name: zhCN.book.book, exact: true }).click();
}

const countText = (free: number) => (free > 0 ? zhCN.book.remaining.replace('{count}', String(free)) : zhCN.book.full);

/** Departments the demo patient has booked in by these tests (one booking per department per day). */
const demoPatientDepartments: string[] = [];

test.serial('two pages on the same doctor\'s day: a booking on one shows on the other within 1 s, without reload', async (t) => {
  const choice = await findFreeTime(1, [], demoPatientDepartments);
  demoPatientDepartments.push(choice.service);
  const one: TestBrowser = await launchBrowser();
  const two: TestBrowser = await launchBrowser();
  try {
    const booker = await one.newPage();
    const watcher = await two.newPage();
    const violations = [...cspViolations(booker), ...cspViolations(watcher)];
    await openDay(booker, choice);
    await openDay(watcher, choice);
    const watched = watcher.locator(`[data-slot="${choice.slot}"]`);
    t.true((await watched.textContent())!.includes(countText(choice.free)));
    await watcher.evaluate(() => { (window as unknown as { stillHere: boolean }).stillHere = true; });

    await chooseAndBook(booker, choice.slot);
    await booker.getByLabel(zhCN.auth.login).fill(demoPatientLogin);
    await booker.getByLabel(zhCN.auth.password).fill(demoPassword);
    const booked = booker.waitForResponse((res) => res.url().endsWith('/fhir/Appointment/$book'));
    await booker.locator('form[name="sign-in"] button[type="submit"]').click();
    const answer = await booked;
    t.is(answer.status(), 201);
    const at = Date.now();

    // One place fewer: the count drops, or the time shows as full (disabled) when it was the last one.
    const expected = countText(choice.free - 1);
    await watcher.waitForFunction(({ slot, text }) => {
      const button = document.querySelector<HTMLButtonElement>(`[data-slot="${slot}"]`);
      return !button || button.disabled || button.textContent!.includes(text);
    }, { slot: choice.slot, text: expected }, { timeout: 1000 });
    t.true(Date.now() - at <= 1000, `${Date.now() - at} ms`);
    t.true(await watcher.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere === true), 'no reload');
    await booker.getByRole('heading', { name: zhCN.confirm.heading }).waitFor();
    t.deepEqual(violations, []);
  } finally {
    await one.close();
    await two.close();
  }
});

test.serial('a new patient signs up from the page, books, sees the confirmation and gets the confirmation e-mail', async (t) => {
  const choice = await findFreeTime(1);
  const email = 'new-patient@example.org';
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const violations = cspViolations(page);
    await openDay(page, choice);
    await chooseAndBook(page, choice.slot);
    await page.getByRole('button', { name: zhCN.auth.signUp, exact: true }).click();
    await page.getByLabel(zhCN.auth.email).fill(email);
    await page.getByRole('button', { name: zhCN.auth.sendCode }).click();
    const codeMail = await smtp.waitForMessage(email, 10_000);
    const code = /(?<!\d)\d{6}(?!\d)/.exec(codeMail.text)![0];
    await page.getByLabel(zhCN.auth.code).fill(code);
    await page.getByLabel(zhCN.auth.name).fill('林晓梅');
    await page.getByLabel(zhCN.auth.residentId).fill(makeResidentId('330106', '1990-05-01', 124));
    await page.getByLabel(zhCN.auth.newPassword).fill('plum blossom in the snow');
    await page.locator('form[name="sign-up"] button[type="submit"]').click();

    await page.getByRole('heading', { name: zhCN.confirm.heading }).waitFor({ timeout: 10_000 });
    const appointmentId = await page.locator('[data-appointment]').getAttribute('data-appointment');
    t.truthy(appointmentId);
    const queue = (await page.locator('.fact.queue dd').textContent())!.trim();
    t.regex(queue, /^\d+$/);
    t.true((await page.locator('.facts').textContent())!.includes(choice.doctorName));

    const stored = await request(server, 'GET', `Appointment/${appointmentId}`);
    t.is(stored.body.status, 'booked');

    const confirmation = await smtp.waitForMessage(email, 10_000);
    const ics = confirmation.attachments.find((a) => a.contentType.startsWith('text/calendar'));
    t.truthy(ics, 'the mail carries an .ics');
    t.true(ics!.content.includes('BEGIN:VCALENDAR'));
    t.true(ics!.content.includes('METHOD:REQUEST'));
    t.true(`${confirmation.subject}\n${confirmation.text}`.includes(queue), 'the mail names the queue number');

    // My appointments lists it, and cancels it.
    await page.getByRole('link', { name: zhCN.book.myAppointments }).click();
    const item = page.locator(`li[data-appointment="${appointmentId}"]`);
    await item.waitFor();
    await item.getByRole('button', { name: zhCN.mine.cancel }).click();
    await item.locator('button.danger').click();
    await page.getByText(zhCN.mine.cancelled).waitFor();
    t.is((await request(server, 'GET', `Appointment/${appointmentId}`)).body.status, 'cancelled');
    t.deepEqual(violations, []);
  } finally {
    await browser.close();
  }
});

test.serial('my appointments: the demo patient moves a booking to another time of the same doctor', async (t) => {
  const first = await findFreeTime(1, [], demoPatientDepartments);
  demoPatientDepartments.push(first.service);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const violations = cspViolations(page);
    await openDay(page, first);
    await chooseAndBook(page, first.slot);
    await page.getByLabel(zhCN.auth.login).fill(demoPatientLogin);
    await page.getByLabel(zhCN.auth.password).fill(demoPassword);
    await page.locator('form[name="sign-in"] button[type="submit"]').click();
    await page.getByRole('heading', { name: zhCN.confirm.heading }).waitFor();
    const appointmentId = (await page.locator('[data-appointment]').getAttribute('data-appointment'))!;

    await page.getByRole('link', { name: zhCN.book.myAppointments }).click();
    const item = page.locator(`li[data-appointment="${appointmentId}"]`);
    await item.getByRole('button', { name: zhCN.mine.reschedule }).click();
    await page.getByRole('heading', { name: zhCN.mine.rescheduleHeading }).waitFor();
    // Another free time of the same doctor, on any of the 14 days.
    const days = page.locator('[data-date]:not([disabled])');
    await days.first().waitFor();
    let target: string | null = null;
    for (let i = 0; i < await days.count() && !target; i++) {
      await days.nth(i).click();
      const free = page.locator('[data-slot]:not([disabled])');
      if (await free.count() > 0) {
        target = await free.first().getAttribute('data-slot');
        await free.first().click();
      }
    }
    t.truthy(target, 'the doctor has another free time');
    const moved = page.waitForResponse((res) => res.url().endsWith(`/fhir/Appointment/${appointmentId}/$reschedule`));
    await page.locator('.panel .actions button.primary').click();
    t.is((await moved).status(), 200);
    await page.getByText(zhCN.mine.rescheduled.split('{')[0]!).waitFor();
    const stored = await request(server, 'GET', `Appointment/${appointmentId}`);
    t.is(stored.body.status, 'booked');
    t.is(stored.body.slot?.[0]?.reference, `Slot/${target}`);
    t.deepEqual(violations, []);
  } finally {
    await browser.close();
  }
});
