// A real HTTP endpoint for notification tests (rest-hook subscribers, partner servers): records every
// request and answers as the test says — a status, or held until the test lets it go.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** Status to answer from now on (default 200); `hold` keeps requests open until `release()`. */
  answer(status: number | 'hold'): void;
  /** Answers the requests held so far with 200. */
  release(): void;
  /** Resolves once `count` requests matching `predicate` arrived (rejects after `timeoutMs`). */
  waitFor(count: number, predicate?: (r: Received) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const held: ServerResponse[] = [];
  const waiters: (() => void)[] = [];
  let mode: number | 'hold' = 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      for (const wake of waiters.splice(0)) wake();
      if (mode === 'hold') held.push(res);
      else res.writeHead(mode).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, requests,
    answer(status) { mode = status; },
    release() { for (const res of held.splice(0)) res.writeHead(200).end(); },
    async waitFor(count, predicate = () => true, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = requests.filter(predicate);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`expected ${count} notifications, got ${found.length}: ${JSON.stringify(requests.map((r) => [r.method, r.url]))}`);
        await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 200); });
      }
    },
    async close() {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
