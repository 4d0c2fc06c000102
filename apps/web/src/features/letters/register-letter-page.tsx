import {
  CHANNEL_CAPABILITIES,
  CHANNEL_KINDS,
  LETTER_SCAN_TYPES,
  civilDateAt,
  type AgentDto,
  type TeamDto,
} from '@guichet/contracts';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { networkMessage } from '../../lib/error-message';
import { useRegisterLetter } from '../../hooks/use-letters';
import { useRequestTypes } from '../../hooks/use-request-types';
import { useChannelKinds } from '../../hooks/use-teams';
import { DEFAULT_ROUTE, inboxHref, navigate } from '../../lib/router';
import { canSeeAllTeams, navTeams } from '../inbox/inbox-views';
import { addFrenchWords } from '../../i18n';
import { lettersFr } from '../../i18n/fr-letters';

addFrenchWords(lettersFr);

/** The kinds that are paper mail (their capabilities say so): the town must have one open to register letters. */
const POSTAL_KINDS = CHANNEL_KINDS.filter((k) => CHANNEL_CAPABILITIES[k].postal);

/** The démarches of the chosen service. */
function RequestTypeSelect({ id, teamId }: { id: string; teamId: string }) {
  const { t } = useTranslation();
  const types = useRequestTypes(teamId).data ?? [];
  return (
    <select id={id} name="requestTypeId" className="control">
      <option value="">{t('letter.noRequestType')}</option>
      {types.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
        </option>
      ))}
    </select>
  );
}

/**
 * `#/courrier`: an agent registers a paper letter received at the town hall (date received,
 * sender and postal address, service, démarche, subject, summary, scan). It becomes a request
 * whose acknowledgement and answers are printed letters.
 */
export function RegisterLetterPage({ me, teams }: { me: AgentDto; teams: TeamDto[] | undefined }) {
  const { t } = useTranslation();
  const ids = useId();
  const register = useRegisterLetter();
  const titleRef = useRef<HTMLHeadingElement>(null);
  const connected = useChannelKinds().data;
  const open = !connected || connected.some((k) => POSTAL_KINDS.includes(k));
  const choices = navTeams(me, teams ?? []);
  const single = !canSeeAllTeams(me) && me.teamIds.length === 1 ? me.teamIds[0]! : '';
  const [teamId, setTeamId] = useState(single);
  const today = civilDateAt(new Date());

  useEffect(() => titleRef.current?.focus(), []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (register.isPending) return;
    const form = new FormData(event.currentTarget);
    const get = (k: string) => String(form.get(k) ?? '').trim();
    const scan = form.get('scan');
    if (!(scan instanceof File) || !scan.size) return;
    register.mutate(
      {
        input: {
          receivedOn: get('receivedOn'),
          name: get('name'),
          address: String(form.get('address') ?? ''),
          email: get('email') || undefined,
          phone: get('phone') || undefined,
          teamId: get('teamId') || teamId,
          requestTypeId: get('requestTypeId') || undefined,
          subject: get('subject'),
          summary: get('summary'),
        },
        scan,
      },
      { onSuccess: (conversation) => navigate(inboxHref({ ...DEFAULT_ROUTE, conversationId: conversation.id })) },
    );
  }

  const field = (name: string) => `${ids}-${name}`;
  return (
    <div className="new-conversation">
      <h1 className="board__title" tabIndex={-1} ref={titleRef}>
        {t('letter.title')}
      </h1>
      <p className="public__muted">{t('letter.intro')}</p>
      {!open ? (
        <p className="form-error" role="alert">
          {t('letter.noChannel')}
        </p>
      ) : null}
      <form className="new-conversation__form" onSubmit={onSubmit} data-testid="register-letter">
        <div className="field">
          <label htmlFor={field('receivedOn')}>{t('letter.receivedOn')}</label>
          <input
            id={field('receivedOn')}
            name="receivedOn"
            type="date"
            required
            max={today}
            defaultValue={today}
            className="control"
          />
        </div>
        <fieldset className="new-conversation__kinds register-letter__sender">
          <legend>{t('letter.sender')}</legend>
          <div className="field">
            <label htmlFor={field('name')}>{t('letter.name')}</label>
            <input id={field('name')} name="name" required autoComplete="off" className="control" />
          </div>
          <div className="field">
            <label htmlFor={field('address')}>{t('letter.address')}</label>
            <p className="field__hint" id={field('address-hint')}>
              {t('letter.addressHint')}
            </p>
            <textarea
              id={field('address')}
              name="address"
              rows={3}
              required
              aria-describedby={field('address-hint')}
              className="control"
            />
          </div>
          <div className="field">
            <label htmlFor={field('email')}>{t('letter.email')}</label>
            <input id={field('email')} name="email" type="email" autoComplete="off" className="control" />
          </div>
          <div className="field">
            <label htmlFor={field('phone')}>{t('letter.phone')}</label>
            <input id={field('phone')} name="phone" type="tel" autoComplete="off" className="control" />
          </div>
        </fieldset>
        {single ? null : (
          <div className="field">
            <label htmlFor={field('team')}>{t('letter.team')}</label>
            <select
              id={field('team')}
              name="teamId"
              required
              className="control"
              value={teamId}
              onChange={(e) => setTeamId(e.target.value)}
            >
              <option value="">{t('actions.chooseTeam')}</option>
              {choices.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor={field('requestType')}>{t('letter.requestType')}</label>
          {teamId ? (
            <RequestTypeSelect key={teamId} id={field('requestType')} teamId={teamId} />
          ) : (
            <select id={field('requestType')} name="requestTypeId" className="control" disabled>
              <option value="">{t('letter.noRequestType')}</option>
            </select>
          )}
        </div>
        <div className="field">
          <label htmlFor={field('subject')}>{t('letter.subject')}</label>
          <input id={field('subject')} name="subject" required className="control" />
        </div>
        <div className="field">
          <label htmlFor={field('summary')}>{t('letter.summary')}</label>
          <p className="field__hint" id={field('summary-hint')}>
            {t('letter.summaryHint')}
          </p>
          <textarea
            id={field('summary')}
            name="summary"
            rows={5}
            required
            aria-describedby={field('summary-hint')}
            className="control"
          />
        </div>
        <div className="field">
          <label htmlFor={field('scan')}>{t('letter.scan')}</label>
          <input id={field('scan')} name="scan" type="file" required accept={LETTER_SCAN_TYPES.join(',')} className="control" />
        </div>
        {register.error ? (
          <div className="form-error" role="alert" data-testid="register-letter-error">
            <p>{register.error.isNetworkError ? networkMessage(t, register.error) : register.error.message}</p>
            {register.error.body.details?.length ? (
              <ul>
                {register.error.body.details.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <div className="new-conversation__actions">
          <button type="submit" className="button button--primary" aria-disabled={register.isPending || !open || undefined}>
            {register.isPending ? t('letter.saving') : t('letter.submit')}
          </button>
          <a className="button button--secondary" href={inboxHref(DEFAULT_ROUTE)}>
            {t('letter.cancel')}
          </a>
        </div>
      </form>
    </div>
  );
}
