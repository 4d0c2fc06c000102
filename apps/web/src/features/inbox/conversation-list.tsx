import { referenceSearched, type AgentDto, type TeamDto } from '@guichet/contracts';
import { useEffect, useLayoutEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAgents } from '../../hooks/use-agents';
import { useConversations } from '../../hooks/use-conversations';
import { useLabels } from '../../hooks/use-labels';
import { inboxHref, navigate, type InboxRoute } from '../../lib/router';
import { ConversationRow } from './conversation-row';
import { filtersForRoute, viewLabel } from './inbox-views';
import { onShortcut } from '../../lib/shortcut-bus';
import { ROW_HEIGHT, useWindowedRows } from './use-windowed-rows';
import { useLatest } from '../../lib/use-latest';

export function ConversationList({ route, teams }: { route: InboxRoute; teams: TeamDto[] | undefined }) {
  const { t, i18n } = useTranslation();
  const filters = filtersForRoute(route);
  const query = useConversations(filters);
  const agents = useAgents();
  const labels = useLabels().data;
  const listRef = useRef<HTMLUListElement>(null);
  const paneRef = useRef<HTMLElement>(null);
  /** Row to focus once it is rendered (keyboard moves into rows outside the window). */
  const pendingFocus = useRef<number | null>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  const rows = useMemo(() => {
    const seen = new Set<string>();
    return (query.data?.pages ?? []).flatMap((page) => page.items).filter((c) => !seen.has(c.id) && seen.add(c.id));
  }, [query.data]);
  const win = useWindowedRows(paneRef, listRef, rows.length);
  const selectedIndex = route.conversationId ? rows.findIndex((c) => c.id === route.conversationId) : -1;
  const routeRef = useLatest(route);
  const rowsRef = useLatest(rows);
  const { reveal } = win;

  // The open conversation stays in view, wherever it is in a long list.
  useLayoutEffect(() => {
    if (selectedIndex >= 0) reveal(selectedIndex);
  }, [selectedIndex, reveal]);
  useLayoutEffect(() => {
    if (pendingFocus.current === null) return;
    const row = listRef.current?.querySelector<HTMLAnchorElement>(`[data-index="${pendingFocus.current}"]`);
    if (row) {
      row.focus();
      pendingFocus.current = null;
    }
  });

  // j / k: the next or previous conversation of this list, opened.
  useEffect(
    () =>
      onShortcut((command) => {
        if (command !== 'next' && command !== 'previous') return;
        const list = rowsRef.current;
        if (list.length === 0) return;
        const current = list.findIndex((c) => c.id === routeRef.current.conversationId);
        const next = current < 0 ? 0 : Math.max(0, Math.min(list.length - 1, current + (command === 'next' ? 1 : -1)));
        pendingFocus.current = next;
        reveal(next);
        navigate(inboxHref({ ...routeRef.current, conversationId: list[next]!.id }));
      }),
    [reveal, routeRef, rowsRef],
  );

  // A reference typed exactly (GU-7K3M9Q, gu7k3m9q…) opens its file once found, wherever it is.
  const openedFor = useRef<string | null>(null);
  const typedReference = exactReference(route.q);
  useEffect(() => {
    if (!typedReference || route.conversationId || openedFor.current === route.q) return;
    const found = rows.length === 1 && rows[0]!.reference === typedReference ? rows[0]! : null;
    if (!found) return;
    openedFor.current = route.q;
    navigate(inboxHref({ ...route, conversationId: found.id }), { replace: true });
  }, [typedReference, rows, route]);

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
    const index = Number((document.activeElement as HTMLElement | null)?.dataset.index ?? NaN);
    if (!keys.includes(event.key) || Number.isNaN(index)) return;
    event.preventDefault();
    const last = rows.length - 1;
    const next =
      event.key === 'Home'
        ? 0
        : event.key === 'End'
          ? last
          : Math.max(0, Math.min(last, index + (event.key === 'ArrowDown' ? 1 : -1)));
    pendingFocus.current = next;
    reveal(next);
    const row = listRef.current?.querySelector<HTMLAnchorElement>(`[data-index="${next}"]`);
    if (row) {
      row.focus();
      pendingFocus.current = null;
    }
    if (next === last && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }

  const title = viewLabel(t, route.view, teams);
  const total = query.data?.pages[0]?.total;
  const assigneeLabel = (assigneeId: string | null): string | null => {
    if (route.view.kind === 'mine' || route.view.kind === 'unassigned') return null; // said by the view itself
    if (!assigneeId) return t('list.unassigned');
    const name = agentNames.get(assigneeId);
    return name ? t('list.assignedTo', { name }) : null;
  };

  return (
    <section className="conversation-pane" aria-labelledby="conversation-list-title" ref={paneRef}>
      <div className="pane-header">
        <form
          className="search-form"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            const q = String(new FormData(event.currentTarget).get('q') ?? '').trim();
            navigate(inboxHref({ ...route, q, conversationId: null }));
          }}
        >
          <label className="visually-hidden" htmlFor="inbox-search">
            {t('search.label')}
          </label>
          <input
            key={route.q}
            id="inbox-search"
            name="q"
            type="search"
            className="search-form__input"
            defaultValue={route.q}
            placeholder={t('search.placeholder')}
            aria-keyshortcuts="/"
            maxLength={200}
          />
          <button type="submit" className="button button--secondary button--small">
            {t('search.submit')}
          </button>
        </form>
        <h1 className="pane-header__title" id="conversation-list-title">
          {route.q ? t('search.resultsAll', { q: route.q }) : title}
        </h1>
        {route.q ? (
          <a className="search-form__clear" href={inboxHref({ ...route, q: '', conversationId: null })}>
            {t('search.clear')}
          </a>
        ) : null}
        {route.q ? (
          <fieldset className="search-filters">
            <legend className="visually-hidden">{t('search.filters')}</legend>
            <label className="search-filters__option">
              <input
                type="checkbox"
                checked={!!route.inView}
                onChange={(e) => navigate(inboxHref({ ...route, inView: e.currentTarget.checked, conversationId: null }))}
              />
              {t('search.onlyView', { view: title })}
            </label>
            <label className="search-filters__option">
              <input
                type="checkbox"
                checked={!!route.inStatus}
                onChange={(e) => navigate(inboxHref({ ...route, inStatus: e.currentTarget.checked, conversationId: null }))}
              />
              {t('search.onlyStatus', { status: t(`status.${route.status}`) })}
            </label>
          </fieldset>
        ) : null}
        {labels?.length ? (
          <p className="label-filter">
            <label htmlFor="inbox-label-filter">{t('labels.filter')}</label>
            <select
              id="inbox-label-filter"
              data-testid="label-filter"
              value={route.labelId ?? ''}
              onChange={(e) => {
                const labelId = e.currentTarget.value || undefined;
                navigate(inboxHref({ ...route, labelId, conversationId: null }));
              }}
            >
              <option value="">{t('labels.filterAll')}</option>
              {labels.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </p>
        ) : null}
        <p className="pane-header__subtitle">
          {(!route.q || route.inStatus) && !filters.due ? (
            <span className={`status-pill status-${route.status}`}>{t(`status.${route.status}`)}</span>
          ) : null}
          {route.q && total ? (
            <span className="pane-header__count" data-testid="search-total">
              {t(total.more ? 'search.totalMore' : 'search.total', {
                count: total.count,
                formatted: new Intl.NumberFormat(i18n.language).format(total.count),
              })}
            </span>
          ) : query.data ? (
            <span className="pane-header__count">{t('list.count', { count: rows.length })}</span>
          ) : null}
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
        <div className="pane-message" data-testid="list-empty">
          <p>{route.q ? t('search.empty') : t('list.empty')}</p>
          {route.view.kind !== 'unassigned' && !route.q ? (
            // Nothing here: the work waiting for someone is in "Non assignées".
            <p>
              <a href={inboxHref({ ...route, view: { kind: 'unassigned' }, status: 'open', conversationId: null, q: '' })}>
                {t('list.emptyGoUnassigned')}
              </a>
            </p>
          ) : null}
        </div>
      ) : (
        <>
          <p className="visually-hidden" id="conversation-list-hint">
            {t('list.keyboardHint')}
          </p>
          <ul
            className="conversation-list"
            ref={listRef}
            onKeyDown={onKeyDown}
            aria-labelledby="conversation-list-title"
            aria-describedby="conversation-list-hint"
            style={{ paddingTop: win.start * ROW_HEIGHT, paddingBottom: (rows.length - win.end) * ROW_HEIGHT }}
          >
            {rows.slice(win.start, win.end).map((c, i) => (
              <li key={c.id} aria-setsize={rows.length} aria-posinset={win.start + i + 1}>
                <ConversationRow
                  index={win.start + i}
                  conversation={c}
                  href={inboxHref({ ...route, conversationId: c.id })}
                  selected={c.id === route.conversationId}
                  teamName={teamNames.get(c.teamId) ?? t('list.unknownTeam')}
                  assigneeLabel={assigneeLabel(c.assigneeId)}
                  showStatus={!!route.q && !route.inStatus}
                />
              </li>
            ))}
          </ul>
          <div className="list-footer" ref={sentinelRef}>
            {hasNextPage ? (
              <button
                type="button"
                className="button button--secondary"
                onClick={() => void fetchNextPage()}
                aria-disabled={isFetchingNextPage || undefined}
              >
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

/** The reference when the whole search text is one (any case, with or without dash or brackets). */
function exactReference(q: string): string | null {
  const reference = q ? referenceSearched(q) : null;
  return reference && q.replace(/[\s[\]()#-]/g, '').toUpperCase() === reference.replace('-', '') ? reference : null;
}
