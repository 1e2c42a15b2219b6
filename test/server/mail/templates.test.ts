import test from 'ava';
import { oneTimeCodeMail } from '../../../server/mail/templates.ts';

test('the Chinese one-time code mail states the code, its validity and not to share it', (t) => {
  const mail = oneTimeCodeMail({ code: '123456', purpose: 'log-in', locale: 'zh-CN', minutesValid: 10 });
  t.is(mail.subject, '【Open HIS】登录验证码');
  t.true(mail.text.startsWith('【Open HIS】您的验证码是 123456，10 分钟内有效。请勿告诉他人。'));
  t.true(mail.text.includes('您正在登录 Open HIS。'));
  t.true(mail.html.includes('<html lang="zh-CN">'));
});

test('each purpose has its own subject and sentence in both languages', (t) => {
  const subjects = new Set<string>();
  for (const locale of ['zh-CN', 'en'] as const) {
    for (const purpose of ['sign-up', 'log-in', 'password-reset'] as const) {
      const mail = oneTimeCodeMail({ code: '000001', purpose, locale, minutesValid: 10 });
      subjects.add(mail.subject);
      t.true(mail.text.includes('000001'), `${locale} ${purpose}`);
    }
  }
  t.is(subjects.size, 6);
  t.is(oneTimeCodeMail({ code: '1', purpose: 'password-reset', locale: 'en', minutesValid: 10 }).subject, 'Open HIS password reset code');
});

test('the English mail counts minutes in singular and plural', (t) => {
  t.regex(oneTimeCodeMail({ code: '654321', purpose: 'sign-up', locale: 'en', minutesValid: 1 }).text, /valid for 1 minute\./);
  t.regex(oneTimeCodeMail({ code: '654321', purpose: 'sign-up', locale: 'en', minutesValid: 30 }).text, /valid for 30 minutes\./);
});

test('the code never appears in the subject', (t) => {
  for (const locale of ['zh-CN', 'en'] as const) {
    t.false(oneTimeCodeMail({ code: '778899', purpose: 'sign-up', locale, minutesValid: 10 }).subject.includes('778899'));
  }
});

test('the HTML shows the code prominently and escapes the site name', (t) => {
  const mail = oneTimeCodeMail({ code: '246810', purpose: 'sign-up', locale: 'en', minutesValid: 10, siteName: 'St <Mary> & Co' });
  t.regex(mail.html, /<strong[^>]*>246810<\/strong>/);
  t.true(mail.html.includes('St &#60;Mary&#62; &#38; Co'));
  t.false(mail.html.includes('<Mary>'));
  t.is(mail.subject, 'St <Mary> & Co sign-up code');
});
