/** @jest-environment ./test/jsdom-environment.cjs */
import {
  countedOf,
  emptyConversationCounts,
  type AgentDto,
  type ConversationDto,
  type MessageDto,
  type Page,
  type PresenceDto,
} from '@guichet/contracts';
import { QueryClient, QueryClientProvider, type InfiniteData } from '@tanstack/react-query';
import { act, render, screen, waitFor } from '@testing-library/react';
import { EventEmitter } from 'node:events';
import { queryKeys } from '../src/api/query-keys';
import { createCachePatcher, placeMessage, replaceMessage } from '../src/realtime/cache-patch';
import type { GuichetSocket } from '../src/realtime/socket';
import { useRealtime } from '../src/realtime/use-realtime';

type Pages<T> = InfiniteData<Page<T>, string | null>;

const TEAM_A = '00000000-0000-4000-8000-00000000000a';
const TEAM_B = '00000000-0000-4000-8000-00000000000b';
const me: AgentDto = { id: 'agent-me', name: 'Sophie Marchand', email: 's@m.fr', role: 'agent', teamIds: [TEAM_A], capacity: 12 };

function conversation(id: string, patch: Partial<ConversationDto> = {}): ConversationDto {
  return {
    id,
    reference: `GU-${id}`,
    status: 'open',
    priority: 'normal',
    subject: `Sujet ${id}`,
    teamId: TEAM_A,
    assigneeId: null,
    contact: { id: 'contact-1', name: 'Élodie Lefèvre' },
    lastChannelKind: 'email',
    snippet: null,
    unread: true,
    callbackNeeded: false,
    possiblyRelatedToId: null,
    snoozedUntil: null,
    createdAt: '2026-11-28T08:00:00.000Z',
    lastMessageAt: '2026-11-28T09:00:00.000Z',
    lastInboundAt: '2026-11-28T09:00:00.000Z',
    firstResponseAt: null,
    requestType: null,
    decisionRegime: null,
    decisionDueAt: null,
    decisionDueNonWorkingDay: null,
    responseDueAt: null,
    awaitingDocuments: false,
    satisfaction: null,
    labels: [],
    version: 1,
    ...patch,
  };
}

function message(id: string, conversationId: string, patch: Partial<MessageDto> = {}): MessageDto {
  return {
    id,
    conversationId,
    direction: 'inbound',
    kind: 'message',
    channelId: 'channel-sms',
    channelKind: 'sms',
    authorAgentId: null,
    body: `Message ${id}`,
    htmlBody: null,
    status: 'received',
    error: null,
    attachments: [],
    createdAt: '2026-11-28T10:00:00.000Z',
    ...patch,
  };
}

const NO_COUNTS = emptyConversationCounts();

function pages<T>(...items: T[][]): Pages<T> {
  return {
    pages: items.map((page, i) => ({ items: page, nextCursor: i === items.length - 1 ? null : `c${i}` })),
    pageParams: items.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
  };
}

function ids(data: Pages<{ id: string }> | undefined): string[] {
  return (data?.pages ?? []).flatMap((p) => p.items.map((x) => x.id));
}

