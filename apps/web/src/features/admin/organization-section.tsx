import {
  LOGO_MAX_BYTES,
  LOGO_TYPES,
  OPEN_DATA_MIN_COUNT,
  OPEN_DATA_MODES,
  openDataPath,
  WEEKDAYS,
  type OpeningHours,
  type OrganizationSettingsDto,
  type UpdateOrganizationSettingsInput,
  type Weekday,
} from '@guichet/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useOrganizationSettings, useRemoveLogo, useUpdateSettings, useUploadLogo } from '../../hooks/use-admin';
import { apiErrorText } from '../../lib/api-error-text';
import { Field, FormError } from '../setup/public-card';
import { SaveFooter } from './editor-parts';
import { SignatureField } from './signature-field';

/** `08:30-12:00, 13:30-17:00` <-> the slots of a day. */
export const slotsText = (slots: OpeningHours[Weekday]) => slots.map((s) => `${s.opens}-${s.closes}`).join(', ');
export function parseSlots(text: string): OpeningHours[Weekday] | null {
  const parts = text
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const slots = parts.map((p) => /^(\d{1,2})[:h](\d{2})\s*[-–à]+\s*(\d{1,2})[:h](\d{2})$/.exec(p.replace(/\s+/g, ' ')));
  if (slots.some((m) => !m)) return null;
  const pad = (h: string) => h.padStart(2, '0');
  return slots.map((m) => ({ opens: `${pad(m![1]!)}:${m![2]}`, closes: `${pad(m![3]!)}:${m![4]}` }));
}

export function OrganizationSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const settings = useOrganizationSettings();
  if (settings.isPending) return <p role="status">{t('app.loading')}</p>;
  if (settings.isError) return <p className="form-error">{apiErrorText(t, settings.error)}</p>;
  return (
    <>
      <OrganizationForm settings={settings.data} readOnly={readOnly} />
      <LogoForm settings={settings.data} readOnly={readOnly} />
    </>
  );
}

/** The town's logo: PNG, JPEG or WebP of 512 Kio at most, shown to citizens and in the header. */
function LogoForm({ settings, readOnly }: { settings: OrganizationSettingsDto; readOnly: boolean }) {
  const { t } = useTranslation();
  const upload = useUploadLogo();
  const remove = useRemoveLogo();
  const [tooLarge, setTooLarge] = useState(false);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (readOnly || upload.isPending) return;
    const form = event.currentTarget;
    const file = new FormData(form).get('logo');
    if (!(file instanceof File) || !file.size) return;
    // Said at once, before sending half a megabyte for nothing; the API checks it again.
    setTooLarge(file.size > LOGO_MAX_BYTES);
    if (file.size > LOGO_MAX_BYTES) return;
    upload.mutate(file, { onSuccess: () => form.reset() });
  }

  const error = tooLarge ? t('admin.organization.logoTooLarge') : (upload.error ?? remove.error);
  return (
    <form className="admin-form admin-logo-form" noValidate onSubmit={onSubmit} aria-describedby="logo-error">
      <h3>{t('admin.organization.logo')}</h3>
      {settings.logo ? (
        <img className="admin-logo-preview" src={settings.logo} alt={t('app.organizationLogo', { name: settings.name })} />
      ) : (
        <p>{t('admin.organization.noLogo')}</p>
      )}
      {readOnly ? null : (
        <>
          <div className="field">
            <label className="field__label" htmlFor="org-logo">
              {settings.logo ? t('admin.organization.replaceLogo') : t('admin.organization.chooseLogo')}
            </label>
            <p className="field__hint" id="org-logo-hint">
              {t('admin.organization.logoHint')}
            </p>
            <input
              id="org-logo"
              className="field__input"
              type="file"
              name="logo"
              accept={LOGO_TYPES.join(',')}
              aria-describedby="org-logo-hint"
            />
          </div>
          <div className="form-row form-row--end">
            <button type="submit" className="button button--primary" aria-disabled={upload.isPending || undefined}>
              {upload.isPending ? t('admin.organization.sendingLogo') : t('admin.organization.sendLogo')}
            </button>
            {settings.logo ? (
              <button type="button" className="button button--secondary" onClick={() => remove.mutate()}>
                {t('admin.organization.removeLogo')}
              </button>
            ) : null}
          </div>
        </>
      )}
      <FormError id="logo-error" error={typeof error === 'string' ? error : error ? apiErrorText(t, error) : null} />
      {upload.isSuccess ? (
        <p className="notice notice--success" role="status">
          {t('admin.organization.logoSaved')}
        </p>
      ) : null}
    </form>
  );
}

