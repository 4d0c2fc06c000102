import {
  CHANNEL_KINDS,
  DEFAULT_OPENING_HOURS,
  DEFAULT_RESPONSE_TARGETS,
  RESPONSE_TARGET_UNITS,
  WEEKDAYS,
  weekdayOpeningHours,
  type ChannelKind,
  type OpeningHours,
  type ResponseTarget,
  type TeamAdminDto,
} from '@guichet/contracts';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAdminAgents, useAdminTeams, useCreateTeam, useOrganizationSettings, useUpdateTeam } from '../../hooks/use-admin';
import { apiErrorText } from '../../lib/api-error-text';
import { Field, FormError } from '../setup/public-card';
import { AdminTable, EditorActions } from './editor-parts';
import { parseSlots, slotsText, TextArea } from './organization-section';
import { SignatureField } from './signature-field';

/**
 * Services: create, rename, describe for citizens, members, opening hours and response targets
 * (the due dates of its files in progress follow), reply signature (L111-2), archive (never delete).
 */
export function TeamsSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const teams = useAdminTeams();
  const create = useCreateTeam();
  const [editing, setEditing] = useState<string | null>(null);

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    create.mutate({ name }, { onSuccess: () => form.reset() });
  }

  return (
    <div className="admin-form">
      <h2>{t('admin.teams.title')}</h2>
      {readOnly ? null : (
        <form className="form-row form-row--end" noValidate onSubmit={onCreate} aria-describedby="team-create-error">
          <Field prefix="team-new" name="name" label={t('admin.teams.newName')} required />
          <button type="submit" className="button button--primary">
            {t('admin.teams.create')}
          </button>
        </form>
      )}
      <FormError id="team-create-error" error={create.error ? apiErrorText(t, create.error) : null} />
      {teams.isPending ? <p role="status">{t('app.loading')}</p> : null}
      <AdminTable
        caption={t('admin.teams.title')}
        columns={[
          t('admin.teams.name'),
          t('admin.teams.members'),
          t('admin.teams.state'),
          ...(readOnly ? [] : [t('admin.actions')]),
        ]}
      >
        {teams.data?.map((team) => (
          <TeamRow
            key={team.id}
            team={team}
            readOnly={readOnly}
            editing={editing === team.id}
            onEdit={() => setEditing(editing === team.id ? null : team.id)}
          />
        ))}
      </AdminTable>
    </div>
  );
}

