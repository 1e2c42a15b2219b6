// A second server process for cross-process tests: a real server configured from the environment
// (DATABASE_URL, REDIS_URL, REDIS_CHANNEL_PREFIX, PORT=0). Prints `listening <port>` once it serves;
// SIGTERM stops it.
import { loadConfig } from '../../server/config.ts';
import { createServer } from '../../server/server.ts';

const app = await createServer(loadConfig());
await app.server.start();
process.stdout.write(`listening ${app.server.info.port}\n`);
process.once('SIGTERM', () => {
  app.stop().then(() => process.exit(0), () => process.exit(1));
});
