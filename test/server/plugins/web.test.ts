import test from 'ava';
import { startTestServer } from '../../helpers/server.ts';

test('without a built web app the server still starts and serves the API only', async (t) => {
  const server = await startTestServer({ webDist: '/nonexistent/web/dist' });
  try {
    t.is((await fetch(`${server.url}/book`)).status, 404);
    t.is((await fetch(`${server.url}/fhir/metadata`)).status, 200);
  } finally {
    await server.stop();
  }
});
