import type { AgentDto, TeamDto } from '@guichet/contracts';
import type { TFunction } from 'i18next';
import type { ConversationFilters } from '../../api/conversations';
import type { InboxRoute, InboxView } from '../../lib/router';

export function canSeeAllTeams(agent: AgentDto): boolean {
  return agent.role === 'supervisor' || agent.role === 'admin';
}

/**
 * The API filters behind a view and status of the navigation. A search looks everywhere the
 * agent may see, whatever the status, unless the agent narrows it to the view or the status.
 */
export function filtersForRoute(route: InboxRoute): ConversationFilters {
  const filters = viewFilters(route);
  const label = route.labelId ? { labelId: route.labelId } : {};
  if (!route.q) return { ...filters, ...label };
  const { status, ...view } = filters;
  return { ...(route.inView ? view : {}), ...(route.inStatus ? { status } : {}), ...label, q: route.q };
}

function viewFilters(route: InboxRoute): ConversationFilters {
  const { view } = route;
  const status = [route.status];
  switch (view.kind) {
    case 'mine':
      // "Mes conversations" in progress: open and pending together, as its count says.
      return { status: route.status === 'open' ? ['open', 'pending'] : status, assignee: 'me' };
    case 'unassigned':
      return { status, assignee: 'none' };
    case 'all':
      return { status };
    // Whatever their status in progress: the status tabs do not apply.
    case 'overdue':
      return { due: 'overdue' };
    case 'due-soon':
      return { due: 'soon' };
    case 'team':
      return { status, teamId: view.teamId };
  }
}

/** Services listed under "Mes services": the agent's own, or all of them for supervisors and admins. */
export function navTeams(agent: AgentDto, teams: TeamDto[]): TeamDto[] {
  const visible = canSeeAllTeams(agent) ? teams : teams.filter((team) => agent.teamIds.includes(team.id));
  return [...visible].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export function viewLabel(t: TFunction, view: InboxView, teams: TeamDto[] | undefined): string {
  switch (view.kind) {
    case 'mine':
      return t('nav.mine');
    case 'unassigned':
      return t('nav.unassigned');
    case 'all':
      return t('nav.all');
    case 'overdue':
      return t('nav.overdue');
    case 'due-soon':
      return t('nav.dueSoon');
    case 'team':
      return teams?.find((team) => team.id === view.teamId)?.name ?? t('list.unknownTeam');
  }
}

export function sameView(a: InboxView, b: InboxView): boolean {
  return a.kind === b.kind && (a.kind !== 'team' || (b.kind === 'team' && a.teamId === b.teamId));
}
