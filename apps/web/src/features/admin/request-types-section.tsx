import {
  DEADLINE_UNITS,
  DECISION_REGIMES,
  type DeadlineUnit,
  type DecisionRegime,
  type RequestTypeDto,
} from '@guichet/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAdminRequestTypes, useAdminTeams, useCreateRequestType, useUpdateRequestType } from '../../hooks/use-admin';
import { apiErrorText } from '../../lib/api-error-text';
import { FormError } from '../setup/public-card';
import { AdminTable, EditorActions, InlineEditor, LinesField, NameField, RowButton } from './editor-parts';

/** « 2 mois », « 15 jours calendaires », « aucun délai ». */
export function useDeadlineText() {
  const { t } = useTranslation();
  return (type: Pick<RequestTypeDto, 'deadline'>) =>
    type.deadline
      ? t(`admin.requestTypes.units.${type.deadline.unit}`, { count: type.deadline.amount })
      : t('admin.requestTypes.noDeadline');
}

/**
 * The démarches of each service (issue 13): the name and the text citizens read on the form, the
 * legal regime (silence vaut acceptation / rejet / no implicit decision), the deadline, the documents
 * to provide and the R112-4 exception. Withdrawn démarches stay on the files that have them.
 */
export function RequestTypesSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const teams = useAdminTeams();
  const types = useAdminRequestTypes();
  const update = useUpdateRequestType();
  const deadlineText = useDeadlineText();
  const activeTeams = teams.data?.filter((team) => !team.archived) ?? [];
  const [teamId, setTeamId] = useState('');
  const [editing, setEditing] = useState<RequestTypeDto | 'new' | null>(null);
  const team = teamId || activeTeams[0]?.id || '';
  const shown = types.data?.filter((rt) => rt.teamId === team) ?? [];

  return (
    <div className="admin-form">
      <h2>{t('admin.requestTypes.title')}</h2>
      <p className="field__hint">{t('admin.requestTypes.intro')}</p>
      <div className="admin-toolbar">
        <div className="field">
          <label className="field__label" htmlFor="rt-team">
            {t('admin.requestTypes.team')}
          </label>
          <select
            id="rt-team"
            className="field__input"
            value={team}
            onChange={(e) => {
              setTeamId(e.target.value);
              setEditing(null);
            }}
          >
            {activeTeams.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        {readOnly ? null : (
          <button
            type="button"
            className="button button--primary"
            aria-expanded={editing === 'new'}
            onClick={() => setEditing(editing === 'new' ? null : 'new')}
          >
            {t('admin.requestTypes.create')}
          </button>
        )}
      </div>
      {editing && team ? (
        <RequestTypeEditor
          key={editing === 'new' ? 'new' : editing.id}
          teamId={team}
          type={editing === 'new' ? null : editing}
          onDone={() => setEditing(null)}
        />
      ) : null}
      {types.isPending ? <p role="status">{t('app.loading')}</p> : null}
      <FormError id="rt-row-error" error={update.error ? apiErrorText(t, update.error) : null} />
      <AdminTable
        caption={t('admin.requestTypes.title')}
        columns={[
          t('admin.requestTypes.name'),
          t('admin.requestTypes.regime'),
          t('admin.requestTypes.deadline'),
          t('admin.requestTypes.documents'),
          t('admin.requestTypes.acknowledgement'),
          ...(readOnly ? [] : [t('admin.actions')]),
        ]}
      >
        {shown.map((rt) => (
          <tr key={rt.id} className={rt.active ? undefined : 'admin-table__row--muted'}>
            <th scope="row">
              {rt.name}
              {rt.active ? null : <span className="field__hint"> ({t('admin.requestTypes.withdrawn')})</span>}
            </th>
            <td>{t(`admin.requestTypes.regimes.${rt.decisionRegime}`)}</td>
            <td>{deadlineText(rt)}</td>
            <td>{rt.documents.length ? rt.documents.join(', ') : '—'}</td>
            <td>{rt.acknowledgementExempt ? t('admin.requestTypes.exemptShort') : t('admin.requestTypes.sent')}</td>
            {readOnly ? null : (
              <td className="admin-table__actions">
                <RowButton
                  aria-expanded={editing !== 'new' && editing?.id === rt.id}
                  onClick={() => setEditing(editing !== 'new' && editing?.id === rt.id ? null : rt)}
                  label={t('admin.edit')}
                  name={rt.name}
                />
                <RowButton
                  onClick={() => update.mutate({ id: rt.id, input: { active: !rt.active } })}
                  label={rt.active ? t('admin.requestTypes.withdraw') : t('admin.requestTypes.restore')}
                  name={rt.name}
                />
              </td>
            )}
          </tr>
        ))}
        {types.data && !shown.length ? (
          <tr>
            <td colSpan={readOnly ? 5 : 6}>{t('admin.requestTypes.empty')}</td>
          </tr>
        ) : null}
      </AdminTable>
    </div>
  );
}