function OrganizationForm({ settings, readOnly }: { settings: OrganizationSettingsDto; readOnly: boolean }) {
  const { t, i18n } = useTranslation();
  const update = useUpdateSettings();
  const [closures, setClosures] = useState(settings.closures);
  const [localError, setLocalError] = useState<string | null>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (readOnly || update.isPending) return;
    const f = new FormData(event.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    const openingHours = {} as OpeningHours;
    for (const day of WEEKDAYS) {
      const slots = parseSlots(s(`hours-${day}`));
      if (!slots) return setLocalError(t('admin.organization.badHours', { day: t(`admin.weekdays.${day}`) }));
      openingHours[day] = slots;
    }
    setLocalError(null);
    const input: UpdateOrganizationSettingsInput = {
      name: s('name'),
      address: s('address'),
      phone: s('phone'),
      email: s('email'),
      website: s('website'),
      siret: s('siret'),
      openingHours,
      closures,
      alsaceMoselle: f.get('alsaceMoselle') === 'on',
      signature: String(f.get('signature') ?? ''),
      legalFooter: String(f.get('legalFooter') ?? ''),
      formReplyNotice: f.get('formReplyNotice') === 'full' ? 'full' : 'link',
      transferNotice: f.get('transferNotice') === 'on',
      openData: OPEN_DATA_MODES.find((m) => m === f.get('openData')) ?? 'off',
    };
    update.mutate(input);
  }

  const dateFormat = new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'fr-FR', { dateStyle: 'full', timeZone: 'UTC' });
  return (
    <form className="admin-form" noValidate onSubmit={onSubmit} aria-describedby="organization-error">
      <h2>{t('admin.organization.title')}</h2>
      <fieldset className="form-group" disabled={readOnly}>
        <legend>{t('admin.organization.identity')}</legend>
        <Field prefix="org" name="name" label={t('setup.name')} required defaultValue={settings.name} />
        <Field prefix="org" name="address" label={t('setup.address')} defaultValue={settings.address} />
        <div className="form-row">
          <Field prefix="org" name="phone" label={t('setup.phone')} type="tel" defaultValue={settings.phone} />
          <Field prefix="org" name="email" label={t('setup.email')} type="email" defaultValue={settings.email} />
        </div>
        <div className="form-row">
          <Field prefix="org" name="website" label={t('admin.organization.website')} type="url" defaultValue={settings.website} />
          <Field prefix="org" name="siret" label={t('setup.siret')} defaultValue={settings.siret} />
        </div>
      </fieldset>

      <fieldset className="form-group" disabled={readOnly}>
        <legend>{t('admin.organization.hours')}</legend>
        <p className="field__hint">{t('admin.organization.hoursHint')}</p>
        <p className="field__hint">{t('admin.organization.hoursServices')}</p>
        {WEEKDAYS.map((day) => (
          <Field
            key={day}
            prefix="org"
            name={`hours-${day}`}
            label={t(`admin.weekdays.${day}`)}
            defaultValue={slotsText(settings.openingHours[day])}
          />
        ))}
      </fieldset>

      <fieldset className="form-group" disabled={readOnly}>
        <legend>{t('admin.organization.closures')}</legend>
        <p className="field__hint">{t('admin.organization.closuresHint')}</p>
        {closures.length ? (
          <ul className="admin-list">
            {closures.map((c, i) => (
              <li key={`${c.from}-${i}`}>
                {c.from === c.to ? c.from : `${c.from} → ${c.to}`} — {c.reason}{' '}
                <button
                  type="button"
                  className="button button--secondary button--small"
                  onClick={() => setClosures(closures.filter((_, j) => j !== i))}
                >
                  {t('admin.remove')}
                  <span className="visually-hidden"> {c.reason}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="field__hint">{t('admin.organization.noClosure')}</p>
        )}
        <ClosureAdder onAdd={(c) => setClosures([...closures, c])} />
        <div className="field field--checkbox">
          <input id="org-alsace" type="checkbox" name="alsaceMoselle" defaultChecked={settings.alsaceMoselle} />
          <label htmlFor="org-alsace">{t('admin.organization.alsaceMoselle')}</label>
        </div>
        <details className="admin-holidays">
          <summary>{t('admin.organization.holidays')}</summary>
          <ul className="admin-list">
            {settings.holidays.map((h) => (
              <li key={h.date}>
                {dateFormat.format(new Date(`${h.date}T00:00:00Z`))} — {h.name}
              </li>
            ))}
          </ul>
        </details>
      </fieldset>

      <fieldset className="form-group" disabled={readOnly}>
        <legend>{t('admin.organization.replies')}</legend>
        <SignatureField
          id="org-signature"
          label={t('admin.organization.signature')}
          defaultValue={settings.signature}
          fallback=""
          hint={() => t('admin.signature.townHint')}
          service={{ name: t('admin.signature.exampleService'), address: settings.address }}
          commune={settings.name}
        />
        <TextArea name="legalFooter" label={t('admin.organization.legalFooter')} defaultValue={settings.legalFooter} />
        <div className="field">
          <label htmlFor="org-form-notice">{t('admin.organization.formReplyNotice')}</label>
          <select
            id="org-form-notice"
            name="formReplyNotice"
            defaultValue={settings.formReplyNotice}
            aria-describedby="org-form-notice-hint"
          >
            <option value="link">{t('admin.organization.formReplyNoticeLink')}</option>
            <option value="full">{t('admin.organization.formReplyNoticeFull')}</option>
          </select>
          <p className="field__hint" id="org-form-notice-hint">
            {t('admin.organization.formReplyNoticeHint')}
          </p>
        </div>
        <div className="field field--checkbox">
          <input
            id="org-transfer-notice"
            type="checkbox"
            name="transferNotice"
            defaultChecked={settings.transferNotice}
            aria-describedby="org-transfer-notice-hint"
          />
          <label htmlFor="org-transfer-notice">{t('admin.organization.transferNotice')}</label>
          <p className="field__hint" id="org-transfer-notice-hint">
            {t('admin.organization.transferNoticeHint')}
          </p>
        </div>
      </fieldset>

      <fieldset className="form-group" disabled={readOnly}>
        <legend>{t('admin.organization.openData')}</legend>
        <div className="field">
          <label htmlFor="org-open-data">{t('admin.organization.openDataMode')}</label>
          <select id="org-open-data" name="openData" defaultValue={settings.openData} aria-describedby="org-open-data-hint">
            {OPEN_DATA_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`admin.organization.openData_${m}`)}
              </option>
            ))}
          </select>
          <p className="field__hint" id="org-open-data-hint">
            {t('admin.organization.openDataHint', { threshold: OPEN_DATA_MIN_COUNT })}
          </p>
          {settings.openData !== 'off' && (
            <p>
              {t('admin.organization.openDataAddress')}{' '}
              <a href={openDataPath(settings.slug)} target="_blank" rel="noreferrer">
                {new URL(openDataPath(settings.slug), window.location.origin).href}
              </a>
            </p>
          )}
        </div>
      </fieldset>

      <SaveFooter
        errorId="organization-error"
        error={localError ?? (update.error ? apiErrorText(t, update.error) : null)}
        saved={update.isSuccess}
        pending={update.isPending}
        readOnly={readOnly}
      />
    </form>
  );
}

