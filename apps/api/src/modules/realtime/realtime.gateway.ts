import { Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { rooms, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '@guichet/contracts';
import type { Server, Socket } from 'socket.io';
import { randomUUID } from 'node:crypto';
import { runInContext } from '../../common/request-context';
import { isCanonicalUuid } from '../../common/uuid';
import { Metrics } from '../../infra/metrics/metrics';
import type { AuthAgent } from '../../common/auth-agent';
import { AuthService } from '../auth/auth.service';
import { sessionCookie } from '../auth/session-cookie';
import { ConversationService } from '../conversations/conversation.service';
import { accessRooms, RealtimePublisher } from './realtime.publisher';

interface SocketData {
  agent: AuthAgent;
  typing: string[];
}
type AgentSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type AgentServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** setTimeout's longest delay (about 24 days); a longer session is closed then, and its client reconnects. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Connections and disconnections within this delay share one « who is online » broadcast. */
const ONLINE_COALESCE_MS = 100;
/** A broadcast that failed (Redis away, an instance not answering) is tried again, this many times, 1 s apart and more. */
const ONLINE_RETRIES = 5;

/**
 * socket.io on the API's port, websocket transport. The handshake is authenticated by
 * middleware: a socket without a valid session never connects.
 */
@WebSocketGateway({ transports: ['websocket'], cors: { origin: false } })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private server!: AgentServer;
  /** Organizations whose online list is about to be (or being) broadcast; `again`: it changed meanwhile. */
  private readonly onlinePending = new Map<string, { again: boolean }>();
  private closing = false;

  constructor(
    private readonly auth: AuthService,
    private readonly conversations: ConversationService,
    private readonly publisher: RealtimePublisher,
    private readonly metrics: Metrics,
  ) {}

  afterInit(server: AgentServer): void {
    this.server = server;
    this.publisher.attach(server as never);
    server.use((socket, next) => {
      // `auth.token` (integrators, tests), else the browser's session cookie, sent with the
      // websocket upgrade, with its CSRF token in `auth.csrf` (a page of another site cannot read it).
      const { token, csrf } = (socket.handshake.auth ?? {}) as { token?: unknown; csrf?: unknown };
      const cookie = typeof token === 'string' ? undefined : sessionCookie(socket.handshake.headers);
      if (cookie && !this.auth.csrfMatches(cookie, csrf))
        return next(new Error('unauthorized: jeton anti-falsification (CSRF) manquant ou invalide'));
      this.auth
        .authenticate(typeof token === 'string' ? token : cookie)
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

  /**
   * Nest does not await this hook: a failure here (the database restarting, Redis away so that
   * a cluster-wide fetchSockets times out) would be an unhandled rejection that ends the process.
   * The socket's transport is closed instead: its client reconnects and reads its lists again.
   */
  async handleConnection(socket: AgentSocket): Promise<void> {
    try {
      await this.connected(socket);
    } catch (e) {
      this.logger.warn(`connexion du socket ${socket.id} interrompue : ${String(e)}`);
      socket.conn.close();
    }
  }

  private async connected(socket: AgentSocket): Promise<void> {
    const agent = socket.data.agent;
    const session = agent?.session;
    if (!agent || !session) return void socket.disconnect(true);
    this.metrics.socketOpened();
    // Each event from this socket is handled in its own context: its log lines carry a request id
    // and the agent's organization.
    socket.use((packet, next) =>
      runInContext({ requestId: randomUUID(), via: 'socket', organizationId: agent.organizationId }, () => {
        this.logger.debug(`événement ${String(packet[0]).slice(0, 40)} du socket ${socket.id}`);
        next();
      }),
    );
    socket.once('disconnect', () => this.metrics.socketClosed());
    // A socket never outlives its session: it closes when the session expires.
    const expiry = setTimeout(
      () => socket.disconnect(true),
      Math.min(MAX_TIMER_MS, Math.max(0, session.expiresAt.getTime() - Date.now())),
    );
    socket.on('disconnecting', () => {
      clearTimeout(expiry);
      const watched = [...socket.rooms].filter((r) => r.startsWith('conversation:')).map((r) => r.slice(13));
      socket.once('disconnect', () => {
        for (const id of watched) void this.publisher.presence(agent.organizationId, id).catch(() => undefined);
        this.announceOnline(agent.organizationId);
      });
    });
    await socket.join([
      rooms.session(session.id),
      rooms.agent(agent.id),
      rooms.members(agent.organizationId),
      ...accessRooms(agent),
    ]);
    // A logout or a change of access between the handshake and these joins missed this socket: catch up.
    const now = await this.auth.sessionAgent(session.id);
    if (!now) return void socket.disconnect(true);
    if (now.role !== agent.role || now.teamIds.join() !== agent.teamIds.join()) {
      socket.data.agent = now;
      await this.publisher.agentAccessChanged(now.organizationId, now.id);
    }
    this.announceOnline(agent.organizationId);
  }

  onModuleDestroy(): void {
    this.closing = true;
  }

  /**
   * Supervisors' boards show who is online. The list is read from every instance's sockets (a
   * cluster request through Redis), so it is read once for all the connections and disconnections
   * of the same moment: when Redis or an instance restarts, all agents reconnect within seconds,
   * and a read per connection (each returning every socket of the town) made that burst quadratic
   * in the number of agents. The last change is always followed by a broadcast. A failed read (an
   * instance not answering yet) is retried, and never closes the connecting socket: the socket has
   * nothing to do with it.
   */
  private announceOnline(organizationId: string): void {
    const pending = this.onlinePending.get(organizationId);
    if (pending) return void (pending.again = true);
    const state = { again: false };
    this.onlinePending.set(organizationId, state);
    void (async () => {
      let delayMs = ONLINE_COALESCE_MS;
      for (let failures = 0; !this.closing;) {
        await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
        if (this.closing) break;
        state.again = false;
        try {
          const agentIds = await this.publisher.onlineAgents(organizationId);
          this.server.to(rooms.org(organizationId)).emit('agents.online', { agentIds });
          if (!state.again) break;
          delayMs = ONLINE_COALESCE_MS;
        } catch (e) {
          if (++failures > ONLINE_RETRIES) {
            this.logger.warn(`liste des agents en ligne non diffusée : ${String(e)}`);
            break;
          }
          delayMs = 1_000 * failures;
        }
      }
      this.onlinePending.delete(organizationId);
    })();
  }

  handleDisconnect(): void {
    // Presence is recomputed in the 'disconnecting' listener, while the socket still knows its rooms.
  }

  @SubscribeMessage('conversation.join')
  async join(@ConnectedSocket() socket: AgentSocket, @MessageBody() conversationId: unknown): Promise<Parameters<Ack>[0]> {
    if (!isCanonicalUuid(conversationId)) return { ok: false, error: 'identifiant invalide' };
    if (!(await this.mayRead(socket, conversationId))) return { ok: false, error: 'conversation introuvable' };
    const room = rooms.conversation(conversationId);
    await socket.join(room);
    // Checked again now that a transfer committing meanwhile would find this socket in the room.
    if (!(await this.mayRead(socket, conversationId))) {
      await socket.leave(room);
      return { ok: false, error: 'conversation introuvable' };
    }
    await this.publisher.presence(socket.data.agent.organizationId, conversationId);
    return { ok: true };
  }

  /**
   * Every join checks the session and the agent's access as they are now, never as they were at
   * the handshake; a socket whose session ended is closed.
   */
  private async mayRead(socket: AgentSocket, conversationId: string): Promise<boolean> {
    const agent = socket.data.agent.session && (await this.auth.sessionAgent(socket.data.agent.session.id));
    if (!agent) {
      socket.disconnect(true);
      return false;
    }
    socket.data.agent = agent;
    return this.conversations.canRead(agent, conversationId);
  }

  @SubscribeMessage('conversation.leave')
  async leave(@ConnectedSocket() socket: AgentSocket, @MessageBody() conversationId: unknown): Promise<Parameters<Ack>[0]> {
    if (!isCanonicalUuid(conversationId)) return { ok: false, error: 'identifiant invalide' };
    await socket.leave(rooms.conversation(conversationId));
    socket.data.typing = socket.data.typing.filter((id) => id !== conversationId);
    await this.publisher.presence(socket.data.agent.organizationId, conversationId);
    return { ok: true };
  }

  @SubscribeMessage('presence.typing')
  async typing(@ConnectedSocket() socket: AgentSocket, @MessageBody() payload: unknown): Promise<void> {
    const p = payload as { conversationId?: unknown; typing?: unknown } | null;
    if (!p || typeof p.conversationId !== 'string' || !socket.rooms.has(rooms.conversation(p.conversationId))) return;
    const others = socket.data.typing.filter((id) => id !== p.conversationId);
    socket.data.typing = p.typing === true ? [...others, p.conversationId] : others;
    await this.publisher.presence(socket.data.agent.organizationId, p.conversationId);
  }
}
