import test from 'ava';
import Hapi from '@hapi/hapi';
import { createRateLimiter, rateLimitPlugin, type RateLimitRule } from '../../../server/plugins/rate-limit.ts';

function fakeClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let time = start;
  return { now: () => time, advance(ms) { time += ms; } };
}

async function serverWith(rules: RateLimitRule[], now: () => number, routes: Hapi.ServerRoute[] = []): Promise<Hapi.Server> {
  const server = Hapi.server({ port: 0 });
  await server.register({ plugin: rateLimitPlugin, options: { rules, now } });
  server.route([
    { method: 'POST', path: '/login', options: { plugins: { rateLimit: 'login' }, handler: () => 'ok' } },
    { method: 'GET', path: '/open', handler: () => 'ok' },
    ...routes,
  ]);
  await server.initialize();
  return server;
}

const loginRule: RateLimitRule = { id: 'login', limit: 3, windowMs: 60_000 };

test('the request past the limit is answered 429 with Retry-After', async (t) => {
  const clock = fakeClock();
  const server = await serverWith([loginRule], clock.now);
  for (let i = 0; i < 3; i++) t.is((await server.inject({ method: 'POST', url: '/login' })).statusCode, 200);
  const refused = await server.inject({ method: 'POST', url: '/login' });
  t.is(refused.statusCode, 429);
  t.is(refused.headers['retry-after'], '20');
  t.is(refused.result && (refused.result as { error: string }).error, 'Too Many Requests');
});

test('another client address is not affected by one that reached the limit', async (t) => {
  const clock = fakeClock();
  const server = await serverWith([loginRule], clock.now);
  for (let i = 0; i < 4; i++) await server.inject({ method: 'POST', url: '/login', remoteAddress: '198.51.100.7' });
  t.is((await server.inject({ method: 'POST', url: '/login', remoteAddress: '198.51.100.7' })).statusCode, 429);
  t.is((await server.inject({ method: 'POST', url: '/login', remoteAddress: '203.0.113.9' })).statusCode, 200);
});

test('once Retry-After has passed a request is allowed, and a whole window restores the limit', async (t) => {
  const clock = fakeClock();
  const server = await serverWith([loginRule], clock.now);
  for (let i = 0; i < 3; i++) await server.inject({ method: 'POST', url: '/login' });
  const refused = await server.inject({ method: 'POST', url: '/login' });
  clock.advance(Number(refused.headers['retry-after']) * 1000);
  t.is((await server.inject({ method: 'POST', url: '/login' })).statusCode, 200);
  t.is((await server.inject({ method: 'POST', url: '/login' })).statusCode, 429);
  clock.advance(60_000);
  for (let i = 0; i < 3; i++) t.is((await server.inject({ method: 'POST', url: '/login' })).statusCode, 200);
  t.is((await server.inject({ method: 'POST', url: '/login' })).statusCode, 429);
});

test('routes without a rate-limit rule are never limited', async (t) => {
  const server = await serverWith([loginRule], fakeClock().now);
  for (let i = 0; i < 10; i++) t.is((await server.inject('/open')).statusCode, 200);
});

test('a rule keyed on the payload counts per account, after the payload is read', async (t) => {
  const clock = fakeClock();
  const perAccount: RateLimitRule = {
    id: 'per-account', limit: 2, windowMs: 600_000, stage: 'onPostAuth',
    key: (request) => String((request.payload as { email?: string } | null)?.email ?? '').toLowerCase(),
  };
  const server = await serverWith([{ ...loginRule, limit: 100 }, perAccount], clock.now, [
    { method: 'POST', path: '/code', options: { plugins: { rateLimit: ['login', 'per-account'] }, handler: () => 'ok' } },
  ]);
  const send = (email: string, remoteAddress: string) => server.inject({ method: 'POST', url: '/code', payload: { email }, remoteAddress });
  t.is((await send('li.na@example.org', '198.51.100.1')).statusCode, 200);
  t.is((await send('LI.NA@example.org', '198.51.100.2')).statusCode, 200);
  const refused = await send('li.na@example.org', '198.51.100.3');
  t.is(refused.statusCode, 429);
  t.is(refused.headers['retry-after'], '300');
  t.is((await send('wang.fang@example.org', '198.51.100.3')).statusCode, 200);
});

test('a route naming an unknown rule stops the server from starting', async (t) => {
  const server = Hapi.server({ port: 0 });
  await server.register({ plugin: rateLimitPlugin, options: { rules: [loginRule] } });
  server.route({ method: 'POST', path: '/reset', options: { plugins: { rateLimit: 'password-reset' }, handler: () => 'ok' } });
  await t.throwsAsync(server.initialize(), { message: /unknown rate-limit rule "password-reset"/ });
});

test('the limiter refuses the request past the limit and names when to retry', (t) => {
  const clock = fakeClock();
  const limiter = createRateLimiter({ limit: 2, windowMs: 10_000, now: clock.now });
  t.deepEqual(limiter.take('a'), { allowed: true, retryAfterSeconds: 0 });
  t.deepEqual(limiter.take('a'), { allowed: true, retryAfterSeconds: 0 });
  t.deepEqual(limiter.take('a'), { allowed: false, retryAfterSeconds: 5 });
  clock.advance(4_000);
  t.deepEqual(limiter.take('a'), { allowed: false, retryAfterSeconds: 1 });
  clock.advance(1_000);
  t.true(limiter.take('a').allowed);
});

test('a reset key starts again with the full limit', (t) => {
  const limiter = createRateLimiter({ limit: 1, windowMs: 10_000, now: fakeClock().now });
  t.true(limiter.take('account').allowed);
  t.false(limiter.take('account').allowed);
  limiter.reset('account');
  t.true(limiter.take('account').allowed);
});

test('keys idle for a whole window are forgotten', (t) => {
  const clock = fakeClock();
  const limiter = createRateLimiter({ limit: 5, windowMs: 10_000, now: clock.now });
  for (let i = 0; i < 1000; i++) limiter.take(`client-${i}`);
  t.is(limiter.size, 1000);
  clock.advance(10_000);
  limiter.take('late');
  t.is(limiter.size, 1);
});

test('memory stays bounded under a flood of distinct keys', (t) => {
  const limiter = createRateLimiter({ limit: 5, windowMs: 60_000, now: fakeClock().now, maxKeys: 100 });
  for (let i = 0; i < 10_000; i++) limiter.take(`spoofed-${i}`);
  t.is(limiter.size, 100);
});

test('a recently active key survives eviction while older ones go', (t) => {
  const clock = fakeClock();
  const limiter = createRateLimiter({ limit: 1, windowMs: 10_000, now: clock.now, maxKeys: 3 });
  limiter.take('old');
  limiter.take('active');
  clock.advance(1);
  limiter.take('other');
  t.false(limiter.take('active').allowed);
  limiter.take('newest');
  t.is(limiter.size, 3);
  t.false(limiter.take('active').allowed, 'active was used recently and keeps its count');
  t.true(limiter.take('old').allowed, 'old was forgotten, so it starts afresh');
});
