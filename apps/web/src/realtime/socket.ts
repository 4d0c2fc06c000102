import type { ClientToServerEvents, ServerToClientEvents } from '@guichet/contracts';
import { io, type Socket } from 'socket.io-client';

export type GuichetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * One socket per session, on the page's own origin (the API serves the app; Vite proxies in dev),
 * authenticated at the handshake with the session token. Not connected until `connect()`,
 * so listeners are in place before the first event.
 */
export function createSocket(token: string): GuichetSocket {
  return io({
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token },
    autoConnect: false,
    forceNew: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
  });
}
