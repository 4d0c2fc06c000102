import { useLatest } from '../../lib/use-latest';
import {
  CHANNEL_CAPABILITIES,
  SIGNATURE_FORMS,
  signedBody,
  DOCUMENT_TYPES,
  mentionMatches,
  mentionQueryAt,
  outboundFilesProblem,
  type AgentDto,
  type ChannelKind,
  type ConversationDto,
  type MessageDto,
  type TeamDto,
} from '@guichet/contracts';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { hasStatus } from '../../api/client';
import { networkMessage } from '../../lib/error-message';
import { formatBytes } from '../../lib/format';
import { currentLanguage } from '../../i18n';
import { useSendMessage } from '../../hooks/use-send-message';
import { useReplyChannels } from '../../hooks/use-reply-channels';
import { useSignature } from '../../hooks/use-signature';
import type { Draft } from '../../lib/drafts';
import { channelLabel } from '../../lib/labels';
import { onShortcut } from '../../lib/shortcut-bus';
import type { GuichetSocket } from '../../realtime/socket';
import { CannedReplyPicker } from './canned-reply-picker';
import { describeChanges, draftBaseOf } from './conflict';
import { lengthHint } from './length-hint';
import { useFrozenFile } from './processing-restrictions';

const TYPING_IDLE_MS = 4000;

export interface ChannelOption {
  id: string;
  kind: ChannelKind;
  /** The citizen's address or number it reaches, for a channel not yet used in the thread. */
  to?: string;
}

/**
 * The channels this conversation can be answered on (their kind can reply), and the default: the
 * channel of the citizen's last message. `reachable`: connected channels that reach one of the
 * citizen's identities (a web form request's e-mail or phone), offered after the thread's own.
 */
export function replyChannels(
  messages: MessageDto[],
  reachable: readonly ChannelOption[] = [],
): { options: ChannelOption[]; defaultId: string | null } {
  const byId = new Map<string, ChannelOption>();
  let defaultId: string | null = null;
  for (const m of messages) {
    // A notice to a form's citizen went out on a channel the thread was not held on.
    if (!m.channelId || !m.channelKind || !CHANNEL_CAPABILITIES[m.channelKind].reply || m.notice) continue;
    byId.set(m.channelId, { id: m.channelId, kind: m.channelKind });
    if (m.direction === 'inbound') defaultId = m.channelId; // messages are oldest first
  }
  for (const r of reachable) if (!byId.has(r.id)) byId.set(r.id, r);
  const options = [...byId.values()];
  return { options, defaultId: defaultId ?? options[options.length - 1]?.id ?? null };
}

interface ComposerProps {
  conversation: ConversationDto;
  messages: MessageDto[];
  me: AgentDto;
  agents: AgentDto[] | undefined;
  teams: TeamDto[] | undefined;
  draft: Draft;
  updateDraft(patch: Partial<Draft>): void;
  clearDraft(): void;
  socket: GuichetSocket | null;
  announce(text: string): void;
  /** Someone else is on it (assigned, or typing right now): said above the box, never blocking. */
  warning?: string | null;
}

