import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import {
  rooms,
  type Ack,
  type ClientToServerEvents,
  type PresenceDto,
  type ServerToClientEvents,
} from '@guichet/contracts';
import type { Server, Socket } from 'socket.io';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { AuthService } from '../auth/auth.service';
import { ConversationService } from '../conversations/conversation.service';
import { RealtimePublisher } from './realtime.publisher';

interface SocketData {
  agent: AuthAgent;
  typing: string[];
}
type AgentSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type AgentServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * socket.io on the API's port, websocket transport. The handshake is authenticated by
 * middleware: a socket without a valid session never connects.
 */
@WebSocketGateway({ transports: ['websocket'], cors: { origin: false } })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('Realtime');
  private server!: AgentServer;

  constructor(
    private readonly auth: AuthService,
    private readonly conversations: ConversationService,
    private readonly publisher: RealtimePublisher,
  ) {}

  afterInit(server: AgentServer): void {
    this.server = server;
    this.publisher.attach(server as never);
    server.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      this.auth
        .authenticate(typeof token === 'string' ? token : undefined)
        .then((agent) => {
          if (!agent) return next(new Error('unauthorized: session absente ou expirée'));
          socket.data.agent = agent;
          socket.data.typing = [];
          next();
        })
        .catch((e: unknown) => {
          this.logger.error(`handshake: ${String(e)}`);
          next(new Error('erreur interne'));
        });
    });
  }

  async handleConnection(socket: AgentSocket): Promise<void> {
    const agent = socket.data.agent;
    if (!agent) return void socket.disconnect(true);
    const list = [rooms.agent(agent.id), rooms.members(agent.organizationId), ...agent.teamIds.map(rooms.team)];
    if (isManager(agent)) list.push(rooms.org(agent.organizationId));
    await socket.join(list);
    await this.broadcastOnline(agent.organizationId);
    socket.on('disconnecting', () => {
      const watched = [...socket.rooms].filter((r) => r.startsWith('conversation:')).map((r) => r.slice(13));
      socket.once('disconnect', () => {
        for (const id of watched) void this.broadcastPresence(agent, id).catch(() => undefined);
        void this.broadcastOnline(agent.organizationId).catch(() => undefined);
      });
    });
  }

  /** Supervisors' boards show who is online. */
  private async broadcastOnline(organizationId: string): Promise<void> {
    this.server.to(rooms.org(organizationId)).emit('agents.online', { agentIds: await this.publisher.onlineAgents(organizationId) });
  }

  handleDisconnect(): void {
    // Presence is recomputed in the 'disconnecting' listener, while the socket still knows its rooms.
  }

  @SubscribeMessage('conversation.join')
  async join(@ConnectedSocket() socket: AgentSocket, @MessageBody() conversationId: unknown): Promise<Parameters<Ack>[0]> {
    if (typeof conversationId !== 'string' || !UUID.test(conversationId)) return { ok: false, error: 'identifiant invalide' };
    const allowed = await this.conversations.canRead(socket.data.agent, conversationId);
    if (!allowed) return { ok: false, error: 'conversation introuvable' };
    await socket.join(rooms.conversation(conversationId));
    await this.broadcastPresence(socket.data.agent, conversationId);
    return { ok: true };
  }

  @SubscribeMessage('conversation.leave')
  async leave(@ConnectedSocket() socket: AgentSocket, @MessageBody() conversationId: unknown): Promise<Parameters<Ack>[0]> {
    if (typeof conversationId !== 'string' || !UUID.test(conversationId)) return { ok: false, error: 'identifiant invalide' };
    await socket.leave(rooms.conversation(conversationId));
    socket.data.typing = socket.data.typing.filter((id) => id !== conversationId);
    await this.broadcastPresence(socket.data.agent, conversationId);
    return { ok: true };
  }

  @SubscribeMessage('presence.typing')
  async typing(@ConnectedSocket() socket: AgentSocket, @MessageBody() payload: unknown): Promise<void> {
    const p = payload as { conversationId?: unknown; typing?: unknown } | null;
    if (!p || typeof p.conversationId !== 'string' || !socket.rooms.has(rooms.conversation(p.conversationId))) return;
    const others = socket.data.typing.filter((id) => id !== p.conversationId);
    socket.data.typing = p.typing === true ? [...others, p.conversationId] : others;
    await this.broadcastPresence(socket.data.agent, p.conversationId);
  }

  /**
   * Viewers are read from the room itself (across instances with the Redis adapter), and told
   * to the conversation's room and to those who list it (its service, the supervisors).
   */
  private async broadcastPresence(by: AuthAgent, conversationId: string): Promise<void> {
    const room = rooms.conversation(conversationId);
    const sockets = await this.server.in(room).fetchSockets();
    const byAgent = new Map<string, PresenceDto['viewers'][number]>();
    for (const s of sockets) {
      const a = s.data.agent;
      if (!a) continue;
      const typing = s.data.typing?.includes(conversationId) ?? false;
      const prev = byAgent.get(a.id);
      byAgent.set(a.id, { agentId: a.id, name: a.name, typing: typing || (prev?.typing ?? false) });
    }
    const teamId = await this.conversations.teamOf(by, conversationId);
    const targets = [room, rooms.org(by.organizationId), ...(teamId ? [rooms.team(teamId)] : [])];
    this.server.to(targets).emit('presence.updated', { conversationId, viewers: [...byAgent.values()] });
  }
}
