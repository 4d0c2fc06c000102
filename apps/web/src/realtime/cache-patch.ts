import {
  countedOf,
  type AgentDto,
  type ConversationCountedDto,
  type ConversationCountsDto,
  type ConversationDto,
  type MessageDto,
  type Page,
  type PresenceDto,
} from '@guichet/contracts';
import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query';
import type { ConversationFilters } from '../api/conversations';
import { queryKeys } from '../api/query-keys';
import { dueAt, dueState } from '../lib/due';

type Pages<T> = InfiniteData<Page<T>, string | null>;

/** Whether a conversation belongs in a list: `unknown` when only the server can tell. */
export type ListMatch = 'yes' | 'no' | 'unknown';

export function matchesFilters(filters: ConversationFilters, conversation: ConversationDto, me: AgentDto): ListMatch {
  if (filters.status && !filters.status.includes(conversation.status)) return 'no';
  if (filters.teamId && conversation.teamId !== filters.teamId) return 'no';
  if (filters.assignee) {
    const wanted = filters.assignee === 'me' ? me.id : filters.assignee === 'none' ? null : filters.assignee;
    if (conversation.assigneeId !== wanted) return 'no';
  }
  // Labels travel with the conversation: a file that lost the label leaves the list at once.
  if (filters.labelId && !conversation.labels.some((l) => l.id === filters.labelId)) return 'no';
  // Full-text search and the channel filter are evaluated by the server (on the whole thread);
  // due-date lists depend on the clock and sort by due date: the server places them too.
  if (filters.q || filters.channel || filters.due || filters.sort === 'due') return 'unknown';
  // An agent's lists are scoped to their services by the server; outside them, do not guess.
  if (me.role === 'agent' && !me.teamIds.includes(conversation.teamId) && conversation.assigneeId !== me.id) {
    return 'unknown';
  }
  return 'yes';
}

/** List order: newest activity first, then id, as the keyset API sorts. */
export function compareConversations(a: ConversationDto, b: ConversationDto): number {
  const byTime = Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function locate<T extends { id: string }>(data: Pages<T>, id: string): { page: number; index: number } | null {
  for (let page = 0; page < data.pages.length; page++) {
    const index = data.pages[page]!.items.findIndex((item) => item.id === id);
    if (index >= 0) return { page, index };
  }
  return null;
}

function withPages<T>(data: Pages<T>, pages: Page<T>[]): Pages<T> {
  return { pages, pageParams: data.pageParams };
}

/**
 * Puts a conversation where it belongs in one loaded list: replaced, moved to its place in the
 * newest-first order (usually the top), or removed when it no longer matches. A row older than
 * everything loaded is left for the next page to bring, unless the list is complete.
 * Returns the same object when nothing changes.
 */
export function placeConversation(
  data: Pages<ConversationDto>,
  conversation: ConversationDto,
  belongs: boolean,
): Pages<ConversationDto> {
  const found = locate(data, conversation.id);
  if (found && data.pages[found.page]!.items[found.index]!.version > conversation.version) return data; // stale event
  if (!found && !belongs) return data;

  const pages = data.pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== conversation.id) }));
  if (belongs) {
    let inserted = false;
    for (const page of pages) {
      const index = page.items.findIndex((item) => compareConversations(conversation, item) < 0);
      if (index >= 0) {
        page.items.splice(index, 0, conversation);
        inserted = true;
        break;
      }
    }
    const last = pages[pages.length - 1];
    if (!inserted && last && last.nextCursor === null) last.items.push(conversation);
  }
  return withPages(data, pages);
}

const DELIVERY_RANK: Record<MessageDto['status'], number> = {
  received: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  failed: 4,
};

/**
 * The newer of two copies of a message. Delivery only moves forward, but copies arrive by two
 * roads (the POST answer and the socket) in any order: a late "queued" never hides "delivered".
 */
export function mergeMessage(current: MessageDto, incoming: MessageDto): MessageDto {
  if (DELIVERY_RANK[current.status] > DELIVERY_RANK[incoming.status])
    return { ...incoming, status: current.status, error: current.error };
  return incoming;
}

/** Replaces a loaded message as is, even backwards (a retried reply goes from failed back to queued). */
export function replaceMessage(data: Pages<MessageDto>, message: MessageDto): Pages<MessageDto> {
  return withPages(
    data,
    data.pages.map((page) => ({ ...page, items: page.items.map((item) => (item.id === message.id ? message : item)) })),
  );
}

/** Adds or replaces a message in a loaded thread (pages come newest first from the API). */
export function placeMessage(data: Pages<MessageDto>, message: MessageDto, created: boolean): Pages<MessageDto> {
  const found = locate(data, message.id);
  if (found) {
    const pages = data.pages.map((page, i) =>
      i === found.page
        ? { ...page, items: page.items.map((item) => (item.id === message.id ? mergeMessage(item, message) : item)) }
        : page,
    );
    return withPages(data, pages);
  }
  // An update of a message that is not loaded concerns an older page: that page will bring it.
  if (!created || data.pages.length === 0) return data;
  const [first, ...rest] = data.pages;
  return withPages(data, [{ ...first!, items: [message, ...first!.items] }, ...rest]);
}

