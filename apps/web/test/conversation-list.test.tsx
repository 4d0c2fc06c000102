/** @jest-environment ./test/jsdom-environment.cjs */
import type { AgentDto, ConversationDto, Page } from '@guichet/contracts';
import { QueryClient, QueryClientProvider, type InfiniteData } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import '../src/i18n';
import { queryKeys } from '../src/api/query-keys';
import { ConversationList } from '../src/features/inbox/conversation-list';
import { filtersForRoute } from '../src/features/inbox/inbox-views';
import { DEFAULT_ROUTE, type InboxRoute } from '../src/lib/router';
import { createCachePatcher } from '../src/realtime/cache-patch';

const TEAM = '00000000-0000-4000-8000-00000000000a';
const me: AgentDto = { id: 'agent-me', name: 'Sophie Marchand', email: 's@m.fr', role: 'agent', teamIds: [TEAM], capacity: 12 };

function conversation(i: number): ConversationDto {
  const at = new Date(Date.UTC(2026, 10, 28, 12) - i * 60_000).toISOString();
  return {
    id: `c${i}`,
    reference: `GU-${String(i).padStart(6, '0')}`,
    status: 'open',
    priority: 'normal',
    subject: `Demande numéro ${i}`,
    teamId: TEAM,
    assigneeId: null,
    contact: { id: `contact-${i}`, name: `Usager ${i}` },
    lastChannelKind: 'sms',
    snippet: 'Bonjour',
    unread: false,
    callbackNeeded: false,
    possiblyRelatedToId: null,
    snoozedUntil: null,
    createdAt: at,
    lastMessageAt: at,
    lastInboundAt: at,
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
  };
}

describe('conversation list', () => {
  it('renders a window of 10,000 loaded rows and shows a socket event at the top at once', async () => {
    globalThis.fetch = (async () =>
      new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } })) as typeof fetch;
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    const route: InboxRoute = { ...DEFAULT_ROUTE, view: { kind: 'team', teamId: TEAM } };
    const key = queryKeys.conversations.list(filtersForRoute(route));
    const pages: InfiniteData<Page<ConversationDto>, string | null> = { pages: [], pageParams: [] };
    for (let p = 0; p < 100; p++) {
      pages.pages.push({
        items: Array.from({ length: 100 }, (_, j) => conversation(p * 100 + j)),
        nextCursor: p === 99 ? null : `c${p}`,
      });
      pages.pageParams.push(p === 0 ? null : `c${p - 1}`);
    }
    client.setQueryData(key, pages);
    render(
      <QueryClientProvider client={client}>
        <ConversationList route={route} teams={[{ id: TEAM, name: 'État civil', slug: 'etat-civil' }]} />
      </QueryClientProvider>,
    );
    const rows = screen.getAllByTestId('conversation-row');
    expect(rows.length).toBeLessThan(40);
    expect(rows[0]!.closest('li')!.getAttribute('aria-setsize')).toBe('10000');
    expect(screen.getByText('10000 conversations chargées')).toBeTruthy();

    const patcher = createCachePatcher(client, () => me, 1000);
    act(() => patcher.conversationChanged({ ...conversation(-1), subject: 'Nouvelle demande en direct' }));
    // react-query notifies its observers on the next tick: wait for the row. The event renders
    // the window again, never the 10,000 rows (speed is the web bench's job, not a timed assertion).
    await screen.findByText('Nouvelle demande en direct');
    const after = screen.getAllByTestId('conversation-row');
    expect(after[0]!.textContent).toContain('Nouvelle demande en direct');
    expect(after.length).toBeLessThan(40);
    expect(after[0]!.closest('li')!.getAttribute('aria-setsize')).toBe('10001');
    patcher.dispose();
    client.clear();
  });
});
