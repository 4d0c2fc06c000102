import {
  ACK_TEMPLATE_NAMES,
  ACK_VARIABLES,
  DEFAULT_ACK_TEMPLATES,
  effectiveAckTemplates,
  endOfCivilDay,
  missingAckMentions,
  renderAcknowledgement,
  REQUEST_TYPE_ACK_TEMPLATE_NAMES,
  templateProblems,
  type AckFacts,
  type AckForm,
  type AcknowledgementSettingsDto,
  type AckTemplateName,
  type RequestTypeAckTemplateName,
  type RequestTypeDto,
} from '@guichet/contracts';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  useAcknowledgementSettings,
  useAdminRequestTypes,
  useOrganizationSettings,
  useSetRequestTypeAcknowledgements,
  useSetTeamAcknowledgements,
  useUpdateAcknowledgements,
} from '../../hooks/use-admin';
import { addFrenchWords } from '../../i18n';
import { acknowledgementsFr } from '../../i18n/fr-acknowledgements';
import type { ApiError } from '../../api/client';
import { apiErrorText } from '../../lib/api-error-text';
import { FormError } from '../setup/public-card';
import { VariableList } from './editor-parts';

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
 * their variables, a démarche's own accusés de réception, and a preview of each on an example
 * request.
 */
export function AcknowledgementsSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const settings = useAcknowledgementSettings();
  if (readOnly) return <p>{t('admin.acks.adminsOnly')}</p>;
  return (
    <div className="admin-form">
      <h2>{t('admin.acks.title')}</h2>
      <p className="field__hint">{t('admin.acks.intro')}</p>
      {settings.data ? <AcknowledgementsForms settings={settings.data} /> : <p role="status">{t('app.loading')}</p>}
    </div>
  );
}

function AcknowledgementsForms({ settings }: { settings: AcknowledgementSettingsDto }) {
  const example = useExampleFacts();
  return (
    <>
      <AcknowledgementsForm settings={settings} example={example} />
      <RequestTypeTexts settings={settings} example={example} />
      <TeamSwitches settings={settings} />
    </>
  );
}

/** The example request the previews are written for: one of 15 January 2027, two months for silence to mean rejection. */
function useExampleFacts(): AckFacts {
  const { t } = useTranslation();
  const organization = useOrganizationSettings();
  return useMemo(
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
}

/**
 * A template's text area with its hint and what follows it (a button). Under an accusé de
 * réception's text, the mandatory mentions (R112-5) it leaves out: Guichet adds them at its end
 * whatever it says (renderAcknowledgement), as the preview shows.
 */
function TemplateField({
  id,
  name,
  label,
  value,
  hint,
  onChange,
  onFocus,
  children,
}: {
  id: string;
  name: AckTemplateName;
  label: string;
  value: string;
  hint?: string;
  onChange: (value: string) => void;
  onFocus: () => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const { kind, form } = PREVIEW[name];
  const missing = kind === 'receipt' && value.trim() ? missingAckMentions(value, form) : [];
  const added = missing.length ? t('admin.acks.mentionsAdded', { list: missing.map((v) => ACK_VARIABLES[v]).join(', ') }) : null;
  const described = [hint && `${id}-hint`, added && `${id}-added`].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      ) : null}
      <textarea
        id={id}
        className="field__input"
        rows={name.startsWith('short') ? 3 : 8}
        value={value}
        aria-describedby={described || undefined}
        onFocus={onFocus}
        onChange={(e) => onChange(e.target.value)}
      />
      {added ? (
        <p id={`${id}-added`} className="field__hint">
          {added}
        </p>
      ) : null}
      {children}
    </div>
  );
}

function AcknowledgementsForm({ settings, example }: { settings: AcknowledgementSettingsDto; example: AckFacts }) {
  const { t } = useTranslation();
  const update = useUpdateAcknowledgements();
  const [texts, setTexts] = useState<Record<AckTemplateName, string>>(settings.templates);
  const [enabled, setEnabled] = useState(settings.enabled);
  const [signReplies, setSignReplies] = useState(settings.signReplies);
  const [shown, setShown] = useState<AckTemplateName>('receipt');

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
          <TemplateField
            key={name}
            id={`acks-template-${name}`}
            name={name}
            label={t(`admin.acks.templates.${name}`)}
            value={texts[name]}
            onFocus={() => setShown(name)}
            onChange={(value) => setTexts({ ...texts, [name]: value })}
          >
            {texts[name] !== DEFAULT_ACK_TEMPLATES[name] ? (
              <button
                type="button"
                className="button button--link"
                onClick={() => setTexts({ ...texts, [name]: DEFAULT_ACK_TEMPLATES[name] })}
              >
                {t('admin.acks.restore')}
              </button>
            ) : null}
          </TemplateField>
        ))}
        <VariableList variables={ACK_VARIABLES} />
      </fieldset>
      <PreviewAndSave
        id="acks"
        Heading="h3"
        title={t('admin.acks.preview', { template: t(`admin.acks.templates.${shown}`) })}
        preview={preview}
        problems={problems}
        mutation={update}
        saved={t('admin.saved')}
        save={t('admin.save')}
      />
    </form>
  );
}

