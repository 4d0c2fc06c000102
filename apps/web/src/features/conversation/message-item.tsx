import {
  addressLines,
  CHANNEL_CAPABILITIES,
  formatLongDate,
  isTownLetter,
  NOTICE_NOT_SENT,
  type MessageDto,
} from '@guichet/contracts';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ChannelTag } from '../../components/channel-tag';
import { currentLanguage } from '../../i18n';
import { downloadAttachment } from '../../lib/download';
import { formatBytes, formatDateTime } from '../../lib/format';
import { AttachmentPreview, AttachmentViewer, canPreview, canView } from './attachment-preview';
import { EmailFrame } from './email-frame';
import { useRetryMessage } from '../../hooks/use-retry-message';
import { useMarkPosted } from '../../hooks/use-letters';
import { API_BASE } from '../../api/client';

const DEDUCED_FROM = { 'reply-to': 'Reply-To', sender: 'Sender', 'return-path': 'Return-Path' } as const;

/** Lines of quoted history ("> …", "Le … a écrit :") folded under a toggle. */
export function splitQuoted(body: string): { main: string; quoted: string | null } {
  const lines = body.split('\n');
  const start = lines.findIndex(
    (line, i) =>
      /^(Le |On ).{4,200}(a écrit|wrote)\s*:\s*$/.test(line.trim()) ||
      (line.startsWith('>') && lines.slice(i).every((l) => l.startsWith('>') || !l.trim())),
  );
  if (start <= 0) return { main: body, quoted: null };
  return { main: lines.slice(0, start).join('\n').trimEnd(), quoted: lines.slice(start).join('\n') };
}

function TextBody({ body }: { body: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const { main, quoted } = splitQuoted(body.trim());
  return (
    <>
      <p className="message__body">{main || t('message.emptyBody')}</p>
      {quoted ? (
        <>
          <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? t('message.hideQuoted') : t('message.showQuoted')}
          </button>
          {open ? <p className="message__body message__body--quoted">{quoted}</p> : null}
        </>
      ) : null}
    </>
  );
}

function RetryButton({ message }: { message: MessageDto }) {
  const { t } = useTranslation();
  const retry = useRetryMessage(message.conversationId);
  return (
    <>
      <button
        type="button"
        className="button button--secondary button--small message__retry"
        aria-disabled={retry.isPending || undefined}
        onClick={() => {
          if (!retry.isPending) retry.mutate(message.id);
        }}
      >
        {t('message.retry')}
      </button>
      {retry.error ? (
        <span className="message__retry-error" role="alert">
          {retry.error.message}
        </span>
      ) : null}
    </>
  );
}

/**
 * A printed letter of the town hall (postal channel): its printable page, and « Marquer comme
 * posté » while it waits; once posted, when. A letter withdrawn before it was posted (its file
 * forwarded to another administration, L114-2: `failed` with the reason) says so, and is offered
 * neither for printing nor for posting.
 */
function PostalStatus({ message: m }: { message: MessageDto }) {
  const { t } = useTranslation();
  const posted = useMarkPosted(m.conversationId);
  const page = `${API_BASE}/conversations/${encodeURIComponent(m.conversationId)}/messages/${encodeURIComponent(m.id)}/letter`;
  if (m.status === 'failed') return <span>{t('message.postal.withdrawn', { reason: m.error ?? '' })}</span>;
  return (
    <>
      <span>
        {m.status === 'sent' && m.postedAt
          ? t('message.postal.sent', { date: formatDateTime(m.postedAt, currentLanguage()) })
          : m.status === 'queued'
            ? t('message.postal.queued')
            : t(`message.delivery.${m.status}`)}
      </span>
      <span className="message__postal-actions">
        <a
          className="button button--secondary button--small"
          href={page}
          target="_blank"
          rel="noopener"
          data-testid="print-letter"
        >
          {t('message.postal.print')}
          <span className="visually-hidden"> ({t('signIn.newWindow')})</span>
        </a>
        {m.status === 'queued' ? (
          <button
            type="button"
            className="button button--primary button--small"
            data-testid="mark-posted"
            aria-disabled={posted.isPending || undefined}
            onClick={() => {
              if (!posted.isPending) posted.mutate(m.id);
            }}
          >
            {t('message.postal.markPosted')}
          </button>
        ) : null}
      </span>
      {posted.error ? (
        <span className="message__retry-error" role="alert">
          {posted.error.message}
        </span>
      ) : null}
    </>
  );
}

