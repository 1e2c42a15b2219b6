import test from 'ava';
import { generateTotpSecret, totpCode, totpStep, totpUri, verifyTotp } from '../../../server/auth/totp.ts';

// RFC 6238 Appendix B: the SHA-1 key is the ASCII string "12345678901234567890", here in base32.
const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const rfcVectors: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

// Fixed secrets keep every assertion deterministic (a random one could collide by chance).
const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const now = Date.UTC(2025, 5, 1, 8, 0, 10);

test('the RFC 6238 Appendix B SHA-1 test vectors are reproduced', (t) => {
  for (const [seconds, code] of rfcVectors) t.is(totpCode(rfcSecret, seconds * 1000, { digits: 8 }), code, `T = ${seconds}`);
});

test('the RFC 6238 test vectors verify and name their time step', (t) => {
  for (const [seconds, code] of rfcVectors) {
    t.is(verifyTotp(rfcSecret, code, { nowMs: seconds * 1000, digits: 8 }), Math.floor(seconds / 30), `T = ${seconds}`);
  }
});

test('the base32 secret is read the same in lower case, grouped with spaces or padded', (t) => {
  const code = totpCode(rfcSecret, 59_000, { digits: 8 });
  t.is(totpCode(rfcSecret.toLowerCase(), 59_000, { digits: 8 }), code);
  t.is(totpCode('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ', 59_000, { digits: 8 }), code);
  t.is(totpCode('GEZDGNBVGY3TQOJQ======', 59_000, { digits: 8 }), totpCode('GEZDGNBVGY3TQOJQ', 59_000, { digits: 8 }));
});

test('a generated secret is 160 bits of unpadded base32 and differs each time', (t) => {
  const generated = generateTotpSecret();
  t.regex(generated, /^[A-Z2-7]{32}$/);
  t.not(generateTotpSecret(), generated);
});

test('a code is six digits by default', (t) => {
  t.regex(totpCode(secret, now), /^\d{6}$/);
});

test('the current code is accepted and its time step returned', (t) => {
  t.is(verifyTotp(secret, totpCode(secret, now), { nowMs: now }), totpStep(now));
});

test('a code from the previous 30-second step is still accepted', (t) => {
  t.is(verifyTotp(secret, totpCode(secret, now - 30_000), { nowMs: now }), totpStep(now) - 1);
});

test('a code from the next 30-second step is accepted for a client clock running ahead', (t) => {
  t.is(verifyTotp(secret, totpCode(secret, now + 30_000), { nowMs: now }), totpStep(now) + 1);
});

test('a code two steps old is refused with the default window and accepted with a wider one', (t) => {
  const old = totpCode(secret, now - 60_000);
  t.is(verifyTotp(secret, old, { nowMs: now }), null);
  t.is(verifyTotp(secret, old, { nowMs: now, window: 2 }), totpStep(now) - 2);
});

test('with a window of zero only the current step is accepted', (t) => {
  t.is(verifyTotp(secret, totpCode(secret, now - 30_000), { nowMs: now, window: 0 }), null);
  t.is(verifyTotp(secret, totpCode(secret, now), { nowMs: now, window: 0 }), totpStep(now));
});

test('a code already used is refused when its step is passed back as lastUsedStep', (t) => {
  const code = totpCode(secret, now);
  const step = verifyTotp(secret, code, { nowMs: now });
  t.not(step, null);
  t.is(verifyTotp(secret, code, { nowMs: now + 5_000, lastUsedStep: step! }), null);
});

test('a code from a step earlier than the last used one is refused even inside the window', (t) => {
  const previous = totpCode(secret, now - 30_000);
  t.is(verifyTotp(secret, previous, { nowMs: now, lastUsedStep: totpStep(now) }), null);
  t.is(verifyTotp(secret, totpCode(secret, now + 30_000), { nowMs: now, lastUsedStep: totpStep(now) }), totpStep(now) + 1);
});

test('a code for another secret is refused', (t) => {
  t.is(verifyTotp(secret, totpCode(rfcSecret, now), { nowMs: now }), null);
});

test('a code typed in two groups of three digits is accepted', (t) => {
  const code = totpCode(secret, now);
  t.is(verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, { nowMs: now }), totpStep(now));
});

test('malformed codes are refused without throwing', (t) => {
  const code = totpCode(secret, now);
  for (const typed of ['', 'abcdef', `${code.slice(0, 5)}x`, code.slice(0, 5), `${code}0`, '１２３４５６', '-12345', '12345.', undefined as unknown as string]) {
    t.is(verifyTotp(secret, typed, { nowMs: now }), null, JSON.stringify(typed));
  }
});

test('the key URI carries the label, secret, issuer and parameters in the Key Uri Format', (t) => {
  const uri = totpUri({ secret: rfcSecret, account: 'li.na@example.org', issuer: 'Open HIS' });
  t.is(uri, `otpauth://totp/Open%20HIS:li.na%40example.org?secret=${rfcSecret}&issuer=Open%20HIS&algorithm=SHA1&digits=6&period=30`);
  const parsed = new URL(uri);
  t.is(parsed.protocol, 'otpauth:');
  t.is(parsed.searchParams.get('secret'), rfcSecret);
  t.is(parsed.searchParams.get('issuer'), 'Open HIS');
});

test('a key URI with a colon in the issuer or account is refused', (t) => {
  t.throws(() => totpUri({ secret: rfcSecret, account: 'a:b', issuer: 'Open HIS' }));
  t.throws(() => totpUri({ secret: rfcSecret, account: 'li.na@example.org', issuer: 'Open:HIS' }));
});

test('a secret that is not base32 is a programming error and throws', (t) => {
  t.throws(() => totpCode('not base32!', now));
  t.throws(() => totpCode('', now));
});
