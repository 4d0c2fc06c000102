import type { AgentDto, ConversationDto, MessageDto, TeamDto } from '@guichet/contracts';
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { hasStatus } from '../../api/client';
import { ChannelTag } from '../../components/channel-tag';
import { useAgents } from '../../hooks/use-agents';
import { useConversation } from '../../hooks/use-conversation';
import { useMessages } from '../../hooks/use-messages';
import { currentLanguage } from '../../i18n';
import { formatBytes, formatDateTime } from '../../lib/format';
import { contactName } from '../../lib/labels';
import { inboxHref, type InboxRoute } from '../../lib/router';
import { useConversationRoom } from '../../realtime/realtime-context';

interface ConversationPanelProps {
  route: InboxRoute;
  teams: TeamDto[] | undefined;
}

export function ConversationPanel({ route, teams }: ConversationPanelProps) {
  const { t } = useTranslation();
  if (!route.conversationId) {
    return (
      <section className="detail-pane detail-pane--empty" aria-labelledby="detail-empty-title">
        <div className="empty-state">
          <span className="empty-state__icon" aria-hidden="true">
            📨
          </span>
          <h2 id="detail-empty-title" className="empty-state__title">
            {t('conversation.placeholderTitle')}
          </h2>
          <p className="empty-state__text">{t('conversation.placeholderText')}</p>
        </div>
      </section>
    );
  }
  return <ConversationDetail key={route.conversationId} id={route.conversationId} route={route} teams={teams} />;
}

function ConversationDetail({ id, route, teams }: { id: string; route: InboxRoute; teams: TeamDto[] | undefined }) {
  const { t } = useTranslation();
  const conversation = useConversation(id);
  const agents = useAgents();
  useConversationRoom(id);
  const backHref = inboxHref({ ...route, conversationId: null });

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

  return (
    <section className="detail-pane" aria-labelledby="detail-title">
      <header className="detail-header">
        <a className="detail-header__back" href={backHref}>
          ← {t('conversation.back')}
        </a>
        <h2 className="detail-header__title" id="detail-title">
          {title}
        </h2>
        <p className="detail-header__meta">
          <span className="detail-header__contact">{contactName(t, c.contact)}</span>
          <span className="tag tag--reference">
            <span className="visually-hidden">{t('conversation.reference')} </span>
            {c.reference}
          </span>
          <span className={`status-pill status-${c.status}`}>{t(`statusOne.${c.status}`)}</span>
          {c.priority === 'high' || c.priority === 'urgent' ? <span className={`badge badge--${c.priority}`}>{t(`priority.${c.priority}`)}</span> : null}
          <span className="tag tag--team">{team?.name ?? t('list.unknownTeam')}</span>
          <span className="detail-header__assignee">
            {c.assigneeId ? (assignee ? t('list.assignedTo', { name: assignee.name }) : null) : t('list.unassigned')}
          </span>
        </p>
        <p className="detail-header__dates">{t('conversation.openedOn', { date: formatDateTime(c.createdAt, currentLanguage()) })}</p>
        {c.possiblyRelatedToId ? <p className="notice notice--warning">{t('conversation.possiblyRelated')}</p> : null}
      </header>
      <Timeline conversation={c} agents={agents.data} />
    </section>
  );
}

function Timeline({ conversation, agents }: { conversation: ConversationDto; agents: AgentDto[] | undefined }) {
  const { t } = useTranslation();
  const query = useMessages(conversation.id);
  const scrollRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  // Pages may come newest first and socket events add to them: show each message once, oldest on top.
  const messages = useMemo(() => {
    const byId = new Map<string, MessageDto>();
    for (const page of query.data?.pages ?? []) for (const m of page.items) if (!byId.has(m.id)) byId.set(m.id, m);
    return [...byId.values()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : 1));
  }, [query.data]);
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
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  return (
    <div className="timeline-scroll" ref={scrollRef}>
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
        <ol className="timeline" aria-label={t('conversation.timeline')}>
          {messages.map((m) => (
            <li key={m.id} className="timeline__item">
              <MessageItem message={m} citizen={contactName(t, conversation.contact)} agentName={m.authorAgentId ? agentNames.get(m.authorAgentId) : undefined} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function MessageItem({ message: m, citizen, agentName }: { message: MessageDto; citizen: string; agentName: string | undefined }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const variant = m.kind === 'message' ? m.direction : m.kind;
  const kindLabel = m.kind === 'message' ? t(`message.${m.direction}`) : t(`message.${m.kind}`);
  const author = m.direction === 'inbound' ? t('message.from', { name: citizen }) : t('message.byAgent', { name: agentName ?? t('message.agentUnknown') });

  return (
    <article className={`message message--${variant}`} aria-label={`${kindLabel} — ${formatDateTime(m.createdAt, language)}`}>
      <header className="message__meta">
        <span className="message__kind">{kindLabel}</span>
        {m.kind !== 'note' && m.kind !== 'event' ? <ChannelTag channel={m.channelKind} /> : null}
        {m.kind !== 'event' ? <span className="message__author">{author}</span> : null}
        <time className="message__time" dateTime={m.createdAt}>
          {formatDateTime(m.createdAt, language)}
        </time>
      </header>
      <p className="message__body">{m.body.trim() || t('message.emptyBody')}</p>
      {m.attachments.length > 0 ? (
        <div className="message__attachments">
          <span className="message__attachments-title">{t('message.attachments')}</span>
          <ul>
            {m.attachments.map((a) => (
              <li key={a.id}>
                <span aria-hidden="true">📎 </span>
                {a.fileName} <span className="message__size">({formatBytes(a.size, language)})</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {m.direction === 'outbound' && m.kind === 'message' ? (
        <p className={`message__status message__status--${m.status}`}>
          {m.status === 'failed' && m.error ? t('message.failedReason', { reason: m.error }) : t(`message.delivery.${m.status}`)}
        </p>
      ) : null}
    </article>
  );
}