describe('socket events patch the query cache', () => {
  let client: QueryClient;
  beforeEach(() => {
    jest.useFakeTimers();
    client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  });
  afterEach(() => {
    client.clear();
    jest.useRealTimers();
  });

  it('message.created for the open conversation: added to its loaded thread, counts refetched later', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    client.setQueryData(queryKeys.conversations.messages('c1'), pages([message('m1', 'c1')]));
    patcher.messageChanged(message('m2', 'c1', { createdAt: '2026-11-28T11:00:00.000Z' }), true);
    expect(ids(client.getQueryData(queryKeys.conversations.messages('c1')))).toEqual(['m2', 'm1']);
    // The same event twice (created then updated) keeps one copy, with the latest delivery status.
    patcher.messageChanged(message('m2', 'c1', { status: 'delivered' }), false);
    const thread = client.getQueryData<Pages<MessageDto>>(queryKeys.conversations.messages('c1'))!;
    expect(ids(thread)).toEqual(['m2', 'm1']);
    expect(thread.pages[0]!.items[0]!.status).toBe('delivered');
    // The POST answer ("queued") arriving after the socket's "delivered" does not turn it back.
    patcher.messageChanged(message('m2', 'c1', { status: 'queued' }), true);
    expect(client.getQueryData<Pages<MessageDto>>(queryKeys.conversations.messages('c1'))!.pages[0]!.items[0]!.status).toBe(
      'delivered',
    );
    patcher.dispose();
  });

  it('a retried reply goes back to queued, and the late answer of the retry does not undo the socket’s "delivered"', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const key = queryKeys.conversations.messages('c1');
    const failed = message('m3', 'c1', { direction: 'outbound', status: 'failed', error: 'refusé' });
    client.setQueryData(key, pages([failed]));
    // What useRetryMessage does before the request…
    client.setQueryData<Pages<MessageDto>>(key, (d) => replaceMessage(d!, { ...failed, status: 'queued', error: null }));
    // …the worker's status reaches the socket first…
    patcher.messageChanged({ ...failed, status: 'delivered', error: null }, false);
    // …then the retry's own answer ("queued") arrives.
    client.setQueryData<Pages<MessageDto>>(key, (d) => placeMessage(d!, { ...failed, status: 'queued', error: null }, false));
    expect(client.getQueryData<Pages<MessageDto>>(key)!.pages[0]!.items[0]).toMatchObject({ status: 'delivered', error: null });
    patcher.dispose();
  });

  it('a reply’s claim (`sending`, told by the worker before it calls the provider) shows live; a late claim never undoes « Envoyé »', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const key = queryKeys.conversations.messages('c1');
    const queued = message('m4', 'c1', { direction: 'outbound', status: 'queued' });
    client.setQueryData(key, pages([queued]));
    patcher.messageChanged({ ...queued, status: 'sending' }, false);
    expect(client.getQueryData<Pages<MessageDto>>(key)!.pages[0]!.items[0]!.status).toBe('sending');
    patcher.messageChanged({ ...queued, status: 'sent' }, false);
    // The claim's event relayed after the outcome's (two transactions, two relays): still « Envoyé ».
    patcher.messageChanged({ ...queued, status: 'sending' }, false);
    expect(client.getQueryData<Pages<MessageDto>>(key)!.pages[0]!.items[0]!.status).toBe('sent');
    patcher.dispose();
  });

  it('message.created for a conversation that is not loaded: nothing is created in the cache', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    patcher.messageChanged(message('m9', 'not-loaded'), true);
    expect(client.getQueryData(queryKeys.conversations.messages('not-loaded'))).toBeUndefined();
    expect(client.getQueryCache().findAll()).toHaveLength(0);
    patcher.dispose();
  });

  it('conversation.created goes to the top of the lists it matches, not into a list filtered on another service', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const teamA = queryKeys.conversations.list({ status: ['open'], teamId: TEAM_A });
    const teamB = queryKeys.conversations.list({ status: ['open'], teamId: TEAM_B });
    client.setQueryData(teamA, pages([conversation('old', { lastMessageAt: '2026-11-28T07:00:00.000Z' })]));
    client.setQueryData(teamB, pages([conversation('b1', { teamId: TEAM_B })]));
    patcher.conversationChanged(conversation('new', { lastMessageAt: '2026-11-28T12:00:00.000Z' }));
    expect(ids(client.getQueryData(teamA))).toEqual(['new', 'old']);
    expect(ids(client.getQueryData(teamB))).toEqual(['b1']);
    expect(client.getQueryData<ConversationDto>(queryKeys.conversations.detail('new'))?.id).toBe('new');
    patcher.dispose();
  });

  it('conversation.updated moves a row out of "mine" when reassigned, and ignores stale versions', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const mine = queryKeys.conversations.list({ status: ['open'], assignee: 'me' });
    client.setQueryData(
      mine,
      pages([conversation('c1', { assigneeId: me.id, version: 3 }), conversation('c2', { assigneeId: me.id })]),
    );
    patcher.conversationChanged(conversation('c1', { assigneeId: me.id, version: 2, subject: 'périmé' }));
    expect(client.getQueryData<Pages<ConversationDto>>(mine)!.pages[0]!.items[0]!.subject).toBe('Sujet c1');
    patcher.conversationChanged(conversation('c1', { assigneeId: 'agent-julien', version: 4 }));
    expect(ids(client.getQueryData(mine))).toEqual(['c2']);
    patcher.dispose();
  });

  it('a transfer to another service leaves that service’s list untouched until it is loaded', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const teamA = queryKeys.conversations.list({ status: ['open'], teamId: TEAM_A });
    client.setQueryData(teamA, pages([conversation('c1'), conversation('c2')]));
    patcher.conversationChanged(conversation('c1', { teamId: TEAM_B, version: 2 }));
    expect(ids(client.getQueryData(teamA))).toEqual(['c2']);
    // An agent's list of a service outside theirs is left to the server (invalidated, not guessed).
    const teamB = queryKeys.conversations.list({ status: ['open'], teamId: TEAM_B });
    client.setQueryData(teamB, pages<ConversationDto>([]));
    patcher.conversationChanged(conversation('c3', { teamId: TEAM_B }));
    expect(client.getQueryState(teamB)?.isInvalidated).toBe(false);
    act(() => jest.advanceTimersByTime(1000));
    expect(client.getQueryState(teamB)?.isInvalidated).toBe(true);
    patcher.dispose();
  });

  it('counts are invalidated once per burst, not once per event', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    client.setQueryData(queryKeys.conversations.counts(), {
      mine: 0,
      unassigned: 1,
      callbackNeeded: 0,
      byStatus: { open: 1, pending: 0, snoozed: 0 },
      byTeam: {},
      overdue: 0,
      dueSoon: 0,
      overdueByTeam: {},
    });
    const spy = jest.spyOn(client, 'invalidateQueries');
    for (let i = 0; i < 20; i++) patcher.conversationChanged(conversation(`x${i}`));
    expect(spy).not.toHaveBeenCalled();
    act(() => jest.advanceTimersByTime(1000));
    expect(
      spy.mock.calls.filter(
        ([filters]) => JSON.stringify(filters?.queryKey) === JSON.stringify(queryKeys.conversations.counts()),
      ),
    ).toHaveLength(1);
    patcher.dispose();
  });

  it('counts follow the events without a request: previous contribution out, new one in, stale events ignored', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const countsKey = queryKeys.conversations.counts();
    client.setQueryData(countsKey, {
      mine: 0,
      unassigned: 1,
      callbackNeeded: 0,
      byStatus: { open: 1, pending: 0, snoozed: 0 },
      byTeam: { [TEAM_A]: 1 },
      overdue: 0,
      dueSoon: 0,
      overdueByTeam: {},
    });
    client.setQueryData(queryKeys.conversations.list({ status: ['open'], teamId: TEAM_A }), pages([conversation('c1')]));
    const spy = jest.spyOn(client, 'invalidateQueries');

    patcher.conversationChanged(conversation('c1', { assigneeId: me.id, version: 2 }));
    expect(client.getQueryData(countsKey)).toEqual({
      mine: 1,
      unassigned: 0,
      callbackNeeded: 0,
      byStatus: { open: 1, pending: 0, snoozed: 0 },
      byTeam: { [TEAM_A]: 1 },
      overdue: 0,
      dueSoon: 0,
      overdueByTeam: {},
    });
    patcher.conversationChanged(conversation('c1', { assigneeId: me.id, status: 'pending', callbackNeeded: true, version: 3 }));
    // The same change again, or an older one, counts nothing.
    patcher.conversationChanged(conversation('c1', { assigneeId: me.id, status: 'pending', callbackNeeded: true, version: 3 }));
    patcher.conversationChanged(conversation('c1', { assigneeId: me.id, version: 2 }));
    patcher.conversationChanged(conversation('c9'), true);
    // Another service's new file is not counted for an agent of service A.
    patcher.conversationChanged(conversation('c10', { teamId: TEAM_B }), true);
    expect(client.getQueryData(countsKey)).toEqual({
      mine: 1,
      unassigned: 1,
      callbackNeeded: 1,
      byStatus: { open: 1, pending: 1, snoozed: 0 },
      byTeam: { [TEAM_A]: 1 },
      overdue: 0,
      dueSoon: 0,
      overdueByTeam: {},
    });
    // Transferred away and resolved: out of every counter.
    patcher.conversationChanged(conversation('c1', { teamId: TEAM_B, status: 'resolved', version: 4 }));
    patcher.conversationChanged(conversation('c9', { teamId: TEAM_B, version: 2 }));
    expect(client.getQueryData(countsKey)).toEqual(NO_COUNTS);
    act(() => jest.advanceTimersByTime(1000));
    expect(spy.mock.calls.filter(([filters]) => JSON.stringify(filters?.queryKey) === JSON.stringify(countsKey))).toHaveLength(0);
    patcher.dispose();
  });

  it('a citizen’s message on a file this tab never loaded moves the counts by the state the event says it found, without a request', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const countsKey = queryKeys.conversations.counts();
    const counts = (open: number, pending: number) =>
      ({ ...NO_COUNTS, unassigned: open, byStatus: { open, pending, snoozed: 0 }, byTeam: { [TEAM_A]: open } }) as const;
    client.setQueryData(countsKey, counts(3, 2));
    const spy = jest.spyOn(client, 'invalidateQueries');
    const { status, teamId, assigneeId, callbackNeeded, decisionDueAt, responseDueAt, firstResponseAt } = conversation('u1');
    const counted = { teamId, assigneeId, callbackNeeded, decisionDueAt, responseDueAt, firstResponseAt };
    // A pending file reopened by the citizen's reply; then a message on an open file (nothing moves).
    patcher.conversationChanged(conversation('u1', { version: 5 }), false, { ...counted, status: 'pending', version: 4 });
    patcher.conversationChanged(conversation('u2', { version: 8 }), false, { ...counted, status, version: 7 });
    expect(client.getQueryData(countsKey)).toEqual(counts(4, 1));
    // Without the state before (a system change), the counts are asked again.
    patcher.conversationChanged(conversation('u3', { version: 2 }));
    act(() => jest.advanceTimersByTime(1000));
    expect(spy.mock.calls.filter(([filters]) => JSON.stringify(filters?.queryKey) === JSON.stringify(countsKey))).toHaveLength(1);
    patcher.dispose();
  });

  it('this agent’s own change: its answer is already in the cache, the event’s state before moves the counts without a request', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const countsKey = queryKeys.conversations.counts();
    client.setQueryData(countsKey, {
      ...NO_COUNTS,
      unassigned: 1,
      byStatus: { open: 1, pending: 0, snoozed: 0 },
      byTeam: { [TEAM_A]: 1 },
    });
    const before = conversation('o1');
    client.setQueryData(queryKeys.conversations.list({ status: ['open'] }), pages([before]));
    const spy = jest.spyOn(client, 'invalidateQueries');
    // Taken and set pending: the PATCH answer lands in the item cache before the socket's event.
    const after = conversation('o1', { assigneeId: me.id, status: 'pending', version: 2 });
    client.setQueryData(queryKeys.conversations.detail('o1'), after);
    patcher.conversationChanged(after, false, countedOf(before));
    expect(client.getQueryData(countsKey)).toEqual({ ...NO_COUNTS, mine: 1, byStatus: { open: 0, pending: 1, snoozed: 0 } });
    // The reply that follows (first response): told with the state the change left.
    const replied = conversation('o1', {
      assigneeId: me.id,
      status: 'open',
      firstResponseAt: '2026-11-28T11:00:00.000Z',
      version: 3,
    });
    client.setQueryData(queryKeys.conversations.detail('o1'), replied);
    patcher.conversationChanged(replied, false, countedOf(after));
    expect(client.getQueryData(countsKey)).toEqual({
      ...NO_COUNTS,
      mine: 1,
      byStatus: { open: 1, pending: 0, snoozed: 0 },
      byTeam: { [TEAM_A]: 1 },
    });
    act(() => jest.advanceTimersByTime(1000));
    expect(spy.mock.calls.filter(([filters]) => JSON.stringify(filters?.queryKey) === JSON.stringify(countsKey))).toHaveLength(0);
    patcher.dispose();
  });

  it('overdue and due-soon counts follow the due date of the files the events tell of', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const countsKey = queryKeys.conversations.counts();
    const counts = (overdue: number, dueSoon: number, open: number) => ({
      mine: 0,
      unassigned: open,
      callbackNeeded: 0,
      byStatus: { open, pending: 0, snoozed: 0 },
      byTeam: open ? { [TEAM_A]: open } : {},
      overdue,
      dueSoon,
      overdueByTeam: overdue ? { [TEAM_A]: overdue } : {},
    });
    client.setQueryData(countsKey, counts(0, 0, 0));
    const hours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

    patcher.conversationChanged(conversation('d1', { responseDueAt: hours(-2) }), true);
    patcher.conversationChanged(conversation('d2', { decisionDueAt: hours(10) }), true);
    patcher.conversationChanged(conversation('d3', { decisionDueAt: hours(24 * 10) }), true);
    expect(client.getQueryData(countsKey)).toEqual(counts(1, 1, 3));
    // Answered: the response target no longer applies; resolved: no due date at all.
    patcher.conversationChanged(conversation('d1', { responseDueAt: hours(-2), firstResponseAt: hours(-1), version: 2 }));
    patcher.conversationChanged(conversation('d2', { decisionDueAt: hours(10), status: 'resolved', version: 2 }));
    expect(client.getQueryData(countsKey)).toEqual(counts(0, 0, 2));
    patcher.dispose();
  });

  it('a system follow-up (version kept: a due date set by a job, a routing rule) moves the counts by the state before it tells, once, without a request', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const countsKey = queryKeys.conversations.counts();
    const counts = (o: { open: number; overdue?: number; dueSoon?: number }) => ({
      ...NO_COUNTS,
      unassigned: o.open,
      byStatus: { open: o.open, pending: 0, snoozed: 0 },
      byTeam: o.open ? { [TEAM_A]: o.open } : {},
      overdue: o.overdue ?? 0,
      dueSoon: o.dueSoon ?? 0,
      overdueByTeam: o.overdue ? { [TEAM_A]: o.overdue } : {},
    });
    // The server counted one open file (s2, never loaded in this tab).
    client.setQueryData(countsKey, counts({ open: 1 }));
    const spy = jest.spyOn(client, 'invalidateQueries');
    const hours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

    // A new file, counted; then the job gives it a response deadline already passed (same version).
    const fresh = conversation('s1', { version: 1 });
    patcher.conversationChanged(fresh, true);
    const due = conversation('s1', { responseDueAt: hours(-2), version: 1 });
    patcher.conversationChanged(due, false, countedOf(fresh));
    expect(client.getQueryData(countsKey)).toEqual(counts({ open: 2, overdue: 1 }));
    // Told twice (a second socket, a replay): counted once.
    patcher.conversationChanged(due, false, countedOf(fresh));
    expect(client.getQueryData(countsKey)).toEqual(counts({ open: 2, overdue: 1 }));
    // A file this tab never loaded gets a decision date within 48 h.
    const other = conversation('s2', { version: 3 });
    patcher.conversationChanged(conversation('s2', { decisionDueAt: hours(10), version: 3 }), false, countedOf(other));
    expect(client.getQueryData(countsKey)).toEqual(counts({ open: 2, overdue: 1, dueSoon: 1 }));
    // A routing rule moves the first file to a service this agent is not in: out of their counters.
    patcher.conversationChanged(
      conversation('s1', { responseDueAt: hours(-2), teamId: TEAM_B, version: 1 }),
      false,
      countedOf(due),
    );
    expect(client.getQueryData(countsKey)).toEqual(counts({ open: 1, dueSoon: 1 }));
    act(() => jest.advanceTimersByTime(1000));
    expect(spy.mock.calls.filter(([filters]) => JSON.stringify(filters?.queryKey) === JSON.stringify(countsKey))).toHaveLength(0);
    patcher.dispose();
  });

  it('conversation.deleted (a retention rule that deletes) takes the file out of every loaded list and forgets its file and thread', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const countsKey = queryKeys.conversations.counts();
    const counts = { ...NO_COUNTS, unassigned: 1, byStatus: { ...NO_COUNTS.byStatus, open: 1 }, byTeam: { [TEAM_A]: 1 } };
    client.setQueryData(countsKey, counts);
    const gone = conversation('c2', { status: 'resolved', version: 4 });
    const resolvedKey = queryKeys.conversations.list({ status: ['resolved'], teamId: TEAM_A });
    const openKey = queryKeys.conversations.list({ status: ['open'], teamId: TEAM_A });
    client.setQueryData(
      resolvedKey,
      pages([conversation('c1', { status: 'resolved' }), gone], [conversation('c3', { status: 'resolved' })]),
    );
    client.setQueryData(openKey, pages([conversation('c4')]));
    client.setQueryData(queryKeys.conversations.detail('c2'), gone);
    client.setQueryData(queryKeys.conversations.messages('c2'), pages([message('m1', 'c2')]));

    patcher.conversationDeleted(gone);
    expect(ids(client.getQueryData(resolvedKey))).toEqual(['c1', 'c3']);
    expect(ids(client.getQueryData(openKey))).toEqual(['c4']);
    expect(client.getQueryData(queryKeys.conversations.detail('c2'))).toBeUndefined();
    expect(client.getQueryData(queryKeys.conversations.messages('c2'))).toBeUndefined();
    // A finished file was in no counter: they stay as they were.
    expect(client.getQueryData(countsKey)).toEqual(counts);
    // An open one (as it was last told) leaves its counters.
    patcher.conversationDeleted(conversation('c4'));
    expect(ids(client.getQueryData(openKey))).toEqual([]);
    expect(client.getQueryData(countsKey)).toMatchObject({ unassigned: 0, byStatus: { open: 0 }, byTeam: {} });
  });

  it('presence.updated is kept per conversation', () => {
    const patcher = createCachePatcher(client, () => me, 1000);
    const presence: PresenceDto = { conversationId: 'c1', viewers: [{ agentId: 'julien', name: 'Julien Roche', typing: true }] };
    patcher.presenceChanged(presence);
    expect(client.getQueryData(queryKeys.presence('c1'))).toEqual(presence);
    patcher.dispose();
  });
});