function RequestTypeEditor({ teamId, type, onDone }: { teamId: string; type: RequestTypeDto | null; onDone(): void }) {
  const { t } = useTranslation();
  const create = useCreateRequestType();
  const update = useUpdateRequestType();
  const mutation = type ? update : create;
  const [regime, setRegime] = useState<DecisionRegime>(type?.decisionRegime ?? 'none');
  const p = type ? `rt-${type.id.slice(0, 8)}` : 'rt-new';

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    const amount = s('amount');
    const input = {
      name: s('name'),
      description: s('description'),
      decisionRegime: regime,
      // An empty or unreadable amount is sent as is: the API says why in French.
      deadline: amount ? { amount: Number(amount), unit: s('unit') as DeadlineUnit } : null,
      documents: s('documents')
        .split('\n')
        .map((d) => d.trim())
        .filter(Boolean),
      acknowledgementExempt: f.get('exempt') === 'on',
    };
    if (type) update.mutate({ id: type.id, input }, { onSuccess: onDone });
    else create.mutate({ teamId, ...input }, { onSuccess: onDone });
  }

  return (
    <InlineEditor
      idPrefix={p}
      heading={type ? t('admin.requestTypes.editTitle', { name: type.name }) : t('admin.requestTypes.newTitle')}
      onSubmit={onSubmit}
    >
      <NameField id={`${p}-name`} label={t('admin.requestTypes.name')} value={type?.name} />
      <div className="field">
        <label className="field__label" htmlFor={`${p}-description`}>
          {t('admin.requestTypes.description')}
        </label>
        <textarea id={`${p}-description`} className="field__input" name="description" rows={3} defaultValue={type?.description} />
      </div>
      <fieldset className="form-group">
        <legend>{t('admin.requestTypes.regime')}</legend>
        {DECISION_REGIMES.map((r) => (
          <div className="field field--checkbox" key={r}>
            <input
              id={`${p}-regime-${r}`}
              type="radio"
              name="regime"
              value={r}
              checked={regime === r}
              onChange={() => setRegime(r)}
            />
            <label htmlFor={`${p}-regime-${r}`}>{t(`admin.requestTypes.regimes.${r}`)}</label>
          </div>
        ))}
      </fieldset>
      <fieldset className="form-group">
        <legend>{t('admin.requestTypes.deadline')}</legend>
        <p className="field__hint" id={`${p}-deadline-hint`}>
          {t('admin.requestTypes.deadlineHint')}
        </p>
        <div className="form-row">
          <div className="field">
            <label className="field__label" htmlFor={`${p}-amount`}>
              {t('admin.requestTypes.amount')}
            </label>
            <input
              id={`${p}-amount`}
              className="field__input"
              name="amount"
              type="number"
              min={1}
              inputMode="numeric"
              aria-describedby={`${p}-deadline-hint`}
              defaultValue={type?.deadline?.amount}
            />
          </div>
          <div className="field">
            <label className="field__label" htmlFor={`${p}-unit`}>
              {t('admin.requestTypes.unit')}
            </label>
            <select id={`${p}-unit`} className="field__input" name="unit" defaultValue={type?.deadline?.unit ?? 'months'}>
              {DEADLINE_UNITS.map((u) => (
                <option key={u} value={u}>
                  {t(`admin.requestTypes.unitNames.${u}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
      </fieldset>
      <LinesField
        id={`${p}-documents`}
        name="documents"
        label={t('admin.requestTypes.documents')}
        hint={t('admin.requestTypes.documentsHint')}
        rows={4}
        lines={type?.documents}
      />
      <div className="field field--checkbox">
        <input id={`${p}-exempt`} type="checkbox" name="exempt" defaultChecked={type?.acknowledgementExempt} />
        <label htmlFor={`${p}-exempt`}>{t('admin.requestTypes.exempt')}</label>
      </div>
      <FormError id={`${p}-error`} error={mutation.error ? apiErrorText(t, mutation.error) : null} />
      <EditorActions pending={mutation.isPending} onCancel={onDone} />
    </InlineEditor>
  );
}
