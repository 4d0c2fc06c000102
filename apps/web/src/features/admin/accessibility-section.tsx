import {
  civilDateAt,
  CONFORMITY_LEVELS,
  conformityBasis,
  conformityLevel,
  formatLongDate,
  statementValidity,
  type AccessibilityStatement,
  type AccessibilityStatementInput,
  type ConformityLevel,
  type MeDto,
} from '@guichet/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAccessibilityStatement, useUpdateAccessibilityStatement } from '../../hooks/use-admin';
import { currentLanguage } from '../../i18n';
import { apiErrorText } from '../../lib/api-error-text';
import { Field } from '../setup/public-card';
import { LinesField, RowButton, SaveFooter } from './editor-parts';
import { TextArea } from './organization-section';

type Derogation = AccessibilityStatement['derogations'][number];

/** The RGAA accessibility statement published at `/accessibilite/:slug` (admins edit it, supervisors read it). */
export function AccessibilitySection({ readOnly, me }: { readOnly: boolean; me: MeDto }) {
  const { t } = useTranslation();
  const statement = useAccessibilityStatement();
  if (statement.isPending) return <p role="status">{t('app.loading')}</p>;
  if (statement.isError) return <p className="form-error">{apiErrorText(t, statement.error)}</p>;
  return <StatementForm statement={statement.data.statement} readOnly={readOnly} slug={me.organization.slug} />;
}

