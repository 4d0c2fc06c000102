import type { AgentDto, ConversationDto, MessageDto, TeamDto } from '@guichet/contracts';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API_BASE, hasStatus } from '../../api/client';
import { useAgents } from '../../hooks/use-agents';
import { useConversation } from '../../hooks/use-conversation';
import { useMe } from '../../hooks/use-me';
import { useMessages } from '../../hooks/use-messages';
import { usePresence } from '../../hooks/use-presence';
import { currentLanguage } from '../../i18n';
import { useDraft } from '../../lib/drafts';
import { formatDateTime } from '../../lib/format';
import { contactName } from '../../lib/labels';
import { inboxHref, type InboxRoute } from '../../lib/router';
import { useAnnounce } from '../../lib/use-announcer';
import { useConversationRoom, useRealtimeState } from '../../realtime/realtime-context';
import { CitizenPanel } from '../conversation/citizen-panel';
import { RestrictionBanner } from '../conversation/processing-restrictions';
import { Composer } from '../conversation/composer';
import { draftBaseOf } from '../conversation/conflict';
import { ConversationActions } from '../conversation/conversation-actions';
import { MessageItem } from '../conversation/message-item';
import { PresenceBar } from '../conversation/presence-bar';
import { useLatest } from '../../lib/use-latest';
import { LabelChips } from '../../components/label-chips';

const PANEL_KEY = 'guichet.citizenPanel';

/** Whether the citizen's panel is shown: the agent's choice, kept; by default shown on wide screens only. */
function useCitizenPanelOpen(): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(() => {
    const saved = localStorage.getItem(PANEL_KEY);
    return saved === null ? window.innerWidth >= 1440 : saved === 'open';
  });
  return [
    open,
    (next: boolean) => {
      localStorage.setItem(PANEL_KEY, next ? 'open' : 'closed');
      setOpen(next);
    },
  ];
}

/** Messages of a thread, each once, oldest first (pages come newest first and socket events add to them). */
export function useThread(id: string) {
  const query = useMessages(id);
  const messages = useMemo(() => {
    const byId = new Map<string, MessageDto>();
    for (const page of query.data?.pages ?? []) for (const m of page.items) if (!byId.has(m.id)) byId.set(m.id, m);
    return [...byId.values()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : 1));
  }, [query.data]);
  return { query, messages };
}

