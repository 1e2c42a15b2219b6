import test from 'ava';
import { hashOneTimeCode, newOneTimeCode, sameCodeHash } from '../../../server/auth/one-time-code.ts';

test('a new code is six digits and comes with the SHA-256 hash of itself', (t) => {
  const { code, hash } = newOneTimeCode();
  t.regex(code, /^\d{6}$/);
  t.regex(hash, /^[0-9a-f]{64}$/);
  t.is(hash, hashOneTimeCode(code));
});

test('codes are spread over the whole range, leading zeros included', (t) => {
  const codes = Array.from({ length: 2000 }, () => newOneTimeCode().code);
  t.true(new Set(codes).size > 1990);
  t.true(codes.some((code) => code.startsWith('0')));
  t.true(codes.every((code) => code.length === 6));
});

test('the code typed back with surrounding spaces matches the stored hash', (t) => {
  const { code, hash } = newOneTimeCode();
  t.true(sameCodeHash(hashOneTimeCode(` ${code}\n`), hash));
});

test('another code does not match the stored hash', (t) => {
  const hash = hashOneTimeCode('123456');
  t.false(sameCodeHash(hashOneTimeCode('123457'), hash));
});

test('a peppered hash matches only with the same pepper', (t) => {
  const { code, hash } = newOneTimeCode('server secret');
  t.true(sameCodeHash(hashOneTimeCode(code, 'server secret'), hash));
  t.false(sameCodeHash(hashOneTimeCode(code), hash));
  t.false(sameCodeHash(hashOneTimeCode(code, 'another secret'), hash));
});

test('hashes of different lengths or missing hashes do not match and do not throw', (t) => {
  const hash = hashOneTimeCode('123456');
  t.false(sameCodeHash(hash, hash.slice(1)));
  t.false(sameCodeHash(hash, ''));
  t.false(sameCodeHash(hash, undefined as unknown as string));
});