const today = () => civilDateAt(new Date());
const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function StatementForm({
  statement: s,
  readOnly,
  slug,
}: {
  statement: AccessibilityStatement | null;
  readOnly: boolean;
  slug: string;
}) {
  const { t } = useTranslation();
  const update = useUpdateAccessibilityStatement();
  const [audited, setAudited] = useState(Boolean(s?.audit));
  const [level, setLevel] = useState<ConformityLevel>(s?.level ?? 'none');
  const [derogations, setDerogations] = useState<Derogation[]>(s?.derogations ?? []);
  const a = s?.audit;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (readOnly || update.isPending) return;
    const f = new FormData(event.currentTarget);
    const v = (k: string) => String(f.get(k) ?? '').trim();
    const input: AccessibilityStatementInput = {
      level,
      // An empty rate is sent as NaN: the API says the rate is missing, in its words.
      audit: audited
        ? {
            date: v('auditDate'),
            auditor: v('auditor'),
            rate: v('rate') === '' ? Number.NaN : Number(v('rate').replace(',', '.')),
            sample: v('sample'),
            technologies: v('technologies'),
            tools: v('tools'),
            environment: v('environment'),
          }
        : null,
      nonCompliances: lines(v('nonCompliances')),
      derogations,
      exemptions: lines(v('exemptions')),
      establishedOn: v('establishedOn'),
      updatedOn: v('updatedOn') || null,
      multiYearPlanUrl: v('multiYearPlanUrl'),
      actionPlanUrl: v('actionPlanUrl'),
      contact: { email: v('contactEmail'), phone: v('contactPhone'), url: v('contactUrl') },
    };
    update.mutate(input);
  }

  const publicPath = `/accessibilite/${encodeURIComponent(slug)}`;
  return (
    <form className="admin-form" noValidate onSubmit={onSubmit} aria-describedby="accessibility-error">
      <h2>{t('admin.accessibility.title')}</h2>
      <p>
        {t('admin.accessibility.intro')}{' '}
        <a href={publicPath} target="_blank" rel="noreferrer">
          {t('admin.accessibility.publicPage')}
        </a>
      </p>
      {s ? (
        <Renewal statement={s} />
      ) : (
        <p className="notice" role="note">
          {t('admin.accessibility.notSet')}
        </p>
      )}

      <fieldset className="form-group" disabled={readOnly}>
        <legend>{t('admin.accessibility.audit')}</legend>
        <fieldset className="form-group">
          <legend>{t('admin.accessibility.audited')}</legend>
          {[true, false].map((yes) => (
            <div className="field field--checkbox" key={String(yes)}>
              <input
                id={`a11y-audited-${yes ? 'yes' : 'no'}`}
                type="radio"
                name="audited"
                checked={audited === yes}
                onChange={() => {
                  setAudited(yes);
                  if (!yes) setLevel('none');
                }}
              />
              <label htmlFor={`a11y-audited-${yes ? 'yes' : 'no'}`}>
                {t(yes ? 'admin.accessibility.yes' : 'admin.accessibility.no')}
              </label>
            </div>
          ))}
        </fieldset>
        {audited ? (
          <>
            <div className="form-row">
              <Field
                prefix="a11y"
                name="auditDate"
                label={t('admin.accessibility.auditDate')}
                type="date"
                required
                defaultValue={a?.date}
              />
              <Field prefix="a11y" name="auditor" label={t('admin.accessibility.auditor')} required defaultValue={a?.auditor} />
            </div>
            <div className="field">
              <label className="field__label" htmlFor="a11y-rate">
                {t('admin.accessibility.rate')}
                <span aria-hidden="true"> *</span>
              </label>
              <p className="field__hint" id="a11y-rate-hint">
                {t('admin.accessibility.rateHint')}
              </p>
              <input
                id="a11y-rate"
                className="field__input"
                name="rate"
                type="number"
                min={0}
                max={100}
                step={0.1}
                required
                defaultValue={a ? String(a.rate) : undefined}
                aria-describedby="a11y-rate-hint"
                onInput={(e) => {
                  const rate = Number(e.currentTarget.value);
                  if (e.currentTarget.value !== '' && rate >= 0 && rate <= 100)
                    setLevel(conformityLevel({ rate, publishedOn: today() }, today()));
                }}
              />
            </div>
            <LinesField
              id="a11y-sample"
              name="sample"
              label={t('admin.accessibility.sample')}
              hint={t('admin.accessibility.onePerLine')}
              rows={3}
              lines={a ? [a.sample] : undefined}
            />
            <TextArea name="technologies" label={t('admin.accessibility.technologies')} defaultValue={a?.technologies} />
            <TextArea name="tools" label={t('admin.accessibility.tools')} defaultValue={a?.tools} />
            <TextArea name="environment" label={t('admin.accessibility.environment')} defaultValue={a?.environment} />
          </>
        ) : null}
        <div className="field">
          <label className="field__label" htmlFor="a11y-level">
            {t('admin.accessibility.level')}
          </label>
          <p className="field__hint" id="a11y-level-hint">
            {t('admin.accessibility.levelHint')}
          </p>
          <select
            id="a11y-level"
            name="level"
            value={level}
            onChange={(e) => setLevel(e.target.value as ConformityLevel)}
            aria-describedby="a11y-level-hint"
          >
            {CONFORMITY_LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(`admin.accessibility.level_${l}`)}
              </option>
            ))}
          </select>
        </div>
      </fieldset>

      <fieldset className="form-group" disabled={readOnly}>
        <legend>{t('admin.accessibility.contents')}</legend>
        <LinesField
          id="a11y-nonCompliances"
          name="nonCompliances"
          label={t('admin.accessibility.nonCompliances')}
          hint={t('admin.accessibility.onePerLine')}
          rows={3}
          lines={s?.nonCompliances}
        />
        <h3>{t('admin.accessibility.derogations')}</h3>
        {derogations.length ? (
          <ul className="admin-list">
            {derogations.map((d, i) => (
              <li key={`${d.content}-${i}`}>
                {d.content} — {d.reason}{' '}
                <RowButton
                  label={t('admin.remove')}
                  name={d.content}
                  onClick={() => setDerogations(derogations.filter((_, j) => j !== i))}
                />
              </li>
            ))}
          </ul>
        ) : (
          <p className="field__hint">{t('admin.accessibility.noDerogation')}</p>
        )}
        <DerogationAdder onAdd={(d) => setDerogations([...derogations, d])} />
        <LinesField
          id="a11y-exemptions"
          name="exemptions"
          label={t('admin.accessibility.exemptions')}
          hint={t('admin.accessibility.onePerLine')}
          rows={3}
          lines={s?.exemptions}
        />
      </fieldset>

      <fieldset className="form-group" disabled={readOnly}>
        <legend>{t('admin.accessibility.dates')}</legend>
        <div className="form-row">
          <Field
            prefix="a11y"
            name="establishedOn"
            label={t('admin.accessibility.establishedOn')}
            type="date"
            required
            defaultValue={s?.establishedOn ?? today()}
          />
          <Field
            prefix="a11y"
            name="updatedOn"
            label={t('admin.accessibility.updatedOn')}
            type="date"
            defaultValue={s?.updatedOn ?? ''}
          />
        </div>
        <Field
          prefix="a11y"
          name="multiYearPlanUrl"
          label={t('admin.accessibility.multiYearPlanUrl')}
          type="url"
          defaultValue={s?.multiYearPlanUrl}
        />
        <Field
          prefix="a11y"
          name="actionPlanUrl"
          label={t('admin.accessibility.actionPlanUrl')}
          type="url"
          defaultValue={s?.actionPlanUrl}
        />
      </fieldset>

      <fieldset className="form-group" disabled={readOnly}>
        <legend>{t('admin.accessibility.contact')}</legend>
        <p className="field__hint">{t('admin.accessibility.contactHint')}</p>
        <div className="form-row">
          <Field
            prefix="a11y"
            name="contactEmail"
            label={t('admin.accessibility.contactEmail')}
            type="email"
            defaultValue={s?.contact.email}
          />
          <Field
            prefix="a11y"
            name="contactPhone"
            label={t('admin.accessibility.contactPhone')}
            type="tel"
            defaultValue={s?.contact.phone}
          />
        </div>
        <Field
          prefix="a11y"
          name="contactUrl"
          label={t('admin.accessibility.contactUrl')}
          type="url"
          defaultValue={s?.contact.url}
        />
      </fieldset>

      <SaveFooter
        errorId="accessibility-error"
        error={update.error ? apiErrorText(t, update.error) : null}
        saved={update.isSuccess}
        pending={update.isPending}
        readOnly={readOnly}
      />
    </form>
  );
}

