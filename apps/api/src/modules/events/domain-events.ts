import { randomUUID } from 'node:crypto';
import type {
  ConversationCountedDto,
  ConversationDto,
  ConversationStatus,
  EventPlacesDto,
  MessageDto,
  MunicipalEventChange,
  MunicipalEventDto,
  RegistrationChange,
  RegistrationDto,
} from '@guichet/contracts';

/** Why a conversation row changed, for `conversation.updated`. */
export type ConversationChange =
  | 'message' // a message was added: snippet, last activity, unread
  | 'agent' // an agent changed status, priority, service or assignee
  | 'read' // an agent opened it
  | 'snooze_ended'
  | 'assignee_deactivated'
  | 'contact_profile' // the citizen's name came from the provider
  | 'contact' // a contact merge (or its undo) moved it to another citizen's file, or the citizen's name was rectified (issue 16)
  | 'rights_request' // marked a rights request, its kind or deadline changed (issue 16)
  | 'subject'
  | 'call' // a call's outcome moved (callback flag, snippet)
  | 'routing' // a routing rule or automatic assignment placed a new conversation (issue 13)
  | 'deadlines' // its request type or due dates were set or recomputed (issue 13)
  | 'satisfaction' // the citizen answered the satisfaction survey (issue 15)
  | 'posted' // an agent's printed answer was posted: the file's first response from then (issue 13)
  | 'anonymized'; // retention or an erasure emptied it of everything personal (issue 16)

/** What changed in a message, for `message.updated`. */
export type MessageChange = 'status' | 'requeued' | 'attachments' | 'call';

interface ConversationPayload {
  conversation: ConversationDto;
}

interface MessagePayload extends ConversationPayload {
  message: MessageDto;
}

/**
 * The server's domain events: what happened to a conversation, told after the write committed.
 * Each write path emits them from one place (the socket events of libs/contracts are derived
 * from these by the realtime listener). Several may go out for one write, delivered in the order
 * the writer gives (usually the message event, then `conversation.created` or
 * `conversation.updated`, then the specific changes).
 * `conversation.updated` goes out once for every write that changed the conversation's row (what
 * list screens need); `conversation.assigned`, `.transferred`, `.status_changed` and
 * `call.missed` go out beside it for the listeners that care about that change only.
 */
export interface DomainEventMap {
  /** A conversation was opened (by a citizen's first message, an agent writing first, a Meta echo). */
  'conversation.created': ConversationPayload & { origin: 'inbound' | 'agent' | 'provider' };
  /**
   * The conversation's row changed. `previous` is where it was before, when the change may have
   * moved it (an agent's update, an assignee deactivated): its former service and assignee.
   */
  'conversation.updated': ConversationPayload & {
    change: ConversationChange;
    previous?: { teamId: string; assigneeId: string | null; status: ConversationStatus };
    /** What the counters read of it just before this change, when the writer knows it exactly (the ingest). */
    before?: ConversationCountedDto;
  };
  /** `note`: what the agent who handed it over wrote for the receiver (also kept as a note in the thread). */
  'conversation.assigned': ConversationPayload & {
    previousAssigneeId: string | null;
    assigneeId: string | null;
    byAgentId: string | null;
    note?: string;
  };
  'conversation.transferred': ConversationPayload & {
    previousTeamId: string;
    teamId: string;
    byAgentId: string | null;
    note?: string;
  };
  'conversation.status_changed': ConversationPayload & {
    previousStatus: ConversationStatus;
    status: ConversationStatus;
    byAgentId: string | null;
  };
  /**
   * A file's due date comes within 48 hours (`soon`) or has passed (`overdue`): told once per
   * stage and due date by the deadline warnings job, to `agentIds` (its assignee and its
   * service's supervisors).
   */
  'conversation.deadline_warning': ConversationPayload & { stage: 'soon' | 'overdue'; dueAt: string; agentIds: string[] };
  /** Deleted for good by a retention rule (audited apart): `conversation` is its last state. */
  'conversation.deleted': ConversationPayload;
  /** A citizen's message, call, reaction or comment was stored (any channel, the tracking page, the web form). */
  'message.received': MessagePayload & { newConversation: boolean };
  /**
   * Something written on the town hall's side was stored: an agent's reply (queued) or note, a
   * message sent from the provider's own inbox (Meta echo), an outgoing or hand-logged call.
   */
  'message.sent': MessagePayload & {
    newConversation: boolean;
    byAgentId: string | null;
    /** A note's `@Prénom Nom`: the colleagues it names (who may read the conversation). */
    mentionedAgentIds?: string[];
  };
  /** A stored message changed: delivery status, attachments fetched, a call's progress. */
  'message.updated': MessagePayload & { change: MessageChange };
  /** An incoming call ended unanswered (missed or voicemail): the conversation is flagged "à rappeler". */
  'call.missed': MessagePayload & { outcome: 'missed' | 'voicemail' };
  /**
   * A registration to a municipal event was made or changed (issue 17), told by the write that
   * changed it (with its notice job): no conversation of its own, the event's service instead.
   */
  'registration.changed': { registration: RegistrationDto; teamId: string; places: EventPlacesDto; change: RegistrationChange };
  /**
   * A municipal event itself was created, changed or cancelled (issue 17), told by the agent's
   * write that changed it, with the event as it stands after (its service is `event.teamId`).
   */
  'municipal_event.changed': { event: MunicipalEventDto; change: MunicipalEventChange };
}

/** The events about a conversation (all but the municipal events' and their registrations'). */
type ConversationEventType = {
  [K in keyof DomainEventMap]: DomainEventMap[K] extends ConversationPayload ? K : never;
}[keyof DomainEventMap];

export type DomainEventType = keyof DomainEventMap;

export interface DomainEventHeader<T extends DomainEventType = DomainEventType> {
  /** Unique per event: listeners that must run once key on it. */
  id: string;
  type: T;
  occurredAt: string;
  organizationId: string;
  /** Set for the events about a conversation; null for a municipal event's or a registration's. */
  conversationId: T extends ConversationEventType ? string : null;
  /** Set for message events. */
  messageId: string | null;
}

export type DomainEvent<T extends DomainEventType = DomainEventType> = {
  [K in T]: DomainEventHeader<K> & DomainEventMap[K];
}[T];

const TYPES: Record<DomainEventType, true> = {
  'conversation.created': true,
  'conversation.updated': true,
  'conversation.assigned': true,
  'conversation.transferred': true,
  'conversation.status_changed': true,
  'conversation.deadline_warning': true,
  'conversation.deleted': true,
  'message.received': true,
  'message.sent': true,
  'message.updated': true,
  'call.missed': true,
  'registration.changed': true,
  'municipal_event.changed': true,
};

/** Every event type (the compiler makes a new one appear here). */
export const DOMAIN_EVENT_TYPES = Object.keys(TYPES) as DomainEventType[];

/** A new event, with its id and time (new unless given); the ids come from the DTOs it carries. */
export function domainEvent<T extends DomainEventType>(
  type: T,
  organizationId: string,
  payload: DomainEventMap[T],
  /** Given when the event was named before it was told (an outbox row carries its id and time). */
  header: { id?: string; occurredAt?: Date } = {},
): DomainEvent<T> {
  const p = payload as DomainEventMap[T] & { conversation?: ConversationDto; message?: MessageDto };
  return {
    id: header.id ?? randomUUID(),
    type,
    occurredAt: (header.occurredAt ?? new Date()).toISOString(),
    organizationId,
    conversationId: p.conversation?.id ?? null,
    messageId: p.message?.id ?? null,
    ...payload,
  } as DomainEvent<T>;
}
