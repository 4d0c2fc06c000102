import { RIGHTS_REQUEST_KINDS, type RightsRequestKind } from '@guichet/contracts';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionFeedback } from '../../components/action-feedback';
import { rightsApi } from '../../api/privacy';
import { useConversationPrivacy, usePrivacyAction } from '../../hooks/use-privacy';
import type { Language } from '../../i18n';
import { apiErrorText } from '../../lib/api-error-text';
import { formatDateTime } from '../../lib/format';
import { auditHref } from '../../lib/router';

/**
 * RGPD on one conversation (issue 16): whether it is a rights request (any agent marks it; due one
 * month after receipt), its extension by two months with the citizen told (supervisors), the
 * citizen's export sent as a reply (supervisors), and the legal hold a supervisor sets with a reason.
 */
export function ConversationPrivacy({ conversationId, manager }: { conversationId: string; manager: boolean }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const ids = useId();
  const privacy = useConversationPrivacy(conversationId);
  const setKind = usePrivacyAction((kind: RightsRequestKind | '') =>
    kind ? rightsApi.set(conversationId, kind) : rightsApi.clear(conversationId),
  );
  const extend = usePrivacyAction((reason: string) => rightsApi.extend(conversationId, reason));
  const sendExport = usePrivacyAction((_: void) => rightsApi.sendExport(conversationId));
  const hold = usePrivacyAction((reason: string | null) =>
    reason === null ? rightsApi.release(conversationId) : rightsApi.hold(conversationId, reason),
  );
  const [extending, setExtending] = useState(false);
  const [extendReason, setExtendReason] = useState('');
  const [holdReason, setHoldReason] = useState('');
  const [said, setSaid] = useState<string | null>(null);
  const error = setKind.error ?? extend.error ?? sendExport.error ?? hold.error;
  const data = privacy.data;
  if (!data || data.anonymized) return null;
  const request = data.rightsRequest;

  function onExtend(event: FormEvent) {
    event.preventDefault();
    if (extend.isPending || !extendReason.trim()) return;
    extend.mutate(extendReason.trim(), {
      onSuccess: () => {
        setExtending(false);
        setExtendReason('');
        setSaid(t('rights.extended'));
      },
    });
  }

  function onHold(event: FormEvent) {
    event.preventDefault();
    if (hold.isPending || !holdReason.trim()) return;
    hold.mutate(holdReason.trim(), { onSuccess: () => setHoldReason('') });
  }

  return (
    <section className="privacy-actions" aria-labelledby={`${ids}-rights`}>
      <h4 className="citizen-panel__heading" id={`${ids}-rights`}>
        {t('rights.heading')}
      </h4>
      <div className="identity-form merge-form">
        <label htmlFor={`${ids}-kind`}>{t('rights.kind')}</label>
        <select
          id={`${ids}-kind`}
          value={request?.kind ?? ''}
          onChange={(e) => setKind.mutate(e.target.value as RightsRequestKind | '')}
        >
          <option value="">{t('rights.none')}</option>
          {RIGHTS_REQUEST_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`rights.kinds.${k}`)}
            </option>
          ))}
        </select>
      </div>
      {request ? (
        <p className="citizen-panel__muted">
          {request.extendedAt
            ? t('rights.dueExtended', { date: formatDateTime(request.dueAt, language), reason: request.extensionReason ?? '' })
            : t('rights.due', { date: formatDateTime(request.dueAt, language) })}
        </p>
      ) : null}
      {manager && request && !request.extendedAt ? (
        extending ? (
          <form className="identity-form merge-form" onSubmit={onExtend}>
            <label htmlFor={`${ids}-extend`}>{t('rights.extendReason')}</label>
            <input
              id={`${ids}-extend`}
              value={extendReason}
              onChange={(e) => setExtendReason(e.target.value)}
              required
              maxLength={1000}
            />
            <span className="privacy-actions__buttons">
              <button
                type="submit"
                className="button button--primary button--small"
                aria-disabled={extend.isPending || undefined}
              >
                {t('rights.extendSubmit')}
              </button>
              <button type="button" className="button button--secondary button--small" onClick={() => setExtending(false)}>
                {t('privacy.cancel')}
              </button>
            </span>
          </form>
        ) : (
          <button type="button" className="button button--secondary button--small" onClick={() => setExtending(true)}>
            {t('rights.extend')}
          </button>
        )
      ) : null}
      {manager ? (
        <div className="privacy-actions__buttons">
          <button
            type="button"
            className="button button--secondary button--small"
            aria-disabled={sendExport.isPending || undefined}
            onClick={() =>
              sendExport.isPending
                ? undefined
                : sendExport.mutate(undefined, { onSuccess: () => setSaid(t('rights.exportSent')) })
            }
          >
            {sendExport.isPending ? t('privacy.exporting') : t('rights.sendExport')}
          </button>
        </div>
      ) : null}
      {manager ? (
        <p>
          <a href={auditHref({ conversationId })}>{t('rights.auditLink')}</a>
        </p>
      ) : null}

      <h4 className="citizen-panel__heading">{t('rights.holdHeading')}</h4>
      {data.legalHold ? (
        <p className="notice notice--warning">
          {t('rights.held', { date: formatDateTime(data.legalHold.at, language), name: data.legalHold.by?.name ?? '—' })} «{' '}
          {data.legalHold.reason} »
        </p>
      ) : (
        <p className="citizen-panel__muted">{t('rights.notHeld')}</p>
      )}
      {manager && data.legalHold ? (
        <button
          type="button"
          className="button button--secondary button--small"
          aria-disabled={hold.isPending || undefined}
          onClick={() => (hold.isPending ? undefined : hold.mutate(null))}
        >
          {t('rights.release')}
        </button>
      ) : null}
      {manager && !data.legalHold ? (
        <form className="identity-form merge-form" onSubmit={onHold}>
          <label htmlFor={`${ids}-hold`}>{t('rights.holdReason')}</label>
          <input id={`${ids}-hold`} value={holdReason} onChange={(e) => setHoldReason(e.target.value)} required maxLength={500} />
          <span className="privacy-actions__buttons">
            <button type="submit" className="button button--secondary button--small" aria-disabled={hold.isPending || undefined}>
              {t('rights.hold')}
            </button>
          </span>
        </form>
      ) : null}
      <ActionFeedback said={said} error={error} />
    </section>
  );
}