/**
 * The saved statement must be updated 3 years after its publication (contracts statementValidity):
 * said 90 days before, and once it has lapsed (the public pages then say « non conforme »).
 */
function Renewal({ statement }: { statement: AccessibilityStatement }) {
  const { t } = useTranslation();
  const { state, dueOn } = statementValidity(conformityBasis(statement).publishedOn!, today());
  if (state === 'valid') return null;
  return (
    <p className="notice notice--warning" role="note" data-testid="statement-renewal">
      {t(state === 'lapsed' ? 'admin.accessibility.lapsed' : 'admin.accessibility.dueSoon', {
        date: formatLongDate(`${dueOn}T12:00:00Z`, currentLanguage()),
      })}
    </p>
  );
}

/** A dérogation pour charge disproportionnée: the content and why (both required by the model). */
function DerogationAdder({ onAdd }: { onAdd: (d: Derogation) => void }) {
  const { t } = useTranslation();
  const [content, setContent] = useState('');
  const [reason, setReason] = useState('');
  return (
    <div className="form-row form-row--end">
      <div className="field">
        <label className="field__label" htmlFor="a11y-derogation-content">
          {t('admin.accessibility.derogationContent')}
        </label>
        <input
          id="a11y-derogation-content"
          className="field__input"
          value={content}
          onChange={(e) => setContent(e.target.value)}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor="a11y-derogation-reason">
          {t('admin.accessibility.derogationReason')}
        </label>
        <input id="a11y-derogation-reason" className="field__input" value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <button
        type="button"
        className="button button--secondary"
        onClick={() => {
          if (!content.trim() || !reason.trim()) return;
          onAdd({ content: content.trim(), reason: reason.trim() });
          setContent('');
          setReason('');
        }}
      >
        {t('admin.accessibility.addDerogation')}
      </button>
    </div>
  );
}
