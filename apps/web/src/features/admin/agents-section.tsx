import { AGENT_ROLES, type AgentAdminDto, type AgentRole, type MeDto, type TeamAdminDto } from '@guichet/contracts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAdminAgents, useAdminTeams, useInviteAgent, useSendPasswordLink, useUpdateAgent } from '../../hooks/use-admin';
import { apiErrorText } from '../../lib/api-error-text';
import { Field, FormError } from '../setup/public-card';
import { AdminTable, EditorActions } from './editor-parts';

/**
 * Agents: invite by e-mail, role, services and capacity (changed in the list too), deactivate and
 * reactivate, send a new link.
 * An admin may change their own role too while another admin remains (the API refuses the last one's).
 */
export function AgentsSection({ readOnly, me }: { readOnly: boolean; me: MeDto }) {
  const { t } = useTranslation();
  const agents = useAdminAgents();
  const teams = useAdminTeams();
  const invite = useInviteAgent();
  const update = useUpdateAgent();
  const link = useSendPasswordLink();
  // What the last change of a row did (a link sent, services saved), said above the list.
  const [notice, setNotice] = useState<string | null>(null);
  const teamName = new Map(teams.data?.map((team) => [team.id, team.name]));

  function onInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (invite.isPending) return;
    const form = event.currentTarget;
    const f = new FormData(form);
    invite.mutate(
      {
        name: String(f.get('name') ?? '').trim(),
        email: String(f.get('email') ?? '').trim(),
        role: String(f.get('role')) as AgentRole,
        teamIds: f.getAll('teamIds').map(String),
        capacity: Number(f.get('capacity') ?? 10),
      },
      { onSuccess: () => form.reset() },
    );
  }

  const error = invite.error ?? update.error ?? link.error;
  return (
    <div className="admin-form">
      <h2>{t('admin.agents.title')}</h2>
      {readOnly ? null : (
        <form className="admin-form admin-form--inline" noValidate onSubmit={onInvite} aria-describedby="agent-invite-error">
          <h3>{t('admin.agents.invite')}</h3>
          <p className="field__hint">{t('admin.agents.inviteHint')}</p>
          <div className="form-row">
            <Field prefix="invite" name="name" label={t('admin.agents.name')} required autoComplete="off" />
            <Field prefix="invite" name="email" label={t('admin.agents.email')} type="email" required autoComplete="off" />
          </div>
          <div className="form-row">
            <div className="field">
              <label className="field__label" htmlFor="invite-role">
                {t('admin.agents.role')}
              </label>
              <select id="invite-role" name="role" className="field__input" defaultValue="agent">
                {AGENT_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`roles.${r}`)}
                  </option>
                ))}
              </select>
            </div>
            <Field prefix="invite" name="capacity" label={t('admin.agents.capacity')} type="number" defaultValue="10" />
          </div>
          <fieldset className="form-group">
            <legend>{t('admin.agents.teams')}</legend>
            <div className="checkbox-grid">
              {teams.data
                ?.filter((team) => !team.archived)
                .map((team) => (
                  <div className="field field--checkbox" key={team.id}>
                    <input id={`invite-team-${team.id}`} type="checkbox" name="teamIds" value={team.id} />
                    <label htmlFor={`invite-team-${team.id}`}>{team.name}</label>
                  </div>
                ))}
            </div>
          </fieldset>
          <button type="submit" className="button button--primary" aria-disabled={invite.isPending || undefined}>
            {invite.isPending ? t('admin.agents.inviting') : t('admin.agents.sendInvitation')}
          </button>
        </form>
      )}
      <FormError id="agent-invite-error" error={error ? apiErrorText(t, error) : null} />
      {notice ? (
        <p className="notice notice--success" role="status">
          {notice}
        </p>
      ) : null}
      {invite.isSuccess ? (
        <p className="notice notice--success" role="status">
          {t('admin.agents.invited', { email: invite.data.email })}
        </p>
      ) : null}
      <AdminTable
        caption={t('admin.agents.title')}
        columns={[
          t('admin.agents.name'),
          t('admin.agents.role'),
          t('admin.agents.teams'),
          t('admin.agents.capacity'),
          t('admin.agents.state'),
          ...(readOnly ? [] : [t('admin.actions')]),
        ]}
      >
        {agents.data?.map((a: AgentAdminDto) => (
          <tr key={a.id} className={a.active ? undefined : 'admin-table__row--muted'}>
            <th scope="row">
              {a.name}
              <br />
              <span className="admin-table__sub">{a.email}</span>
            </th>
            <td>
              {readOnly || !a.active ? (
                t(`roles.${a.role}`)
              ) : (
                <select
                  className="field__input field__input--compact field__input--role"
                  aria-label={t('admin.agents.roleOf', { name: a.name })}
                  value={a.role}
                  onChange={(e) => update.mutate({ id: a.id, input: { role: e.target.value as AgentRole } })}
                >
                  {AGENT_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`roles.${r}`)}
                    </option>
                  ))}
                </select>
              )}
            </td>
            <td>
              {a.teamIds.map((id) => teamName.get(id) ?? '—').join(', ') || '—'}
              {readOnly || !a.active ? null : (
                <AgentTeams
                  agent={a}
                  teams={teams.data ?? []}
                  pending={update.isPending}
                  save={(teamIds, done) =>
                    update.mutate(
                      { id: a.id, input: { teamIds } },
                      {
                        onSuccess: () => {
                          setNotice(t('admin.agents.teamsSaved', { name: a.name }));
                          done();
                        },
                      },
                    )
                  }
                />
              )}
            </td>
            <td>
              {readOnly || !a.active ? (
                a.capacity
              ) : (
                <CapacityField
                  agent={a}
                  label={`${t('admin.agents.capacity')} — ${a.name}`}
                  save={(capacity, onError) => update.mutate({ id: a.id, input: { capacity } }, { onError })}
                />
              )}
            </td>
            <td>{!a.active ? t('admin.agents.inactive') : a.invited ? t('admin.agents.pending') : t('admin.agents.active')}</td>
            {readOnly ? null : (
              <td className="admin-table__actions">
                {a.id === me.id ? (
                  // The admin's own row: no deactivation (they would lock themselves out); the API
                  // also keeps the town's last active admin, shown when the role is changed.
                  <span className="admin-table__sub">{t('admin.agents.selfNote')}</span>
                ) : (
                  <button
                    type="button"
                    className="button button--secondary button--small"
                    onClick={() => update.mutate({ id: a.id, input: { active: !a.active } })}
                  >
                    {a.active ? t('admin.agents.deactivate') : t('admin.agents.reactivate')}
                    <span className="visually-hidden"> {a.name}</span>
                  </button>
                )}
                {a.active ? (
                  <button
                    type="button"
                    className="button button--secondary button--small"
                    onClick={() =>
                      link.mutate(a.id, {
                        onSuccess: () =>
                          setNotice(
                            t(a.invited ? 'admin.agents.invitationResent' : 'admin.agents.resetSent', { email: a.email }),
                          ),
                      })
                    }
                  >
                    {a.invited ? t('admin.agents.resendInvitation') : t('admin.agents.sendReset')}
                    <span className="visually-hidden"> {a.name}</span>
                  </button>
                ) : null}
              </td>
            )}
          </tr>
        ))}
      </AdminTable>
    </div>
  );
}