/** A socket.io client double: the hook only uses on/off/emit/connect/disconnect. */
class FakeSocket extends EventEmitter {
  connected = false;
  active = true;
  emitted: unknown[][] = [];
  connect() {
    this.connected = true;
    super.emit('connect');
    return this;
  }
  disconnect() {
    this.connected = false;
    return this;
  }
  override emit(event: string, ...args: unknown[]): boolean {
    this.emitted.push([event, ...args]);
    return true;
  }
  /** What the server sends. */
  serverSends(event: string, ...args: unknown[]): void {
    super.emit(event, ...args);
  }
  drop(): void {
    this.connected = false;
    super.emit('disconnect', 'transport close');
  }
}

function Probe({ socket }: { socket: FakeSocket }) {
  const state = useRealtime({
    token: 't',
    me,
    activeConversationId: null,
    socketFactory: () => socket as unknown as GuichetSocket,
  });
  return <p data-testid="status">{state.status}</p>;
}

describe('useRealtime', () => {
  it('patches the cache on events and invalidates every query after a reconnect (not after the first connect)', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    const socket = new FakeSocket();
    const list = queryKeys.conversations.list({ status: ['open'], assignee: 'none' });
    client.setQueryData(list, pages<ConversationDto>([]));
    client.setQueryData(queryKeys.teams(), []);
    client.setQueryData(queryKeys.presence('c1'), { conversationId: 'c1', viewers: [] });
    render(
      <QueryClientProvider client={client}>
        <Probe socket={socket} />
      </QueryClientProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    expect(client.getQueryState(list)?.isInvalidated).toBe(false);

    act(() => socket.serverSends('conversation.created', conversation('live')));
    expect(ids(client.getQueryData(list))).toEqual(['live']);

    act(() => socket.drop());
    expect(screen.getByTestId('status').textContent).toBe('reconnecting');
    act(() => {
      socket.connect();
    });
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    expect(client.getQueryState(list)?.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.teams())?.isInvalidated).toBe(true);
    // Presence is not fetched: it comes back with the rooms joined again.
    expect(client.getQueryState(queryKeys.presence('c1'))?.isInvalidated).toBe(false);
    client.clear();
  });
});