/** The end of a texts' form: the preview of the text being edited, what is wrong, « saved », the button. */
function PreviewAndSave({
  id,
  Heading,
  title,
  preview,
  problems,
  mutation,
  saved,
  save,
}: {
  id: string;
  Heading: 'h3' | 'h4';
  title: string;
  preview: string;
  problems: string[];
  mutation: { error: ApiError | null; isSuccess: boolean; isPending: boolean };
  saved: string;
  save: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <section aria-labelledby={`${id}-preview-title`}>
        <Heading id={`${id}-preview-title`}>{title}</Heading>
        <pre className="admin-mail-text" data-testid={`${id}-preview`} aria-live="polite">
          {preview}
        </pre>
      </section>
      <FormError
        id={`${id}-error`}
        error={problems.length ? problems.join(' ; ') : mutation.error ? apiErrorText(t, mutation.error) : null}
      />
      {mutation.isSuccess ? (
        <p className="notice notice--success" role="status">
          {saved}
        </p>
      ) : null}
      <button type="submit" className="button button--primary" aria-disabled={mutation.isPending || undefined}>
        {save}
      </button>
    </>
  );
}

/**
 * A démarche's own accusés de réception (« Demande d'acte de naissance »: the documents, the
 * délai), over the organization's texts of the same kind; empty, the organization's apply.
 */
function RequestTypeTexts({ settings, example }: { settings: AcknowledgementSettingsDto; example: AckFacts }) {
  const { t } = useTranslation();
  const types = useAdminRequestTypes().data?.filter((rt) => rt.active);
  const [id, setId] = useState('');
  const type = types?.find((rt) => rt.id === id);
  return (
    <section className="form-group" aria-labelledby="acks-types-title">
      <h3 id="acks-types-title">{t('admin.acks.byType.title')}</h3>
      <p className="field__hint">{t('admin.acks.byType.intro')}</p>
      {!types ? (
        <p role="status">{t('app.loading')}</p>
      ) : !types.length ? (
        <p>{t('admin.acks.byType.none')}</p>
      ) : (
        <div className="field">
          <label className="field__label" htmlFor="acks-type">
            {t('admin.acks.byType.type')}
          </label>
          <select id="acks-type" className="field__input" value={id} onChange={(e) => setId(e.target.value)}>
            <option value="">{t('admin.acks.byType.choose')}</option>
            {settings.teams.map((team) => {
              const own = types.filter((rt) => rt.teamId === team.id);
              return own.length ? (
                <optgroup key={team.id} label={team.name}>
                  {own.map((rt) => (
                    <option key={rt.id} value={rt.id}>
                      {settings.requestTypeTemplates[rt.id] ? t('admin.acks.byType.withOwn', { name: rt.name }) : rt.name}
                    </option>
                  ))}
                </optgroup>
              ) : null;
            })}
          </select>
        </div>
      )}
      {type ? (
        <RequestTypeTextsForm
          key={type.id}
          type={type}
          settings={settings}
          example={example}
          teamName={settings.teams.find((team) => team.id === type.teamId)?.name ?? example.service.name}
        />
      ) : null}
    </section>
  );
}

function RequestTypeTextsForm({
  type,
  settings,
  example,
  teamName,
}: {
  type: RequestTypeDto;
  settings: AcknowledgementSettingsDto;
  example: AckFacts;
  teamName: string;
}) {
  const { t } = useTranslation();
  const save = useSetRequestTypeAcknowledgements();
  const saved = settings.requestTypeTemplates[type.id];
  const [texts, setTexts] = useState(
    () =>
      Object.fromEntries(REQUEST_TYPE_ACK_TEMPLATE_NAMES.map((n) => [n, saved?.[n] ?? ''])) as Record<
        RequestTypeAckTemplateName,
        string
      >,
  );
  const [shown, setShown] = useState<RequestTypeAckTemplateName>('receipt');
  const facts: AckFacts = {
    ...example,
    requestType: { name: type.name, documents: type.documents },
    decisionRegime: type.decisionRegime,
    decisionDueAt: type.decisionRegime === 'none' ? null : example.decisionDueAt,
    service: { ...example.service, name: teamName },
  };
  const problems = REQUEST_TYPE_ACK_TEMPLATE_NAMES.flatMap((n) =>
    templateProblems(texts[n], ACK_VARIABLES).map((p) => `${t(`admin.acks.byType.templates.${n}`)} : ${p}`),
  );
  const preview = renderAcknowledgement('receipt', PREVIEW[shown].form, effectiveAckTemplates(settings.templates, texts), facts);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (problems.length) return;
    save.mutate({ requestTypeId: type.id, input: { templates: texts } });
  }

  return (
    <form className="admin-form" noValidate onSubmit={onSubmit} aria-describedby="acks-type-error">
      {type.acknowledgementExempt ? <p className="notice">{t('admin.acks.byType.exempt')}</p> : null}
      {REQUEST_TYPE_ACK_TEMPLATE_NAMES.map((name) => (
        <TemplateField
          key={name}
          id={`acks-type-template-${name}`}
          name={name}
          label={t(`admin.acks.byType.templates.${name}`)}
          hint={texts[name].trim() ? undefined : t('admin.acks.byType.empty')}
          value={texts[name]}
          onFocus={() => setShown(name)}
          onChange={(value) => setTexts({ ...texts, [name]: value })}
        >
          {texts[name].trim() ? null : (
            <button
              type="button"
              className="button button--link"
              onClick={() => setTexts({ ...texts, [name]: settings.templates[name] })}
            >
              {t('admin.acks.byType.fromOrganization')}
            </button>
          )}
        </TemplateField>
      ))}
      <VariableList variables={ACK_VARIABLES} />
      <PreviewAndSave
        id="acks-type"
        Heading="h4"
        title={t('admin.acks.byType.preview', { type: type.name, template: t(`admin.acks.byType.templates.${shown}`) })}
        preview={preview}
        problems={problems}
        mutation={save}
        saved={t('admin.acks.byType.saved')}
        save={t('admin.acks.byType.save')}
      />
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