function TeamRow({
  team,
  readOnly,
  editing,
  onEdit,
}: {
  team: TeamAdminDto;
  readOnly: boolean;
  editing: boolean;
  onEdit(): void;
}) {
  const { t } = useTranslation();
  const update = useUpdateTeam();
  const editButton = useRef<HTMLButtonElement>(null);
  return (
    <>
      <tr className={team.archived ? 'admin-table__row--muted' : undefined}>
        <th scope="row">{team.name}</th>
        <td>{team.memberIds.length}</td>
        <td>{team.archived ? t('admin.teams.archived') : t('admin.teams.active')}</td>
        {readOnly ? null : (
          <td className="admin-table__actions">
            <button
              type="button"
              className="button button--secondary button--small"
              ref={editButton}
              aria-expanded={editing}
              onClick={onEdit}
            >
              {t('admin.edit')}
              <span className="visually-hidden"> {team.name}</span>
            </button>
            <button
              type="button"
              className="button button--secondary button--small"
              onClick={() => update.mutate({ id: team.id, input: { archived: !team.archived } })}
            >
              {team.archived ? t('admin.teams.unarchive') : t('admin.teams.archive')}
              <span className="visually-hidden"> {team.name}</span>
            </button>
          </td>
        )}
      </tr>
      {editing ? (
        <tr>
          <td colSpan={4}>
            <TeamEditor
              team={team}
              onDone={() => {
                // Saved or cancelled: the keyboard goes back to the row's « Modifier ».
                editButton.current?.focus();
                onEdit();
              }}
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function TeamEditor({ team, onDone }: { team: TeamAdminDto; onDone(): void }) {
  const { t } = useTranslation();
  const update = useUpdateTeam();
  const agents = useAdminAgents();
  const town = useOrganizationSettings();
  const [ownHours, setOwnHours] = useState(team.openingHours !== null);
  const [localError, setLocalError] = useState<string | null>(null);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    let openingHours: OpeningHours | null = null;
    if (ownHours) {
      openingHours = {} as OpeningHours;
      for (const day of WEEKDAYS) {
        const slots = parseSlots(s(`hours-${day}`));
        if (!slots) return setLocalError(t('admin.organization.badHours', { day: t(`admin.weekdays.${day}`) }));
        openingHours[day] = slots;
      }
    }
    const responseTargets: Partial<Record<ChannelKind, ResponseTarget>> = {};
    for (const kind of CHANNEL_KINDS) {
      const amount = s(`target-${kind}`);
      if (!amount) continue;
      if (!/^\d+$/.test(amount) || +amount < 1 || +amount > 90)
        return setLocalError(t('admin.teams.badTarget', { channel: t(`channel.${kind}`) }));
      responseTargets[kind] = { amount: +amount, unit: s(`unit-${kind}`) === 'opening_hours' ? 'opening_hours' : 'opening_days' };
    }
    setLocalError(null);
    update.mutate(
      {
        id: team.id,
        input: {
          name: s('name'),
          description: s('description'),
          contact: { email: s('contactEmail'), phone: s('contactPhone') || undefined, address: s('contactAddress') || undefined },
          memberIds: f.getAll('members').map(String),
          openingHours,
          responseTargets,
          // Empty: the town's. Not sent while the field waits for the town's settings.
          signature: f.has('signature') ? String(f.get('signature')) : undefined,
        },
      },
      { onSuccess: onDone },
    );
  }
  const p = `team-${team.id.slice(0, 8)}`;
  const hours = team.openingHours ?? weekdayOpeningHours(DEFAULT_OPENING_HOURS);
  return (
    <form className="admin-form admin-form--inline" noValidate onSubmit={onSubmit} aria-describedby={`${p}-error`}>
      <Field prefix={p} name="name" label={t('admin.teams.name')} required defaultValue={team.name} />
      <TextArea name="description" label={t('admin.teams.description')} defaultValue={team.description ?? ''} />
      <div className="form-row">
        <Field
          prefix={p}
          name="contactEmail"
          label={t('admin.teams.contactEmail')}
          type="email"
          defaultValue={team.contact.email}
        />
        <Field
          prefix={p}
          name="contactPhone"
          label={t('admin.teams.contactPhone')}
          type="tel"
          defaultValue={team.contact.phone}
        />
      </div>
      <Field prefix={p} name="contactAddress" label={t('admin.teams.contactAddress')} defaultValue={team.contact.address} />
      <fieldset className="form-group">
        <legend>{t('admin.teams.members')}</legend>
        <div className="checkbox-grid">
          {agents.data
            ?.filter((a) => a.active)
            .map((a) => (
              <div className="field field--checkbox" key={a.id}>
                <input
                  id={`${p}-m-${a.id}`}
                  type="checkbox"
                  name="members"
                  value={a.id}
                  defaultChecked={team.memberIds.includes(a.id)}
                />
                <label htmlFor={`${p}-m-${a.id}`}>{a.name}</label>
              </div>
            ))}
        </div>
      </fieldset>
      <fieldset className="form-group">
        <legend>{t('admin.teams.hours')}</legend>
        <p className="field__hint" id={`${p}-hours-hint`}>
          {t('admin.teams.hoursFollow')}
        </p>
        <div className="field field--checkbox">
          <input
            id={`${p}-own-hours`}
            type="checkbox"
            checked={ownHours}
            onChange={(e) => setOwnHours(e.target.checked)}
            aria-describedby={`${p}-hours-hint`}
          />
          <label htmlFor={`${p}-own-hours`}>{t('admin.teams.ownHours')}</label>
        </div>
        {ownHours ? (
          <>
            <p className="field__hint">{t('admin.organization.hoursHint')}</p>
            {WEEKDAYS.map((day) => (
              <Field
                key={day}
                prefix={p}
                name={`hours-${day}`}
                label={t(`admin.weekdays.${day}`)}
                defaultValue={slotsText(hours[day])}
              />
            ))}
          </>
        ) : null}
      </fieldset>
      <fieldset className="form-group">
        <legend>{t('admin.teams.targets')}</legend>
        <p className="field__hint">{t('admin.teams.targetsHint')}</p>
        {CHANNEL_KINDS.map((kind) => {
          const own = team.responseTargets[kind];
          const fallback = DEFAULT_RESPONSE_TARGETS[kind];
          const channel = t(`channel.${kind}`);
          return (
            <div className="form-row" key={kind}>
              <div className="field">
                <label className="field__label" htmlFor={`${p}-target-${kind}`}>
                  {t('admin.teams.targetAmount', { channel })}
                </label>
                <input
                  id={`${p}-target-${kind}`}
                  className="field__input"
                  name={`target-${kind}`}
                  inputMode="numeric"
                  defaultValue={own ? String(own.amount) : ''}
                  placeholder={String(fallback.amount)}
                  aria-describedby={`${p}-target-${kind}-hint`}
                />
                <p className="field__hint" id={`${p}-target-${kind}-hint`}>
                  {t('admin.teams.targetDefault', { amount: fallback.amount, unit: t(`admin.teams.unit_${fallback.unit}`) })}
                </p>
              </div>
              <div className="field">
                <label className="field__label" htmlFor={`${p}-unit-${kind}`}>
                  {t('admin.teams.targetUnit', { channel })}
                </label>
                <select id={`${p}-unit-${kind}`} name={`unit-${kind}`} defaultValue={own?.unit ?? fallback.unit}>
                  {RESPONSE_TARGET_UNITS.map((unit) => (
                    <option key={unit} value={unit}>
                      {t(`admin.teams.unit_${unit}`)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          );
        })}
      </fieldset>
      {town.data ? (
        <SignatureField
          id={`${p}-signature`}
          label={t('admin.teams.signature')}
          defaultValue={team.signature ?? ''}
          fallback={town.data.signature}
          hint={(empty) => t(empty ? 'admin.teams.signatureFollows' : 'admin.teams.signatureOwn')}
          service={{ name: team.name, address: team.contact.address || town.data.address }}
          commune={town.data.name}
        />
      ) : null}
      <FormError id={`${p}-error`} error={localError ?? (update.error ? apiErrorText(t, update.error) : null)} />
      <EditorActions pending={update.isPending} onCancel={onDone} />
    </form>
  );
}
