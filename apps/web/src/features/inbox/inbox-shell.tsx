import type { ConversationDto, MessageDto } from '@guichet/contracts';
import { useCallback, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { SkipLink } from '../../components/skip-link';
import { useMe } from '../../hooks/use-me';
import { useTeams } from '../../hooks/use-teams';
import { contactName } from '../../lib/labels';
import { useInboxRoute } from '../../lib/router';
import { useAnnouncer } from '../../lib/use-announcer';
import { RealtimeContext } from '../../realtime/realtime-context';
import { useRealtime } from '../../realtime/use-realtime';
import { useSession, useSignedInSession } from '../../session/session-context';
import { AppHeader } from './app-header';
import { ConversationList } from './conversation-list';
import { ConversationPanel } from './conversation-panel';
import { InboxNav } from './inbox-nav';

const ANNOUNCE_DEDUPE_MS = 5_000;

export function InboxShell() {
  const { t } = useTranslation();
  const session = useSignedInSession();
  const { signOut } = useSession();
  const me = useMe().data;
  const teams = useTeams();
  const route = useInboxRoute();
  const { message: announcement, announce } = useAnnouncer();
  const announced = useRef(new Map<string, number>());

  /** Screen readers hear what concerns this agent: their conversations, their services' queue, the open one. */
  const concernsMe = useCallback(
    (c: ConversationDto) => c.id === route.conversationId || c.assigneeId === me.id || (c.assigneeId === null && me.teamIds.includes(c.teamId)),
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
  const onNewMessage = useCallback(
    (message: MessageDto, conversation: ConversationDto | undefined) => {
      if (message.direction !== 'inbound' || (message.kind !== 'message' && message.kind !== 'call')) return;
      if (!conversation || !concernsMe(conversation)) return;
      announceOnce(
        conversation.id,
        t('realtime.newMessage', { name: contactName(t, conversation.contact), subject: conversation.subject?.trim() || t('list.noSubject') }),
      );
    },
    [concernsMe, announceOnce, t],
  );
  const onNewConversation = useCallback(
    (conversation: ConversationDto) => {
      if (!concernsMe(conversation)) return;
      announceOnce(
        conversation.id,
        t('realtime.newConversation', { name: contactName(t, conversation.contact), subject: conversation.subject?.trim() || t('list.noSubject') }),
      );
    },
    [concernsMe, announceOnce, t],
  );

  const realtime = useRealtime({ token: session.token, me, activeConversationId: route.conversationId, onNewMessage, onNewConversation });

  return (
    <RealtimeContext value={realtime}>
      <div className="app">
        <SkipLink targetId="main-content" />
        <AppHeader me={me} realtime={realtime.status} onLogout={signOut} />
        <div className={route.conversationId ? 'inbox inbox--has-selection' : 'inbox'}>
          <InboxNav me={me} teams={teams.data} route={route} />
          <main id="main-content" className="inbox-main" tabIndex={-1}>
            <ConversationList route={route} teams={teams.data} />
            <ConversationPanel route={route} teams={teams.data} />
          </main>
        </div>
        <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="live-announcer">
          {announcement}
        </div>
      </div>
    </RealtimeContext>
  );
}
