import type { AgentNotificationDto, CallRingingDto, ConversationDto, MessageDto } from '@guichet/contracts';
import { Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SkipLink } from '../../components/skip-link';
import { useMe } from '../../hooks/use-me';
import { useTeams } from '../../hooks/use-teams';
import { contactName } from '../../lib/labels';
import { lazyScreen } from '../../lib/lazy-screen';
import {
  eventIdFromHash,
  isAdminHash,
  isBoardHash,
  isEventsHash,
  isMailReturnsHash,
  isNewConversationHash,
  isRegisterLetterHash,
  isReportsHash,
  mergeIdFromHash,
  useHash,
  useInboxRoute,
} from '../../lib/router';
import { isAccountHash, isSessionsHash } from '../../lib/sign-in-routes';
import { handleShortcutKey } from './shortcuts';
import { ShortcutsDialog } from './shortcuts-dialog';
import { CallPopups } from './call-popup';
import { canSeeAllTeams } from './inbox-views';
import { AnnounceContext, useAnnouncer } from '../../lib/use-announcer';
import { RealtimeContext } from '../../realtime/realtime-context';
import { useRealtime } from '../../realtime/use-realtime';
import { useSession, useSignedInSession } from '../../session/session-context';
import { AppHeader } from './app-header';
import { ConnectionBanner } from './connection-banner';
import { ConversationList } from './conversation-list';
import { ConversationPanel } from './conversation-panel';
import { InboxNav } from './inbox-nav';
import { AlertSettingsMenu, isFiled, Toasts, useAgentNotifications } from './notifications';
import { useLatest } from '../../lib/use-latest';

const ANNOUNCE_DEDUPE_MS = 5_000;

// Screens an agent opens now and then load when opened: the inbox comes first.
const BoardPage = lazyScreen(() => import('../board/board-page').then((m) => m.BoardPage));
const ReportsPage = lazyScreen(() => import('../reports/reports-page').then((m) => m.ReportsPage));
const AdminPage = lazyScreen(() => import('../admin/admin-page').then((m) => m.AdminPage));
const NewConversationPage = lazyScreen(() => import('../conversation/new-conversation-page').then((m) => m.NewConversationPage));
const RegisterLetterPage = lazyScreen(() => import('../letters/register-letter-page').then((m) => m.RegisterLetterPage));
const EventsPage = lazyScreen(() => import('../events/events-page').then((m) => m.EventsPage));
const SessionsPage = lazyScreen(() => import('../account/sessions-page').then((m) => m.SessionsPage));
const AccountPage = lazyScreen(() => import('../account/account-page').then((m) => m.AccountPage));
const MergePage = lazyScreen(() => import('../merge/merge-page').then((m) => m.MergePage));
const MailReturnsPage = lazyScreen(() => import('./mail-returns-page').then((m) => m.MailReturnsPage));

function ScreenLoading() {
  const { t } = useTranslation();
  return <p role="status">{t('app.loading')}</p>;
}

