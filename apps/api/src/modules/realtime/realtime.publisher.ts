import { Injectable } from '@nestjs/common';
import {
  rooms,
  type AgentNotificationDto,
  type ConversationCountedDto,
  type ConversationDto,
  type EventPlacesDto,
  type MessageDto,
  type MunicipalEventChange,
  type MunicipalEventDto,
  type PresenceDto,
  type RegistrationChange,
  type RegistrationDto,
  type ServerToClientEvents,
} from '@guichet/contracts';
import type { Server } from 'socket.io';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { AgentDirectory } from '../agents/agent-directory.service';
import { canRead } from '../conversations/conversation-access';
import { ConversationReader } from '../conversations/conversation-reader.service';

export type TypedServer = Server<Record<string, never>, ServerToClientEvents>;

/** The rooms an agent's access gives: their services', and the organization's for managers. */
export function accessRooms(agent: AuthAgent): string[] {
  return [...agent.teamIds.map(rooms.team), ...(isManager(agent) ? [rooms.org(agent.organizationId)] : [])];
}

const agentOf = (socket: { data: unknown }) => (socket.data as { agent?: AuthAgent; typing?: string[] } | undefined)?.agent;
const TEAM = rooms.team('');
const ORG = rooms.org('');
const CONVERSATION = rooms.conversation('');

/**
 * Emits events to the rooms allowed to see them, and keeps room membership following access.
 * Callers emit only after their transaction committed (Database.tx afterCommit). With REDIS_URL
 * the adapter fans out across instances, and the room operations below reach every instance.
 */
@Injectable()
export class RealtimePublisher {
  private server?: TypedServer;

  constructor(
    private readonly conversations: ConversationReader,
    private readonly directory: AgentDirectory,
  ) {}

  attach(server: TypedServer): void {
    this.server = server;
  }

  private targets(organizationId: string, c: ConversationDto, extraTeamIds: string[] = []): string[] {
    const list = [rooms.org(organizationId), rooms.team(c.teamId), rooms.conversation(c.id), ...extraTeamIds.map(rooms.team)];
    if (c.assigneeId) list.push(rooms.agent(c.assigneeId));
    return list;
  }

  conversation(
    event: 'conversation.created' | 'conversation.updated' | 'conversation.deleted',
    organizationId: string,
    c: ConversationDto,
    previousTeamIds: string[] = [],
    before?: ConversationCountedDto,
  ): void {
    const to = this.server?.to(this.targets(organizationId, c, previousTeamIds));
    if (event === 'conversation.updated' && before) to?.emit(event, c, before);
    else to?.emit(event, c);
  }

  message(event: 'message.created' | 'message.updated', organizationId: string, c: ConversationDto, m: MessageDto): void {
    this.server?.to(this.targets(organizationId, c)).emit(event, m);
  }

  /**
   * A registration to an event of `teamId` changed: that service's agents and the supervisors
   * (those who see the event) hear of it, with the event's places after the change.
   */
  registration(
    event: `registration.${RegistrationChange}`,
    organizationId: string,
    teamId: string,
    r: RegistrationDto,
    places: EventPlacesDto,
  ): void {
    this.server?.to([rooms.org(organizationId), rooms.team(teamId)]).emit(event, r, places);
  }

  /** An event of `e.teamId` created, changed or cancelled: told to the rooms `registration` tells. */
  municipalEvent(event: `municipal_event.${MunicipalEventChange}`, organizationId: string, e: MunicipalEventDto): void {
    this.server?.to([rooms.org(organizationId), rooms.team(e.teamId)]).emit(event, e);
  }

  /** Tells agents (their own rooms, or a service's room) of a file handed to them. */
  async notify(
    organizationId: string,
    agentIds: string[],
    n: Omit<AgentNotificationDto, 'byAgentName' | 'note'> & { note?: string },
    teamId?: string,
  ): Promise<void> {
    if (!this.server) return;
    const by = n.byAgentId ? await this.directory.agent(organizationId, n.byAgentId) : null;
    const targets = [...agentIds.map(rooms.agent), ...(teamId ? [rooms.team(teamId)] : [])];
    this.server.to(targets).emit('agent.notified', { ...n, byAgentName: by?.name ?? null, note: n.note ?? null });
  }

  /** Agents with a connected socket, read from the sockets themselves (across instances). */
  async onlineAgents(organizationId: string): Promise<string[]> {
    if (!this.server) return [];
    const sockets = await this.server.in(rooms.members(organizationId)).fetchSockets();
    return [...new Set(sockets.map((s) => agentOf(s)?.id).filter((id): id is string => !!id))].sort();
  }

