import type { AdministrationTransferDto, ConversationDto, TransferToAdministrationInput } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../api/client';
import { conversationsApi } from '../../api/conversations';
import { queryKeys } from '../../api/query-keys';
import { apiErrorText } from '../../lib/api-error-text';
import { FormError } from '../setup/public-card';

/**
 * CRPA L114-2: the request concerns another administration (préfecture, CAF, département…). The
 * agent names it and writes a word for it; Guichet e-mails it the file, tells the citizen on their
 * channel with the legal mention, and closes the file as « transmise ».
 */
export function AdministrationTransferForm({
  conversation,
  onDone,
  onCancel,
}: {
  conversation: ConversationDto;
  onDone(text: string): void;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const ids = useId();
  const client = useQueryClient();
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => nameRef.current?.focus(), []);
  const transfer = useMutation<AdministrationTransferDto, ApiError, TransferToAdministrationInput>({
    mutationFn: (input) => conversationsApi.transferToAdministration(conversation.id, input),
    // The counters follow the socket's conversation.updated (it carries the state before).
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.conversations.detail(conversation.id) });
      void client.invalidateQueries({ queryKey: queryKeys.conversations.messages(conversation.id) });
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    const name = s('name');
    transfer.mutate(
      { administration: { name, email: s('email') }, note: s('note'), version: conversation.version },
      { onSuccess: () => onDone(t('transfer.done', { name })) },
    );
  }

  return (
    <form
      className="actions__handover"
      noValidate
      onSubmit={onSubmit}
      aria-labelledby={`${ids}-title`}
      aria-describedby={`${ids}-hint ${ids}-error`}
      data-testid="administration-transfer-form"
    >
      <p className="actions__title" id={`${ids}-title`}>
        {t('transfer.title')}
      </p>
      <p className="field__hint" id={`${ids}-hint`}>
        {t('transfer.hint')}
      </p>
      <span className="actions__field">
        <label htmlFor={`${ids}-name`}>{t('transfer.name')}</label>
        <input ref={nameRef} id={`${ids}-name`} name="name" required autoComplete="organization" />
      </span>
      <span className="actions__field">
        <label htmlFor={`${ids}-email`}>{t('transfer.email')}</label>
        <input id={`${ids}-email`} name="email" type="email" required autoComplete="email" />
      </span>
      <span className="actions__field actions__field--wide">
        <label htmlFor={`${ids}-note`}>{t('transfer.note')}</label>
        <textarea id={`${ids}-note`} name="note" rows={3} required />
      </span>
      <FormError id={`${ids}-error`} error={transfer.error ? apiErrorText(t, transfer.error) : null} />
      <button type="submit" className="button button--primary button--small" aria-disabled={transfer.isPending || undefined}>
        {transfer.isPending ? t('transfer.sending') : t('transfer.confirm')}
      </button>
      <button type="button" className="button button--secondary button--small" onClick={onCancel}>
        {t('transfer.cancel')}
      </button>
    </form>
  );
}