/** Rectification of the citizen's name (RGPD art. 16; supervisors, admins): the file and every conversation. */
export function RectifyName({ contactId, name }: { contactId: string; name: string | null }) {
  const { t } = useTranslation();
  const ids = useId();
  const rectify = usePrivacyAction((value: string) => rightsApi.rectify(contactId, value));
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (rectify.isPending || !value.trim()) return;
    rectify.mutate(value.trim(), { onSuccess: () => setEditing(false) });
  }

  if (!editing)
    return (
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setValue(name ?? '');
          setEditing(true);
        }}
      >
        {t('rights.rectify')}
      </button>
    );
  return (
    <form className="identity-form merge-form" onSubmit={onSubmit}>
      <label htmlFor={`${ids}-name`}>{t('rights.name')}</label>
      <input id={`${ids}-name`} value={value} onChange={(e) => setValue(e.target.value)} required maxLength={200} autoFocus />
      <span className="privacy-actions__buttons">
        <button type="submit" className="button button--primary button--small" aria-disabled={rectify.isPending || undefined}>
          {t('rights.rectifySubmit')}
        </button>
        <button type="button" className="button button--secondary button--small" onClick={() => setEditing(false)}>
          {t('privacy.cancel')}
        </button>
      </span>
      {rectify.error ? (
        <p className="form-error" role="alert">
          {apiErrorText(t, rectify.error)}
        </p>
      ) : null}
    </form>
  );
}
