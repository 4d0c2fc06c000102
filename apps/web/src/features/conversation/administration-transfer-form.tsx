import type { AdministrationTransferDto, ConversationDto, TransferToAdministrationInput } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../api/client';
import { conversationsApi } from '../../api/conversations';
import { queryKeys } from '../../api/query-keys';
import { useAdministrations } from '../../hooks/use-administrations';
import { apiErrorText } from '../../lib/api-error-text';
import { FormError } from '../setup/public-card';
import { AdministrationContact } from './administration-contact';

/** The picker's choice of free entry. */
const OTHER = 'other';

/**
 * CRPA L114-2: the request concerns another administration (préfecture, CAF, département…). The
 * agent picks it in the town's directory (or, « Autre », types its name and e-mail) and writes a word for it; Guichet e-mails it the file, tells the citizen on their
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
  const directory = useAdministrations();
  const entries = directory.data ?? [];
  // Without a directory (none yet, or not loaded), the agent types the administration.
  const [choice, setChoice] = useState('');
  const [chooseError, setChooseError] = useState(false);
  const free = choice === OTHER || (directory.isFetched && entries.length === 0) || directory.isError;
  const picked = entries.find((e) => e.id === choice) ?? null;
  const pickerRef = useRef<HTMLSelectElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const focused = useRef(false);
  useEffect(() => {
    if (focused.current || directory.isPending) return;
    focused.current = true;
    (pickerRef.current ?? nameRef.current)?.focus();
  }, [directory.isPending]);
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
    if (!free && !picked) {
      setChooseError(true);
      pickerRef.current?.focus();
      return;
    }
    setChooseError(false);
    const administration = picked ? { name: picked.name, email: picked.email } : { name: s('name'), email: s('email') };
    transfer.mutate(
      {
        administration,
        ...(picked ? { administrationId: picked.id } : {}),
        note: s('note'),
        version: conversation.version,
      },
      { onSuccess: () => onDone(t('transfer.done', { name: administration.name })) },
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
      {entries.length > 0 ? (
        <span className="actions__field actions__field--wide">
          <label htmlFor={`${ids}-directory`}>{t('transfer.directory')}</label>
          <select
            ref={pickerRef}
            id={`${ids}-directory`}
            value={choice}
            onChange={(e) => {
              setChoice(e.target.value);
              setChooseError(false);
            }}
            aria-describedby={`${ids}-directory-hint ${ids}-choose-error`}
            aria-invalid={chooseError || undefined}
            data-testid="administration-picker"
          >
            <option value="">{t('transfer.choose')}</option>
            {entries.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
            <option value={OTHER}>{t('transfer.other')}</option>
          </select>
          <span className="field__hint" id={`${ids}-directory-hint`}>
            {t('transfer.directoryHint')}
          </span>
          <FormError id={`${ids}-choose-error`} error={chooseError ? t('transfer.chooseError') : null} />
        </span>
      ) : null}
      {picked ? (
        <div className="actions__field actions__field--wide" data-testid="administration-picked">
          <p>{t('transfer.picked')}</p>
          <AdministrationContact entry={picked} />
        </div>
      ) : null}
      {free ? (
        <>
          <span className="actions__field">
            <label htmlFor={`${ids}-name`}>{t('transfer.name')}</label>
            <input ref={nameRef} id={`${ids}-name`} name="name" required autoComplete="organization" />
          </span>
          <span className="actions__field">
            <label htmlFor={`${ids}-email`}>{t('transfer.email')}</label>
            <input id={`${ids}-email`} name="email" type="email" required autoComplete="email" />
          </span>
        </>
      ) : null}
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
