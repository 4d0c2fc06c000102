import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { CallRingingDto, ClientToServerEvents, ServerToClientEvents } from '@guichet/contracts';
import type { Server } from 'socket.io';

/**
 * Emits `call.ringing` pop-ups. It shares the socket.io server of the realtime gateway (same
 * port and path), whose handshake authenticates every agent and joins their team and agent rooms.
 */
@WebSocketGateway({ transports: ['websocket'], cors: { origin: false } })
export class CallRingingGateway {
  @WebSocketServer()
  private readonly server?: Server<ClientToServerEvents, ServerToClientEvents>;

  /** To these rooms, except sockets also in `except` (managers get their own, complete copy). */
  emit(roomNames: string[], call: CallRingingDto, except: string[] = []): void {
    if (roomNames.length) this.server?.to(roomNames).except(except).emit('call.ringing', call);
  }
}
