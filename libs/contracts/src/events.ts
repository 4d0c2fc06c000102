import type { CallRingingDto } from './calls';
import type { ConversationDto, MessageDto } from './dto';
import type { EventPlacesDto, MunicipalEventDto, RegistrationDto } from './municipal-events';
import type { AgentRole } from './enums';

export interface PresenceDto {
  conversationId: string;
  viewers: { agentId: string; name: string; typing: boolean }[];
}

/** The agents of an organization with at least one connected socket (any API instance). */
export interface AgentsOnlineDto {
  agentIds: string[];
}

/**
 * Something handed to an agent by someone else: a file assigned to them, taken from them, or
 * transferred to one of their services (with the note written for them), a note naming them
 * (`@Prénom Nom`), or a due date near or passed. Sent to the agent's own
 * room (or the receiving service's), never for the agent's own action.
 */
export interface AgentNotificationDto {
  /**
   * `deadline_soon` / `deadline_passed`: the file's due date comes within 48 hours / has passed
   * (told once per due date to its assignee and its service's supervisors; `byAgentId` null).
   */
  kind: 'assigned' | 'unassigned' | 'transferred' | 'mentioned' | 'deadline_soon' | 'deadline_passed';
  conversation: ConversationDto;
  byAgentId: string | null;
  byAgentName: string | null;
  /** The handover note; for `mentioned`, the note that names the agent. */
  note: string | null;
  /** For the deadline kinds: the due date warned of (ISO 8601). */
  dueAt?: string;
}

/**
 * What the inbox counters read of a conversation (ConversationRepository.counts), as it was just
 * before a change: sent beside `conversation.updated` when the writer knows it exactly, so a
 * screen that never loaded the file can still move its counters (the previous contribution out,
 * the new one in) instead of asking for them again.
 */
export type ConversationCountedDto = Pick<
  ConversationDto,
  'status' | 'teamId' | 'assigneeId' | 'callbackNeeded' | 'decisionDueAt' | 'responseDueAt' | 'firstResponseAt' | 'version'
>;

/** What the counters read of a conversation (its fields of ConversationCountedDto). */
export function countedOf(c: ConversationCountedDto): ConversationCountedDto {
  const { status, teamId, assigneeId, callbackNeeded, decisionDueAt, responseDueAt, firstResponseAt, version } = c;
  return { status, teamId, assigneeId, callbackNeeded, decisionDueAt, responseDueAt, firstResponseAt, version };
}

/** Events the server emits; each carries the DTO the REST API returns. */
export interface ServerToClientEvents {
  'conversation.created': (conversation: ConversationDto) => void;
  'conversation.updated': (conversation: ConversationDto, before?: ConversationCountedDto) => void;
  /** Deleted for good (a retention rule that deletes): its last state, so lists and counters drop it. */
  'conversation.deleted': (conversation: ConversationDto) => void;
  'message.created': (message: MessageDto) => void;
  'message.updated': (message: MessageDto) => void;
  'presence.updated': (presence: PresenceDto) => void;
  'call.ringing': (call: CallRingingDto) => void;
  'agents.online': (online: AgentsOnlineDto) => void;
  'agent.notified': (notification: AgentNotificationDto) => void;
  /** An admin changed this agent's role or services: the screens take the new access without a new login. */
  'agent.access_changed': (access: AgentAccessDto) => void;
  /**
   * A registration to one of the agent's services' events (issue 17), with the event's places as
   * they stand after it: the events list and registrants screens patch themselves. `updated`: an
   * offer confirmed or lapsed; `checked_in`: marked present (or absent again) by an agent.
   */
  'registration.created': (registration: RegistrationDto, places: EventPlacesDto) => void;
  'registration.cancelled': (registration: RegistrationDto, places: EventPlacesDto) => void;
  'registration.promoted': (registration: RegistrationDto, places: EventPlacesDto) => void;
  'registration.updated': (registration: RegistrationDto, places: EventPlacesDto) => void;
  'registration.checked_in': (registration: RegistrationDto, places: EventPlacesDto) => void;
  /**
   * An event of one of the agent's services (issue 17) created, changed or cancelled, as the REST
   * API returns it after the change: the events list and the registrants screen patch themselves.
   */
  'municipal_event.created': (event: MunicipalEventDto) => void;
  'municipal_event.updated': (event: MunicipalEventDto) => void;
  'municipal_event.cancelled': (event: MunicipalEventDto) => void;
}

/** What an agent's access is made of, as it stands after an admin's change. */
export interface AgentAccessDto {
  role: AgentRole;
  teamIds: string[];
}

export type Ack = (result: { ok: true } | { ok: false; error: string }) => void;

/** Requests the client sends; conversation rooms are joined only where the agent may read. */
export interface ClientToServerEvents {
  'conversation.join': (conversationId: string, ack?: Ack) => void;
  'conversation.leave': (conversationId: string, ack?: Ack) => void;
  'presence.typing': (payload: { conversationId: string; typing: boolean }) => void;
}

export const SERVER_EVENTS = [
  'conversation.created',
  'conversation.updated',
  'conversation.deleted',
  'message.created',
  'message.updated',
  'presence.updated',
  'call.ringing',
  'agents.online',
  'agent.notified',
  'agent.access_changed',
  'registration.created',
  'registration.cancelled',
  'registration.promoted',
  'registration.updated',
  'registration.checked_in',
  'municipal_event.created',
  'municipal_event.updated',
  'municipal_event.cancelled',
] as const satisfies readonly (keyof ServerToClientEvents)[];

export const rooms = {
  org: (id: string) => `org:${id}`,
  team: (id: string) => `team:${id}`,
  agent: (id: string) => `agent:${id}`,
  conversation: (id: string) => `conversation:${id}`,
  /** Every socket of the organization: who is online (never emitted to). */
  members: (id: string) => `members:${id}`,
  /** Every socket opened with one login session: closed together when it ends (never emitted to). */
  session: (id: string) => `session:${id}`,
};
