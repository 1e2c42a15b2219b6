import test from 'ava';
import pino from 'pino';
import { createMailer, MailNotSentError, redactAddress } from '../../../server/mail/transport.ts';
import { oneTimeCodeMail } from '../../../server/mail/templates.ts';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.ts';

let smtp: TestSmtpServer;
test.before(async () => { smtp = await startSmtpServer(); });
test.after.always(async () => { await smtp?.stop(); });

function memoryLogger(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino({ level: 'trace' }, { write: (line: string) => { lines.push(line); } }), lines };
}

const from = 'Open HIS <no-reply@his.example.org>';

test('a one-time code mail sent through SMTP arrives with its subject and code', async (t) => {
  const { log, lines } = memoryLogger();
  const mailer = createMailer({ smtpUrl: smtp.url, from, log });
  try {
    const mail = oneTimeCodeMail({ code: '042917', purpose: 'sign-up', locale: 'zh-CN', minutesValid: 10 });
    await mailer.send({ to: 'Patient.One@example.org', ...mail });
    const received = await smtp.waitForMessage('patient.one@example.org');
    t.is(received.subject, '【Open HIS】注册验证码');
    t.true(received.text.includes('【Open HIS】您的验证码是 042917，10 分钟内有效。请勿告诉他人。'));
    t.true(received.html!.includes('042917'));
    t.is(received.from, 'no-reply@his.example.org');
    t.is(received.headers['auto-submitted'], 'auto-generated');
    t.is(smtp.lastCodeFor('patient.one@example.org'), '042917');
    const logged = lines.join('');
    t.true(logged.includes('P***@example.org'));
    t.false(logged.includes('042917'));
    t.false(logged.includes('Patient.One'));
  } finally {
    mailer.close();
  }
});

test('several mails through one mailer arrive in order, each to its recipient', async (t) => {
  const mailer = createMailer({ smtpUrl: smtp.url, from, log: memoryLogger().log });
  try {
    for (const code of ['111222', '333444']) {
      await mailer.send({ to: 'nurse.zhou@example.org', ...oneTimeCodeMail({ code, purpose: 'log-in', locale: 'en', minutesValid: 5 }) });
    }
    await mailer.send({ to: 'dr.chen@example.org', subject: 'Ward round', text: 'Bed 12 first.' });
    t.regex((await smtp.waitForMessage('nurse.zhou@example.org')).text, /111222/);
    const second = await smtp.waitForMessage('nurse.zhou@example.org');
    t.is(second.subject, 'Open HIS log-in code');
    t.regex(second.text, /Your Open HIS verification code is 333444\. It is valid for 5 minutes\./);
    t.is((await smtp.waitForMessage('dr.chen@example.org')).text.trim(), 'Bed 12 first.');
    t.is(smtp.lastCodeFor('nurse.zhou@example.org'), '333444');
  } finally {
    mailer.close();
  }
});

test('without an SMTP URL nothing is delivered and the log holds neither the code nor the address', async (t) => {
  const { log, lines } = memoryLogger();
  const mailer = createMailer({ from, log });
  const before = smtp.messages.length;
  const mail = oneTimeCodeMail({ code: '907313', purpose: 'password-reset', locale: 'en', minutesValid: 15 });
  await mailer.send({ to: 'patient.two@example.org', ...mail });
  mailer.close();
  t.is(smtp.messages.length, before);
  const logged = lines.join('');
  t.false(logged.includes('907313'), 'no code in the log');
  t.false(logged.includes('patient.two'), 'no full address in the log');
  t.false(logged.includes(mail.subject), 'no subject in the log');
  const entry = JSON.parse(lines[0]!);
  t.is(entry.level, 40);
  t.is(entry.mail.to, 'p***@example.org');
  t.regex(entry.msg, /not delivered: SMTP_URL is unset/);
});

test('a mail the SMTP server cannot take rejects with an error that names no address or code', async (t) => {
  const closed = await startSmtpServer();
  await closed.stop();
  const { log, lines } = memoryLogger();
  const mailer = createMailer({ smtpUrl: closed.url, from, log });
  try {
    const error = await t.throwsAsync(mailer.send({ to: 'patient.three@example.org', ...oneTimeCodeMail({ code: '555123', purpose: 'log-in', locale: 'en', minutesValid: 10 }) }), { instanceOf: MailNotSentError });
    t.is(error!.message.includes('patient.three'), false);
    t.is(error!.cause, undefined);
    const logged = lines.join('');
    t.true(logged.includes('mail not sent'));
    t.false(logged.includes('555123'));
    t.false(logged.includes('patient.three'));
  } finally {
    mailer.close();
  }
});

test('an SMTP URL of another scheme is refused', (t) => {
  t.throws(() => createMailer({ smtpUrl: 'http://127.0.0.1:25', from, log: memoryLogger().log }), { message: /smtp:\/\/ or smtps:\/\// });
});

test('a redacted address keeps the first character and the domain only', (t) => {
  t.is(redactAddress('peter@example.org'), 'p***@example.org');
  t.is(redactAddress('Li Na <li.na@hospital.example.cn>'), 'l***@hospital.example.cn');
  t.is(redactAddress('not-an-address'), '***');
  t.is(redactAddress('@example.org'), '***');
});
