// The simulated patients of bench:booking, in a worker thread beside the server: each has a booking
// page open (a Socket.io connection watching the department's day) and, at the release, calls $hold
// then $book for a place its page shows free, trying again on another free place after a 409.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { AvailabilityDay, ClientToServerEvents, ServerToClientEvents } from '../../server/push/events.ts';

export interface ClientsInput { url: string; service: string; date: string; tokens: string[]; attempts: number }
export interface Received { at: string; t: number }
export interface CallRecord { op: 'hold' | 'book'; start: number; end: number; status: number }
export type ToMain =
  | { type: 'connected'; sockets: number; ms: number }
  | { type: 'rush-done'; calls: CallRecord[]; booked: number }
  | { type: 'messages'; perSocket: Received[][] };
export type ToWorker = { type: 'rush' } | { type: 'collect' } | { type: 'close' };

const now = (): number => performance.timeOrigin + performance.now();
const input = workerData as ClientsInput;

const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];
const received: Received[][] = [];
const latest: (AvailabilityDay | undefined)[] = [];

async function connectAll(): Promise<void> {
  const started = now();
  const batch = 100;
  for (let i = 0; i < input.tokens.length; i += batch) {
    await Promise.all(input.tokens.slice(i, i + batch).map(async (_, j) => {
      const index = i + j;
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${input.url}/booking`, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 20_000 });
      sockets[index] = socket;
      received[index] = [];
      socket.on('availability', (day) => {
        received[index]!.push({ at: day.at, t: now() });
        latest[index] = day;
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      await new Promise<void>((resolve, reject) => socket.emit('watch', { service: input.service, dates: [input.date] }, (ack) => (ack.ok ? resolve() : reject(new Error(ack.error)))));
    }));
  }
  // Every page has its first snapshot.
  while (received.some((r) => r.length === 0)) await new Promise((r) => setTimeout(r, 20));
  parentPort!.postMessage({ type: 'connected', sockets: sockets.length, ms: Math.round(now() - started) } satisfies ToMain);
}

async function call(op: 'hold' | 'book', token: string, slot: string, calls: CallRecord[]): Promise<number> {
  const start = now();
  const res = await fetch(`${input.url}/fhir/Appointment/$${op}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'slot', valueReference: { reference: `Slot/${slot}` } }] }),
  });
  await res.arrayBuffer();
  calls.push({ op, start, end: now(), status: res.status });
  return res.status;
}

async function patient(index: number, calls: CallRecord[]): Promise<boolean> {
  const token = input.tokens[index]!;
  const tried = new Set<string>();
  for (let attempt = 0; attempt < input.attempts; attempt++) {
    const free = (latest[index]?.times ?? []).filter((t) => t.free > 0 && !tried.has(t.slot));
    if (free.length === 0) return false;
    const slot = free[Math.floor(Math.random() * free.length)]!.slot;
    tried.add(slot);
    if (await call('hold', token, slot, calls) !== 200) continue;
    if (await call('book', token, slot, calls) === 201) return true;
  }
  return false;
}

parentPort!.on('message', (message: ToWorker) => {
  if (message.type === 'rush') {
    const calls: CallRecord[] = [];
    void Promise.all(input.tokens.map((_, i) => patient(i, calls))).then((results) => {
      parentPort!.postMessage({ type: 'rush-done', calls, booked: results.filter(Boolean).length } satisfies ToMain);
    });
  } else if (message.type === 'collect') {
    parentPort!.postMessage({ type: 'messages', perSocket: received } satisfies ToMain);
  } else if (message.type === 'close') {
    for (const s of sockets) s.close();
    setTimeout(() => process.exit(0), 100);
  }
});

await connectAll();
