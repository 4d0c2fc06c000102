import { Injectable } from '@nestjs/common';
import { rooms, type ConversationDto, type MessageDto, type ServerToClientEvents } from '@guichet/contracts';
import type { Server } from 'socket.io';

export type TypedServer = Server<Record<string, never>, ServerToClientEvents>;

/**
 * Emits events to the rooms allowed to see them. Callers emit only after their transaction
 * committed (Database.tx afterCommit). With REDIS_URL the adapter fans out across instances.
 */
@Injectable()
export class RealtimePublisher {
  private server?: TypedServer;

  attach(server: TypedServer): void {
    this.server = server;
  }

  private targets(organizationId: string, c: ConversationDto, extraTeamIds: string[] = []): string[] {
    const list = [rooms.org(organizationId), rooms.team(c.teamId), rooms.conversation(c.id), ...extraTeamIds.map(rooms.team)];
    if (c.assigneeId) list.push(rooms.agent(c.assigneeId));
    return list;
  }

  conversation(
    event: 'conversation.created' | 'conversation.updated',
    organizationId: string,
    c: ConversationDto,
    previousTeamIds: string[] = [],
  ): void {
    this.server?.to(this.targets(organizationId, c, previousTeamIds)).emit(event, c);
  }

  message(event: 'message.created' | 'message.updated', organizationId: string, c: ConversationDto, m: MessageDto): void {
    this.server?.to(this.targets(organizationId, c)).emit(event, m);
  }

  /** Agents with a connected socket, read from the sockets themselves (across instances). */
  async onlineAgents(organizationId: string): Promise<string[]> {
    if (!this.server) return [];
    const sockets = await this.server.in(rooms.members(organizationId)).fetchSockets();
    return [...new Set(sockets.map((s) => (s.data as { agent?: { id: string } }).agent?.id).filter((id): id is string => !!id))].sort();
  }
}
