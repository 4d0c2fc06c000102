import type { ConformityLevel } from './accessibility';
import type { ChannelCapabilities } from './channel-capabilities';
import type { DeadlineSpec, DecisionRegime } from './deadlines';
import type { NonWorkingDay } from './french-holidays';
import type { OpeningHours } from './admin';
import type { LetterFactsDto } from './letters';
import type { LabelDto } from './routing';
import type {
  AgentRole,
  ChannelKind,
  ConversationStatus,
  DeliveryStatus,
  IdentityKind,
  MessageDirection,
  MessageKind,
  Priority,
} from './enums';

export interface AgentDto {
  id: string;
  name: string;
  email: string;
  role: AgentRole;
  teamIds: string[];
  capacity: number;
}

/** An agent as an admin manages them: deactivated accounts included. */
export interface AgentAdminDto extends AgentDto {
  active: boolean;
  /** Invited and has not chosen a password yet (lists only). */
  invited?: boolean;
}

export interface TeamDto {
  id: string;
  name: string;
  slug: string;
}

export interface OrganizationDto {
  id: string;
  name: string;
  slug: string;
  /** The uploaded logo's address, when there is one (the header shows it). */
  logo?: string;
}

/** The signed-in agent, with their organization (login and `GET /auth/me`). */
export interface MeDto extends AgentDto {
  organization: OrganizationDto;
  /** Administers the platform: creates and lists its towns (not their conversations). */
  platformAdmin?: boolean;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  agent: MeDto;
}

export interface ContactSummaryDto {
  id: string;
  name: string | null;
}

export interface ConversationDto {
  id: string;
  reference: string;
  status: ConversationStatus;
  priority: Priority;
  subject: string | null;
  teamId: string;
  assigneeId: string | null;
  contact: ContactSummaryDto;
  lastChannelKind: ChannelKind | null;
  snippet: string | null;
  unread: boolean;
  callbackNeeded: boolean;
  possiblyRelatedToId: string | null;
  snoozedUntil: string | null;
  createdAt: string;
  lastMessageAt: string;
  lastInboundAt: string | null;
  firstResponseAt: string | null;
  /** The démarche the request is about (set by the citizen's form or an agent). */
  requestType: { id: string; name: string } | null;
  /** What the administration's silence means for this request, from its type. */
  /**
   * CRPA L114-2: the administration the request was forwarded to, while the file stays closed
   * (« transmise »); null otherwise.
   */
  transmittedTo?: string | null;
  decisionRegime: DecisionRegime | null;
  /** The end of the day the implicit decision arises (or the decision is due), Europe/Paris. */
  decisionDueAt: string | null;
  /**
   * Why the town is closed on that day (a weekend, a public holiday, one of its closing days), or
   * null: the date is not moved (it is the legal one), agents are told to decide before it.
   */
  decisionDueNonWorkingDay: NonWorkingDay | null;
  /** The service's response target (Services Publics+), in its opening hours. */
  responseDueAt: string | null;
  /** L114-5: documents were asked of the citizen and have not come yet (the clocks are stopped). */
  awaitingDocuments: boolean;
  /** The citizen's answer to the satisfaction survey, 0–10, or null (issue 15). */
  satisfaction: number | null;
  /** Its labels (étiquettes), by name. */
  labels: LabelDto[];
  version: number;
}

/** Live counters of the inbox views, over the conversations the agent may see. */
export interface ConversationCountsDto {
  /** Open or pending, assigned to me. */
  mine: number;
  /** Open and assigned to nobody. */
  unassigned: number;
  /** Still in progress and flagged "à rappeler". */
  callbackNeeded: number;
  byStatus: { open: number; pending: number; snoozed: number };
  /** Open conversations per service. */
  byTeam: Record<string, number>;
  /** In progress, due date passed. */
  overdue: number;
  /** In progress, due within the next 48 hours. */
  dueSoon: number;
  /** In progress, due date passed, per service (services with none are left out). */
  overdueByTeam: Record<string, number>;
}

/** Counters with nothing counted yet (a fresh object: callers add to it). */
export function emptyConversationCounts(): ConversationCountsDto {
  return {
    mine: 0,
    unassigned: 0,
    callbackNeeded: 0,
    byStatus: { open: 0, pending: 0, snoozed: 0 },
    byTeam: {},
    overdue: 0,
    dueSoon: 0,
    overdueByTeam: {},
  };
}

/** A démarche of a service, as admins and supervisors define it. */
export interface RequestTypeDto {
  id: string;
  teamId: string;
  name: string;
  /** What the citizen reads on the form. */
  description: string;
  decisionRegime: DecisionRegime;
  /** Null: no deadline (only for `none`). */
  deadline: DeadlineSpec | null;
  /** The documents to provide. */
  documents: string[];
  /** R112-4: no acknowledgement of receipt for this démarche. */
  acknowledgementExempt: boolean;
  active: boolean;
}