export function MessageItem({
  message: m,
  citizen,
  agentName,
}: {
  message: MessageDto;
  citizen: string;
  agentName: string | undefined;
}) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<MessageDto['attachments'][number] | null>(null);
  const variant = m.kind === 'message' ? m.direction : m.kind;
  const capabilities = m.channelKind ? CHANNEL_CAPABILITIES[m.channelKind] : null;
  const bubble = m.kind === 'message' && capabilities?.chat;
  const kindLabel = m.survey
    ? t(m.survey === 'answer' ? 'message.surveyAnswer' : 'message.surveyInvitation')
    : m.kind === 'message'
      ? t(`message.${m.direction}`)
      : m.kind === 'call'
        ? t(m.direction === 'inbound' ? 'message.callIn' : 'message.callOut')
        : t(`message.${m.kind}`);
  const author =
    m.direction === 'inbound'
      ? t('message.from', { name: citizen })
      : m.notice
        ? t(m.notice.via === 'sms' ? 'message.noticeSms' : 'message.noticeEmail', { to: m.notice.to })
        : t('message.byAgent', { name: agentName ?? t('message.agentUnknown') });
  const when = formatDateTime(m.createdAt, language);
  // Inline images show in the e-mail itself; listed only when also sent as attachments.
  const listed = m.htmlBody ? m.attachments.filter((a) => !a.inline) : m.attachments;
  // An attempt whose outcome the provider could not tell (`sending` with a reason): an agent decides.
  const interrupted = m.status === 'sending' && !!m.error;

  return (
    <article
      className={[
        'message',
        `message--${variant}`,
        bubble && 'message--bubble',
        m.kind === 'message' && capabilities?.html && m.htmlBody && 'message--email',
      ]
        .filter(Boolean)
        .join(' ')}
      aria-label={`${kindLabel} — ${when}`}
      data-testid="message"
      data-message-id={m.id}
    >
      <header className="message__meta">
        <span className="message__kind">
          {m.kind === 'note' ? (
            <span aria-hidden="true">🔒 </span>
          ) : m.kind === 'call' ? (
            <span aria-hidden="true">📞 </span>
          ) : m.survey === 'answer' ? (
            <span aria-hidden="true">★ </span>
          ) : null}
          {kindLabel}
        </span>
        {m.kind !== 'note' && m.kind !== 'event' && m.channelKind ? <ChannelTag channel={m.channelKind} /> : null}
        {m.kind !== 'event' ? <span className="message__author">{author}</span> : null}
        {m.senderDeduced ? (
          <span className="message__deduced" title={t('message.senderDeducedHint', { header: DEDUCED_FROM[m.senderDeduced] })}>
            {t('message.senderDeduced', { header: DEDUCED_FROM[m.senderDeduced] })}
          </span>
        ) : null}
        <time className="message__time" dateTime={m.createdAt}>
          {when}
        </time>
      </header>
      {m.letter ? (
        <p className="message__letter-from" data-testid="letter-from">
          {t('message.letterFrom', {
            date: formatLongDate(`${m.letter.receivedOn}T12:00:00Z`, language),
            name: m.letter.sender.name,
            address: addressLines(m.letter.sender.address).join(', '),
          })}
        </p>
      ) : null}
      {m.htmlBody ? (
        <EmailFrame
          html={m.htmlBody}
          title={t('message.emailFrameTitle', { date: when })}
          images={m.attachments.filter((a) => a.contentId)}
        />
      ) : (
        <TextBody body={m.body} />
      )}
      {listed.length > 0 ? (
        <div className="message__attachments">
          <span className="message__attachments-title">{t('message.attachments')}</span>
          <ul>
            {listed.map((a) => (
              <li key={a.id}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setDownloadError(null);
                    downloadAttachment(a.id, a.fileName).catch(() => setDownloadError(t('message.downloadFailed')));
                  }}
                >
                  <span aria-hidden="true">📎 </span>
                  {a.fileName}
                </button>{' '}
                <span className="message__size">({formatBytes(a.size, language)})</span>
                {canView(a) ? (
                  <>
                    {' '}
                    <button
                      type="button"
                      className="link-button message__view"
                      aria-haspopup="dialog"
                      data-testid="attachment-view"
                      onClick={() => setViewing(a)}
                    >
                      {t('viewer.open')}
                      <span className="visually-hidden"> {a.fileName}</span>
                    </button>
                  </>
                ) : null}
                {canPreview(a) ? <AttachmentPreview attachment={a} /> : null}
              </li>
            ))}
          </ul>
          {downloadError ? (
            <p className="form-error" role="alert">
              {downloadError}
            </p>
          ) : null}
          {viewing ? (
            <AttachmentViewer
              attachment={viewing}
              onClose={() => setViewing(null)}
              onDownload={() => {
                downloadAttachment(viewing.id, viewing.fileName).catch(() => setDownloadError(t('message.downloadFailed')));
              }}
            />
          ) : null}
        </div>
      ) : null}
      {isTownLetter(m) ? (
        <div className={`message__status message__status--${m.status}`} data-testid="delivery-status">
          <PostalStatus message={m} />
        </div>
      ) : m.direction === 'outbound' && m.kind === 'message' ? (
        <div
          className={`message__status message__status--${interrupted ? 'interrupted' : m.status}`}
          data-testid="delivery-status"
        >
          <span>
            {m.skipped && m.error
              ? t('message.skippedReason', { reason: m.error.slice(NOTICE_NOT_SENT.length).trim() })
              : m.status === 'failed' && m.error
                ? t('message.failedReason', { reason: m.error })
                : interrupted
                  ? t('message.interruptedReason', { reason: m.error ?? '' })
                  : m.channelKind === 'webform' && m.status === 'sent'
                    ? t('message.delivery.published')
                    : t(`message.delivery.${m.status}`)}
          </span>
          {/* A registrant's notice withheld because of a cancellation is not sent again. */}
          {(m.status === 'failed' && !m.skipped) || interrupted ? <RetryButton message={m} /> : null}
        </div>
      ) : null}
    </article>
  );
}
