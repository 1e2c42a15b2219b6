// The second server process of the cross-process push test: a real server from the environment
// (DATABASE_URL, REDIS_URL, REDIS_CHANNEL_PREFIX, PORT=0) whose availability is the test's table.
// Prints `listening <port>` once it serves; SIGTERM stops it.
import { loadConfig } from '../../server/config.ts';
import { createServer } from '../../server/server.ts';
import { tableAvailability } from './push-table.ts';

const app = await createServer(loadConfig());
app.push.setAvailabilityProvider(tableAvailability(app.db));
await app.server.start();
process.stdout.write(`listening ${app.server.info.port}\n`);
process.once('SIGTERM', () => {
  app.stop().then(() => process.exit(0), () => process.exit(1));
});