export interface AttachmentDto {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  /** An e-mail's inline image: the Content-ID its HTML shows it by (`cid:…`). */
  contentId?: string;
  /** Shown in place in the message only: not listed with the attachments. */
  inline?: boolean;
}

export interface MessageDto {
  id: string;
  conversationId: string;
  direction: MessageDirection;
  kind: MessageKind;
  channelId: string | null;
  channelKind: ChannelKind | null;
  authorAgentId: string | null;
  body: string;
  htmlBody: string | null;
  status: DeliveryStatus;
  error: string | null;
  attachments: AttachmentDto[];
  /** An e-mail without a usable From: the header its sender's address was deduced from (unverified). */
  senderDeduced?: 'reply-to' | 'sender' | 'return-path';
  /** Sent by Guichet itself: an accusé d'enregistrement or de réception (CRPA L112-3, R112-5), or its correction. */
  acknowledgement?: 'registration' | 'receipt' | 'correction';
  /** The satisfaction survey (issue 15): the invitation Guichet sent, or the citizen's answer in the timeline. */
  survey?: 'invitation' | 'answer';
  /**
   * Sent by Guichet to the citizen of a form request, at the address or number they typed, when an
   * agent answered on the tracking page: a short message with the link, or the reply itself by
   * e-mail (the organization's `formReplyNotice`). Not shown on the tracking page.
   */
  notice?: FormReplyNoticeDto;
  /** A letter registered by an agent (inbound): its sender's name and postal address and the day it came. */
  letter?: LetterFactsDto;
  /** A printed letter (outbound, postal channel): when an agent marked it posted (« envoyé par courrier »). */
  postedAt?: string;
  /**
   * A registrant's notice (reminder, confirmation, offer…) not sent because its registration, event
   * or session was cancelled before it left (`error` says which, NOTICE_NOT_SENT): it is not sent
   * again (no « Renvoyer »; the retry is refused).
   */
  skipped?: true;
  createdAt: string;
}

/**
 * `GET /conversations/:id/reply-channels`: a connected channel that reaches an identity of this
 * conversation's citizen (besides the channels of the thread), e.g. the e-mail or phone typed in
 * the web form, and that identity.
 */
export interface ReplyChannelDto {
  id: string;
  kind: ChannelKind;
  to: string;
}

export interface FormReplyNoticeDto {
  via: 'email' | 'sms';
  to: string;
  /** The agent's reply it tells of. */
  replyId: string;
}

export interface IdentityDto {
  id: string;
  kind: IdentityKind;
  value: string;
}

export interface ContactDto {
  id: string;
  name: string | null;
  identities: IdentityDto[];
  conversations: ConversationDto[];
  createdAt: string;
}

export interface ChannelDto {
  id: string;
  kind: ChannelKind;
  name: string;
  teamId: string;
  enabled: boolean;
  /** The config without its secrets; `secretsSet` tells which secret fields hold a value. */
  config: Record<string, unknown>;
  secretsSet: string[];
  /** What this kind of channel can do (CHANNEL_CAPABILITIES[kind]). */
  capabilities: ChannelCapabilities;
  /** The addresses to paste at the provider (Twilio, Meta, the switchboard), in French. */
  webhooks: ChannelWebhookDto[];
  createdAt: string;
}

/** A mail of an e-mail channel that could not be read, kept with its parse error (admins retry it). */
export interface QuarantineDto {
  id: string;
  channelId: string;
  folder: string;
  uid: number;
  size: number;
  error: string;
  createdAt: string;
  retriedAt: string | null;
}

/** A mail the watcher read and neither imported nor quarantined, and why. */
export interface MailboxEventDto {
  id: string;
  kind: 'duplicate' | 'unmatched-bounce' | 'delivery-report' | 'older-than-limit' | 'no-source';
  folder: string;
  uid: number;
  /** The Message-ID concerned: the repeated one, or the one a bounce is about. */
  externalId: string | null;
  reason: string;
  /** Bytes of the raw source kept (bounces), null when none is kept (duplicates). */
  size: number | null;
  createdAt: string;
}

/**
 * `GET /mail-returns`: a delivery report a mailbox of the agent's services received about no
 * message Guichet sent (a mail sent from another client, an old address), kept for its service.
 */
