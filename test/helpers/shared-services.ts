// PostgreSQL and Redis for tests that run two server processes on one database: where they are (the
// environment's, else the local defaults), and Redis channels of the test's own, so that parallel
// runs sharing the Redis do not hear each other.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../server/config.ts';

export function sharedServices(): { adminUrl: string; redisUrl: string; channelPrefix: string } {
  const base = loadConfig();
  return {
    adminUrl: base.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: base.redisUrl ?? 'redis://127.0.0.1:6379',
    channelPrefix: `open-his-test-${randomBytes(6).toString('hex')}`,
  };
}
