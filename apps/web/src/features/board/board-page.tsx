import type { AgentDto, ConversationDto, TeamDto } from '@guichet/contracts';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { RelativeTime } from '../../components/relative-time';
import { useAgents } from '../../hooks/use-agents';
import { useAgentsOnline } from '../../hooks/use-agents-online';
import { useConversations } from '../../hooks/use-conversations';
import { useCounts } from '../../hooks/use-counts';
import { useUpdateConversation } from '../../hooks/use-update-conversation';
import { contactName } from '../../lib/labels';
import { inboxHref, DEFAULT_ROUTE } from '../../lib/router';
import { useAnnounce } from '../../lib/use-announcer';
import { addFrenchWords } from '../../i18n';
import { supervisionFr } from '../../i18n/fr-supervision';

addFrenchWords(supervisionFr);

const MAX_PAGES = 40;

interface TeamStats {
  team: TeamDto;
  open: number;
  unassigned: number;
  oldestWaiting: string | null;
  callback: number;
  /** In progress, due date passed (from the counters: every status, not just the open rows loaded). */
  overdue: number;
}

export function teamStats(
  teams: TeamDto[],
  rows: ConversationDto[],
  byTeam: Record<string, number> | undefined,
  overdueByTeam?: Record<string, number>,
): TeamStats[] {
  return teams.map((team) => {
    const mine = rows.filter((c) => c.teamId === team.id);
    const waiting = mine
      .map((c) => c.lastInboundAt)
      .filter((x): x is string => x !== null)
      .sort();
    return {
      team,
      open: byTeam?.[team.id] ?? mine.length,
      unassigned: mine.filter((c) => c.assigneeId === null).length,
      oldestWaiting: waiting[0] ?? null,
      callback: mine.filter((c) => c.callbackNeeded).length,
      overdue: overdueByTeam?.[team.id] ?? 0,
    };
  });
}

export function agentLoads(agents: AgentDto[], rows: ConversationDto[]): { agent: AgentDto; load: number }[] {
  const loads = new Map<string, number>();
  for (const c of rows) if (c.assigneeId) loads.set(c.assigneeId, (loads.get(c.assigneeId) ?? 0) + 1);
  return agents.filter((a) => a.role !== 'admin').map((agent) => ({ agent, load: loads.get(agent.id) ?? 0 }));
}

