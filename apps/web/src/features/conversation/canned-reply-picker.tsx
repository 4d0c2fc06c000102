import type { CannedReplyDto } from '@guichet/contracts';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { cannedRepliesApi } from '../../api/canned-replies';
import { ApiError } from '../../api/client';
import { useCannedReplies } from '../../hooks/use-canned-replies';
import { matchCannedReplies } from '../../lib/canned-search';
import { networkMessage } from '../../lib/error-message';
import { FormError } from '../setup/public-card';

/**
 * The composer's search of canned replies (réponses types): opened by its button, Ctrl+/ or « / »
 * typed at the start of an empty message. Arrows choose, Enter inserts the reply filled for this
 * conversation, Escape gives the focus back to the message.
 */
export function CannedReplyPicker({
  teamId,
  conversationId,
  onInsert,
  onClose,
}: {
  teamId: string;
  conversationId: string;
  onInsert(text: string, title: string): void;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const ids = useId();
  const replies = useCannedReplies(teamId);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), []);
  const found = matchCannedReplies(replies.data ?? [], query).slice(0, 8);
  const current = Math.min(active, Math.max(found.length - 1, 0));

  async function pick(reply: CannedReplyDto) {
    if (pending) return;
    setPending(true);
    setError(null);
    try {
      const { text } = await cannedRepliesApi.render(reply.id, conversationId);
      onInsert(text, reply.title);
    } catch (e) {
      setError(e instanceof ApiError && e.isNetworkError ? networkMessage(t, e) : (e as Error).message || t('errors.generic'));
      setPending(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const n = found.length;
    if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && n) {
      event.preventDefault();
      setActive((current + (event.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (found[current]) void pick(found[current]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
  }

  return (
    <div className="canned-picker" role="dialog" aria-labelledby={`${ids}-title`} data-testid="canned-picker">
      <p className="canned-picker__title" id={`${ids}-title`}>
        {t('canned.title')}
      </p>
      <label className="visually-hidden" htmlFor={`${ids}-search`}>
        {t('canned.search')}
      </label>
      <input
        id={`${ids}-search`}
        ref={inputRef}
        className="field__input canned-picker__search"
        type="search"
        role="combobox"
        autoComplete="off"
        aria-expanded={found.length > 0}
        aria-controls={`${ids}-list`}
        aria-activedescendant={found.length ? `${ids}-option-${current}` : undefined}
        aria-describedby={`${ids}-hint`}
        placeholder={t('canned.placeholder')}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <p className="visually-hidden" id={`${ids}-hint`}>
        {t('canned.hint')}
      </p>
      <ul className="canned-picker__list" id={`${ids}-list`} role="listbox" aria-label={t('canned.title')}>
        {found.map((r, i) => (
          <li
            key={r.id}
            id={`${ids}-option-${i}`}
            role="option"
            aria-selected={i === current}
            className="canned-picker__option"
            onMouseDown={(e) => {
              e.preventDefault();
              void pick(r);
            }}
          >
            <span className="canned-picker__name">{r.title}</span>
            <span className="canned-picker__excerpt">{r.body.length > 90 ? `${r.body.slice(0, 90)}…` : r.body}</span>
          </li>
        ))}
      </ul>
      <p className="canned-picker__status" role="status" aria-live="polite">
        {replies.isPending
          ? t('app.loading')
          : pending
            ? t('canned.filling')
            : found.length
              ? ''
              : query
                ? t('canned.none', { query })
                : t('canned.empty')}
      </p>
      <FormError id={`${ids}-error`} error={error} />
    </div>
  );
}
