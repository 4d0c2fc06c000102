import { smsSegments, type AgentDto, type StartConversationInput, type TeamDto } from '@guichet/contracts';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useStartConversation } from '../../hooks/use-start-conversation';
import { DEFAULT_ROUTE, inboxHref, navigate } from '../../lib/router';
import { canSeeAllTeams, navTeams } from '../inbox/inbox-views';

type Kind = StartConversationInput['channelKind'];
const KINDS: Kind[] = ['email', 'sms', 'whatsapp'];

/** `#/nouvelle`: the agent writes first, by e-mail, SMS or WhatsApp. */
export function NewConversationPage({ me, teams }: { me: AgentDto; teams: TeamDto[] | undefined }) {
  const { t } = useTranslation();
  const ids = useId();
  const start = useStartConversation();
  const titleRef = useRef<HTMLHeadingElement>(null);
  const [kind, setKind] = useState<Kind>('email');
  const [body, setBody] = useState('');
  const choices = navTeams(me, teams ?? []);
  const mustChoose = canSeeAllTeams(me) || me.teamIds.length !== 1;

  useEffect(() => titleRef.current?.focus(), []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (start.isPending) return;
    const form = new FormData(event.currentTarget);
    const get = (k: string) => String(form.get(k) ?? '').trim();
    start.mutate(
      {
        channelKind: kind,
        to: get('to'),
        name: get('name') || undefined,
        teamId: get('teamId') || undefined,
        subject: kind === 'email' ? get('subject') || undefined : undefined,
        body,
      },
      { onSuccess: ({ conversation }) => navigate(inboxHref({ ...DEFAULT_ROUTE, conversationId: conversation.id })) },
    );
  }

  const segments = kind !== 'email' && body ? smsSegments(body) : null;
  return (
    <div className="new-conversation">
      <h1 className="board__title" tabIndex={-1} ref={titleRef}>
        {t('newConversation.title')}
      </h1>
      <p className="public__muted">{t('newConversation.intro')}</p>
      <form className="new-conversation__form" onSubmit={onSubmit}>
        <fieldset className="new-conversation__kinds">
          <legend>{t('newConversation.channel')}</legend>
          {KINDS.map((k) => (
            <label key={k} className="new-conversation__kind">
              <input type="radio" name="channelKind" value={k} checked={kind === k} onChange={() => setKind(k)} /> {t(`channel.${k}`)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${ids}-to`}>{kind === 'email' ? t('newConversation.toEmail') : t('newConversation.toPhone')}</label>
          <input id={`${ids}-to`} name="to" required type={kind === 'email' ? 'email' : 'tel'} autoComplete="off" className="control" />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-name`}>{t('newConversation.name')}</label>
          <input id={`${ids}-name`} name="name" autoComplete="off" className="control" />
        </div>
        {mustChoose ? (
          <div className="field">
            <label htmlFor={`${ids}-team`}>{t('newConversation.team')}</label>
            <select id={`${ids}-team`} name="teamId" required className="control" defaultValue="">
              <option value="">{t('actions.chooseTeam')}</option>
              {choices.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {kind === 'email' ? (
          <div className="field">
            <label htmlFor={`${ids}-subject`}>{t('newConversation.subject')}</label>
            <input id={`${ids}-subject`} name="subject" className="control" />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={`${ids}-body`}>{t('newConversation.body')}</label>
          <textarea id={`${ids}-body`} rows={6} required value={body} onChange={(e) => setBody(e.target.value)} className="control" />
          {segments ? (
            <p className="field__hint">{t('composer.smsSegments', { count: segments.segments, left: segments.charactersLeft, encoding: segments.encoding })}</p>
          ) : null}
        </div>
        {start.error ? (
          <p className="form-error" role="alert">
            {start.error.isNetworkError ? t('errors.network') : start.error.message}
          </p>
        ) : null}
        <div className="new-conversation__actions">
          <button type="submit" className="button button--primary" aria-disabled={start.isPending || undefined}>
            {start.isPending ? t('composer.sending') : t('newConversation.submit')}
          </button>
          <a className="button button--secondary" href={inboxHref(DEFAULT_ROUTE)}>
            {t('newConversation.cancel')}
          </a>
        </div>
      </form>
    </div>
  );
}