export function BoardPage({ teams }: { teams: TeamDto[] | undefined }) {
  const { t } = useTranslation();
  const ids = useId();
  const announce = useAnnounce();
  const query = useConversations({ status: ['open'] });
  const counts = useCounts().data;
  const agents = useAgents();
  const update = useUpdateConversation();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [teamFilter, setTeamFilter] = useState('');
  const [agentFilter, setAgentFilter] = useState('');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: number; failed: string[] } | null>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  // The board needs every open conversation: pages are fetched until the end (bounded).
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && (query.data?.pages.length ?? 0) < MAX_PAGES) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, query.data?.pages.length]);

  const rows = useMemo(() => {
    const seen = new Set<string>();
    return (query.data?.pages ?? []).flatMap((p) => p.items).filter((c) => !seen.has(c.id) && seen.add(c.id));
  }, [query.data]);
  const sortedTeams = useMemo(() => [...(teams ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'fr')), [teams]);
  const stats = useMemo(() => teamStats(sortedTeams, rows, counts?.byTeam, counts?.overdueByTeam), [sortedTeams, rows, counts]);
  const onlineQuery = useAgentsOnline();
  const online = useMemo(() => new Set(onlineQuery.data?.agentIds ?? []), [onlineQuery.data]);
  const loads = useMemo(
    () => agentLoads(agents.data ?? [], rows).sort((a, b) => b.load / b.agent.capacity - a.load / a.agent.capacity),
    [agents.data, rows],
  );
  const agentName = useMemo(() => new Map((agents.data ?? []).map((a) => [a.id, a.name])), [agents.data]);
  const teamName = useMemo(() => new Map((teams ?? []).map((x) => [x.id, x.name])), [teams]);
  const visible = rows.filter(
    (c) =>
      (!teamFilter || c.teamId === teamFilter) &&
      (!agentFilter || (agentFilter === 'none' ? c.assigneeId === null : c.assigneeId === agentFilter)),
  );
  const sortedAgents = useMemo(
    () => (agents.data ?? []).filter((a) => a.role !== 'admin').sort((a, b) => a.name.localeCompare(b.name, 'fr')),
    [agents.data],
  );
  const visibleSelected = visible.filter((c) => selected.has(c.id));

  function toggle(id: string) {
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  async function reassign(event: FormEvent) {
    event.preventDefault();
    if (!target || visibleSelected.length === 0 || busy) return;
    const [kind, id] = target.split(':') as ['agent' | 'team', string];
    setBusy(true);
    setResult(null);
    let ok = 0;
    const failed: string[] = [];
    for (const c of visibleSelected) {
      try {
        await update.mutateAsync({
          id: c.id,
          input: kind === 'agent' ? { assigneeId: id, version: c.version } : { teamId: id, version: c.version },
        });
        ok++;
      } catch (e) {
        failed.push(`${c.reference} : ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    setBusy(false);
    setSelected(new Set());
    setResult({ ok, failed });
    announce(t('board.reassigned', { count: ok }) + (failed.length ? ` ${t('board.failed', { count: failed.length })}` : ''));
  }

  return (
    <div className="board" data-testid="board">
      <h1 className="board__title" tabIndex={-1}>
        {t('board.title')}
      </h1>

      <section aria-labelledby={`${ids}-teams`} className="board__section">
        <h2 id={`${ids}-teams`} className="board__heading">
          {t('board.teams')}
        </h2>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('board.team')}</th>
                <th scope="col">{t('board.open')}</th>
                <th scope="col">{t('board.unassigned')}</th>
                <th scope="col">{t('board.oldestWaiting')}</th>
                <th scope="col">{t('board.callback')}</th>
                <th scope="col">{t('board.overdue')}</th>
              </tr>
            </thead>
            <tbody>
              {stats.map((s) => (
                <tr key={s.team.id}>
                  <th scope="row">
                    <a href={inboxHref({ ...DEFAULT_ROUTE, view: { kind: 'team', teamId: s.team.id } })}>{s.team.name}</a>
                  </th>
                  <td>{s.open}</td>
                  <td className={s.unassigned > 0 ? 'table__warn' : undefined}>{s.unassigned}</td>
                  <td>{s.oldestWaiting ? <RelativeTime iso={s.oldestWaiting} /> : '—'}</td>
                  <td>{s.callback}</td>
                  <td className={s.overdue > 0 ? 'table__warn' : undefined} data-testid={`board-overdue-${s.team.id}`}>
                    {s.overdue > 0 ? (
                      <a href={inboxHref({ ...DEFAULT_ROUTE, view: { kind: 'overdue' } })}>
                        {s.overdue}
                        <span className="visually-hidden"> {t('board.overdueOf', { team: s.team.name })}</span>
                      </a>
                    ) : (
                      0
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby={`${ids}-agents`} className="board__section">
        <h2 id={`${ids}-agents`} className="board__heading">
          {t('board.agents')}
        </h2>
        <ul className="load-list">
          {loads.map(({ agent, load }) => (
            <li key={agent.id} className="load-list__item">
              <span className="load-list__name">
                <span className={online.has(agent.id) ? 'online-dot online-dot--on' : 'online-dot'} aria-hidden="true" />
                {agent.name}
                <span className="load-list__status">{online.has(agent.id) ? t('board.online') : t('board.offline')}</span>
              </span>
              <span className="load-list__teams">
                {agent.teamIds
                  .map((id) => teamName.get(id))
                  .filter(Boolean)
                  .join(', ')}
              </span>
              <meter
                className="load-list__meter"
                min={0}
                max={agent.capacity}
                high={agent.capacity * 0.8}
                value={load}
                aria-label={t('board.loadOf', { name: agent.name })}
              />
              <span className="load-list__value">{t('board.load', { load, capacity: agent.capacity })}</span>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby={`${ids}-reassign`} className="board__section">
        <h2 id={`${ids}-reassign`} className="board__heading">
          {t('board.openConversations')}
        </h2>
        <form className="board__toolbar" onSubmit={reassign}>
          <span className="actions__field">
            <label htmlFor={`${ids}-filter`}>{t('board.filterTeam')}</label>
            <select id={`${ids}-filter`} value={teamFilter} onChange={(e) => setTeamFilter(e.target.value)}>
              <option value="">{t('board.allTeams')}</option>
              {sortedTeams.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </span>
          <span className="actions__field">
            <label htmlFor={`${ids}-agent-filter`}>{t('board.filterAgent')}</label>
            <select
              id={`${ids}-agent-filter`}
              value={agentFilter}
              onChange={(e) => setAgentFilter(e.target.value)}
              data-testid="board-agent-filter"
            >
              <option value="">{t('board.allAgents')}</option>
              <option value="none">{t('list.unassigned')}</option>
              {sortedAgents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </span>
          <span className="actions__field">
            <label htmlFor={`${ids}-target`}>{t('board.reassignTo')}</label>
            <select id={`${ids}-target`} value={target} onChange={(e) => setTarget(e.target.value)} data-testid="board-target">
              <option value="">{t('board.chooseTarget')}</option>
              <optgroup label={t('board.agentsGroup')}>
                {sortedAgents.map((a) => (
                  <option key={a.id} value={`agent:${a.id}`}>
                    {a.name}
                  </option>
                ))}
              </optgroup>
              <optgroup label={t('board.teamsGroup')}>
                {sortedTeams.map((x) => (
                  <option key={x.id} value={`team:${x.id}`}>
                    {x.name}
                  </option>
                ))}
              </optgroup>
            </select>
          </span>
          <button
            type="submit"
            className="button button--primary button--small"
            aria-disabled={busy || !target || visibleSelected.length === 0 || undefined}
          >
            {busy ? t('board.reassigning') : t('board.reassignSelection', { count: visibleSelected.length })}
          </button>
        </form>
        {result ? (
          <div className={result.failed.length ? 'notice notice--warning' : 'notice'} role="status">
            <p>{t('board.reassigned', { count: result.ok })}</p>
            {result.failed.length ? (
              <ul>
                {result.failed.map((f) => (
                  <li key={f}>{f}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <div className="table-wrap">
          <table className="table" data-testid="board-conversations">
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label={t('board.selectAll')}
                    checked={visible.length > 0 && visibleSelected.length === visible.length}
                    onChange={(e) => setSelected(e.target.checked ? new Set(visible.map((c) => c.id)) : new Set())}
                  />
                </th>
                <th scope="col">{t('board.reference')}</th>
                <th scope="col">{t('board.subject')}</th>
                <th scope="col">{t('board.citizen')}</th>
                <th scope="col">{t('board.team')}</th>
                <th scope="col">{t('board.assignee')}</th>
                <th scope="col">{t('board.waiting')}</th>
              </tr>
            </thead>
            <tbody>
              {visible.map((c) => (
                <tr key={c.id} data-testid="board-row" data-conversation-id={c.id}>
                  <td>
                    <input
                      type="checkbox"
                      checked={selected.has(c.id)}
                      onChange={() => toggle(c.id)}
                      aria-label={t('board.select', { subject: c.subject ?? c.reference })}
                    />
                  </td>
                  <td className="table__reference">{c.reference}</td>
                  <td>
                    <a href={inboxHref({ ...DEFAULT_ROUTE, view: { kind: 'all' }, conversationId: c.id })}>
                      {c.subject?.trim() || t('list.noSubject')}
                    </a>
                    {c.callbackNeeded ? <span className="badge badge--callback">{t('list.callback')}</span> : null}
                  </td>
                  <td>{contactName(t, c.contact)}</td>
                  <td>{teamName.get(c.teamId) ?? ''}</td>
                  <td>{c.assigneeId ? (agentName.get(c.assigneeId) ?? '') : t('list.unassigned')}</td>
                  <td>{c.lastInboundAt ? <RelativeTime iso={c.lastInboundAt} /> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {query.isPending ? <p role="status">{t('app.loading')}</p> : null}
      </section>
    </div>
  );
}
