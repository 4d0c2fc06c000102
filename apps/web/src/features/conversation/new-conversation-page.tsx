import {
  CHANNEL_CAPABILITIES,
  CHANNEL_IDENTITY,
  START_CONVERSATION_KINDS,
  type AgentDto,
  type ChannelKind,
  type IdentityKind,
  type TeamDto,
} from '@guichet/contracts';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { networkMessage } from '../../lib/error-message';
import { useStartConversation } from '../../hooks/use-start-conversation';
import { useChannelKinds } from '../../hooks/use-teams';
import { DEFAULT_ROUTE, inboxHref, navigate } from '../../lib/router';
import { canSeeAllTeams, navTeams } from '../inbox/inbox-views';
import { lengthHint } from './length-hint';

/** How the citizen's address is typed, per identity kind of the channel. */
const ADDRESS_INPUT: Record<
  IdentityKind,
  { type: 'email' | 'tel' | 'text'; label: 'newConversation.toEmail' | 'newConversation.toPhone' | 'newConversation.toAccount' }
> = {
  email: { type: 'email', label: 'newConversation.toEmail' },
  phone: { type: 'tel', label: 'newConversation.toPhone' },
  whatsapp: { type: 'tel', label: 'newConversation.toPhone' },
  messenger: { type: 'text', label: 'newConversation.toAccount' },
  instagram: { type: 'text', label: 'newConversation.toAccount' },
};

/** `#/nouvelle`: the agent writes first, on the kinds whose capabilities allow it (e-mail, SMS, WhatsApp). */
export function NewConversationPage({ me, teams }: { me: AgentDto; teams: TeamDto[] | undefined }) {
  const { t } = useTranslation();
  const ids = useId();
  const start = useStartConversation();
  const titleRef = useRef<HTMLHeadingElement>(null);
  // Only the kinds with a connected channel: writing on one the town has not set up fails anyway.
  // Until the server has said which are connected, none is offered (never one that cannot send).
  const channelKinds = useChannelKinds();
  const connected = channelKinds.data;
  const kinds = connected ? START_CONVERSATION_KINDS.filter((k) => connected.includes(k)) : [];
  const [chosen, setKind] = useState<ChannelKind>(START_CONVERSATION_KINDS[0]!);
  const kind = kinds.includes(chosen) ? chosen : (kinds[0] ?? chosen);
  const [body, setBody] = useState('');
  const capabilities = CHANNEL_CAPABILITIES[kind];
  const choices = navTeams(me, teams ?? []);
  const mustChoose = canSeeAllTeams(me) || me.teamIds.length !== 1;

  useEffect(() => titleRef.current?.focus(), []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (start.isPending || kinds.length === 0) return;
    const form = new FormData(event.currentTarget);
    const get = (k: string) => String(form.get(k) ?? '').trim();
    start.mutate(
      {
        channelKind: kind,
        to: get('to'),
        name: get('name') || undefined,
        teamId: get('teamId') || undefined,
        subject: capabilities.subject ? get('subject') || undefined : undefined,
        body,
      },
      { onSuccess: ({ conversation }) => navigate(inboxHref({ ...DEFAULT_ROUTE, conversationId: conversation.id })) },
    );
  }

  const length = lengthHint(t, kind, body);
  const identity = CHANNEL_IDENTITY[kind];
  const address = identity ? ADDRESS_INPUT[identity] : ADDRESS_INPUT.email;
  return (
    <div className="new-conversation">
      <h1 className="board__title" tabIndex={-1} ref={titleRef}>
        {t('newConversation.title')}
      </h1>
      <p className="public__muted">{t('newConversation.intro')}</p>
      <form className="new-conversation__form" onSubmit={onSubmit}>
        {connected ? (
          <fieldset className="new-conversation__kinds">
            <legend>{t('newConversation.channel')}</legend>
            {kinds.length === 0 ? <p className="public__muted">{t('newConversation.noChannel')}</p> : null}
            {kinds.map((k) => (
              <label key={k} className="new-conversation__kind">
                <input type="radio" name="channelKind" value={k} checked={kind === k} onChange={() => setKind(k)} />{' '}
                {t(`channel.${k}`)}
              </label>
            ))}
          </fieldset>
        ) : channelKinds.error ? (
          <p className="form-error" role="alert">
            {channelKinds.error.isNetworkError ? networkMessage(t, channelKinds.error) : channelKinds.error.message}
          </p>
        ) : (
          <p role="status">{t('app.loading')}</p>
        )}
        <div className="field">
          <label htmlFor={`${ids}-to`}>{t(address.label)}</label>
          <input id={`${ids}-to`} name="to" required type={address.type} autoComplete="off" className="control" />
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
        {capabilities.subject ? (
          <div className="field">
            <label htmlFor={`${ids}-subject`}>{t('newConversation.subject')}</label>
            <input id={`${ids}-subject`} name="subject" className="control" />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={`${ids}-body`}>{t('newConversation.body')}</label>
          <textarea
            id={`${ids}-body`}
            rows={6}
            required
            value={body}
            onChange={(e) => setBody(e.target.value)}
            className="control"
          />
          {length ? (
            <p className="field__hint" data-testid={length.testId}>
              {length.text}
            </p>
          ) : null}
          {length?.tooLong ? (
            <p className="field__hint composer__too-long" data-testid="too-long">
              {length.tooLong}
            </p>
          ) : null}
        </div>
        {start.error ? (
          <p className="form-error" role="alert">
            {start.error.isNetworkError ? networkMessage(t, start.error) : start.error.message}
          </p>
        ) : null}
        <div className="new-conversation__actions">
          <button
            type="submit"
            className="button button--primary"
            aria-disabled={start.isPending || kinds.length === 0 || undefined}
          >
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
