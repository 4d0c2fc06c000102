import type { ClientToServerEvents, ServerToClientEvents } from '@guichet/contracts';
import { io, type Socket } from 'socket.io-client';

export type AgentClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RecordedEvent {
  event: keyof ServerToClientEvents;
  payload: unknown;
  at: number;
}

/** A real socket.io client that records every server event it receives. */
export interface RecordingClient {
  socket: AgentClient;
  events: RecordedEvent[];
  of<T = unknown>(event: keyof ServerToClientEvents): T[];
  close(): void;
}

export function connectAgent(url: string, token: string | undefined): AgentClient {
  return io(url, { transports: ['websocket'], auth: token ? { token } : {}, reconnection: false, forceNew: true });
}

/** Connects and resolves once the handshake is accepted; rejects with the server's reason otherwise. */
export async function connectRecording(url: string, token: string | undefined): Promise<RecordingClient> {
  const socket = connectAgent(url, token);
  const events: RecordedEvent[] = [];
  socket.onAny((event: keyof ServerToClientEvents, payload: unknown) => events.push({ event, payload, at: Date.now() }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => {
      socket.close();
      reject(e);
    });
  });
  return {
    socket,
    events,
    of: <T>(event: keyof ServerToClientEvents) => events.filter((e) => e.event === event).map((e) => e.payload as T),
    close: () => socket.close(),
  };
}