  /**
   * Who views (and types in) a conversation, read from its room on every instance, told to the
   * room and to those who list it (its service, the supervisors).
   */
  async presence(organizationId: string, conversationId: string): Promise<void> {
    if (!this.server) return;
    const room = rooms.conversation(conversationId);
    const sockets = await this.server.in(room).fetchSockets();
    const byAgent = new Map<string, PresenceDto['viewers'][number]>();
    for (const s of sockets) {
      const a = agentOf(s);
      if (!a) continue;
      const typing = (s.data as { typing?: string[] }).typing?.includes(conversationId) ?? false;
      const prev = byAgent.get(a.id);
      byAgent.set(a.id, { agentId: a.id, name: a.name, typing: typing || (prev?.typing ?? false) });
    }
    const [row] = await this.conversations.accessRows(organizationId, [conversationId]);
    const targets = [room, rooms.org(organizationId), ...(row ? [rooms.team(row.team_id)] : [])];
    this.server.to(targets).emit('presence.updated', { conversationId, viewers: [...byAgent.values()] });
  }

  /** A session ended (logout): its sockets close at once, on every instance. */
  closeSession(sessionId: string): void {
    this.server?.in(rooms.session(sessionId)).disconnectSockets(true);
  }

  /** The agent's sessions ended (deactivation, new password): their sockets close, but `exceptSessionId`'s. */
  closeAgentSockets(agentId: string, exceptSessionId?: string): void {
    const own = this.server?.in(rooms.agent(agentId));
    (exceptSessionId ? own?.except(rooms.session(exceptSessionId)) : own)?.disconnectSockets(true);
  }

  /**
   * A conversation moved (another service, another assignee, nobody): the sockets of agents who
   * may no longer read it leave its room. Access is judged on the agents as they are now.
   */
  async conversationAccessChanged(organizationId: string, conversationId: string): Promise<void> {
    if (!this.server) return;
    const room = rooms.conversation(conversationId);
    const viewers = [
      ...new Set((await this.server.in(room).fetchSockets()).map((s) => agentOf(s)?.id).filter((id): id is string => !!id)),
    ];
    if (!viewers.length) return;
    const [row] = await this.conversations.accessRows(organizationId, [conversationId]);
    const agents = await this.freshAgents(organizationId, viewers);
    const lost = viewers.filter((id) => {
      const agent = agents.get(id);
      return !row || !agent || !canRead(agent, row);
    });
    if (!lost.length) return;
    this.server.in(lost.map(rooms.agent)).socketsLeave(room);
    await this.presence(organizationId, conversationId);
  }

  /**
   * An agent's role or services changed: their sockets join and leave the service and
   * organization rooms to match, and leave the conversations they may no longer read.
   */
  async agentAccessChanged(organizationId: string, agentId: string): Promise<void> {
    if (!this.server) return;
    const own = this.server.in(rooms.agent(agentId));
    const agent = (await this.freshAgents(organizationId, [agentId])).get(agentId);
    if (!agent) return void own.disconnectSockets(true);
    // The agent's screens take the new access at once (menus, admin screens, lists): no new login.
    own.emit('agent.access_changed', { role: agent.role, teamIds: agent.teamIds });
    const joined = new Set((await own.fetchSockets()).flatMap((s) => [...s.rooms]));
    if (!joined.size) return;
    const wanted = accessRooms(agent);
    const stale = [...joined].filter((r) => (r.startsWith(TEAM) || r.startsWith(ORG)) && !wanted.includes(r));
    if (stale.length) own.socketsLeave(stale);
    own.socketsJoin(wanted);
    const viewed = [...joined].filter((r) => r.startsWith(CONVERSATION)).map((r) => r.slice(CONVERSATION.length));
    const readable = new Set(
      (await this.conversations.accessRows(organizationId, viewed)).filter((c) => canRead(agent, c)).map((c) => c.id),
    );
    const lost = viewed.filter((id) => !readable.has(id));
    if (!lost.length) return;
    own.socketsLeave(lost.map(rooms.conversation));
    for (const id of lost) await this.presence(organizationId, id);
  }

  private async freshAgents(organizationId: string, ids: string[]): Promise<Map<string, AuthAgent>> {
    const agents = await this.directory.agentsByIds(organizationId, ids);
    return new Map(agents.map((a) => [a.id, { ...a, organizationId }]));
  }
}