/**
 * An agent's capacity, saved when the field is left (or on Enter); a refused number (the reason is
 * said above the list) gives way to the saved capacity again. The list refetched meanwhile (after a
 * save, another admin's change) updates the field unless the admin is typing in it.
 */
function CapacityField({
  agent,
  label,
  save,
}: {
  agent: AgentAdminDto;
  label: string;
  save: (capacity: number, onError: () => void) => void;
}) {
  const [value, setValue] = useState(String(agent.capacity));
  const input = useRef<HTMLInputElement>(null);
  // The saved capacity when a refusal comes back: the list may have been refetched since the blur
  // (after the previous save), and the blur's own render would put back the capacity before it.
  const saved = useRef(agent.capacity);
  useEffect(() => {
    saved.current = agent.capacity;
    if (document.activeElement !== input.current) setValue(String(agent.capacity));
  }, [agent.capacity]);
  return (
    <input
      ref={input}
      type="number"
      min={0}
      max={1000}
      className="field__input field__input--compact field__input--number"
      aria-label={label}
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') e.currentTarget.blur();
      }}
      onBlur={(e) => {
        const capacity = e.currentTarget.valueAsNumber;
        if (Number.isNaN(capacity) || capacity === agent.capacity) return setValue(String(agent.capacity));
        save(capacity, () => setValue(String(saved.current)));
      }}
    />
  );
}

/**
 * An agent's services, changed from their row (as from Services › Modifier › Membres): « Modifier »
 * (heard « Modifier les services de … ») opens them as checkboxes, the first taking the focus; « Enregistrer », « Annuler »
 * or Échap give the keyboard back to the button. An archived service the agent is still in is
 * listed, marked, so that saving keeps it unless the admin unticks it.
 */
function AgentTeams({
  agent,
  teams,
  pending,
  save,
}: {
  agent: AgentAdminDto;
  teams: TeamAdminDto[];
  pending: boolean;
  save: (teamIds: string[], done: () => void) => void;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const group = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (open) group.current?.querySelector('input')?.focus();
  }, [open]);
  const close = () => {
    toggle.current?.focus();
    setOpen(false);
  };
  const id = `agent-teams-${agent.id}`;
  return (
    <>
      <br />
      <button
        ref={toggle}
        type="button"
        className="button button--secondary button--small"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen(!open)}
      >
        {t('admin.edit')}
        <span className="visually-hidden"> {t('admin.agents.editTeamsOf', { name: agent.name })}</span>
      </button>
      {open ? (
        <form
          id={id}
          className="admin-form admin-form--inline"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (!pending) save(new FormData(e.currentTarget).getAll('teamIds').map(String), close);
          }}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.preventDefault();
            close();
          }}
        >
          <fieldset className="form-group" ref={group}>
            <legend>{t('admin.agents.teamsOf', { name: agent.name })}</legend>
            <div className="checkbox-grid">
              {teams
                .filter((team) => !team.archived || agent.teamIds.includes(team.id))
                .map((team) => (
                  <div className="field field--checkbox" key={team.id}>
                    <input
                      id={`${id}-${team.id}`}
                      type="checkbox"
                      name="teamIds"
                      value={team.id}
                      defaultChecked={agent.teamIds.includes(team.id)}
                    />
                    <label htmlFor={`${id}-${team.id}`}>
                      {team.archived ? t('admin.agents.archivedTeam', { name: team.name }) : team.name}
                    </label>
                  </div>
                ))}
            </div>
          </fieldset>
          <EditorActions pending={pending} onCancel={close} />
        </form>
      ) : null}
    </>
  );
}
