import type { AgentDto, TeamDto } from '@guichet/contracts';
import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAgents } from '../../hooks/use-agents';
import { useConversations } from '../../hooks/use-conversations';
import { inboxHref, type InboxRoute } from '../../lib/router';
import { ConversationRow } from './conversation-row';
import { filtersForRoute, viewLabel } from './inbox-views';

const ROW_SELECTOR = '[data-testid="conversation-row"]';

export function ConversationList({ route, teams }: { route: InboxRoute; teams: TeamDto[] | undefined }) {
  const { t } = useTranslation();
  const filters = filtersForRoute(route);
  const query = useConversations(filters);
  const agents = useAgents();
  const listRef = useRef<HTMLUListElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  const rows = useMemo(() => {
    const seen = new Set<string>();
    return (query.data?.pages ?? []).flatMap((page) => page.items).filter((c) => !seen.has(c.id) && seen.add(c.id));
  }, [query.data]);
  const teamNames = useMemo(() => new Map((teams ?? []).map((team) => [team.id, team.name])), [teams]);
  const agentNames = useMemo(() => new Map((agents.data ?? []).map((a: AgentDto) => [a.id, a.name])), [agents.data]);

  // Infinite scroll: the sentinel under the list loads the next page when it comes into view.
  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: '200px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  function onKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
    if (!keys.includes(event.key) || !listRef.current) return;
    const items = [...listRef.current.querySelectorAll<HTMLAnchorElement>(ROW_SELECTOR)];
    const index = items.indexOf(document.activeElement as HTMLAnchorElement);
    if (index < 0) return;
    event.preventDefault();
    const next =
      event.key === 'Home' ? 0 : event.key === 'End' ? items.length - 1 : Math.max(0, Math.min(items.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)));
    items[next]?.focus();
    if (next === items.length - 1 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }

  const title = viewLabel(t, route.view, teams);
  const assigneeLabel = (assigneeId: string | null): string | null => {
    if (route.view.kind === 'mine' || route.view.kind === 'unassigned') return null; // said by the view itself
    if (!assigneeId) return t('list.unassigned');
    const name = agentNames.get(assigneeId);
    return name ? t('list.assignedTo', { name }) : null;
  };

  return (
    <section className="conversation-pane" aria-labelledby="conversation-list-title">
      <div className="pane-header">
        <h1 className="pane-header__title" id="conversation-list-title">
          {title}
        </h1>
        <p className="pane-header__subtitle">
          <span className={`status-pill status-${route.status}`}>{t(`status.${route.status}`)}</span>
          {query.data ? <span className="pane-header__count">{t('list.count', { count: rows.length })}</span> : null}
        </p>
      </div>

      {query.isPending ? (
        <p className="pane-message" role="status">
          {t('app.loading')}
        </p>
      ) : query.isError ? (
        <div className="pane-message pane-message--error" role="alert">
          <p>{query.error.isNetworkError ? t('errors.network') : t('list.error')}</p>
          <button type="button" className="button button--secondary" onClick={() => void query.refetch()}>
            {t('list.retry')}
          </button>
        </div>
      ) : rows.length === 0 ? (
        <p className="pane-message">{t('list.empty')}</p>
      ) : (
        <>
          <p className="visually-hidden" id="conversation-list-hint">
            {t('list.keyboardHint')}
          </p>
          <ul className="conversation-list" ref={listRef} onKeyDown={onKeyDown} aria-labelledby="conversation-list-title" aria-describedby="conversation-list-hint">
            {rows.map((c) => (
              <li key={c.id}>
                <ConversationRow
                  conversation={c}
                  href={inboxHref({ ...route, conversationId: c.id })}
                  selected={c.id === route.conversationId}
                  teamName={teamNames.get(c.teamId) ?? t('list.unknownTeam')}
                  assigneeLabel={assigneeLabel(c.assigneeId)}
                />
              </li>
            ))}
          </ul>
          <div className="list-footer" ref={sentinelRef}>
            {hasNextPage ? (
              <button type="button" className="button button--secondary" onClick={() => void fetchNextPage()} aria-disabled={isFetchingNextPage || undefined}>
                {isFetchingNextPage ? t('list.loadingMore') : t('list.loadMore')}
              </button>
            ) : (
              <span className="list-footer__end">{t('list.end')}</span>
            )}
          </div>
        </>
      )}
    </section>
  );
}
