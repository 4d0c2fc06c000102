import { CONVERSATION_STATUSES, type AgentDto, type TeamDto } from '@guichet/contracts';
import { useTranslation } from 'react-i18next';
import { inboxHref, type InboxRoute, type InboxView } from '../../lib/router';
import { canSeeAllTeams, navTeams, sameView } from './inbox-views';

interface InboxNavProps {
  me: AgentDto;
  teams: TeamDto[] | undefined;
  route: InboxRoute;
}

function ViewLink({ route, view, label, icon }: { route: InboxRoute; view: InboxView; label: string; icon: string }) {
  const active = sameView(view, route.view);
  return (
    <a className="nav-link" href={inboxHref({ ...route, view, conversationId: null })} aria-current={active ? 'page' : undefined}>
      <span className="nav-link__icon" aria-hidden="true">
        {icon}
      </span>
      <span className="nav-link__label">{label}</span>
    </a>
  );
}

export function InboxNav({ me, teams, route }: InboxNavProps) {
  const { t } = useTranslation();
  const myTeams = navTeams(me, teams ?? []);

  return (
    <nav className="inbox-nav" aria-label={t('nav.label')}>
      <h2 className="inbox-nav__heading" id="nav-views">
        {t('nav.views')}
      </h2>
      <ul className="nav-list" aria-labelledby="nav-views">
        <li>
          <ViewLink route={route} view={{ kind: 'mine' }} label={t('nav.mine')} icon="👤" />
        </li>
        <li>
          <ViewLink route={route} view={{ kind: 'unassigned' }} label={t('nav.unassigned')} icon="📥" />
        </li>
        {canSeeAllTeams(me) && (
          <li>
            <ViewLink route={route} view={{ kind: 'all' }} label={t('nav.all')} icon="🗂️" />
          </li>
        )}
      </ul>

      <h2 className="inbox-nav__heading" id="nav-teams">
        {t('nav.myTeams')}
      </h2>
      {myTeams.length > 0 ? (
        <ul className="nav-list" aria-labelledby="nav-teams">
          {myTeams.map((team) => (
            <li key={team.id}>
              <ViewLink route={route} view={{ kind: 'team', teamId: team.id }} label={team.name} icon="🏛️" />
            </li>
          ))}
        </ul>
      ) : (
        <p className="inbox-nav__empty">{teams ? t('nav.noTeams') : t('app.loading')}</p>
      )}

      <h2 className="inbox-nav__heading" id="nav-status">
        {t('nav.status')}
      </h2>
      <ul className="nav-list nav-list--status" aria-labelledby="nav-status">
        {CONVERSATION_STATUSES.map((status) => (
          <li key={status}>
            <a
              className={`nav-link nav-link--status status-${status}`}
              href={inboxHref({ ...route, status, conversationId: null })}
              aria-current={route.status === status ? 'true' : undefined}
            >
              <span className="status-dot" aria-hidden="true" />
              <span className="nav-link__label">{t(`status.${status}`)}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
