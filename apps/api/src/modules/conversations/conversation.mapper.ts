import { isCanonicalUuid } from '../../common/uuid';
import {
  awaitingDocuments,
  countedOf,
  type ChannelKind,
  type ConversationCountedDto,
  type ConversationDto,
  type ConversationStatus,
  type DecisionRegime,
  type LabelDto,
  type NonWorkingDay,
  type Priority,
} from '@guichet/contracts';

/**
 * The request type and due dates of conversation `c`, and the administration it was transmitted to (issue 13). Also read beside the ingest's
 * rows (ingest.service.ts), whose function returns the older column list.
 */
export const DUE_COLUMNS = `c.request_type_id, (SELECT rt.name FROM request_type rt WHERE rt.id = c.request_type_id) AS request_type_name,
  c.decision_regime, c.decision_due_at, c.decision_due_non_working, c.response_due_at, c.documents_requested_at, c.documents_received_at, c.satisfaction, c.transmitted_to`;

/**
 * The labels of conversation `c` (a JSON array; the primary key of conversation_label finds them),
 * in no order: the mapper sorts them by name (an ordered aggregate is a Sort node per row on PostgreSQL 15).
 */
export const LABELS_COLUMN = `coalesce((SELECT json_agg(json_build_object('id', l.id, 'name', l.name, 'color', l.color))
  FROM conversation_label cl JOIN label l ON l.id = cl.label_id WHERE cl.conversation_id = c.id), '[]') AS labels`;

/**
 * The columns every conversation read selects; `c` is conversation, `ct` its contact. The contact's
 * name shown with a conversation is the one given in that conversation (`citizen_name`), never the
 * citizen's name from files of other services: everyone who receives the conversation (its
 * service, its assignee, supervisors) may know it (issue 10, item 3).
 */
export const CONVERSATION_COLUMNS = `c.id, c.organization_id, c.reference, c.status, c.priority, c.subject, c.team_id,
  c.assignee_id, c.contact_id, c.citizen_name AS contact_name, c.last_channel_kind, c.snippet, c.unread, c.callback_needed,
  c.possibly_related_to_id, c.snoozed_until, c.created_at, c.last_message_at, c.last_inbound_at, c.first_response_at,
  c.version, ${DUE_COLUMNS}, ${LABELS_COLUMN}, to_char(c.last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key`;

/** The keyset cursor of the due-date order (same text form as `sort_key`). */
export const DUE_KEY = `to_char(c.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS due_key`;

export interface DueColumnsRow {
  request_type_id: string | null;
  request_type_name: string | null;
  decision_regime: DecisionRegime | null;
  decision_due_at: Date | null;
  /** Why the town is closed on the decision date (kept: it is the legal one). */
  decision_due_non_working: NonWorkingDay | null;
  response_due_at: Date | null;
  documents_requested_at: Date | null;
  documents_received_at: Date | null;
  /** The survey's score (issue 15). */
  satisfaction: number | null;
  /** L114-2: the administration it was forwarded to (absent from rows read without DUE_COLUMNS). */
  transmitted_to?: string | null;
}

