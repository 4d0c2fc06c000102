import {
  ADMINISTRATION_KINDS,
  type AdministrationKind,
  type CreateAdministrationInput,
  type ExternalAdministrationDto,
} from '@guichet/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  useAdministrations,
  useCreateAdministration,
  useRemoveAdministration,
  useUpdateAdministration,
} from '../../hooks/use-administrations';
import { apiErrorText } from '../../lib/api-error-text';
import { AdministrationContact } from '../conversation/administration-contact';
import { FormError } from '../setup/public-card';
import { AdminTable, EditorActions, InlineEditor, NameField, RowButton } from './editor-parts';

/**
 * The town's directory of external administrations (CRPA L114-2): préfecture, CAF, département,
 * intercommunalité… Admins keep it; agents pick from it when they forward a request.
 */
export function AdministrationsSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const list = useAdministrations();
  const remove = useRemoveAdministration();
  const [editing, setEditing] = useState<ExternalAdministrationDto | 'new' | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const kindName = (k: AdministrationKind) => t(`admin.administrations.kinds.${k}`);

  return (
    <div className="admin-form">
      <h2>{t('admin.administrations.title')}</h2>
      <p className="field__hint">{t('admin.administrations.intro')}</p>
      {readOnly ? null : (
        <div className="admin-toolbar">
          <button
            type="button"
            className="button button--primary"
            aria-expanded={editing === 'new'}
            onClick={() => setEditing(editing === 'new' ? null : 'new')}
          >
            {t('admin.administrations.add')}
          </button>
        </div>
      )}
      {editing ? (
        <AdministrationEditor
          key={editing === 'new' ? 'new' : editing.id}
          entry={editing === 'new' ? null : editing}
          onDone={() => setEditing(null)}
        />
      ) : null}
      {list.isPending ? <p role="status">{t('app.loading')}</p> : null}
      <FormError id="administration-row-error" error={remove.error ? apiErrorText(t, remove.error) : null} />
      <AdminTable
        caption={t('admin.administrations.title')}
        columns={[
          t('admin.administrations.name'),
          t('admin.administrations.kind'),
          t('admin.administrations.contact'),
          ...(readOnly ? [] : [t('admin.actions')]),
        ]}
      >
        {list.data?.map((a) => (
          <tr key={a.id} data-testid="administration-row">
            <th scope="row">{a.name}</th>
            <td>{kindName(a.kind)}</td>
            <td>
              <AdministrationContact entry={a} />
            </td>
            {readOnly ? null : (
              <td className="admin-table__actions">
                <RowButton
                  aria-expanded={editing !== 'new' && editing?.id === a.id}
                  onClick={() => setEditing(editing !== 'new' && editing?.id === a.id ? null : a)}
                  label={t('admin.edit')}
                  name={a.name}
                />
                {confirming === a.id ? (
                  <RowButton
                    className="button button--danger button--small"
                    title={t('admin.administrations.removeHint')}
                    onClick={() => remove.mutate(a.id, { onSettled: () => setConfirming(null) })}
                    label={t('admin.administrations.confirmRemove')}
                    name={a.name}
                  />
                ) : (
                  <RowButton onClick={() => setConfirming(a.id)} label={t('admin.remove')} name={a.name} />
                )}
              </td>
            )}
          </tr>
        ))}
        {list.data && !list.data.length ? (
          <tr>
            <td colSpan={readOnly ? 3 : 4}>{t('admin.administrations.empty')}</td>
          </tr>
        ) : null}
      </AdminTable>
    </div>
  );
}

function AdministrationEditor({ entry, onDone }: { entry: ExternalAdministrationDto | null; onDone(): void }) {
  const { t } = useTranslation();
  const create = useCreateAdministration();
  const update = useUpdateAdministration();
  const mutation = entry ? update : create;
  const p = entry ? `administration-${entry.id.slice(0, 8)}` : 'administration-new';

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    const input: CreateAdministrationInput = {
      kind: s('kind') as AdministrationKind,
      name: s('name'),
      email: s('email'),
      address: s('address') || null,
      phone: s('phone') || null,
      website: s('website') || null,
    };
    if (entry) update.mutate({ id: entry.id, input }, { onSuccess: onDone });
    else create.mutate(input, { onSuccess: onDone });
  }

  const field = (name: 'email' | 'address' | 'phone' | 'website', type: string, required = false) => (
    <div className="field">
      <label className="field__label" htmlFor={`${p}-${name}`}>
        {t(`admin.administrations.${name}`)}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <input
        id={`${p}-${name}`}
        className="field__input"
        name={name}
        type={type}
        required={required}
        defaultValue={entry?.[name] ?? ''}
      />
    </div>
  );

  return (
    <InlineEditor
      idPrefix={p}
      heading={entry ? t('admin.administrations.editTitle', { name: entry.name }) : t('admin.administrations.newTitle')}
      onSubmit={onSubmit}
    >
      <NameField id={`${p}-name`} label={t('admin.administrations.name')} value={entry?.name} />
      <div className="field">
        <label className="field__label" htmlFor={`${p}-kind`}>
          {t('admin.administrations.kind')}
        </label>
        <select id={`${p}-kind`} className="field__input" name="kind" defaultValue={entry?.kind ?? 'prefecture'}>
          {ADMINISTRATION_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`admin.administrations.kinds.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="form-row">
        {field('email', 'email', true)}
        {field('phone', 'tel')}
      </div>
      {field('address', 'text')}
      {field('website', 'url')}
      <FormError id={`${p}-error`} error={mutation.error ? apiErrorText(t, mutation.error) : null} />
      <EditorActions pending={mutation.isPending} onCancel={onDone} />
    </InlineEditor>
  );
}