export interface MailReturnDto {
  id: string;
  kind: 'unmatched-bounce' | 'delivery-report';
  /** The mailbox that received it, and its service. */
  channel: { id: string; name: string };
  team: { id: string; name: string };
  /** The Message-ID the report is about, when it names one. */
  originalMessageId: string | null;
  reason: string;
  /** Bytes of the report kept (`GET /mail-returns/:id/source`), null when none is kept. */
  size: number | null;
  createdAt: string;
}

/** `POST /channels/:id/test` and `POST /channels/test`: each server's answer, in French. */
export interface ChannelTestDto {
  imap: { ok: boolean; error?: string };
  smtp: { ok: boolean; error?: string };
}

export interface ChannelWebhookDto {
  /** Where it goes at the provider, e.g. « Un message arrive (Twilio) ». */
  label: string;
  url: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /**
   * A search's first page only: how many conversations it finds, counted up to
   * SEARCH_TOTAL_CAP; `more` when there are more (shown as « plus de 1 000 »).
   */
  total?: { count: number; more: boolean };
}

/**
 * `GET /conversations/:id/opened`: what the agent app shows when a file opens — the conversation and
 * its latest messages (a `Page`, continued by `GET /conversations/:id/messages?cursor=`), read in
 * one request recorded once in the access audit (`conversation.viewed` with `latestMessages`).
 */
export interface ConversationOpenedDto {
  conversation: ConversationDto;
  messages: Page<MessageDto>;
}

export interface PublicRequestCreated {
  reference: string;
  trackingToken: string;
  trackingUrl: string;
  /** Where the citizen will be told of an answer (besides the tracking page): what they typed, if it can be used. */
  notify: {
    email: string | null;
    sms: string | null;
    /** The reply itself comes by e-mail (else a notice with the link). */ full: boolean;
  };
  /** When the service answers at the latest (its response deadline), if it has one. */
  responseDueAt: string | null;
}

export interface PublicMessageDto {
  id: string;
  direction: MessageDirection;
  body: string;
  createdAt: string;
  /** Each file opens at `/api/v1/public/requests/:reference/attachments/:id?token=…`. */
  attachments: Pick<AttachmentDto, 'id' | 'fileName' | 'contentType' | 'size'>[];
}

export interface PublicRequestDto {
  reference: string;
  status: ConversationStatus;
  subject: string | null;
  service: string;
  /** The town (organization) the request was made to. */
  organization: string;
  /** Its address on the citizen pages (links to its accessibility and personal-data pages). */
  organizationSlug?: string;
  /** The town's logo address, when it has one (shown beside its name on the tracking page). */
  organizationLogo?: string;
  /** The RGAA level of the town's accessibility statement (the footer's link says it). */
  organizationConformity?: ConformityLevel;
  createdAt: string;
  /** The service's opening hours (its own, else the town's); null when neither is set. */
  serviceOpeningHours: OpeningHours | null;
  /**
   * The legal decision date of its démarche (the end of that day in Paris) and what silence then
   * means; `nonWorkingDay`: why the town is closed that day (the date is kept: it is the legal one).
   * Null without a démarche that sets one, or while documents are awaited (L114-5).
   */
  decision: { regime: DecisionRegime; dueAt: string; nonWorkingDay: NonWorkingDay | null } | null;
  messages: PublicMessageDto[];
  /** The satisfaction survey the citizen may still answer (its signed link), issue 15. */
  survey?: { url: string } | null;
  /** The platform archived the town: the file is read-only (no reply, no survey), the closure said. */
  organizationClosed?: true;
  /**
   * The citizen's limitation of processing (RGPD art. 18) freezes this file: kept, no longer
   * processed, so it takes no message (the reply form gives way to why, and where to write instead).
   */
  limited?: true;
}

export type PublicRequestTypeDto = Pick<
  RequestTypeDto,
  'id' | 'name' | 'description' | 'decisionRegime' | 'deadline' | 'documents'
>;

export interface PublicTeamDto {
  id: string;
  name: string;
  /** What the service does, as its admin wrote it for citizens (null: none written). */
  description: string | null;
  /** How citizens reach the service directly, each item when the admin gave it. */
  contact: { email?: string; phone?: string; address?: string };
  /** When it opens: its own hours, else the town's; null when neither is set. */
  openingHours: OpeningHours | null;
  /** The service's démarches offered on the form. */
  requestTypes: PublicRequestTypeDto[];
}

export interface PublicOrganizationDto {
  name: string;
  slug: string;
  /** The town's uploaded logo, when there is one. */
  logo?: string;
  /** The RGAA level of its accessibility statement (the footer's link says it). */
  conformity: ConformityLevel;
  teams: PublicTeamDto[];
}

/** Body of every 4xx/5xx answer. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: string[];
  /** On 409 stale-version answers: the conversation as it is now. */
  current?: ConversationDto;
}