export interface ConversationRow extends DueColumnsRow {
  labels: LabelDto[];
  id: string;
  organization_id: string;
  reference: string;
  status: ConversationStatus;
  priority: Priority;
  subject: string | null;
  team_id: string;
  assignee_id: string | null;
  contact_id: string;
  /** `citizen_name`: the name given in this conversation. */
  contact_name: string | null;
  last_channel_kind: ChannelKind | null;
  snippet: string | null;
  unread: boolean;
  callback_needed: boolean;
  possibly_related_to_id: string | null;
  snoozed_until: Date | null;
  created_at: Date;
  last_message_at: Date;
  last_inbound_at: Date | null;
  first_response_at: Date | null;
  version: number;
  sort_key: string;
  /** Only in lists sorted by due date. */
  due_key?: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toConversationDto(r: Omit<ConversationRow, 'sort_key'>): ConversationDto {
  return {
    id: r.id,
    reference: r.reference,
    status: r.status,
    priority: r.priority,
    subject: r.subject,
    teamId: r.team_id,
    assigneeId: r.assignee_id,
    contact: { id: r.contact_id, name: r.contact_name },
    lastChannelKind: r.last_channel_kind,
    snippet: r.snippet,
    unread: r.unread,
    callbackNeeded: r.callback_needed,
    possiblyRelatedToId: r.possibly_related_to_id,
    snoozedUntil: iso(r.snoozed_until),
    createdAt: r.created_at.toISOString(),
    lastMessageAt: r.last_message_at.toISOString(),
    lastInboundAt: iso(r.last_inbound_at),
    firstResponseAt: iso(r.first_response_at),
    requestType: r.request_type_id ? { id: r.request_type_id, name: r.request_type_name ?? '' } : null,
    decisionRegime: r.decision_regime,
    // « Transmise » while it stays closed (reopened, it is the town's again).
    transmittedTo: r.status === 'closed' ? (r.transmitted_to ?? null) : null,
    decisionDueAt: iso(r.decision_due_at),
    decisionDueNonWorkingDay: r.decision_due_at ? r.decision_due_non_working : null,
    responseDueAt: iso(r.response_due_at),
    awaitingDocuments: awaitingDocuments({ requestedAt: r.documents_requested_at, receivedAt: r.documents_received_at }),
    satisfaction: r.satisfaction ?? null,
    labels: [...r.labels].sort((a, b) => a.name.localeCompare(b.name, 'fr', { sensitivity: 'base' }) || (a.id < b.id ? -1 : 1)),
    version: r.version,
  };
}

/**
 * What the counters read of a conversation's row (countedOf its DTO), from the few columns it
 * needs: the state a change found, told beside `conversation.updated` by writers that locked the
 * row before changing it (a system follow-up reads no more than its own facts).
 */
export function toCountedDto(
  r: Pick<
    ConversationRow,
    | 'status'
    | 'team_id'
    | 'assignee_id'
    | 'callback_needed'
    | 'decision_due_at'
    | 'response_due_at'
    | 'first_response_at'
    | 'version'
  >,
): ConversationCountedDto {
  return {
    status: r.status,
    teamId: r.team_id,
    assigneeId: r.assignee_id,
    callbackNeeded: r.callback_needed,
    decisionDueAt: iso(r.decision_due_at),
    responseDueAt: iso(r.response_due_at),
    firstResponseAt: iso(r.first_response_at),
    version: r.version,
  };
}

/**
 * The counted state before a change that moved nothing the counters read (a citizen's name, the
 * citizen file it belongs to, its anonymization) and bumped the version once: screens that never
 * loaded the file see nothing to move, and do not ask GET /counts again.
 */
export function countedBeforeBump(c: ConversationDto): ConversationCountedDto {
  return { ...countedOf(c), version: c.version - 1 };
}

/** Opaque keyset cursor: the exact (microsecond) sort timestamp and the id of the last row. */
export function encodeCursor(sortKey: string, id: string): string {
  return Buffer.from(JSON.stringify([sortKey, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(v[0]) && isCanonicalUuid(v[1])) {
      return [v[0], v[1]];
    }
  } catch {
    /* invalid cursor */
  }
  return null;
}

/**
 * When the citizen last wrote in conversation `conversation` on a channel of kind `kind` (SQL
 * expressions): the start of a channel's answer window (WhatsApp's and Messenger's 24 hours).
 */
export const lastInboundAtSql = (conversation: string, kind: string) =>
  `(SELECT max(m.created_at) FROM message m JOIN channel ch ON ch.id = m.channel_id
     WHERE m.conversation_id = ${conversation} AND m.direction = 'inbound' AND ch.kind = ${kind})`;
