import {
  CANNED_VARIABLES,
  renderTemplate,
  templateProblems,
  type CannedReplyDto,
  type CannedVariable,
  type MeDto,
} from '@guichet/contracts';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAdminTeams } from '../../hooks/use-admin';
import {
  useCannedReplies,
  useCreateCannedReply,
  useRemoveCannedReply,
  useUpdateCannedReply,
} from '../../hooks/use-canned-replies';
import { apiErrorText } from '../../lib/api-error-text';
import { FormError } from '../setup/public-card';
import { AdminTable, EditorActions, InlineEditor, NameField, RowButton } from './editor-parts';

/** « Tous », the organization-wide replies only, or one service's. */
type Scope = 'all' | 'organization' | string;

/**
 * Canned replies (réponses types, issue 13): supervisors and admins write them for one service or
 * the whole organization, with variables the composer fills from the conversation (the citizen's
 * name, the reference, the démarche, the decision date, the tracking link, the agent, the service).
 */
export function CannedRepliesSection({ me }: { readOnly: boolean; me: MeDto }) {
  const { t } = useTranslation();
  const teams = useAdminTeams();
  const replies = useCannedReplies(null);
  const remove = useRemoveCannedReply();
  const [scope, setScope] = useState<Scope>('all');
  const [editing, setEditing] = useState<CannedReplyDto | 'new' | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  // Agents read them in the composer; writing them is for supervisors and admins, as the API.
  const mayEdit = me.role !== 'agent';
  const teamName = (id: string | null) =>
    id ? (teams.data?.find((s) => s.id === id)?.name ?? '—') : t('admin.canned.organizationWide');
  const shown =
    replies.data?.filter((r) => (scope === 'all' ? true : scope === 'organization' ? r.teamId === null : r.teamId === scope)) ??
    [];

  return (
    <div className="admin-form">
      <h2>{t('admin.canned.title')}</h2>
      <p className="field__hint">{t('admin.canned.intro')}</p>
      <div className="admin-toolbar">
        <div className="field">
          <label className="field__label" htmlFor="canned-scope">
            {t('admin.canned.show')}
          </label>
          <select id="canned-scope" className="field__input" value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="all">{t('admin.canned.allScopes')}</option>
            <option value="organization">{t('admin.canned.organizationWide')}</option>
            {teams.data
              ?.filter((s) => !s.archived)
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
          </select>
        </div>
        {mayEdit ? (
          <button
            type="button"
            className="button button--primary"
            aria-expanded={editing === 'new'}
            onClick={() => setEditing(editing === 'new' ? null : 'new')}
          >
            {t('admin.canned.create')}
          </button>
        ) : null}
      </div>
      {editing ? (
        <CannedReplyEditor
          key={editing === 'new' ? 'new' : editing.id}
          reply={editing === 'new' ? null : editing}
          defaultTeamId={scope === 'all' || scope === 'organization' ? null : scope}
          teams={teams.data?.filter((s) => !s.archived) ?? []}
          onDone={() => setEditing(null)}
        />
      ) : null}
      {replies.isPending ? <p role="status">{t('app.loading')}</p> : null}
      <FormError id="canned-row-error" error={remove.error ? apiErrorText(t, remove.error) : null} />
      <AdminTable
        caption={t('admin.canned.title')}
        columns={[
          t('admin.canned.name'),
          t('admin.canned.scope'),
          t('admin.canned.body'),
          ...(mayEdit ? [t('admin.actions')] : []),
        ]}
      >
        {shown.map((r) => (
          <tr key={r.id}>
            <th scope="row">{r.title}</th>
            <td>{teamName(r.teamId)}</td>
            <td className="admin-table__excerpt">{r.body.length > 140 ? `${r.body.slice(0, 140)}…` : r.body}</td>
            {mayEdit ? (
              <td className="admin-table__actions">
                <RowButton
                  aria-expanded={editing !== 'new' && editing?.id === r.id}
                  onClick={() => setEditing(editing !== 'new' && editing?.id === r.id ? null : r)}
                  label={t('admin.edit')}
                  name={r.title}
                />
                {confirming === r.id ? (
                  <RowButton
                    className="button button--danger button--small"
                    onClick={() => remove.mutate(r.id, { onSettled: () => setConfirming(null) })}
                    label={t('admin.canned.confirmRemove')}
                    name={r.title}
                  />
                ) : (
                  <RowButton onClick={() => setConfirming(r.id)} label={t('admin.canned.remove')} name={r.title} />
                )}
              </td>
            ) : null}
          </tr>
        ))}
        {replies.data && !shown.length ? (
          <tr>
            <td colSpan={mayEdit ? 4 : 3}>{t('admin.canned.empty')}</td>
          </tr>
        ) : null}
      </AdminTable>
    </div>
  );
}

function CannedReplyEditor({
  reply,
  defaultTeamId,
  teams,
  onDone,
}: {
  reply: CannedReplyDto | null;
  defaultTeamId: string | null;
  teams: { id: string; name: string }[];
  onDone(): void;
}) {
  const { t } = useTranslation();
  const create = useCreateCannedReply();
  const update = useUpdateCannedReply();
  const mutation = reply ? update : create;
  const [body, setBody] = useState(reply?.body ?? '');
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const p = reply ? `canned-${reply.id.slice(0, 8)}` : 'canned-new';
  const problems = templateProblems(body, CANNED_VARIABLES);
  const example: Record<CannedVariable, string> = {
    usager: 'Marie Dupont',
    reference: 'GU-7K3M9Q',
    demarche: t('admin.canned.example.type'),
    date_decision: '15 mars 2027',
    date_reponse: '22 janvier 2027',
    lien_suivi: `${window.location.origin}/suivi/GU-7K3M9Q?token=…`,
    agent: 'Camille Martin',
    service: t('admin.canned.example.service'),
  };

  /** The variable goes where the caret is, and the caret after it. */
  function insertVariable(name: string) {
    const el = bodyRef.current;
    const token = `{{${name}}}`;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? body.length;
    setBody(body.slice(0, start) + token + body.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const teamId = String(f.get('team') ?? '') || null;
    const input = { title: String(f.get('name') ?? '').trim(), teamId, body };
    if (reply) update.mutate({ id: reply.id, input }, { onSuccess: onDone });
    else create.mutate(input, { onSuccess: onDone });
  }

  return (
    <InlineEditor
      idPrefix={p}
      heading={reply ? t('admin.canned.editTitle', { name: reply.title }) : t('admin.canned.newTitle')}
      onSubmit={onSubmit}
    >
      <NameField id={`${p}-name`} label={t('admin.canned.name')} value={reply?.title} />
      <div className="field">
        <label className="field__label" htmlFor={`${p}-team`}>
          {t('admin.canned.scope')}
        </label>
        <select
          id={`${p}-team`}
          className="field__input"
          name="team"
          defaultValue={reply ? (reply.teamId ?? '') : (defaultTeamId ?? '')}
        >
          <option value="">{t('admin.canned.organizationWide')}</option>
          {teams.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${p}-body`}>
          {t('admin.canned.body')}
          <span aria-hidden="true"> *</span>
        </label>
        <p className="field__hint" id={`${p}-body-hint`}>
          {t('admin.canned.bodyHint')}
        </p>
        <textarea
          id={`${p}-body`}
          ref={bodyRef}
          className="field__input"
          rows={8}
          required
          value={body}
          aria-describedby={`${p}-body-hint`}
          onChange={(e) => setBody(e.target.value)}
        />
      </div>
      <div className="canned-variables" role="group" aria-label={t('admin.canned.insertVariable')}>
        {(Object.entries(CANNED_VARIABLES) as [CannedVariable, string][]).map(([name, meaning]) => (
          <button
            key={name}
            type="button"
            className="button button--secondary button--small"
            title={meaning}
            onClick={() => insertVariable(name)}
          >
            <code>{`{{${name}}}`}</code>
            <span className="visually-hidden"> : {meaning}</span>
          </button>
        ))}
      </div>
      <section aria-labelledby={`${p}-preview-title`}>
        <h4 id={`${p}-preview-title`}>{t('admin.canned.preview')}</h4>
        <pre className="admin-mail-text" data-testid="canned-preview">
          {problems.length ? '' : renderTemplate(body, example)}
        </pre>
      </section>
      <FormError
        id={`${p}-error`}
        error={problems.length ? problems.join(' ; ') : mutation.error ? apiErrorText(t, mutation.error) : null}
      />
      <EditorActions pending={mutation.isPending} onCancel={onDone} />
    </InlineEditor>
  );
}
