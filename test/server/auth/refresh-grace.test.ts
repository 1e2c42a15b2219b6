import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { cookiePost, loggedIn, staffAccount } from '../../helpers/login.ts';

// Two tabs of one browser share the refresh cookie and may refresh at the same moment: the second must
// not log the user out. Past the grace, a used refresh token is a stolen one and ends the session.
let server: TestServer;
test.before(async () => {
  server = await startTestServer({ refreshGraceSeconds: 1 });
  for (const name of ['tabs-a', 'tabs-b']) await staffAccount(server, name, ['doctor']);
});
test.after.always(async () => { await server?.stop(); });

test('two refreshes with the same cookie at once both succeed, and the session goes on', async (t) => {
  const first = await loggedIn(server, 'tabs-a');
  const [one, two] = await Promise.all([
    cookiePost(server, '/auth/refresh', { refresh: first.refresh }),
    cookiePost(server, '/auth/refresh', { refresh: first.refresh }),
  ]);
  t.is(one.status, 200);
  t.is(two.status, 200);
  t.is(one.refresh, two.refresh, 'both answers carry the same successor, whichever the browser keeps');
  for (const answer of [one, two]) t.is((await request(server, 'GET', '/auth/me', { token: answer.body.access_token })).status, 200);
  const later = await cookiePost(server, '/auth/refresh', { refresh: two.refresh });
  t.is(later.status, 200, 'the cookie the browser kept still refreshes');
  t.not(later.refresh, two.refresh);
});

test('past the grace a used refresh token ends the session', async (t) => {
  const first = await loggedIn(server, 'tabs-b');
  const rotated = await cookiePost(server, '/auth/refresh', { refresh: first.refresh });
  t.is(rotated.status, 200);
  await sleep(1500);
  t.is((await cookiePost(server, '/auth/refresh', { refresh: first.refresh })).status, 401);
  t.is((await request(server, 'GET', '/auth/me', { token: rotated.body.access_token })).status, 401, 'the whole session ended');
});