function ClosureAdder({ onAdd }: { onAdd: (c: { from: string; to: string; reason: string }) => void }) {
  const { t } = useTranslation();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  return (
    <div className="form-row form-row--end">
      <div className="field">
        <label className="field__label" htmlFor="closure-from">
          {t('admin.organization.closureFrom')}
        </label>
        <input id="closure-from" className="field__input" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </div>
      <div className="field">
        <label className="field__label" htmlFor="closure-to">
          {t('admin.organization.closureTo')}
        </label>
        <input id="closure-to" className="field__input" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      <div className="field">
        <label className="field__label" htmlFor="closure-reason">
          {t('admin.organization.closureReason')}
        </label>
        <input id="closure-reason" className="field__input" value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <button
        type="button"
        className="button button--secondary"
        onClick={() => {
          if (!from || !reason.trim()) return;
          onAdd({ from, to: to || from, reason: reason.trim() });
          setFrom('');
          setTo('');
          setReason('');
        }}
      >
        {t('admin.organization.addClosure')}
      </button>
    </div>
  );
}

export function TextArea({ name, label, defaultValue }: { name: string; label: string; defaultValue?: string }) {
  const id = `ta-${name}`;
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <textarea id={id} className="field__input" name={name} rows={3} defaultValue={defaultValue} />
    </div>
  );
}
