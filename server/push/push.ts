// Live availability for the public booking page: Socket.io on the hapi listener, namespace `/booking`.
// Pages watch department-days; the booking core reports changes after commit; each watched room then
// gets the day's full snapshot, coalesced per room. With REDIS_URL the emits reach the sockets of every
// server process; the process where the change happened reads the snapshot.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { AvailabilityDay, ClientToServerEvents, ServerToClientEvents, WatchAck } from './events.ts';
import { Coalescer } from './coalescer.ts';
import { Snapshots, type AvailabilityProvider } from './snapshots.ts';
import { MAX_ROOMS_PER_SOCKET, isAvailabilityRoom, parseRoom, parseWatchRequest, roomName } from './rooms.ts';
import { connectRedisAdapter, type RedisAdapter } from './redis.ts';

export type { AvailabilityProvider } from './snapshots.ts';

export interface Push {
  /** A booking, cancellation or schedule change of that department-day was committed. */
  availabilityChanged(service: string, date: string): void;
  /** Where snapshots come from (the booking core). Until it is set, watching sends no snapshot and changes are ignored. */
  setAvailabilityProvider(provider: AvailabilityProvider): void;
  /** Disconnects the sockets, waits for snapshot reads in flight, closes Redis. Idempotent. */
  close(): Promise<void>;
  /** The `/booking` namespace, for tools that measure a bare broadcast to the same sockets (test/bench/booking.ts). */
  readonly namespace: Namespace<ClientToServerEvents, ServerToClientEvents>;
  /** The Socket.io server, for the other namespaces (the EMR's `/wards`), sharing the listener and the Redis adapter. */
  readonly io: Server;
}

export interface PushOptions {
  log: Pick<Logger, 'warn' | 'error'>;
  /** Origins of other web apps allowed to connect (CORS_ORIGINS); pages of our own origin always can. */
  corsOrigins: readonly string[];
  /** PUBLIC_URL: our origin as browsers see it behind a proxy that rewrites Host. */
  publicUrl?: string;
  /** REDIS_URL; unset: emits reach this process's sockets only. */
  redisUrl?: string;
  /** Prefix of the Redis channels, distinct per deployment sharing one Redis. */
  redisChannelPrefix: string;
  /** PUSH_COALESCE_MS: window in which further changes of a room fold into one emit. */
  coalesceMs: number;
}

export const PUSH_PATH = '/socket.io';
export const PUSH_NAMESPACE = '/booking';

/** Watch messages are small; a larger message is an attack and closes the connection. */
const MAX_MESSAGE_BYTES = 32 * 1024;

type BookingSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/**
 * Browsers send Origin on WebSocket handshakes and cross-origin requests, and CORS does not guard
 * WebSockets: other sites' pages are refused here. Programs that send no Origin are let in; the
 * namespace is public.
 */
function originAllowed(request: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || allowed.has(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** Attaches to the listener before hapi starts; call `close()` after hapi has stopped. */
export async function createPush(listener: HttpServer, options: PushOptions): Promise<Push> {
  const { log } = options;
  const allowed = new Set(options.corsOrigins);
  if (options.publicUrl) allowed.add(new URL(options.publicUrl).origin);
  const redis: RedisAdapter | undefined = options.redisUrl ? await connectRedisAdapter(options.redisUrl, options.redisChannelPrefix, log) : undefined;

  const io = new Server<ClientToServerEvents, ServerToClientEvents>(listener, {
    path: PUSH_PATH,
    transports: ['websocket', 'polling'],
    serveClient: false,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    cors: options.corsOrigins.length > 0 ? { origin: [...options.corsOrigins] } : undefined,
    allowRequest: (request, callback) => callback(null, originAllowed(request, allowed)),
    ...(redis ? { adapter: redis.adapter } : {}),
  });
  const booking = io.of(PUSH_NAMESPACE);

  let provider: AvailabilityProvider | undefined;
  const snapshots = new Snapshots((service, date) => provider!(service, date));
  // Service ids and dates are not patient data; the provider reads availability only.
  const failed = (err: unknown, service: string, date: string) =>
    log.error({ err, service, date }, 'Push: reading the availability snapshot failed');

  // A broadcast to thousands of sockets costs the event loop tens of milliseconds; under a rush the
  // window widens to a few times that cost, so that pushing never takes more than a fraction of the
  // process from the bookings themselves.
  let lastEmitMs = 0;
  const coalescer = new Coalescer(() => Math.max(options.coalesceMs, 4 * lastEmitMs), async (room) => {
    const { service, date } = parseRoom(room);
    try {
      const day = await snapshots.fresh(service, date);
      const started = performance.now();
      booking.to(room).emit('availability', day);
      lastEmitMs = performance.now() - started;
    } catch (err) {
      failed(err, service, date);
    }
  });

  function sendCurrent(socket: BookingSocket, service: string, date: string): void {
    snapshots.current(service, date).then(
      (day: AvailabilityDay) => {
        // The page may have unwatched the day or left while the snapshot was read.
        if (socket.connected && socket.rooms.has(roomName(service, date))) socket.emit('availability', day);
      },
      (err: unknown) => failed(err, service, date),
    );
  }

  booking.on('connection', (socket: BookingSocket) => {
    socket.on('watch', (input: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (result: WatchAck) => void) : () => {};
      const parsed = parseWatchRequest(input);
      if (!parsed.ok) return reply(parsed);
      const { service, dates } = parsed.request;
      const rooms = dates.map((date) => roomName(service, date));
      const watching = [...socket.rooms].filter(isAvailabilityRoom);
      const added = rooms.filter((room) => !socket.rooms.has(room));
      if (watching.length + added.length > MAX_ROOMS_PER_SOCKET) {
        return reply({ ok: false, error: `at most ${MAX_ROOMS_PER_SOCKET} days watched at once: unwatch some first` });
      }
      socket.join(rooms);
      reply({ ok: true });
      // Right away, so that a page subscribing after a change still shows the current state.
      if (provider) for (const date of dates) sendCurrent(socket, service, date);
    });
    socket.on('unwatch', (input: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (result: WatchAck) => void) : () => {};
      const parsed = parseWatchRequest(input);
      if (!parsed.ok) return reply(parsed);
      for (const date of parsed.request.dates) socket.leave(roomName(parsed.request.service, date));
      reply({ ok: true });
    });
  });

  let closing: Promise<void> | undefined;
  return {
    namespace: booking,
    io: io as unknown as Server,
    availabilityChanged(service, date) {
      if (provider && !closing) coalescer.mark(roomName(service, date));
    },
    setAvailabilityProvider(next) {
      provider = next;
    },
    close() {
      closing ??= (async () => {
        await coalescer.stop();
        // Closes the listener too; hapi has closed it already, which io.close tolerates.
        await io.close();
        await snapshots.idle();
        await redis?.close();
      })().catch((err: unknown) => log.error({ err }, 'Push: closing failed'));
      return closing;
    },
  };
}
