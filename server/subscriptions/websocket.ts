// The websocket channel of R4 Subscriptions (http://hl7.org/fhir/R4/subscription.html, "websocket"):
// a client opens a websocket to [base]/websocket, sends `bind [id]` for a websocket Subscription, is
// answered `bound [id]`, and hears `ping [id]` whenever a resource meets the criteria; then it searches
// for what changed. The upgrade request must carry a staff or system access token (Authorization:
// Bearer); binding needs the right to read the Subscription and to search its criteria's type, as
// creating it did. Pings reach the sockets of every server process: one process delivers the
// notification and tells the others through the Socket.io adapter (Redis when configured).
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server as IoServer } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FhirEngine } from '../../fhir/index.ts';
import type { AuthService } from '../auth/service.ts';
import { accessFor, type Caller } from '../auth/caller.ts';
import { readSubscription } from './channel.ts';

export const SUBSCRIPTION_SOCKET_PATH = '/fhir/websocket';
/** Socket.io namespace the processes tell each other pings through (never joined by clients). */
const PING_NAMESPACE = '/subscription-pings';
/** A bind message is short; anything longer is a mistake or an attack. */
const MAX_MESSAGE_BYTES = 1024;
const MAX_BINDS_PER_SOCKET = 64;
/** Sockets that do not answer a ping frame within this are closed (a half-open TCP connection). */
const KEEPALIVE_MS = 30_000;

export interface SubscriptionSockets {
  /** Sends `ping [id]` to the sockets bound to the subscription, in this process and the others. */
  ping(subscriptionId: string): void;
  close(): Promise<void>;
}

export interface SubscriptionSocketOptions {
  engine: FhirEngine;
  auth: AuthService;
  /** For pings between processes: Socket.io with the Redis adapter; absent when this process is alone. */
  io?: IoServer;
  log: { warn(obj: object, msg: string): void };
}

const idPattern = /^[A-Za-z0-9\-.]{1,64}$/;

function refuseUpgrade(socket: Duplex, status: 401 | 403, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

export function attachSubscriptionSockets(listener: HttpServer, options: SubscriptionSocketOptions): SubscriptionSockets {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const bound = new Map<string, Set<WebSocket>>();
  const alive = new WeakSet<WebSocket>();

  const localPing = (id: string) => {
    for (const socket of bound.get(id) ?? []) socket.send(`ping ${id}`);
  };
  const peers = options.io?.of(PING_NAMESPACE);
  peers?.on('ping', (id: unknown) => { if (typeof id === 'string' && idPattern.test(id)) localPing(id); });

  async function bind(caller: Caller, id: string): Promise<string> {
    if (!idPattern.test(id)) return `error ${id.slice(0, 64)} not a Subscription id`;
    const access = accessFor(caller);
    if (!access.allows('Subscription', 'read')) return `error ${id} you may not read Subscriptions`;
    let resource: Record<string, unknown>;
    try {
      resource = JSON.parse((await options.engine.repo.read('Subscription', id)).json!) as Record<string, unknown>;
    } catch {
      return `error ${id} no such Subscription`;
    }
    let channel;
    try {
      channel = readSubscription(resource, options.engine.registry);
    } catch {
      return `error ${id} not a valid Subscription`;
    }
    if (channel.transport !== 'websocket') return `error ${id} not a websocket Subscription`;
    if (resource.status !== 'active' && resource.status !== 'requested') return `error ${id} the Subscription is ${String(resource.status)}`;
    if (!access.allows(channel.resourceType, 'search')) return `error ${id} you may not search ${channel.resourceType}`;
    return `bound ${id}`;
  }

  function connected(socket: WebSocket, caller: Caller): void {
    const mine = new Set<string>();
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    // A protocol violation (an oversized or malformed frame): ws closes the socket; nothing to rethrow.
    socket.on('error', () => socket.terminate());
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      const match = /^bind (\S+)$/.exec(text.trim());
      if (!match) {
        socket.send('error expected "bind [id]"');
        return;
      }
      const id = match[1]!;
      if (mine.size >= MAX_BINDS_PER_SOCKET && !mine.has(id)) {
        socket.send(`error ${id.slice(0, 64)} too many subscriptions on one socket`);
        return;
      }
      bind(caller, id).then((answer) => {
        if (socket.readyState !== socket.OPEN) return;
        if (answer.startsWith('bound ')) {
          mine.add(id);
          let set = bound.get(id);
          if (!set) bound.set(id, set = new Set());
          set.add(socket);
        }
        socket.send(answer);
      }, (err: Error) => {
        options.log.warn({ err: err.message }, 'Subscription websocket: bind failed');
        socket.send(`error ${id} the server could not bind now`);
      });
    });
    socket.on('close', () => {
      for (const id of mine) {
        const set = bound.get(id);
        set?.delete(socket);
        if (set?.size === 0) bound.delete(id);
      }
    });
  }

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== SUBSCRIPTION_SOCKET_PATH) return; // Socket.io's, or nobody's
    const header = request.headers.authorization;
    if (typeof header !== 'string' || header.length > 4096) {
      refuseUpgrade(socket, 401, 'An access token is required (Authorization: Bearer)');
      return;
    }
    options.auth.caller(header).then((caller) => {
      if (caller.kind === 'anonymous') {
        refuseUpgrade(socket, 401, 'An access token is required (Authorization: Bearer)');
        return;
      }
      if (caller.kind !== 'staff' && caller.kind !== 'client') {
        refuseUpgrade(socket, 403, 'Subscriptions are for staff and system clients');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => connected(ws, caller));
    }, () => refuseUpgrade(socket, 401, 'The access token is not valid'));
  };
  listener.on('upgrade', onUpgrade);

  const keepalive = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, KEEPALIVE_MS);
  keepalive.unref();

  return {
    ping(id) {
      localPing(id);
      try {
        peers?.serverSideEmit('ping', id);
      } catch (err) {
        options.log.warn({ err: (err as Error).message }, 'Subscription websocket: could not tell the other processes');
      }
    },
    async close() {
      clearInterval(keepalive);
      listener.off('upgrade', onUpgrade);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