/** The filters a list key was built with (see queryKeys.conversations.list). */
export function filtersOfListKey(key: QueryKey): ConversationFilters | null {
  const filters = key[2];
  return typeof filters === 'object' && filters !== null ? (filters as ConversationFilters) : null;
}

/** A conversation from the item cache or any loaded list, without a request. */
export function findConversationInLists(queryClient: QueryClient, id: string): ConversationDto | undefined {
  const item = queryClient.getQueryData<ConversationDto>(queryKeys.conversations.detail(id));
  if (item) return item;
  for (const [, data] of queryClient.getQueriesData<Pages<ConversationDto>>({ queryKey: queryKeys.conversations.lists() })) {
    for (const page of data?.pages ?? []) {
      const row = page.items.find((c) => c.id === id);
      if (row) return row;
    }
  }
  return undefined;
}

/** Coalesces invalidations of the same keys within `delayMs`: a burst of events costs one refetch. */
export function createThrottledInvalidator(queryClient: QueryClient, delayMs = 1000) {
  const pending = new Map<string, QueryKey>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const keys = [...pending.values()];
    pending.clear();
    for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey, exact: true });
  };
  return {
    invalidate(queryKey: QueryKey) {
      pending.set(JSON.stringify(queryKey), queryKey);
      timer ??= setTimeout(flush, delayMs);
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
    },
  };
}

/** What the counters read of a conversation. */
export type Counted = ConversationCountedDto;

/**
 * The inbox counters with one conversation's contribution added (`sign` 1) or removed (-1), by
 * the server's rules (ConversationRepository.counts): in-progress files of the agent's services
 * or assigned to them; "mine" is open or pending; "unassigned" is open; services count open files;
 * "overdue" and "due soon" by its due date at `now` (the periodic refetch follows the clock).
 */
export function addToCounts(
  counts: ConversationCountsDto,
  c: Counted,
  me: AgentDto,
  sign: 1 | -1,
  now = Date.now(),
): ConversationCountsDto {
  if (c.status !== 'open' && c.status !== 'pending' && c.status !== 'snoozed') return counts;
  if (me.role === 'agent' && !me.teamIds.includes(c.teamId) && c.assigneeId !== me.id) return counts;
  const byTeam = { ...counts.byTeam };
  if (c.status === 'open') {
    const n = (byTeam[c.teamId] ?? 0) + sign;
    if (n) byTeam[c.teamId] = n;
    else delete byTeam[c.teamId];
  }
  const due = dueAt(c);
  const state = due ? dueState(due, now) : null;
  const overdueByTeam = { ...counts.overdueByTeam };
  if (state === 'overdue') {
    const n = (overdueByTeam[c.teamId] ?? 0) + sign;
    if (n > 0) overdueByTeam[c.teamId] = n;
    else delete overdueByTeam[c.teamId];
  }
  return {
    mine: counts.mine + (c.assigneeId === me.id && c.status !== 'snoozed' ? sign : 0),
    unassigned: counts.unassigned + (c.assigneeId === null && c.status === 'open' ? sign : 0),
    callbackNeeded: counts.callbackNeeded + (c.callbackNeeded ? sign : 0),
    byStatus: { ...counts.byStatus, [c.status]: counts.byStatus[c.status] + sign },
    byTeam,
    overdue: counts.overdue + (state === 'overdue' ? sign : 0),
    dueSoon: counts.dueSoon + (state === 'soon' ? sign : 0),
    overdueByTeam,
  };
}

/** The two states count the same (every field the counters read). */
function sameCounted(a: Counted, b: Counted): boolean {
  const x = countedOf(a);
  const y = countedOf(b);
  return (Object.keys(x) as (keyof Counted)[]).every((k) => x[k] === y[k]);
}

export type CachePatcher = ReturnType<typeof createCachePatcher>;

/**
 * Applies socket events to the react-query cache: the item with setQueryData, every loaded list
 * it belongs (or belonged) to patched in place, lists whose filters only the server can evaluate
 * invalidated (throttled). `getMe` returns the current agent, for `assignee=me` and team scoping.
 */
