// Redis clients of the Socket.io adapter: emits on one server process reach the sockets of all.
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Logger } from 'pino';

/** Connection attempts at start-up before the server refuses to start without its Redis. */
const STARTUP_ATTEMPTS = 5;

export interface RedisAdapter {
  adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

/**
 * Connects the publishing and the subscribing client (a subscribed connection can do nothing else).
 * An unreachable Redis fails the start; once running, lost connections are retried for as long as it takes.
 */
export async function connectRedisAdapter(url: string, channelPrefix: string, log: Pick<Logger, 'warn'>): Promise<RedisAdapter> {
  let started = false;
  const pub = createClient({
    url,
    socket: {
      reconnectStrategy: (retries, cause) =>
        !started && retries >= STARTUP_ATTEMPTS ? new Error(`Redis of the push is unreachable: ${cause.message}`) : Math.min(50 * 2 ** retries, 2000),
    },
  });
  const sub = pub.duplicate();
  // The URL can hold a password: only the client's own message is logged.
  for (const client of [pub, sub]) client.on('error', (err: Error) => log.warn({ error: err.message }, 'Push: Redis connection failed, retrying'));
  const connected = await Promise.allSettled([pub.connect(), sub.connect()]);
  const failure = connected.find((result) => result.status === 'rejected');
  if (failure) {
    for (const client of [pub, sub]) if (client.isOpen) client.destroy();
    throw failure.reason;
  }
  started = true;
  return {
    adapter: createAdapter(pub, sub, { key: channelPrefix }),
    async close() {
      await Promise.allSettled([pub.close(), sub.close()]);
    },
  };
}
