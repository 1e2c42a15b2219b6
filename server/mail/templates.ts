// The e-mails Open HIS sends, in Simplified Chinese and English. The code is never in the subject:
// subjects show on lock screens and in notification previews, and mail servers log them.

export type MailLocale = 'zh-CN' | 'en';
export type OneTimeCodePurpose = 'sign-up' | 'log-in' | 'password-reset';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const wording = {
  'zh-CN': {
    subject: { 'sign-up': '注册验证码', 'log-in': '登录验证码', 'password-reset': '重置密码验证码' },
    doing: { 'sign-up': '您正在注册 {site} 账号。', 'log-in': '您正在登录 {site}。', 'password-reset': '您正在重置 {site} 账号的密码。' },
    code: '【{site}】您的验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。',
    notYou: '如果这不是您本人的操作，请忽略本邮件，您的账号不会有任何变化。',
    automatic: '此邮件由系统自动发送，请勿回复。',
  },
  en: {
    subject: { 'sign-up': 'sign-up code', 'log-in': 'log-in code', 'password-reset': 'password reset code' },
    doing: { 'sign-up': 'You are signing up for {site}.', 'log-in': 'You are logging in to {site}.', 'password-reset': 'You asked to reset your {site} password.' },
    code: 'Your {site} verification code is {code}. It is valid for {minutes}. Do not share it with anyone.',
    notYou: 'If this was not you, ignore this e-mail: nothing changes on your account.',
    automatic: 'This e-mail was sent automatically; replies are not read.',
  },
} as const;

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

/** The e-mail carrying a one-time code; `siteName` is the name patients know the hospital's service by. */
export function oneTimeCodeMail(options: {
  code: string;
  purpose: OneTimeCodePurpose;
  locale: MailLocale;
  minutesValid: number;
  siteName?: string;
}): RenderedMail {
  const { code, purpose, locale, minutesValid } = options;
  const site = options.siteName ?? 'Open HIS';
  const words = wording[locale];
  const minutes = locale === 'en' ? `${minutesValid} minute${minutesValid === 1 ? '' : 's'}` : String(minutesValid);
  const subject = locale === 'en' ? `${site} ${words.subject[purpose]}` : `【${site}】${words.subject[purpose]}`;
  const lines = [
    fill(words.code, { site, code, minutes }),
    fill(words.doing[purpose], { site }),
    words.notYou,
    words.automatic,
  ];
  const text = `${lines.join('\n\n')}\n`;
  // The wording is ours and plain; only the values are escaped. The code sits in its own element,
  // large and spaced, so it is easy to read and to copy.
  const safeSite = escapeHtml(site);
  const strongCode = `<strong style="font-size:1.5em;letter-spacing:0.15em">${escapeHtml(code)}</strong>`;
  const html = [
    '<!DOCTYPE html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.6">',
    `<p>${fill(words.code, { site: safeSite, code: strongCode, minutes })}</p>`,
    `<p>${fill(words.doing[purpose], { site: safeSite })}</p>`,
    `<p>${words.notYou}</p>`,
    `<p>${words.automatic}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
