import type { ConversationDto, NonWorkingDay } from '@guichet/contracts';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { ChannelTag } from '../../components/channel-tag';
import { LabelChips } from '../../components/label-chips';
import { RelativeTime } from '../../components/relative-time';
import { contactName } from '../../lib/labels';
import { usePresence } from '../../hooks/use-presence';
import { useCurrentAgentId } from '../../session/session-context';
import { currentLanguage } from '../../i18n';
import { dueAt, dueState } from '../../lib/due';
import { formatDue, formatDuration } from '../../lib/format';
import { useNow } from '../../lib/use-now';

interface ConversationRowProps {
  conversation: ConversationDto;
  /** Position in the whole list (the list is windowed). */
  index: number;
  href: string;
  selected: boolean;
  teamName: string;
  /** "Assignée à …" / "Non assignée"; null while the agents' names load. */
  assigneeLabel: string | null;
  /** A search lists every status: each row says its own. */
  showStatus?: boolean;
}

function WaitingSince({ iso }: { iso: string }) {
  const { t } = useTranslation();
  const now = useNow();
  return (
    <span className="conversation-row__waiting">
      {t('list.waitingSince', { duration: formatDuration(now - Date.parse(iso), currentLanguage()) })}
    </span>
  );
}

/**
 * The file's due date, coloured once it is near (48 h) or passed. A legal decision date on a day
 * the town is closed says so (the full reason in the tooltip and in the file's panel).
 */
function DueBadge({ iso, closed }: { iso: string; closed: NonWorkingDay | null }) {
  const { t } = useTranslation();
  const now = useNow();
  const state = dueState(iso, now);
  const date = formatDue(iso, currentLanguage());
  return (
    <span
      className={`badge badge--due badge--due-${state}`}
      data-testid="row-due"
      data-due-state={state}
      data-non-working-day={closed ?? undefined}
      title={closed ? t(`due.nonWorkingDay.${closed}`) : undefined}
    >
      {t(`list.due.${state}`, { date })}
      {closed ? ` · ${t('list.due.closedDay')}` : null}
    </span>
  );
}

/** "Marie consulte" / "Marie écrit…": colleagues in this conversation right now. */
function RowPresence({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const meId = useCurrentAgentId();
  const others = usePresence(conversationId).viewers.filter((v) => v.agentId !== meId);
  if (!others.length) return null;
  return (
    <span className="conversation-row__presence" data-testid="row-presence">
      {others
        .map((v) => (v.typing ? t('presence.typing', { name: v.name }) : t('presence.viewing', { name: v.name })))
        .join(', ')}
    </span>
  );
}

export const ConversationRow = memo(function ConversationRow({
  conversation: c,
  index,
  href,
  selected,
  teamName,
  assigneeLabel,
  showStatus,
}: ConversationRowProps) {
  const { t } = useTranslation();
  const urgent = c.priority === 'high' || c.priority === 'urgent';
  const due = dueAt(c);
  // The citizen spoke last and the conversation is still in progress: they are waiting for us.
  const waiting =
    c.lastInboundAt !== null && c.lastInboundAt === c.lastMessageAt && (c.status === 'open' || c.status === 'pending');
  return (
    <a
      className={['conversation-row', c.unread && 'conversation-row--unread', selected && 'conversation-row--selected']
        .filter(Boolean)
        .join(' ')}
      href={href}
      data-testid="conversation-row"
      data-conversation-id={c.id}
      data-index={index}
      aria-current={selected ? 'true' : undefined}
    >
      <span className="conversation-row__top">
        {c.unread ? (
          <span className="unread-dot" title={t('list.unread')}>
            <span className="visually-hidden">{t('list.unread')}</span>
          </span>
        ) : null}
        <span className="conversation-row__contact">{contactName(t, c.contact)}</span>
        <RelativeTime className="conversation-row__time" iso={c.lastMessageAt} />
      </span>
      <span className="conversation-row__subject">{c.subject?.trim() || t('list.noSubject')}</span>
      {c.snippet ? <span className="conversation-row__snippet">{c.snippet}</span> : null}
      {/* The due date first: on a narrow row the tags after it are the ones cut, never the date. */}
      <span className="conversation-row__meta">
        {due ? <DueBadge iso={due} closed={due === c.decisionDueAt ? c.decisionDueNonWorkingDay : null} /> : null}
        <ChannelTag channel={c.lastChannelKind} />
        {showStatus ? (
          <span className={`status-pill status-${c.status}`}>
            {c.transmittedTo ? t('statusOne.transmitted') : t(`statusOne.${c.status}`)}
          </span>
        ) : null}
        <span className="tag tag--team">{teamName}</span>
        <span className="tag tag--reference">{c.reference}</span>
        {urgent ? <span className={`badge badge--${c.priority}`}>{t(`priority.${c.priority}`)}</span> : null}
        {c.callbackNeeded ? <span className="badge badge--callback">{t('list.callback')}</span> : null}
        <LabelChips labels={c.labels} />
      </span>
      <span className="conversation-row__bottom">
        {assigneeLabel ? <span className="conversation-row__assignee">{assigneeLabel}</span> : null}
        {waiting ? <WaitingSince iso={c.lastInboundAt!} /> : null}
        <RowPresence conversationId={c.id} />
      </span>
    </a>
  );
});
