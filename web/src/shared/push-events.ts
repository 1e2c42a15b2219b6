// Socket.io events of the /booking namespace: the server's own typed event map, imported as types
// only (the web app imports no server code at run time).
export type {
  AvailabilityDay, AvailabilityTime, ClientToServerEvents, ServerToClientEvents, WatchAck, WatchRequest,
} from '../../../server/push/events.ts';