export function createCachePatcher(queryClient: QueryClient, getMe: () => AgentDto, throttleMs = 1000) {
  const invalidator = createThrottledInvalidator(queryClient, throttleMs);
  /** The last state of each conversation the counters were patched with. */
  const counted = new Map<string, Counted>();

  /**
   * The counters follow the events without a request: the conversation's previous contribution
   * is taken out and its new one added. The previous state is the one this tab last counted, else
   * the one the event carries (`sent`: the server's state just before the change — a citizen's
   * message, an agent's update or reply), else a loaded copy. The event's comes before a loaded
   * copy: this agent's own change has already put its answer (the new state) in the cache.
   * Only when it is unknown (a file never loaded here, an event without it) or the counters are
   * being fetched are they asked again (throttled).
   * A system follow-up (due dates set by a job, a routing rule) keeps the version: its state before
   * has the version of the event's, and the change is counted unless this tab already counted
   * exactly the new state.
   */
  function patchCounts(conversation: ConversationDto, created: boolean, sent?: ConversationCountedDto): void {
    const key = queryKeys.conversations.counts();
    const counts = queryClient.getQueryData<ConversationCountsDto>(key);
    const before = created
      ? null
      : (counted.get(conversation.id) ?? sent ?? findConversationInLists(queryClient, conversation.id));
    if (before && before.version > conversation.version) return; // stale
    if (before && before.version === conversation.version) {
      const followUp = sent?.version === conversation.version;
      if (!followUp || sameCounted(before, conversation)) return; // already counted
    }
    counted.set(conversation.id, countedOf(conversation));
    if (!counts) return;
    if ((!created && !before) || queryClient.getQueryState(key)?.fetchStatus === 'fetching') {
      invalidator.invalidate(key);
      return;
    }
    const me = getMe();
    const now = Date.now();
    const next = addToCounts(before ? addToCounts(counts, before, me, -1, now) : counts, conversation, me, 1, now);
    queryClient.setQueryData(key, next);
  }

  function conversationChanged(conversation: ConversationDto, created = false, before?: ConversationCountedDto): void {
    patchCounts(conversation, created, before);
    queryClient.setQueryData<ConversationDto>(queryKeys.conversations.detail(conversation.id), (old) =>
      old && old.version > conversation.version ? old : conversation,
    );
    const me = getMe();
    for (const query of queryClient.getQueryCache().findAll({ queryKey: queryKeys.conversations.lists() })) {
      const data = query.state.data as Pages<ConversationDto> | undefined;
      const filters = filtersOfListKey(query.queryKey);
      if (!filters) continue;
      if (!data) {
        // First page still loading: its answer may predate this event.
        if (query.state.fetchStatus === 'fetching') invalidator.invalidate(query.queryKey);
        continue;
      }
      const match = matchesFilters(filters, conversation, me);
      if (match === 'unknown') {
        invalidator.invalidate(query.queryKey);
        continue;
      }
      const next = placeConversation(data, conversation, match === 'yes');
      if (next === data) continue;
      queryClient.setQueryData(query.queryKey, next);
      // A response already on its way may predate this event and overwrite the patch: ask again.
      if (query.state.fetchStatus === 'fetching') invalidator.invalidate(query.queryKey);
    }
  }

  /** Deleted by retention: out of the counters and every loaded list; its file and thread forgotten. */
  function conversationDeleted(conversation: ConversationDto): void {
    const key = queryKeys.conversations.counts();
    const counts = queryClient.getQueryData<ConversationCountsDto>(key);
    const before = counted.get(conversation.id) ?? findConversationInLists(queryClient, conversation.id) ?? conversation;
    counted.delete(conversation.id);
    if (counts && queryClient.getQueryState(key)?.fetchStatus !== 'fetching')
      queryClient.setQueryData(key, addToCounts(counts, before, getMe(), -1));
    else if (counts) invalidator.invalidate(key);
    for (const query of queryClient.getQueryCache().findAll({ queryKey: queryKeys.conversations.lists() })) {
      const data = query.state.data as Pages<ConversationDto> | undefined;
      if (!data) continue;
      const next = placeConversation(data, conversation, false);
      if (next !== data) queryClient.setQueryData(query.queryKey, next);
    }
    queryClient.removeQueries({ queryKey: queryKeys.conversations.detail(conversation.id), exact: true });
    queryClient.removeQueries({ queryKey: queryKeys.conversations.messages(conversation.id), exact: true });
  }

  function messageChanged(message: MessageDto, created: boolean): void {
    const queryKey = queryKeys.conversations.messages(message.conversationId);
    const data = queryClient.getQueryData<Pages<MessageDto>>(queryKey);
    const fetching = queryClient.getQueryState(queryKey)?.fetchStatus === 'fetching';
    if (!data) {
      // Not loaded: it will be fetched whole when opened; if it is loading now, fetch it again after.
      if (fetching) invalidator.invalidate(queryKey);
      return;
    }
    const next = placeMessage(data, message, created);
    if (next === data) return;
    queryClient.setQueryData(queryKey, next);
    if (fetching) invalidator.invalidate(queryKey);
  }

  function presenceChanged(presence: PresenceDto): void {
    queryClient.setQueryData(queryKeys.presence(presence.conversationId), presence);
  }

  return {
    conversationChanged,
    conversationDeleted,
    messageChanged,
    presenceChanged,
    /** After a reconnect, events may have been missed: everything is refetched. */
    invalidateAll(): void {
      counted.clear();
      // Presence is not fetched: rejoining the rooms after the reconnect sends it again.
      void queryClient.invalidateQueries({ predicate: (query) => query.queryKey[0] !== 'presence' });
    },
    dispose(): void {
      invalidator.dispose();
    },
  };
}
