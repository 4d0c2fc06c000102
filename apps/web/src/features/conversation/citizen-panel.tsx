import type { ConversationDto, IdentityKind, TeamDto } from '@guichet/contracts';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { IdentityFields } from '../../components/identity-fields';
import { RelativeTime } from '../../components/relative-time';
import { ContactMerges } from './contact-merge';
import { EventRegistrations } from './event-registrations';
import { ConversationPrivacy, RectifyName } from './conversation-privacy';
import { RestrictionActions, RestrictionBanner } from './processing-restrictions';
import { useAgents } from '../../hooks/use-agents';
import { useAddIdentity, useContact, useRemoveIdentity } from '../../hooks/use-contact';
import { useMe } from '../../hooks/use-me';
import { useAnonymizeContact, useExportContact } from '../../hooks/use-privacy';
import { apiErrorText } from '../../lib/api-error-text';
import { contactName } from '../../lib/labels';
import { auditHref, inboxHref, type InboxRoute } from '../../lib/router';

export function CitizenPanel({
  conversation: c,
  route,
  teams,
}: {
  conversation: ConversationDto;
  route: InboxRoute;
  teams: TeamDto[] | undefined;
}) {
  const { t } = useTranslation();
  const me = useMe();
  const manager = me.data.role === 'admin' || me.data.role === 'supervisor';
  const contact = useContact(c.contact.id);
  const add = useAddIdentity(c.contact.id);
  const remove = useRemoveIdentity(c.contact.id);
  const ids = useId();
  const [kind, setKind] = useState<IdentityKind>('email');
  const [value, setValue] = useState('');

  function onAdd(event: FormEvent) {
    event.preventDefault();
    if (!value.trim()) return;
    add.mutate({ kind, value: value.trim() }, { onSuccess: () => setValue('') });
  }

  const others = (contact.data?.conversations ?? []).filter((x) => x.id !== c.id);
  // A returning citizen: who held the closed file this one answers (routing gives it back to them
  // when the service assigns automatically and they are available).
  const agents = useAgents();
  const related = c.possiblyRelatedToId ? others.find((x) => x.id === c.possiblyRelatedToId) : undefined;
  const relatedHolder =
    related && (related.status === 'resolved' || related.status === 'closed') && related.assigneeId
      ? agents.data?.find((a) => a.id === related.assigneeId)?.name
      : undefined;
  const error = add.error ?? remove.error;

  return (
    <aside className="citizen-panel" id="citizen-panel" aria-labelledby={`${ids}-title`}>
      <h3 className="citizen-panel__title" id={`${ids}-title`}>
        {/* The citizen's file as this agent may see it: supervisors get the citizen's name even when this conversation was given none. */}
        {contactName(t, { ...c.contact, name: contact.data?.name ?? c.contact.name })}
      </h3>
      {manager ? <RectifyName contactId={c.contact.id} name={contact.data?.name ?? c.contact.name} /> : null}
      <RestrictionBanner conversationId={c.id} />
      {c.possiblyRelatedToId ? (
        <p className="notice notice--warning">
          {t('citizen.possiblyRelated')}{' '}
          <a href={inboxHref({ ...route, conversationId: c.possiblyRelatedToId })}>{t('citizen.openRelated')}</a>
          {relatedHolder ? (
            <span data-testid="previous-assignee">
              {' '}
              {t('citizen.previousAssignee', { reference: related!.reference, name: relatedHolder })}
            </span>
          ) : null}
        </p>
      ) : null}
      <h4 className="citizen-panel__heading">{t('citizen.identities')}</h4>
      {contact.isPending ? (
        <p className="citizen-panel__muted">{t('app.loading')}</p>
      ) : contact.isError ? (
        <p className="form-error">{t('citizen.error')}</p>
      ) : (
        <ul className="identity-list">
          {contact.data.identities.map((identity) => (
            <li key={identity.id} className="identity-list__item">
              <span className="identity-list__kind">{t(`identity.${identity.kind}`)}</span>
              <span className="identity-list__value">{identity.value}</span>
              <button
                type="button"
                className="link-button link-button--danger"
                aria-label={t('citizen.removeIdentity', { value: identity.value })}
                onClick={() => remove.mutate(identity.id)}
              >
                {t('citizen.remove')}
              </button>
            </li>
          ))}
          {contact.data.identities.length === 0 ? <li className="citizen-panel__muted">{t('citizen.noIdentity')}</li> : null}
        </ul>
      )}
      <form className="identity-form" onSubmit={onAdd}>
        <IdentityFields
          id={ids}
          kind={kind}
          value={value}
          onKind={setKind}
          onValue={setValue}
          kindLabel={t('citizen.kind')}
          valueLabel={t('citizen.value')}
        />
        <button type="submit" className="button button--secondary button--small" aria-disabled={add.isPending || undefined}>
          {t('citizen.add')}
        </button>
      </form>
      {error ? (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      ) : null}
      <ConversationPrivacy conversationId={c.id} manager={manager} />
      {manager ? <RestrictionActions conversationId={c.id} contactId={c.contact.id} /> : null}
      {manager ? <PrivacyActions contactId={c.contact.id} /> : null}
      <ContactMerges contactId={c.contact.id} manager={manager} />
      <EventRegistrations contactId={c.contact.id} />
      <h4 className="citizen-panel__heading">{t('citizen.otherConversations')}</h4>
      {others.length === 0 ? (
        <p className="citizen-panel__muted">{contact.data ? t('citizen.noOther') : ''}</p>
      ) : (
        <ul className="other-list">
          {others.map((x) => (
            <li key={x.id}>
              <a href={inboxHref({ ...route, conversationId: x.id })} className="other-list__link">
                <span className="other-list__subject">{x.subject?.trim() || t('list.noSubject')}</span>
                <span className="other-list__meta">
                  {t(`statusOne.${x.status}`)} · {teams?.find((team) => team.id === x.teamId)?.name ?? ''} ·{' '}
                  <RelativeTime iso={x.lastMessageAt} />
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

/** A rights request, from the citizen's file: export everything held (ZIP), or erase now (supervisors, admins; audited). */
function PrivacyActions({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const exportZip = useExportContact(contactId);
  const erase = useAnonymizeContact(contactId);
  const [confirming, setConfirming] = useState(false);
  const ids = useId();
  const error = exportZip.error ?? erase.error;
  return (
    <section className="privacy-actions" aria-labelledby={`${ids}-privacy`}>
      <h4 className="citizen-panel__heading" id={`${ids}-privacy`}>
        {t('privacy.heading')}
      </h4>
      <div className="privacy-actions__buttons">
        <button
          type="button"
          className="button button--secondary button--small"
          aria-disabled={exportZip.isPending || undefined}
          onClick={() => (exportZip.isPending ? undefined : exportZip.mutate())}
        >
          {exportZip.isPending ? t('privacy.exporting') : t('privacy.export')}
        </button>
        {confirming ? null : (
          <button type="button" className="button button--secondary button--small" onClick={() => setConfirming(true)}>
            {t('privacy.anonymize')}
          </button>
        )}
      </div>
      <p>
        <a href={auditHref({ contactId })}>{t('privacy.auditLink')}</a>
      </p>
      {confirming ? (
        <div className="notice notice--warning" role="group" aria-labelledby={`${ids}-confirm`}>
          <p id={`${ids}-confirm`}>{t('privacy.confirm')}</p>
          <button
            type="button"
            className="button button--danger button--small"
            autoFocus
            aria-disabled={erase.isPending || undefined}
            onClick={() => (erase.isPending ? undefined : erase.mutate(undefined, { onSettled: () => setConfirming(false) }))}
          >
            {erase.isPending ? t('privacy.anonymizing') : t('privacy.confirmButton')}
          </button>{' '}
          <button type="button" className="button button--secondary button--small" onClick={() => setConfirming(false)}>
            {t('privacy.cancel')}
          </button>
        </div>
      ) : null}
      <div role="status" aria-live="polite">
        {exportZip.isSuccess ? <p>{t('privacy.exported')}</p> : null}
        {erase.data ? (
          <>
            <p>{t('privacy.done', { count: erase.data.conversationsAnonymized })}</p>
            {erase.data.contactAnonymized ? <p>{t('privacy.contactGone')}</p> : null}
            {erase.data.kept.length ? (
              <ul>
                {erase.data.kept.map((k) => (
                  <li key={k.conversationId}>{t('privacy.kept', { reference: k.reference, reason: k.reason })}</li>
                ))}
              </ul>
            ) : null}
          </>
        ) : null}
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {apiErrorText(t, error)}
        </p>
      ) : null}
    </section>
  );
}
