import { RETENTION_ACTIONS, type RetentionAction, type RetentionRuleDto } from '@guichet/contracts';
import { type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAdminTeams } from '../../hooks/use-admin';
import { useRetention, useRunRetention, useSaveRetention } from '../../hooks/use-privacy';
import { useMe } from '../../hooks/use-me';
import { apiErrorText } from '../../lib/api-error-text';
import { downloadFromApi } from '../../lib/download';
import { addFrenchWords } from '../../i18n';
import { privacyFr } from '../../i18n/fr-privacy';
import { Field, FormError } from '../setup/public-card';
import { purgeSummary } from './purge-summary';
import { AdminTable } from './editor-parts';

addFrenchWords(privacyFr);

const toInput = (r: RetentionRuleDto) => ({
  teamId: r.teamId,
  requestTypeId: r.requestTypeId,
  durationDays: r.durationDays,
  legalBasis: r.legalBasis,
  purpose: r.purpose,
  action: r.action,
});

/**
 * Retention (RGPD): how long finished requests are kept per service, why, and what happens then;
 * how long the access log is kept. The citizens' « Données personnelles » page shows these rules.
 */
export function RetentionSection({ readOnly }: { readOnly: boolean }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const settings = useRetention();
  const teams = useAdminTeams();
  const save = useSaveRetention();
  const run = useRunRetention();
  const rules = settings.data?.rules ?? [];

  function onAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (save.isPending) return;
    const form = event.currentTarget;
    const f = new FormData(form);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    save.mutate(
      {
        rules: [
          ...rules.map(toInput),
          {
            teamId: s('teamId') || null,
            requestTypeId: null,
            durationDays: Number(s('durationDays')),
            legalBasis: s('legalBasis'),
            purpose: s('purpose'),
            action: s('action') as RetentionAction,
          },
        ],
      },
      { onSuccess: () => form.reset() },
    );
  }

  function onAuditPeriod(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    save.mutate({
      rules: rules.map(toInput),
      auditRetentionMonths: Number(f.get('auditRetentionMonths')),
      eventRegistrationRetentionDays: Number(f.get('eventRegistrationRetentionDays')),
      quarantineRetentionDays: Number(f.get('quarantineRetentionDays')),
    });
  }

  const ranText = (r: NonNullable<typeof run.data>) => {
    const list = purgeSummary(t, i18n.language, {
      anonymized: r.anonymized,
      deleted: r.deleted,
      contacts: r.contactsAnonymized,
      registrations: r.registrationsAnonymized,
      events: r.auditEventsPurged,
      quarantined: r.quarantinedMailsPurged,
      reports: r.mailReportsPurged,
    });
    return list ? t('retention.ran', { list }) : t('retention.ranNothing');
  };
  const error = settings.error ?? save.error ?? run.error;
  return (
    <div className="admin-form">
      <h2>{t('retention.title')}</h2>
      <p className="field__hint">{t('retention.intro')}</p>
      <AdminTable
        caption={t('retention.title')}
        columns={[
          t('retention.team'),
          t('retention.duration'),
          t('retention.legalBasis'),
          t('retention.purpose'),
          t('retention.action'),
          ...(readOnly ? [] : [t('admin.actions')]),
        ]}
      >
        {rules.map((r) => (
          <tr key={r.id}>
            <th scope="row">
              {r.teamName ?? t('retention.allTeams')}
              {r.requestTypeName ? <span className="admin-table__sub"> — {r.requestTypeName}</span> : null}
            </th>
            <td>{t('retention.days', { count: r.durationDays })}</td>
            <td>{r.legalBasis}</td>
            <td>{r.purpose}</td>
            <td>{t(`retention.actions.${r.action}`)}</td>
            {readOnly ? null : (
              <td className="admin-table__actions">
                <button
                  type="button"
                  className="button button--secondary button--small"
                  onClick={() => save.mutate({ rules: rules.filter((x) => x.id !== r.id).map(toInput) })}
                >
                  {t('admin.remove')}
                  <span className="visually-hidden"> {r.teamName ?? t('retention.allTeams')}</span>
                </button>
              </td>
            )}
          </tr>
        ))}
      </AdminTable>
      {settings.isSuccess && rules.length === 0 ? <p role="status">{t('retention.none')}</p> : null}
      {readOnly ? null : (
        <>
          <form className="admin-form admin-form--inline" noValidate onSubmit={onAdd} aria-describedby="retention-error">
            <h3>{t('retention.add')}</h3>
            <div className="form-row">
              <div className="field">
                <label className="field__label" htmlFor="retention-team">
                  {t('retention.team')}
                </label>
                <select id="retention-team" name="teamId" className="field__input" defaultValue="">
                  <option value="">{t('retention.allTeams')}</option>
                  {teams.data
                    ?.filter((team) => !team.archived)
                    .map((team) => (
                      <option key={team.id} value={team.id}>
                        {team.name}
                      </option>
                    ))}
                </select>
              </div>
              <Field
                prefix="retention"
                name="durationDays"
                label={t('retention.durationDays')}
                type="number"
                defaultValue="90"
                required
              />
              <div className="field">
                <label className="field__label" htmlFor="retention-action">
                  {t('retention.action')}
                </label>
                <select id="retention-action" name="action" className="field__input" defaultValue="anonymize">
                  {RETENTION_ACTIONS.map((a) => (
                    <option key={a} value={a}>
                      {t(`retention.actions.${a}`)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <div className="form-row">
              <Field prefix="retention" name="legalBasis" label={t('retention.legalBasis')} required />
              <Field prefix="retention" name="purpose" label={t('retention.purpose')} required />
            </div>
            <button type="submit" className="button button--primary" aria-disabled={save.isPending || undefined}>
              {t('retention.addButton')}
            </button>
          </form>
          {settings.data ? (
            <form className="admin-form admin-form--inline" noValidate onSubmit={onAuditPeriod}>
              <h3>{t('retention.periodsTitle')}</h3>
              <Field
                prefix="retention"
                name="auditRetentionMonths"
                label={t('retention.auditMonths')}
                type="number"
                defaultValue={String(settings.data.auditRetentionMonths)}
                required
              />
              <Field
                prefix="retention"
                name="eventRegistrationRetentionDays"
                label={t('retention.registrantsDays')}
                hint={t('retention.registrantsHint')}
                type="number"
                defaultValue={String(settings.data.eventRegistrationRetentionDays)}
                required
              />
              <Field
                prefix="retention"
                name="quarantineRetentionDays"
                label={t('retention.quarantineDays')}
                hint={t('retention.quarantineHint')}
                type="number"
                defaultValue={String(settings.data.quarantineRetentionDays)}
                required
              />
              <button type="submit" className="button button--secondary">
                {t('admin.save')}
              </button>
            </form>
          ) : null}
          {me.data.role === 'admin' ? (
            <section aria-labelledby="register-title">
              <h3 id="register-title">{t('retention.registerTitle')}</h3>
              <p>{t('retention.registerIntro')}</p>
              <p>
                <button
                  type="button"
                  className="button button--secondary"
                  onClick={() => void downloadFromApi('/processing-register?format=html', 'registre-traitements.html')}
                >
                  {t('retention.registerHtml')}
                </button>{' '}
                <button
                  type="button"
                  className="button button--secondary"
                  onClick={() => void downloadFromApi('/processing-register?format=csv', 'registre-traitements.csv')}
                >
                  {t('retention.registerCsv')}
                </button>
              </p>
            </section>
          ) : null}
          <p>
            <button
              type="button"
              className="button button--secondary"
              aria-disabled={run.isPending || undefined}
              aria-describedby="retention-run-hint"
              onClick={() => (run.isPending ? undefined : run.mutate())}
            >
              {t('retention.runNow')}
            </button>
          </p>
          <p id="retention-run-hint" className="field__hint">
            {t('retention.runHint')}
          </p>
        </>
      )}
      <FormError id="retention-error" error={error ? apiErrorText(t, error) : null} />
      <div role="status" aria-live="polite">
        {save.isSuccess ? <p>{t('admin.saved')}</p> : null}
        {run.data ? <p>{ranText(run.data)}</p> : null}
      </div>
    </div>
  );
}
