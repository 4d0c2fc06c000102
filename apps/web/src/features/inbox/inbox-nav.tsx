import {
  CONVERSATION_STATUSES,
  type AgentDto,
  type ConversationCountsDto,
  type ConversationStatus,
  type TeamDto,
} from '@guichet/contracts';
import { useTranslation } from 'react-i18next';
import { useCounts } from '../../hooks/use-counts';
import { useMailReturns } from '../../hooks/use-mail-returns';
import {
  BOARD_HREF,
  EVENTS_HREF,
  MAIL_RETURNS_HREF,
  NEW_CONVERSATION_HREF,
  REGISTER_LETTER_HREF,
  REPORTS_HREF,
  inboxHref,
  type InboxRoute,
  type InboxView,
} from '../../lib/router';
import { canSeeAllTeams, navTeams, sameView } from './inbox-views';

interface InboxNavProps {
  me: AgentDto;
  teams: TeamDto[] | undefined;
  route: InboxRoute;
  /** The board is on screen: no inbox view is current. */
  onBoard?: boolean;
  /** The board is the screen shown (default: `onBoard`, which also says the inbox views are not). */
  boardCurrent?: boolean;
  /** The events screen is shown (issue 17). */
  eventsCurrent?: boolean;
  /** The services' mail returns are the screen shown. */
  mailReturnsCurrent?: boolean;
  /** The reports are the screen shown. */
  reportsCurrent?: boolean;
}

function Count({ value, label }: { value: number | undefined; label: string }) {
  if (value === undefined) return null;
  return (
    <span className="nav-count" data-testid="nav-count">
      {value}
      <span className="visually-hidden"> {label}</span>
    </span>
  );
}

function ViewLink({
  route,
  view,
  label,
  icon,
  count,
  onBoard,
}: {
  route: InboxRoute;
  view: InboxView;
  label: string;
  icon: string;
  count?: number;
  onBoard?: boolean;
}) {
  const { t } = useTranslation();
  const active = !onBoard && sameView(view, route.view);
  return (
    <a
      className="nav-link"
      href={inboxHref({ ...route, view, conversationId: null, q: '' })}
      aria-current={active ? 'page' : undefined}
    >
      <span className="nav-link__icon" aria-hidden="true">
        {icon}
      </span>
      <span className="nav-link__label">{label}</span>
      <Count value={count} label={t('nav.countLabel')} />
    </a>
  );
}

function statusCount(counts: ConversationCountsDto | undefined, status: ConversationStatus): number | undefined {
  if (!counts) return undefined;
  return status === 'open' || status === 'pending' || status === 'snoozed' ? counts.byStatus[status] : undefined;
}

export function InboxNav({
  me,
  teams,
  route,
  onBoard,
  boardCurrent = onBoard,
  eventsCurrent = false,
  mailReturnsCurrent,
  reportsCurrent = false,
}: InboxNavProps) {
  const { t } = useTranslation();
  const myTeams = navTeams(me, teams ?? []);
  const counts = useCounts().data;
  const mailReturns = useMailReturns().data;

  return (
    <nav className="inbox-nav" aria-label={t('nav.label')}>
      <a className="button button--primary button--small inbox-nav__new" href={NEW_CONVERSATION_HREF} data-testid="nav-new">
        {t('nav.newConversation')}
      </a>
      <a className="button button--secondary button--small inbox-nav__new" href={REGISTER_LETTER_HREF} data-testid="nav-letter">
        {t('nav.registerLetter')}
      </a>
      <h2 className="inbox-nav__heading" id="nav-views">
        {t('nav.views')}
      </h2>
      <ul className="nav-list" aria-labelledby="nav-views">
        <li>
          <ViewLink
            route={route}
            view={{ kind: 'mine' }}
            label={t('nav.mine')}
            icon="👤"
            count={counts?.mine}
            onBoard={onBoard}
          />
        </li>
        <li>
          <ViewLink
            route={route}
            view={{ kind: 'unassigned' }}
            label={t('nav.unassigned')}
            icon="📥"
            count={counts?.unassigned}
            onBoard={onBoard}
          />
        </li>
        <li>
          <ViewLink
            route={route}
            view={{ kind: 'overdue' }}
            label={t('nav.overdue')}
            icon="⏰"
            count={counts?.overdue}
            onBoard={onBoard}
          />
        </li>
        <li>
          <ViewLink
            route={route}
            view={{ kind: 'due-soon' }}
            label={t('nav.dueSoon')}
            icon="⏳"
            count={counts?.dueSoon}
            onBoard={onBoard}
          />
        </li>
        {canSeeAllTeams(me) && (
          <li>
            <ViewLink route={route} view={{ kind: 'all' }} label={t('nav.all')} icon="🗂️" onBoard={onBoard} />
          </li>
        )}
        {canSeeAllTeams(me) && (
          <li>
            <a className="nav-link" href={BOARD_HREF} aria-current={boardCurrent ? 'page' : undefined} data-testid="nav-board">
              <span className="nav-link__icon" aria-hidden="true">
                📊
              </span>
              <span className="nav-link__label">{t('nav.board')}</span>
            </a>
          </li>
        )}
        <li>
          <a className="nav-link" href={EVENTS_HREF} aria-current={eventsCurrent ? 'page' : undefined} data-testid="nav-events">
            <span className="nav-link__icon" aria-hidden="true">
              📅
            </span>
            <span className="nav-link__label">{t('nav.events')}</span>
          </a>
        </li>
        {/* Shown when a mailbox of my services received a bounce about nothing Guichet sent. */}
        {mailReturns?.length || mailReturnsCurrent ? (
          <li>
            <a
              className="nav-link"
              href={MAIL_RETURNS_HREF}
              aria-current={mailReturnsCurrent ? 'page' : undefined}
              data-testid="nav-mail-returns"
            >
              <span className="nav-link__icon" aria-hidden="true">
                📭
              </span>
              <span className="nav-link__label">{t('nav.mailReturns')}</span>
              <Count value={mailReturns?.length} label={t('nav.countLabel')} />
            </a>
          </li>
        ) : null}
        {canSeeAllTeams(me) && (
          <li>
            <a
              className="nav-link"
              href={REPORTS_HREF}
              aria-current={reportsCurrent ? 'page' : undefined}
              data-testid="nav-reports"
            >
              <span className="nav-link__icon" aria-hidden="true">
                📈
              </span>
              <span className="nav-link__label">{t('nav.reports')}</span>
            </a>
          </li>
        )}
      </ul>
      {counts && counts.callbackNeeded > 0 ? (
        <p className="inbox-nav__callback">
          <span className="badge badge--callback">{t('list.callback')}</span>{' '}
          {t('nav.callbackCount', { count: counts.callbackNeeded })}
        </p>
      ) : null}

      <h2 className="inbox-nav__heading" id="nav-teams">
        {t('nav.myTeams')}
      </h2>
      {myTeams.length > 0 ? (
        <ul className="nav-list" aria-labelledby="nav-teams">
          {myTeams.map((team) => (
            <li key={team.id}>
              <ViewLink
                route={route}
                view={{ kind: 'team', teamId: team.id }}
                label={team.name}
                icon="🏛️"
                count={counts ? (counts.byTeam[team.id] ?? 0) : undefined}
                onBoard={onBoard}
              />
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
              aria-current={!onBoard && route.status === status ? 'true' : undefined}
            >
              <span className="status-dot" aria-hidden="true" />
              <span className="nav-link__label">{t(`status.${status}`)}</span>
              <Count value={statusCount(counts, status)} label={t('nav.countLabel')} />
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