export function Composer({
  conversation,
  messages,
  me,
  agents,
  teams,
  draft,
  updateDraft,
  clearDraft,
  socket,
  announce,
  warning,
}: ComposerProps) {
  const { t } = useTranslation();
  const send = useSendMessage(conversation.id);
  const { data: signatureData } = useSignature(conversation.teamId);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const ids = useId();
  const [conflict, setConflict] = useState<{ changes: string[]; current: ConversationDto } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reachable = useReplyChannels(conversation.id).data;
  const { options, defaultId } = useMemo(() => replyChannels(messages, reachable), [messages, reachable]);
  const channelId = draft.channelId && options.some((o) => o.id === draft.channelId) ? draft.channelId : defaultId;
  const channelKind = options.find((o) => o.id === channelId)?.kind ?? null;
  const isReply = draft.mode === 'reply';
  // The citizen's limitation freezes this file (RGPD art. 18): nothing can be added (the API says 423).
  const frozen = useFrozenFile(conversation.id);
  // Files go with the next send (not kept in the draft: a reload forgets them, the draft text stays).
  const [files, setFiles] = useState<File[]>([]);
  const fileInputRef = useRef<HTMLInputElement>(null);
  const fileLimits = isReply ? (channelKind ? CHANNEL_CAPABILITIES[channelKind].outboundFiles : null) : { types: DOCUMENT_TYPES };
  const filesOf = (list: readonly File[]) => list.map((f) => ({ fileName: f.name, contentType: f.type, size: f.size }));
  // `@` in a note: the colleagues who may read this file, to name one.
  const [mention, setMention] = useState<{ start: number; query: string; active: number } | null>(null);
  const mentionable = useMemo(
    () =>
      (agents ?? []).filter(
        (a) =>
          a.id !== me.id && (a.role !== 'agent' || a.teamIds.includes(conversation.teamId) || a.id === conversation.assigneeId),
      ),
    [agents, me.id, conversation.teamId, conversation.assigneeId],
  );
  const suggestions = mention ? mentionable.filter((a) => mentionMatches(a.name, mention.query)).slice(0, 6) : [];
  // The box is one line until the agent writes in it: the thread keeps the room.
  const [focused, setFocusedNow] = useState(false);
  // Folding back waits a moment after focus leaves: a click that took the focus away lands on
  // what was under the pointer before the thread grows back under it.
  const foldTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const setFocused = (next: boolean) => {
    if (foldTimer.current) clearTimeout(foldTimer.current);
    foldTimer.current = null;
    if (next) setFocusedNow(true);
    else foldTimer.current = setTimeout(() => setFocusedNow(false), 300);
  };
  useEffect(
    () => () => {
      if (foldTimer.current) clearTimeout(foldTimer.current);
    },
    [],
  );
  // Réponses types: the picker remembers where the text goes (the selection when it opened).
  const [canned, setCanned] = useState<{ start: number; end: number } | null>(null);
  const idle = !focused && !draft.body && !conflict && !error && files.length === 0 && !canned;

  // "Marie écrit…": typing while the body changes, stopped after a pause, a send or leaving.
  const typing = useRef(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stopTyping = () => {
    if (typingTimer.current) clearTimeout(typingTimer.current);
    if (typing.current && socket?.connected) socket.emit('presence.typing', { conversationId: conversation.id, typing: false });
    typing.current = false;
  };
  const stopTypingRef = useLatest(stopTyping);
  useEffect(() => () => stopTypingRef.current(), [stopTypingRef]);

  useEffect(
    () =>
      onShortcut((command) => {
        if (command === 'reply' || command === 'note') {
          updateDraft({ mode: command });
          textareaRef.current?.focus();
        }
      }),
    [updateDraft],
  );

  function addFiles(chosen: FileList | null) {
    if (!chosen?.length) return;
    const next = [...files, ...chosen];
    const problem = outboundFilesProblem(isReply && channelKind ? channelKind : 'note', filesOf(next));
    if (problem) {
      setError(problem);
      announce(problem);
    } else {
      setError(null);
      setFiles(next);
      announce(t('composer.filesAdded', { count: chosen.length }));
    }
    if (fileInputRef.current) fileInputRef.current.value = '';
  }

  function removeFile(index: number) {
    const removed = files[index];
    setFiles(files.filter((_, i) => i !== index));
    if (removed) announce(t('composer.fileRemoved', { name: removed.name }));
    textareaRef.current?.focus();
  }

  function updateMention(text: string, cursor: number | null) {
    const found = draft.mode === 'note' && cursor !== null ? mentionQueryAt(text, cursor) : null;
    setMention(found ? { ...found, active: 0 } : null);
  }

  function pickMention(agent: AgentDto) {
    if (!mention) return;
    const el = textareaRef.current;
    const end = mention.start + 1 + mention.query.length;
    const inserted = `@${agent.name} `;
    const body = draft.body.slice(0, mention.start) + inserted + draft.body.slice(end);
    onBodyChange(body);
    setMention(null);
    const caret = mention.start + inserted.length;
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(caret, caret);
    });
  }

  function openCanned() {
    if (frozen) return;
    const el = textareaRef.current;
    setMention(null);
    setCanned({ start: el?.selectionStart ?? draft.body.length, end: el?.selectionEnd ?? draft.body.length });
  }

  function closeCanned(caret?: number) {
    setCanned(null);
    requestAnimationFrame(() => {
      const el = textareaRef.current;
      el?.focus();
      if (caret !== undefined) el?.setSelectionRange(caret, caret);
    });
  }

  function insertCanned(text: string, title: string) {
    if (!canned) return;
    const start = Math.min(canned.start, draft.body.length);
    const end = Math.min(Math.max(canned.end, start), draft.body.length);
    onBodyChange(draft.body.slice(0, start) + text + draft.body.slice(end));
    announce(t('canned.inserted', { title }));
    closeCanned(start + text.length);
  }

  function onBodyChange(body: string) {
    // A failed send's reason (offline, empty…) is about the draft as it was: editing it starts over.
    if (error) setError(null);
    // The draft is written against the conversation as it is when the agent starts; emptied, it starts over.
    updateDraft(!body ? { body, base: null } : draft.base ? { body } : { body, base: draftBaseOf(conversation) });
    if (!socket?.connected) return;
    if (!typing.current) socket.emit('presence.typing', { conversationId: conversation.id, typing: true });
    typing.current = true;
    if (typingTimer.current) clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function submit(version: number) {
    if (frozen) {
      textareaRef.current?.focus();
      return;
    }
    const body = draft.body.trim();
    if (!body || send.isPending) {
      if (!body) setError(t('composer.empty'));
      textareaRef.current?.focus();
      return;
    }
    const filesProblem = outboundFilesProblem(isReply && channelKind ? channelKind : 'note', filesOf(files));
    if (filesProblem) {
      setError(filesProblem);
      textareaRef.current?.focus();
      return;
    }
    setError(null);
    send.mutate(
      { kind: draft.mode, body, version, ...(isReply && channelId ? { channelId } : {}), files },
      {
        onSuccess: () => {
          setConflict(null);
          setFiles([]);
          stopTyping();
          clearDraft();
          announce(isReply ? t('composer.sent') : t('composer.noteSaved'));
          textareaRef.current?.focus();
        },
        onError: (e) => {
          const current = e.body?.current;
          if (hasStatus(e, 409) && current) {
            // The draft stays as it is: the agent reads what changed, then sends again (or not).
            setConflict({
              changes: describeChanges(t, draft.base ?? draftBaseOf(conversation), current, messages, agents, teams, me.id),
              current,
            });
            announce(t('composer.conflictTitle'));
            return;
          }
          setError(e.isNetworkError ? networkMessage(t, e) : e.message || t('errors.generic'));
          textareaRef.current?.focus();
        },
      },
    );
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (conflict) return;
    submit(draft.base?.version ?? conversation.version);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Ctrl+/ anywhere in the message, or « / » typed first in an empty one: the canned replies.
    const slashFirst = event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !draft.body;
    if ((event.key === '/' && (event.ctrlKey || event.metaKey)) || slashFirst) {
      event.preventDefault();
      openCanned();
      return;
    }
    if (mention && suggestions.length) {
      const n = suggestions.length;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setMention({ ...mention, active: (mention.active + (event.key === 'ArrowDown' ? 1 : n - 1)) % n });
        return;
      }
      if ((event.key === 'Enter' && !event.ctrlKey && !event.metaKey) || event.key === 'Tab') {
        event.preventDefault();
        pickMention(suggestions[Math.min(mention.active, n - 1)]!);
        return;
      }
      if (event.key === 'Escape') {
        // The list closes; the composer keeps the focus.
        event.preventDefault();
        setMention(null);
        return;
      }
    }
    if (event.key === 'Escape') {
      // Esc leaves the composer (the draft stays) for the conversation, where shortcuts work again.
      event.preventDefault();
      stopTyping();
      document.getElementById('detail-title')?.focus();
      return;
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (conflict) return;
      submit(draft.base?.version ?? conversation.version);
    }
  }

  function resend() {
    if (!conflict) return;
    const current = conflict.current;
    updateDraft({ base: draftBaseOf(current) });
    setConflict(null);
    submit(current.version);
  }

  // L111-2: the server signs replies; the agent sees what will be added and its length counts.
  const signatureForm = isReply && channelKind ? SIGNATURE_FORMS[channelKind] : null;
  const signature = signatureForm && signatureData?.enabled ? signatureData[signatureForm] : '';
  // E-mail and tracking-page replies then end with the organization's legal footer, signed or not.
  const legalFooter = signatureForm === 'full' ? (signatureData?.legalFooter ?? '') : '';
  const length = isReply
    ? lengthHint(t, channelKind, signature ? signedBody(draft.body, signature, signatureForm!) : draft.body)
    : null;

  return (
    <form
      className={`composer composer--${draft.mode}${idle ? ' composer--idle' : ''}`}
      onSubmit={onSubmit}
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocused(false);
      }}
      aria-label={t('composer.label')}
    >
      <div className="composer__bar">
        <div className="segmented" role="group" aria-label={t('composer.modeLabel')}>
          <button
            type="button"
            className="segmented__option"
            aria-pressed={isReply}
            onClick={() => updateDraft({ mode: 'reply' })}
          >
            {t('composer.reply')}
          </button>
          <button
            type="button"
            className="segmented__option"
            aria-pressed={!isReply}
            onClick={() => updateDraft({ mode: 'note' })}
          >
            {t('composer.note')}
          </button>
        </div>
        {isReply ? (
          <div className="composer__channel">
            <label htmlFor={`${ids}-channel`}>{t('composer.channel')}</label>
            <select
              id={`${ids}-channel`}
              value={channelId ?? ''}
              onChange={(e) => updateDraft({ channelId: e.target.value || null })}
              disabled={options.length === 0}
            >
              {options.length === 0 ? <option value="">{t('composer.noChannel')}</option> : null}
              {options.map((o) => (
                <option key={o.id} value={o.id}>
                  {channelLabel(t, o.kind)}
                  {o.to ? ` — ${o.to}` : ''}
                  {o.id === defaultId ? ` (${t('composer.lastUsed')})` : ''}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <p className="composer__note-hint">{t('composer.noteHint')}</p>
        )}
      </div>
      {frozen ? (
        <p className="notice notice--warning" id={`${ids}-frozen`} data-testid="composer-frozen">
          {t('restriction.composerFrozen')}
        </p>
      ) : null}
      {warning && isReply ? (
        <p className="notice notice--warning" data-testid="composer-warning">
          {warning}
        </p>
      ) : null}
      <label className="visually-hidden" htmlFor={`${ids}-body`}>
        {isReply ? t('composer.replyLabel') : t('composer.noteLabel')}
      </label>
      <textarea
        id={`${ids}-body`}
        ref={textareaRef}
        className="composer__input"
        data-testid="composer-input"
        rows={idle ? 1 : 4}
        value={draft.body}
        placeholder={
          frozen ? t('restriction.composerPlaceholder') : isReply ? t('composer.replyPlaceholder') : t('composer.notePlaceholder')
        }
        onChange={(e) => {
          onBodyChange(e.target.value);
          updateMention(e.target.value, e.target.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onClick={(e) => updateMention(e.currentTarget.value, e.currentTarget.selectionStart)}
        aria-autocomplete={isReply ? undefined : 'list'}
        aria-controls={suggestions.length ? `${ids}-mentions` : undefined}
        aria-activedescendant={suggestions.length && mention ? `${ids}-mention-${mention.active}` : undefined}
        onBlur={() => {
          stopTyping();
          setMention(null);
        }}
        readOnly={frozen}
        aria-describedby={frozen ? `${ids}-frozen ${ids}-hint` : `${ids}-hint`}
        aria-invalid={error ? true : undefined}
      />
      {signature ? (
        <div className="composer__signature" data-testid="composer-signature">
          <span className="composer__signature-label">{t('composer.signature')}</span>
          <pre className="composer__signature-text">{signature}</pre>
        </div>
      ) : null}
      {legalFooter ? (
        <div className="composer__signature" data-testid="composer-legal-footer">
          <span className="composer__signature-label">{t('composer.legalFooter')}</span>
          <pre className="composer__signature-text">{legalFooter}</pre>
        </div>
      ) : null}
      {suggestions.length && mention ? (
        <ul
          className="mention-list"
          id={`${ids}-mentions`}
          role="listbox"
          aria-label={t('composer.mentionList')}
          data-testid="mention-list"
        >
          {suggestions.map((a, i) => (
            <li
              key={a.id}
              id={`${ids}-mention-${i}`}
              role="option"
              aria-selected={i === mention.active}
              className="mention-list__option"
              // Chosen before the textarea's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                pickMention(a);
              }}
            >
              {a.name}
            </li>
          ))}
        </ul>
      ) : null}
      {canned ? (
        <CannedReplyPicker
          teamId={conversation.teamId}
          conversationId={conversation.id}
          onInsert={insertCanned}
          onClose={() => closeCanned()}
        />
      ) : null}
      {files.length ? (
        <ul className="composer__files" aria-label={t('composer.files')} data-testid="composer-files">
          {files.map((f, i) => (
            <li key={`${f.name}-${i}`} className="composer__file">
              <span aria-hidden="true">📎 </span>
              {f.name} <span className="message__size">({formatBytes(f.size, currentLanguage())})</span>
              <button
                type="button"
                className="link-button"
                aria-label={t('composer.removeFile', { name: f.name })}
                onClick={() => removeFile(i)}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {conflict ? (
        <div className="notice notice--warning composer__conflict" role="alert" data-testid="composer-conflict">
          <p className="composer__conflict-title">{t('composer.conflictTitle')}</p>
          <ul>
            {conflict.changes.map((change) => (
              <li key={change}>{change}</li>
            ))}
          </ul>
          <p>{t('composer.conflictText')}</p>
          <div className="composer__conflict-actions">
            <button type="button" className="button button--primary" onClick={resend}>
              {isReply ? t('composer.resend') : t('composer.resaveNote')}
            </button>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                // Seen: the draft is now written against the conversation as it is.
                updateDraft({ base: draftBaseOf(conflict.current) });
                setConflict(null);
                textareaRef.current?.focus();
              }}
            >
              {t('composer.keepEditing')}
            </button>
          </div>
        </div>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="composer__footer">
        <span className="composer__hint" id={`${ids}-hint`}>
          {t('composer.shortcutHint')}
          {length ? (
            <span className="composer__segments" data-testid={length.testId}>
              {' · '}
              {length.text}
            </span>
          ) : null}
          {length?.tooLong ? (
            <span className="composer__too-long" data-testid="too-long">
              {' · '}
              {length.tooLong}
            </span>
          ) : null}
        </span>
        {frozen ? null : (
          <button
            type="button"
            className="button button--secondary composer__canned"
            aria-expanded={canned !== null}
            aria-keyshortcuts="Control+/"
            onClick={() => (canned ? closeCanned() : openCanned())}
            data-testid="composer-canned"
          >
            {t('canned.open')}
          </button>
        )}
        {fileLimits && !frozen ? (
          <>
            <input
              ref={fileInputRef}
              type="file"
              multiple
              hidden
              accept={fileLimits.types.join(',')}
              data-testid="composer-file-input"
              onChange={(e) => addFiles(e.target.files)}
            />
            <button
              type="button"
              className="button button--secondary composer__attach"
              onClick={() => fileInputRef.current?.click()}
              data-testid="composer-attach"
            >
              <span aria-hidden="true">📎 </span>
              {t('composer.attach')}
            </button>
          </>
        ) : null}
        <button
          type="submit"
          className="button button--primary"
          aria-disabled={frozen || send.isPending || conflict !== null || undefined}
          aria-describedby={frozen ? `${ids}-frozen` : undefined}
        >
          {send.isPending ? t('composer.sending') : isReply ? t('composer.send') : t('composer.saveNote')}
        </button>
      </div>
    </form>
  );
}
