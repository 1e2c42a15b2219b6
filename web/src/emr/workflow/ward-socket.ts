// The live bed board's connection: Socket.io namespace /wards (path /socket.io), authenticated with
// the current access token (read again on every reconnect, since tokens live five minutes). The
// server only says which wards changed; the page reads the board again.
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { session } from '../../shared/http.ts';
import type { BedsChanged, WardClientToServerEvents, WardServerToClientEvents } from '../../../../server/emr/events.ts';

type WardSocket = Socket<WardServerToClientEvents, WardClientToServerEvents>;

/** Calls `onBeds` after each committed bed change; `connected` tells whether updates are live. */
export function useWardEvents(onBeds: (event: BedsChanged) => void): { connected: boolean } {
  const [connected, setConnected] = useState(false);
  const handler = useRef(onBeds);
  handler.current = onBeds;
  useEffect(() => {
    const socket: WardSocket = io('/wards', {
      path: '/socket.io',
      auth: (cb) => cb({ token: session.get().token }),
    });
    socket.on('connect', () => setConnected(true));
    socket.on('disconnect', () => setConnected(false));
    // A refused token (expired): the next attempt carries a fresh one.
    socket.on('connect_error', () => setConnected(false));
    socket.on('beds', (event) => handler.current(event));
    return () => { socket.disconnect(); };
  }, []);
  return { connected };
}