/** One conversation: its header, actions, thread, composer and the citizen's panel (loaded after the inbox). */
export function ConversationDetail({ id, route, teams }: { id: string; route: InboxRoute; teams: TeamDto[] | undefined }) {
  const { t } = useTranslation();
  const conversation = useConversation(id);
  const agents = useAgents();
  const me = useMe().data;
  const { socket } = useRealtimeState();
  const announce = useAnnounce();
  const thread = useThread(id);
  const [draft, updateDraft, clearDraft] = useDraft(id);
  const presence = usePresence(id);
  useConversationRoom(id);
  const backHref = inboxHref({ ...route, conversationId: null });
  const titleRef = useRef<HTMLHeadingElement>(null);
  const [panelOpen, setPanelOpen] = useCitizenPanelOpen();

  // Opening a conversation from the list puts focus on its title, so a screen reader starts reading there.
  const loaded = Boolean(conversation.data);
  useEffect(() => {
    if (!loaded) return;
    const active = document.activeElement;
    if (!active || active === document.body || active.closest('[data-testid="conversation-row"]'))
      titleRef.current?.focus({ preventScroll: true });
  }, [loaded]);

  const draftRef = useLatest(draft);
  const onChanged = useCallback(
    (before: ConversationDto, after: ConversationDto) => {
      // A draft written against the version just changed here is still current.
      if (draftRef.current.base?.version === before.version) updateDraft({ base: draftBaseOf(after) });
    },
    [updateDraft, draftRef],
  );

  if (conversation.isError && !conversation.data) {
    const notFound = hasStatus(conversation.error, 404) || hasStatus(conversation.error, 403);
    return (
      <section className="detail-pane" aria-label={t('conversation.error')}>
        <div className="pane-message pane-message--error" role="alert">
          <p>{notFound ? t('conversation.notFound') : t('conversation.error')}</p>
          <a className="button button--secondary" href={backHref}>
            {t('conversation.back')}
          </a>
        </div>
      </section>
    );
  }
  if (!conversation.data) {
    return (
      <section className="detail-pane" aria-busy="true">
        <p className="pane-message" role="status">
          {t('app.loading')}
        </p>
      </section>
    );
  }

  const c = conversation.data;
  const team = teams?.find((x) => x.id === c.teamId);
  const assignee = c.assigneeId ? agents.data?.find((a) => a.id === c.assigneeId) : undefined;
  const title = c.subject?.trim() || t('list.noSubject');
  const typingElsewhere = presence.viewers.find((v) => v.typing && v.agentId !== me.id);
  const composerWarning = typingElsewhere
    ? t('composer.otherTyping', { name: typingElsewhere.name })
    : c.assigneeId && c.assigneeId !== me.id
      ? t('composer.assignedElsewhere', { name: assignee?.name ?? t('message.agentUnknown') })
      : null;

  return (
    <section className="detail-pane" aria-labelledby="detail-title" data-testid="conversation-detail">
      <header className="detail-header">
        <a className="detail-header__back" href={backHref}>
          ← {t('conversation.back')}
        </a>
        <h2 className="detail-header__title" id="detail-title" tabIndex={-1} ref={titleRef}>
          {title}
        </h2>
        <p className="detail-header__meta">
          <span className="detail-header__contact">{contactName(t, c.contact)}</span>
          <span className="tag tag--reference">
            <span className="visually-hidden">{t('conversation.reference')} </span>
            {c.reference}
          </span>
          <span className={`status-pill status-${c.status}`}>
            {c.transmittedTo ? t('statusOne.transmittedTo', { name: c.transmittedTo }) : t(`statusOne.${c.status}`)}
          </span>
          {c.transmittedTo ? (
            // The file the administration received (L114-2): one .eml any mail program opens.
            <a className="tag" href={`${API_BASE}/conversations/${c.id}/transfer-administration/file`} download>
              {t('conversation.transferFile')}
            </a>
          ) : null}
          {c.priority === 'high' || c.priority === 'urgent' ? (
            <span className={`badge badge--${c.priority}`}>{t(`priority.${c.priority}`)}</span>
          ) : null}
          {c.callbackNeeded ? <span className="badge badge--callback">{t('list.callback')}</span> : null}
          <span className="tag tag--team">{team?.name ?? t('list.unknownTeam')}</span>
          <span className="detail-header__assignee" data-testid="detail-assignee">
            {c.assigneeId
              ? c.assigneeId === me.id
                ? t('conversation.assignedToMe')
                : assignee
                  ? t('list.assignedTo', { name: assignee.name })
                  : null
              : t('list.unassigned')}
          </span>
          <LabelChips labels={c.labels} />
        </p>
        <p className="detail-header__dates">
          {t('conversation.openedOn', { date: formatDateTime(c.createdAt, currentLanguage()) })}
          {c.status === 'snoozed' && c.snoozedUntil
            ? ` · ${t('conversation.snoozedUntil', { date: formatDateTime(c.snoozedUntil, currentLanguage()) })}`
            : null}
        </p>
        <button
          type="button"
          className="button button--secondary button--small detail-header__panel-toggle"
          aria-expanded={panelOpen}
          aria-controls="citizen-panel"
          onClick={() => setPanelOpen(!panelOpen)}
          data-testid="citizen-panel-toggle"
        >
          {panelOpen ? t('conversation.hideCitizen') : t('conversation.showCitizen')}
        </button>
        <RestrictionBanner conversationId={c.id} />
        <PresenceBar conversationId={c.id} meId={me.id} />
        <ConversationActions
          conversation={c}
          me={me}
          agents={agents.data}
          teams={teams}
          announce={announce}
          onChanged={onChanged}
        />
      </header>
      <div className={panelOpen ? 'detail-body' : 'detail-body detail-body--panel-closed'}>
        <div className="detail-main">
          <Timeline conversation={c} agents={agents.data} thread={thread} />
          <Composer
            conversation={c}
            messages={thread.messages}
            me={me}
            agents={agents.data}
            teams={teams}
            draft={draft}
            updateDraft={updateDraft}
            clearDraft={clearDraft}
            socket={socket}
            announce={announce}
            warning={composerWarning}
          />
        </div>
        {panelOpen ? <CitizenPanel conversation={c} route={route} teams={teams} /> : null}
      </div>
    </section>
  );
}

function Timeline({
  conversation,
  agents,
  thread,
}: {
  conversation: ConversationDto;
  agents: AgentDto[] | undefined;
  thread: ReturnType<typeof useThread>;
}) {
  const { t } = useTranslation();
  const { query, messages } = thread;
  const scrollRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const agentNames = useMemo(() => new Map((agents ?? []).map((a) => [a.id, a.name])), [agents]);

  // Follow the conversation at the bottom unless the agent scrolled up to read.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const onScroll = () => {
      stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    // The composer growing (a draft, the conflict box) shrinks the thread: the latest message stays in view.
    const resized = new ResizeObserver(() => {
      if (stickToBottom.current) el.scrollTop = el.scrollHeight;
    });
    resized.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      resized.disconnect();
    };
  }, []);

  return (
    <div className="timeline-scroll" ref={scrollRef} tabIndex={0} aria-label={t('conversation.timeline')} role="region">
      {hasNextPage ? (
        <div className="timeline-more">
          <button
            type="button"
            className="button button--secondary"
            aria-disabled={isFetchingNextPage || undefined}
            onClick={() => {
              stickToBottom.current = false;
              void fetchNextPage();
            }}
          >
            {isFetchingNextPage ? t('list.loadingMore') : t('conversation.loadEarlier')}
          </button>
        </div>
      ) : null}
      {query.isPending ? (
        <p className="pane-message" role="status">
          {t('app.loading')}
        </p>
      ) : query.isError ? (
        <div className="pane-message pane-message--error" role="alert">
          <p>{t('conversation.error')}</p>
          <button type="button" className="button button--secondary" onClick={() => void query.refetch()}>
            {t('list.retry')}
          </button>
        </div>
      ) : messages.length === 0 ? (
        <p className="pane-message">{t('conversation.noMessages')}</p>
      ) : (
        <ol className="timeline">
          {messages.map((m) => (
            <li key={m.id} className="timeline__item">
              <MessageItem
                message={m}
                citizen={contactName(t, conversation.contact)}
                agentName={m.authorAgentId ? agentNames.get(m.authorAgentId) : undefined}
              />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
