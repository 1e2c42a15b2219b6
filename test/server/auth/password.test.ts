import test from 'ava';
import { dummyHash, dummyVerify, hashPassword, passwordNeedsRehash, passwordProblem, verifyPassword } from '../../../server/auth/password.ts';

const password = 'correct horse battery staple';

test('a hashed password verifies and another password does not', async (t) => {
  const hash = await hashPassword(password);
  t.true(await verifyPassword(hash, password));
  t.false(await verifyPassword(hash, 'correct horse battery stapler'));
  t.false(await verifyPassword(hash, ''));
});

test('hashes are argon2id with the OWASP minimum parameters and a fresh salt each time', async (t) => {
  const [first, second] = await Promise.all([hashPassword(password), hashPassword(password)]);
  const [, type, version, params] = first.split('$');
  t.is(type, 'argon2id');
  t.is(version, 'v=19');
  t.deepEqual(Object.fromEntries(params!.split(',').map((p) => p.split('='))), { m: '19456', t: '2', p: '1' });
  t.not(first, second);
  t.false(passwordNeedsRehash(first));
});

test('a hash made with weaker parameters or a malformed hash needs rehashing', async (t) => {
  const argon2 = (await import('argon2')).default;
  const weak = await argon2.hash(password, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
  const argon2i = await argon2.hash(password, { type: argon2.argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  t.true(passwordNeedsRehash(weak));
  t.true(passwordNeedsRehash(argon2i));
  t.true(passwordNeedsRehash('not a hash'));
});

test('a malformed hash is a non-match, not an exception', async (t) => {
  for (const hash of ['', 'not a hash', '$argon2id$v=19$m=19456,t=2,p=1$garbage', '$2b$10$abcdefghijklmnopqrstuv', null as unknown as string]) {
    t.false(await verifyPassword(hash, password), String(hash));
  }
});

test('a password typed with full-width characters matches its half-width form', async (t) => {
  const hash = await hashPassword('Ｍｙ ｐａｓｓｗｏｒｄ 2024');
  t.true(await verifyPassword(hash, 'My password 2024'));
});

// The cost of an argon2 check is set by the parameters inside the hash, so equal parameters mean
// equal cost. Comparing wall-clock times here failed on loaded machines; timing belongs in bench.
test('a dummy verification answers false and checks a hash made with the real parameters', async (t) => {
  t.false(await dummyVerify());
  t.false(await dummyVerify());
  const dummy = await dummyHash();
  const real = await hashPassword(password);
  t.false(passwordNeedsRehash(dummy));
  t.is(dummy.split('$').slice(0, 4).join('$'), real.split('$').slice(0, 4).join('$'));
  t.is(await dummyHash(), dummy, 'made once, not per call');
});

test('a password of ten characters or more that is not common is acceptable', (t) => {
  t.is(passwordProblem('tulip-river-9'), null);
  t.is(passwordProblem('春眠不觉晓处处闻啼鸟'), null);
});

test('a password shorter than ten characters is refused, counting characters not bytes', (t) => {
  t.regex(passwordProblem('short1234')!, /at least 10/);
  t.regex(passwordProblem('春眠不觉晓处处闻啼')!, /at least 10/);
  t.regex(passwordProblem('')!, /at least 10/);
});

test('a password longer than 256 characters is refused', (t) => {
  t.is(passwordProblem('ab'.repeat(128)), null);
  t.regex(passwordProblem(`${'ab'.repeat(128)}c`)!, /at most 256/);
});

test('a password of one repeated character is refused', (t) => {
  t.regex(passwordProblem('aaaaaaaaaaaa')!, /single character/);
  t.regex(passwordProblem('啊啊啊啊啊啊啊啊啊啊')!, /single character/);
});

test('common passwords are refused whatever their letter case', (t) => {
  for (const common of ['1234567890', 'qwertyuiop', 'Password123', 'WOAINI1314', '1q2w3e4r5t']) {
    t.regex(passwordProblem(common) ?? '', /common/, common);
  }
});

test('a password equal to the account e-mail or its local part is refused', (t) => {
  const context = ['wang.fang@example.org', '13800138000'];
  t.truthy(passwordProblem('Wang.Fang@example.org', context));
  t.truthy(passwordProblem('wangfang1988', ['wangfang1988@example.org']));
  t.truthy(passwordProblem('13800138000', context));
  t.is(passwordProblem('wang.fang-loves-tea', context), null);
});

test('a missing password is refused with a reason rather than an exception', (t) => {
  t.is(passwordProblem(undefined as unknown as string), 'A password is required');
});