export function InboxShell() {
  const { t } = useTranslation();
  const session = useSignedInSession();
  const { signOut } = useSession();
  const me = useMe().data;
  const teams = useTeams();
  const route = useInboxRoute();
  const hash = useHash();
  const onBoard = isBoardHash(hash) && canSeeAllTeams(me);
  const onNew = isNewConversationHash(hash);
  const onLetter = isRegisterLetterHash(hash);
  // Municipal events (issue 17): every agent, for their services' events.
  const onEvents = isEventsHash(hash);
  // My account and my sessions (every agent), my services' mail returns, the identity providers' settings (admins)
  // and the administration (admins; supervisors read it): screens of their own.
  const onMailReturns = isMailReturnsHash(hash);
  const onReports = isReportsHash(hash) && canSeeAllTeams(me);
  const mergeId = canSeeAllTeams(me) ? mergeIdFromHash(hash) : null;
  const accountScreen = isSessionsHash(hash) ? (
    <SessionsPage />
  ) : isAccountHash(hash) ? (
    <AccountPage me={me} />
  ) : onMailReturns ? (
    <MailReturnsPage />
  ) : isAdminHash(hash) && canSeeAllTeams(me) ? (
    <AdminPage hash={hash} me={me} />
  ) : onReports ? (
    <ReportsPage me={me} teams={teams.data} />
  ) : mergeId ? (
    <MergePage key={mergeId} id={mergeId} />
  ) : null;
  const [helpOpen, setHelpOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => handleShortcutKey(event, () => setHelpOpen(true));
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  const { message: announcement, announce } = useAnnouncer();
  const announced = useRef(new Map<string, number>());

  /** Screen readers hear what concerns this agent: their conversations, their services' queue, the open one. */
  const concernsMe = useCallback(
    (c: ConversationDto) =>
      c.id === route.conversationId || c.assigneeId === me.id || (c.assigneeId === null && me.teamIds.includes(c.teamId)),
    [me, route.conversationId],
  );
  const announceOnce = useCallback(
    (conversationId: string, text: string) => {
      const now = Date.now();
      const last = announced.current.get(conversationId);
      if (last !== undefined && now - last < ANNOUNCE_DEDUPE_MS) return; // conversation.created + its first message.created
      announced.current.set(conversationId, now);
      announce(text);
    },
    [announce],
  );
  const notifications = useAgentNotifications(me, route.conversationId);
  const notificationsRef = useLatest(notifications);
  const onAgentNotified = useCallback(
    (n: AgentNotificationDto) => {
      if (n.byAgentId === me.id) return;
      notificationsRef.current.onAgentNotified(n);
      announceOnce(
        n.conversation.id,
        t(`toast.title.${n.kind}`, { name: n.byAgentName ?? t('toast.someone') }) +
          ` : ${contactName(t, n.conversation.contact)}`,
      );
    },
    [me.id, notificationsRef, announceOnce, t],
  );
  const onNewMessage = useCallback(
    (message: MessageDto, conversation: ConversationDto | undefined) => {
      notificationsRef.current.onNewMessage(message, conversation);
      if (message.direction !== 'inbound' || (message.kind !== 'message' && message.kind !== 'call')) return;
      if (!conversation || !concernsMe(conversation)) return;
      announceOnce(
        conversation.id,
        t('realtime.newMessage', {
          name: contactName(t, conversation.contact),
          subject: conversation.subject?.trim() || t('list.noSubject'),
        }),
      );
    },
    [concernsMe, announceOnce, t, notificationsRef],
  );
  const onNewConversation = useCallback(
    (conversation: ConversationDto) => {
      notificationsRef.current.onNewConversation(conversation);
      if (!concernsMe(conversation) || isFiled(conversation)) return;
      announceOnce(
        conversation.id,
        t('realtime.newConversation', {
          name: contactName(t, conversation.contact),
          subject: conversation.subject?.trim() || t('list.noSubject'),
        }),
      );
    },
    [concernsMe, announceOnce, t, notificationsRef],
  );

  const [calls, setCalls] = useState<CallRingingDto[]>([]);
  const dismissCall = useCallback((callId: string) => setCalls((list) => list.filter((c) => c.callId !== callId)), []);
  const onCallRinging = useCallback(
    (call: CallRingingDto) => {
      setCalls((list) => [...list.filter((c) => c.callId !== call.callId), call].slice(-3));
      // A call that rang out is dropped after two minutes.
      setTimeout(() => dismissCall(call.callId), 120_000);
    },
    [dismissCall],
  );

  const realtime = useRealtime({
    token: session.csrf,
    me,
    activeConversationId: route.conversationId,
    onNewMessage,
    onNewConversation,
    onAgentNotified,
    onCallRinging,
  });

  return (
    <RealtimeContext value={realtime}>
      <AnnounceContext value={announce}>
        <div className="app">
          <SkipLink targetId="main-content" />
          <AppHeader
            me={me}
            realtime={realtime.status}
            onLogout={signOut}
            onHelp={() => setHelpOpen(true)}
            alerts={<AlertSettingsMenu settings={notifications.settings} onChange={notifications.setSettings} />}
          />
          <ConnectionBanner status={realtime.status} />
          <div
            className={
              route.conversationId && !onBoard && !onNew && !onEvents && !accountScreen ? 'inbox inbox--has-selection' : 'inbox'
            }
          >
            <InboxNav
              me={me}
              teams={teams.data}
              route={route}
              onBoard={onBoard || onNew || onEvents || accountScreen !== null}
              boardCurrent={onBoard}
              eventsCurrent={onEvents}
              mailReturnsCurrent={onMailReturns}
              reportsCurrent={onReports}
            />
            {accountScreen ? (
              <main id="main-content" className="inbox-main inbox-main--board" tabIndex={-1}>
                <Suspense fallback={<ScreenLoading />}>{accountScreen}</Suspense>
              </main>
            ) : onBoard ? (
              <main id="main-content" className="inbox-main inbox-main--board" tabIndex={-1}>
                <Suspense fallback={<ScreenLoading />}>
                  <BoardPage teams={teams.data} />
                </Suspense>
              </main>
            ) : onEvents ? (
              <main id="main-content" className="inbox-main inbox-main--board" tabIndex={-1}>
                <Suspense fallback={<ScreenLoading />}>
                  <EventsPage me={me} teams={teams.data} eventId={eventIdFromHash(hash)} />
                </Suspense>
              </main>
            ) : onNew ? (
              <main id="main-content" className="inbox-main inbox-main--board" tabIndex={-1}>
                <Suspense fallback={<ScreenLoading />}>
                  <NewConversationPage me={me} teams={teams.data} />
                </Suspense>
              </main>
            ) : onLetter ? (
              <main id="main-content" className="inbox-main inbox-main--board" tabIndex={-1}>
                <Suspense fallback={<ScreenLoading />}>
                  <RegisterLetterPage me={me} teams={teams.data} />
                </Suspense>
              </main>
            ) : (
              <main id="main-content" className="inbox-main" tabIndex={-1}>
                <ConversationList route={route} teams={teams.data} />
                <ConversationPanel route={route} teams={teams.data} />
              </main>
            )}
          </div>
          <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="live-announcer">
            {announcement}
          </div>
          <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
          <CallPopups calls={calls} route={route} onDismiss={dismissCall} />
          <Toasts toasts={notifications.toasts} onDismiss={notifications.dismiss} />
        </div>
      </AnnounceContext>
    </RealtimeContext>
  );
}
