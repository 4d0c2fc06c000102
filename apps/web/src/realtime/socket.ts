import type { ClientToServerEvents, ServerToClientEvents } from '@guichet/contracts';
import { io, type Socket } from 'socket.io-client';

export type GuichetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * One socket per session, on the page's own origin (the API serves the app; Vite proxies in dev),
 * authenticated at the handshake by the session cookie, which the browser sends with the
 * websocket upgrade, and the session's CSRF token. Not connected until `connect()`, so
 * listeners are in place before the first event.
 */
export function createSocket(csrf: string): GuichetSocket {
  return io({
    path: '/socket.io',
    transports: ['websocket'],
    auth: { csrf },
    autoConnect: false,
    forceNew: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
  });
}
