import {
  ACK_TEMPLATE_NAMES,
  ACK_VARIABLES,
  DEFAULT_ACK_TEMPLATES,
  endOfCivilDay,
  renderAcknowledgement,
  templateProblems,
  type AckFacts,
  type AckForm,
  type AcknowledgementSettingsDto,
  type AckTemplateName,
} from '@guichet/contracts';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  useAcknowledgementSettings,
  useOrganizationSettings,
  useSetTeamAcknowledgements,
  useUpdateAcknowledgements,
} from '../../hooks/use-admin';
import { addFrenchWords } from '../../i18n';
import { acknowledgementsFr } from '../../i18n/fr-acknowledgements';
import { apiErrorText } from '../../lib/api-error-text';
import { FormError } from '../setup/public-card';

// The paper texts' labels load with this screen, not in the first download.
addFrenchWords(acknowledgementsFr);

/** Which acknowledgement each template writes, and in which form (full: e-mail and tracking page; short: SMS; paper: a letter). */
const PREVIEW: Record<AckTemplateName, { kind: 'receipt' | 'registration'; form: AckForm }> = {
  receipt: { kind: 'receipt', form: 'full' },
  registration: { kind: 'registration', form: 'full' },
  short: { kind: 'receipt', form: 'short' },
  shortRegistration: { kind: 'registration', form: 'short' },
  paperReceipt: { kind: 'receipt', form: 'paper' },
  paperRegistration: { kind: 'registration', form: 'paper' },
};

/**
 * The acknowledgements Guichet sends by itself (CRPA L112-3, R112-5, L112-11) and the agents'
 * signature on replies (L111-2): on/off for the organization and per service, the texts with
 * their variables, and a preview of each on an example request.
 */
export function AcknowledgementsSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const settings = useAcknowledgementSettings();
  if (readOnly) return <p>{t('admin.acks.adminsOnly')}</p>;
  return (
    <div className="admin-form">
      <h2>{t('admin.acks.title')}</h2>
      <p className="field__hint">{t('admin.acks.intro')}</p>
      {settings.data ? <AcknowledgementsForm settings={settings.data} /> : <p role="status">{t('app.loading')}</p>}
      {settings.data ? <TeamSwitches settings={settings.data} /> : null}
    </div>
  );
}

function AcknowledgementsForm({ settings }: { settings: AcknowledgementSettingsDto }) {
  const { t } = useTranslation();
  const update = useUpdateAcknowledgements();
  const organization = useOrganizationSettings();
  const [texts, setTexts] = useState<Record<AckTemplateName, string>>(settings.templates);
  const [enabled, setEnabled] = useState(settings.enabled);
  const [signReplies, setSignReplies] = useState(settings.signReplies);
  const [shown, setShown] = useState<AckTemplateName>('receipt');

  const example: AckFacts = useMemo(
    () => ({
      commune: organization.data?.name ?? 'Ville',
      reference: 'GU-7K3M9Q',
      // A fixed example: a request of 15 January 2027, two months for silence to mean rejection.
      receivedAt: new Date('2027-01-15T09:30:00Z'),
      requestType: { name: t('admin.acks.example.type'), documents: [t('admin.acks.example.document')] },
      decisionRegime: 'rejection',
      decisionDueAt: endOfCivilDay('2027-03-15'),
      service: {
        name: t('admin.acks.example.service'),
        address: organization.data?.address ?? '',
        email: organization.data?.email ?? '',
        phone: organization.data?.phone ?? '',
      },
      trackingUrl: `${window.location.origin}/suivi/GU-7K3M9Q?token=…`,
    }),
    [organization.data, t],
  );
  const problems = ACK_TEMPLATE_NAMES.flatMap((n) =>
    templateProblems(texts[n], ACK_VARIABLES).map((p) => `${t(`admin.acks.templates.${n}`)} : ${p}`),
  );
  const preview = renderAcknowledgement(PREVIEW[shown].kind, PREVIEW[shown].form, texts, example);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (problems.length) return;
    update.mutate({ enabled, signReplies, templates: texts });
  }

  return (
    <form className="admin-form" noValidate onSubmit={onSubmit} aria-describedby="acks-error">
      <fieldset className="form-group">
        <legend>{t('admin.acks.sending')}</legend>
        <div className="field field--checkbox">
          <input id="acks-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <label htmlFor="acks-enabled">{t('admin.acks.enabled')}</label>
        </div>
        <div className="field field--checkbox">
          <input id="acks-sign" type="checkbox" checked={signReplies} onChange={(e) => setSignReplies(e.target.checked)} />
          <label htmlFor="acks-sign">{t('admin.acks.signReplies')}</label>
        </div>
      </fieldset>
      <fieldset className="form-group">
        <legend>{t('admin.acks.texts')}</legend>
        {ACK_TEMPLATE_NAMES.map((name) => (
          <div className="field" key={name}>
            <label className="field__label" htmlFor={`acks-template-${name}`}>
              {t(`admin.acks.templates.${name}`)}
            </label>
            <textarea
              id={`acks-template-${name}`}
              className="field__input"
              rows={name.startsWith('short') ? 3 : 8}
              value={texts[name]}
              onFocus={() => setShown(name)}
              onChange={(e) => setTexts({ ...texts, [name]: e.target.value })}
            />
            {texts[name] !== DEFAULT_ACK_TEMPLATES[name] ? (
              <button
                type="button"
                className="button button--link"
                onClick={() => setTexts({ ...texts, [name]: DEFAULT_ACK_TEMPLATES[name] })}
              >
                {t('admin.acks.restore')}
              </button>
            ) : null}
          </div>
        ))}
        <details>
          <summary>{t('admin.acks.variables')}</summary>
          <dl className="admin-variables">
            {Object.entries(ACK_VARIABLES).map(([name, meaning]) => (
              <div key={name}>
                <dt>
                  <code>{`{{${name}}}`}</code>
                </dt>
                <dd>{meaning}</dd>
              </div>
            ))}
          </dl>
        </details>
      </fieldset>
      <section aria-labelledby="acks-preview-title">
        <h3 id="acks-preview-title">{t('admin.acks.preview', { template: t(`admin.acks.templates.${shown}`) })}</h3>
        <pre className="admin-mail-text" data-testid="acks-preview" aria-live="polite">
          {preview}
        </pre>
      </section>
      <FormError
        id="acks-error"
        error={problems.length ? problems.join(' ; ') : update.error ? apiErrorText(t, update.error) : null}
      />
      {update.isSuccess ? (
        <p className="notice notice--success" role="status">
          {t('admin.saved')}
        </p>
      ) : null}
      <button type="submit" className="button button--primary" aria-disabled={update.isPending || undefined}>
        {t('admin.save')}
      </button>
    </form>
  );
}

function TeamSwitches({ settings }: { settings: AcknowledgementSettingsDto }) {
  const { t } = useTranslation();
  const set = useSetTeamAcknowledgements();
  return (
    <fieldset className="form-group">
      <legend>{t('admin.acks.teams')}</legend>
      {settings.teams.map((team) => (
        <div className="field field--checkbox" key={team.id}>
          <input
            id={`acks-team-${team.id}`}
            type="checkbox"
            checked={team.enabled}
            onChange={(e) => set.mutate({ teamId: team.id, enabled: e.target.checked })}
          />
          <label htmlFor={`acks-team-${team.id}`}>{team.name}</label>
        </div>
      ))}
      <FormError id="acks-teams-error" error={set.error ? apiErrorText(t, set.error) : null} />
    </fieldset>
  );
}
