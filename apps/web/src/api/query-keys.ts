import type { ConversationFilters } from './conversations';

/** Drops empty filters and fixes the key order so equal filters always make equal keys. */
export function normalizeFilters(filters: ConversationFilters): ConversationFilters {
  const out: ConversationFilters = {};
  if (filters.status) out.status = filters.status;
  if (filters.assignee) out.assignee = filters.assignee;
  if (filters.teamId) out.teamId = filters.teamId;
  if (filters.channel) out.channel = filters.channel;
  if (filters.q?.trim()) out.q = filters.q.trim();
  if (filters.due) out.due = filters.due;
  if (filters.sort) out.sort = filters.sort;
  if (filters.labelId) out.labelId = filters.labelId;
  return out;
}

/**
 * Every react-query key of the app. Hierarchical, so a prefix invalidates a whole family:
 * `conversations.lists()` every loaded list, `conversations.all()` lists, items and messages.
 */
export const queryKeys = {
  me: () => ['auth', 'me'] as const,
  teams: () => ['teams'] as const,
  requestTypes: (teamId: string) => ['request-types', teamId] as const,
  channelKinds: () => ['channel-kinds'] as const,
  /** Canned replies (réponses types): of a service and the organization (`teamId`), or every one (`null`). */
  cannedRepliesAll: () => ['canned-replies'] as const,
  cannedReplies: (teamId: string | null) => ['canned-replies', teamId ?? 'all'] as const,
  /** Bounces about nothing Guichet sent, for the agent's services. */
  mailReturns: () => ['mail-returns'] as const,
  /** The organization's labels (étiquettes). */
  labels: () => ['labels'] as const,
  /** The town's directory of external administrations (L114-2). */
  administrations: () => ['administrations'] as const,
  agents: () => ['agents'] as const,
  /** The agent's own sessions; the login page's provider buttons; the organization's OIDC providers. */
  sessions: () => ['auth', 'sessions'] as const,
  loginOptions: () => ['auth', 'login-options'] as const,
  oidcProviders: () => ['oidc-providers'] as const,
  setup: () => ['setup'] as const,
  /** A report of a period with its filters (volumes, response-times, telephone, satisfaction). */
  report: (kind: string, filters: object) => ['reports', kind, filters] as const,
  /** The administration screens' data (admins and supervisors). */
  admin: {
    all: () => ['admin'] as const,
    teams: () => ['admin', 'teams'] as const,
    agents: () => ['admin', 'agents'] as const,
    settings: () => ['admin', 'settings'] as const,
    mailSettings: () => ['admin', 'mail-settings'] as const,
    accessibility: () => ['admin', 'accessibility-statement'] as const,
    mails: () => ['admin', 'mails'] as const,
    audit: (filters: object) => ['admin', 'audit', filters] as const,
    acknowledgements: () => ['admin', 'acknowledgements'] as const,
    routingRules: () => ['admin', 'routing-rules'] as const,
    requestTypes: () => ['admin', 'request-types'] as const,
    retention: () => ['admin', 'retention'] as const,
    channels: () => ['admin', 'channels'] as const,
    platformOrganizations: () => ['admin', 'platform-organizations'] as const,
    platformAdmins: () => ['admin', 'platform-admins'] as const,
  },
  /** A supervisor's own deadlines digest settings (« Mon compte »). */
  deadlineDigest: () => ['account', 'deadline-digest'] as const,
  /** The agent's own signature (L111-2) as it reads in one service. */
  signature: (teamId: string) => ['account', 'signature', teamId] as const,
  /** Agents with a connected socket: fetched once, then kept by `agents.online` events. */
  agentsOnline: () => ['agents', 'online'] as const,
  contact: (id: string) => ['contacts', id] as const,
  /** A citizen's event registrations (issue 17). */
  contactRegistrations: (id: string) => ['contacts', id, 'event-registrations'] as const,
  /** Municipal events (issue 17): the lists, one event, its registrants. */
  events: {
    all: () => ['events'] as const,
    lists: () => ['events', 'list'] as const,
    list: (past: boolean) => ['events', 'list', past] as const,
    detail: (id: string) => ['events', 'detail', id] as const,
    registrations: (id: string) => ['events', 'registrations', id] as const,
  },
  contactMerges: (id: string) => ['contacts', id, 'merges'] as const,
  mergeFiles: (id: string) => ['contact-merges', id, 'files'] as const,
  /** A conversation's rights request and legal hold (issue 16). */
  conversationPrivacy: (id: string) => ['privacy', id] as const,
  /** Who is looking at / typing in a conversation: filled by socket events only. */
  presence: (conversationId: string) => ['presence', conversationId] as const,
  conversations: {
    all: () => ['conversations'] as const,
    counts: () => ['conversations', 'counts'] as const,
    lists: () => ['conversations', 'list'] as const,
    list: (filters: ConversationFilters) => ['conversations', 'list', normalizeFilters(filters)] as const,
    details: () => ['conversations', 'detail'] as const,
    detail: (id: string) => ['conversations', 'detail', id] as const,
    messages: (id: string) => ['conversations', 'messages', id] as const,
    replyChannels: (id: string) => ['conversations', 'reply-channels', id] as const,
  },
};

export type ConversationListKey = ReturnType<typeof queryKeys.conversations.list>;
