import {
  CHANNEL_KINDS,
  PRIORITIES,
  type ChannelKind,
  type CreateRoutingRuleInput,
  type Priority,
  type RoutingActionKey,
  type RoutingConditionKey,
  type RoutingDryRunDto,
  type RoutingOutcome,
  type RoutingRuleDto,
} from '@guichet/contracts';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/admin';
import type { ApiError } from '../../api/client';
import {
  useAdminAgents,
  useAdminRequestTypes,
  useAdminTeams,
  useCreateRoutingRule,
  useRemoveRoutingRule,
  useRoutingRules,
  useUpdateRoutingRule,
} from '../../hooks/use-admin';
import { useAdminChannels } from '../../hooks/use-channels-admin';
import { useLabels } from '../../hooks/use-labels';
import { apiErrorText } from '../../lib/api-error-text';
import { FormError } from '../setup/public-card';
import { EditorActions, InlineEditor, LinesField, NameField, RowButton } from './editor-parts';

/** Names of the things rules point at, to write a rule in words. */
function useDirectory() {
  const teams = useAdminTeams();
  const agents = useAdminAgents();
  const types = useAdminRequestTypes();
  const channels = useAdminChannels();
  const labels = useLabels();
  const name = (list: { id: string; name: string }[] | undefined, id: string) => list?.find((x) => x.id === id)?.name ?? '?';
  return {
    teams: teams.data?.filter((x) => !x.archived) ?? [],
    agents: agents.data?.filter((x) => x.active) ?? [],
    types: types.data?.filter((x) => x.active) ?? [],
    channels: channels.data ?? [],
    labels: labels.data ?? [],
    team: (id: string) => name(teams.data, id),
    agent: (id: string) => name(agents.data, id),
    type: (id: string) => name(types.data, id),
    channel: (id: string) => name(channels.data, id),
    label: (id: string) => name(labels.data, id),
  };
}

/** « Canal : SMS ; mots : voirie, trottoir » → « Service : Services techniques ; priorité : Urgente ». */
function useRuleText() {
  const { t } = useTranslation();
  const d = useDirectory();
  const list = (xs: string[]) => xs.join(', ');
  return {
    conditions(rule: RoutingRuleDto): string {
      const c = rule.conditions;
      const parts = [
        c.channelKinds && `${t('admin.routing.when.channelKinds')} : ${list(c.channelKinds.map((k) => t(`channel.${k}`)))}`,
        c.channelIds && `${t('admin.routing.when.channelIds')} : ${list(c.channelIds.map(d.channel))}`,
        c.requestTypeIds && `${t('admin.routing.when.requestTypeIds')} : ${list(c.requestTypeIds.map(d.type))}`,
        c.words && `${t('admin.routing.when.words')} : ${list(c.words.map((w) => `« ${w} »`))}`,
        c.knownToTeamId && `${t('admin.routing.when.knownToTeamId')} : ${d.team(c.knownToTeamId)}`,
      ].filter(Boolean);
      return parts.length ? parts.join(' ; ') : t('admin.routing.always');
    },
    actions(rule: RoutingRuleDto): string {
      const a = rule.actions;
      return [
        a.teamId && `${t('admin.routing.then.teamId')} : ${d.team(a.teamId)}`,
        a.requestTypeId && `${t('admin.routing.then.requestTypeId')} : ${d.type(a.requestTypeId)}`,
        a.priority && `${t('admin.routing.then.priority')} : ${t(`priority.${a.priority}`)}`,
        a.assigneeId && `${t('admin.routing.then.assigneeId')} : ${d.agent(a.assigneeId)}`,
        a.labelIds && `${t('admin.routing.then.labelIds')} : ${list(a.labelIds.map(d.label))}`,
      ]
        .filter(Boolean)
        .join(' ; ');
    },
  };
}

/**
 * Routing (issue 13): the rules tried in order on every new conversation, edited and moved from the
 * keyboard, and a dry run telling which rule a pasted message would take. Administrators only (as the API).
 */
export function RoutingSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  if (readOnly) return <p>{t('admin.routing.adminsOnly')}</p>;
  return (
    <div className="admin-form">
      <h2>{t('admin.routing.title')}</h2>
      <p className="field__hint">{t('admin.routing.intro')}</p>
      <RuleList />
      <DryRun />
    </div>
  );
}

function RuleList() {
  const { t } = useTranslation();
  const rules = useRoutingRules();
  const update = useUpdateRoutingRule();
  const remove = useRemoveRoutingRule();
  const text = useRuleText();
  const [editing, setEditing] = useState<RoutingRuleDto | 'new' | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  // After a move the list is re-drawn: the button that moved the rule keeps the focus.
  const [refocus, setRefocus] = useState<string | null>(null);
  useEffect(() => {
    if (!refocus) return;
    const button = document.getElementById(refocus);
    if (button && !button.hasAttribute('disabled')) button.focus();
    else document.getElementById(refocus.replace(/^rule-(up|down)/, 'rule-edit'))?.focus();
  }, [rules.data, refocus]);
  const error = update.error ?? remove.error;
  const all = rules.data ?? [];

  const move = (rule: RoutingRuleDto, by: -1 | 1) => {
    setRefocus(`rule-${by < 0 ? 'up' : 'down'}-${rule.id}`);
    update.mutate({ id: rule.id, input: { position: rule.position + by } });
  };

  return (
    <section aria-labelledby="routing-rules-title">
      <div className="admin-toolbar">
        <h3 id="routing-rules-title">{t('admin.routing.rules')}</h3>
        <button
          type="button"
          className="button button--primary"
          aria-expanded={editing === 'new'}
          onClick={() => setEditing(editing === 'new' ? null : 'new')}
        >
          {t('admin.routing.create')}
        </button>
      </div>
      {editing === 'new' ? <RuleEditor rule={null} onDone={() => setEditing(null)} /> : null}
      {rules.isPending ? <p role="status">{t('app.loading')}</p> : null}
      {rules.data && !all.length ? <p>{t('admin.routing.empty')}</p> : null}
      <FormError id="routing-rules-error" error={error ? apiErrorText(t, error) : null} />
      <ol className="admin-rules" aria-labelledby="routing-rules-title">
        {all.map((rule, i) => (
          <li key={rule.id} className={rule.enabled ? 'admin-rule' : 'admin-rule admin-rule--off'}>
            <div className="admin-rule__text">
              <strong>{rule.name}</strong>
              {rule.enabled ? null : <span> ({t('admin.routing.disabled')})</span>}
              <p>
                <span className="admin-rule__keyword">{t('admin.routing.if')}</span> {text.conditions(rule)}
              </p>
              <p>
                <span className="admin-rule__keyword">{t('admin.routing.then.label')}</span> {text.actions(rule)}
              </p>
            </div>
            <div className="admin-table__actions">
              <RowButton
                id={`rule-up-${rule.id}`}
                disabled={i === 0}
                onClick={() => move(rule, -1)}
                label={t('admin.routing.up')}
                name={rule.name}
              />
              <RowButton
                id={`rule-down-${rule.id}`}
                disabled={i === all.length - 1}
                onClick={() => move(rule, 1)}
                label={t('admin.routing.down')}
                name={rule.name}
              />
              <RowButton
                id={`rule-edit-${rule.id}`}
                aria-expanded={editing !== 'new' && editing?.id === rule.id}
                onClick={() => setEditing(editing !== 'new' && editing?.id === rule.id ? null : rule)}
                label={t('admin.edit')}
                name={rule.name}
              />
              <RowButton
                onClick={() => update.mutate({ id: rule.id, input: { enabled: !rule.enabled } })}
                label={rule.enabled ? t('admin.routing.disable') : t('admin.routing.enable')}
                name={rule.name}
              />
              <RowButton
                onClick={() => {
                  if (confirming !== rule.id) return setConfirming(rule.id);
                  setConfirming(null);
                  remove.mutate(rule.id);
                }}
                onBlur={() => setConfirming(null)}
                label={confirming === rule.id ? t('admin.routing.confirmRemove') : t('admin.routing.remove')}
                name={rule.name}
              />
            </div>
            {editing !== 'new' && editing?.id === rule.id ? (
              <RuleEditor key={rule.id} rule={rule} onDone={() => setEditing(null)} />
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

const lines = (s: string) =>
  s
    .split(/[\n,;]/)
    .map((w) => w.trim())
    .filter(Boolean);
const nonEmpty = <T,>(xs: T[]): T[] | undefined => (xs.length ? xs : undefined);

function RuleEditor({ rule, onDone }: { rule: RoutingRuleDto | null; onDone(): void }) {
  const { t } = useTranslation();
  const d = useDirectory();
  const create = useCreateRoutingRule();
  const update = useUpdateRoutingRule();
  const mutation = rule ? update : create;
  const p = rule ? `rule-${rule.id.slice(0, 8)}` : 'rule-new';
  const c = rule?.conditions ?? {};
  const a = rule?.actions ?? {};

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    const all = (k: string) => f.getAll(k).map(String);
    const input: CreateRoutingRuleInput = {
      name: s('name'),
      enabled: f.get('enabled') === 'on',
      conditions: {
        channelKinds: nonEmpty(all('channelKinds') as ChannelKind[]),
        channelIds: nonEmpty(all('channelIds')),
        requestTypeIds: nonEmpty(all('requestTypeIds')),
        words: nonEmpty(lines(s('words'))),
        knownToTeamId: s('knownToTeamId') || undefined,
      },
      actions: {
        teamId: s('teamId') || undefined,
        requestTypeId: s('requestTypeId') || undefined,
        priority: (s('priority') || undefined) as Priority | undefined,
        assigneeId: s('assigneeId') || undefined,
        labelIds: nonEmpty(all('labelIds')),
      },
    };
    if (rule) update.mutate({ id: rule.id, input }, { onSuccess: onDone });
    else create.mutate(input, { onSuccess: onDone });
  }

  const select = (
    name: string,
    label: string,
    value: string | undefined,
    options: { id: string; name: string }[],
    empty: string = t('admin.routing.unchanged'),
  ) => (
    <div className="field">
      <label className="field__label" htmlFor={`${p}-${name}`}>
        {label}
      </label>
      <select id={`${p}-${name}`} className="field__input" name={name} defaultValue={value ?? ''}>
        <option value="">{empty}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  );
  const checkboxes = (name: string, legend: string, checked: string[] | undefined, options: { id: string; name: string }[]) => (
    <fieldset className="form-group">
      <legend>{legend}</legend>
      {options.length ? null : <p className="field__hint">{t('admin.routing.none')}</p>}
      <div className="checkbox-grid">
        {options.map((o) => (
          <div className="field field--checkbox" key={o.id}>
            <input
              id={`${p}-${name}-${o.id}`}
              type="checkbox"
              name={name}
              value={o.id}
              defaultChecked={checked?.includes(o.id)}
            />
            <label htmlFor={`${p}-${name}-${o.id}`}>{o.name}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
  const typeOptions = d.types
    .map((rt) => ({ id: rt.id, name: `${d.team(rt.teamId)} : ${rt.name}` }))
    .sort((x, y) => x.name.localeCompare(y.name, 'fr'));

  return (
    <InlineEditor
      idPrefix={p}
      level={4}
      heading={rule ? t('admin.routing.editTitle', { name: rule.name }) : t('admin.routing.newTitle')}
      onSubmit={onSubmit}
    >
      <NameField id={`${p}-name`} label={t('admin.routing.name')} value={rule?.name} />
      <div className="field field--checkbox">
        <input id={`${p}-enabled`} type="checkbox" name="enabled" defaultChecked={rule?.enabled ?? true} />
        <label htmlFor={`${p}-enabled`}>{t('admin.routing.enabled')}</label>
      </div>
      <fieldset className="form-group">
        <legend>{t('admin.routing.conditions')}</legend>
        <p className="field__hint">{t('admin.routing.conditionsHint')}</p>
        {checkboxes(
          'channelKinds',
          t('admin.routing.when.channelKinds'),
          c.channelKinds,
          CHANNEL_KINDS.map((k) => ({ id: k, name: t(`channel.${k}`) })),
        )}
        {checkboxes('channelIds', t('admin.routing.when.channelIds'), c.channelIds, d.channels)}
        {checkboxes('requestTypeIds', t('admin.routing.when.requestTypeIds'), c.requestTypeIds, typeOptions)}
        <LinesField
          id={`${p}-words`}
          name="words"
          label={t('admin.routing.when.words')}
          hint={t('admin.routing.wordsHint')}
          rows={3}
          lines={c.words}
        />
        {select('knownToTeamId', t('admin.routing.when.knownToTeamId'), c.knownToTeamId, d.teams, t('admin.routing.any'))}
      </fieldset>
      <fieldset className="form-group">
        <legend>{t('admin.routing.actions')}</legend>
        {select('teamId', t('admin.routing.then.teamId'), a.teamId, d.teams)}
        {select('requestTypeId', t('admin.routing.then.requestTypeId'), a.requestTypeId, typeOptions)}
        {select(
          'priority',
          t('admin.routing.then.priority'),
          a.priority,
          PRIORITIES.map((x) => ({ id: x, name: t(`priority.${x}`) })),
        )}
        {select('assigneeId', t('admin.routing.then.assigneeId'), a.assigneeId, d.agents)}
        {checkboxes('labelIds', t('admin.routing.then.labelIds'), a.labelIds, d.labels)}
      </fieldset>
      <FormError id={`${p}-error`} error={mutation.error ? apiErrorText(t, mutation.error) : null} />
      <EditorActions pending={mutation.isPending} onCancel={onDone} />
    </InlineEditor>
  );
}

function DryRun() {
  const { t } = useTranslation();
  const d = useDirectory();
  const run = useMutation<RoutingDryRunDto, ApiError, FormData>({
    mutationFn: (f) => {
      const s = (k: string) => String(f.get(k) ?? '').trim();
      return adminApi.routingDryRun({
        channelId: s('channelId') || undefined,
        teamId: s('teamId') || undefined,
        requestTypeId: s('requestTypeId') || undefined,
        from: s('from') || undefined,
        subject: s('subject') || undefined,
        body: String(f.get('body') ?? ''),
      });
    },
  });
  const failed = (keys: RoutingConditionKey[]) => keys.map((k) => t(`admin.routing.when.${k}`)).join(', ');

  return (
    <section aria-labelledby="routing-dry-title">
      <h3 id="routing-dry-title">{t('admin.routing.dryRun')}</h3>
      <p className="field__hint">{t('admin.routing.dryRunHint')}</p>
      <form
        className="admin-form admin-form--inline"
        noValidate
        aria-labelledby="routing-dry-title"
        aria-describedby="routing-dry-error"
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate(new FormData(e.currentTarget));
        }}
      >
        <div className="form-row">
          <div className="field">
            <label className="field__label" htmlFor="dry-channel">
              {t('admin.routing.dryChannel')}
            </label>
            <select id="dry-channel" className="field__input" name="channelId" defaultValue="">
              <option value="">{t('admin.routing.anyChannel')}</option>
              {d.channels.map((ch) => (
                <option key={ch.id} value={ch.id}>
                  {ch.name} ({t(`channel.${ch.kind}`)})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field__label" htmlFor="dry-from">
              {t('admin.routing.dryFrom')}
            </label>
            <input id="dry-from" className="field__input" name="from" autoComplete="off" />
          </div>
        </div>
        <div className="form-row">
          <div className="field">
            <label className="field__label" htmlFor="dry-team">
              {t('admin.routing.dryTeam')}
            </label>
            <select id="dry-team" className="field__input" name="teamId" defaultValue="">
              <option value="">{t('admin.routing.dryTeamDefault')}</option>
              {d.teams.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field__label" htmlFor="dry-type">
              {t('admin.routing.dryType')}
            </label>
            <select id="dry-type" className="field__input" name="requestTypeId" defaultValue="">
              <option value="">{t('admin.routing.dryTypeNone')}</option>
              {d.teams.map((x) => {
                const types = d.types.filter((rt) => rt.teamId === x.id);
                return types.length ? (
                  <optgroup key={x.id} label={x.name}>
                    {types.map((rt) => (
                      <option key={rt.id} value={rt.id}>
                        {rt.name}
                      </option>
                    ))}
                  </optgroup>
                ) : null;
              })}
            </select>
          </div>
        </div>
        <div className="field">
          <label className="field__label" htmlFor="dry-subject">
            {t('admin.routing.drySubject')}
          </label>
          <input id="dry-subject" className="field__input" name="subject" autoComplete="off" />
        </div>
        <div className="field">
          <label className="field__label" htmlFor="dry-body">
            {t('admin.routing.dryBody')}
          </label>
          <textarea id="dry-body" className="field__input" name="body" rows={5} />
        </div>
        <FormError id="routing-dry-error" error={run.error ? apiErrorText(t, run.error) : null} />
        <button type="submit" className="button button--primary" aria-disabled={run.isPending || undefined}>
          {t('admin.routing.dryRunButton')}
        </button>
      </form>
      <div role="status" aria-live="polite" data-testid="routing-dry-result">
        {run.data ? (
          <>
            <p className="notice">
              {run.data.matched
                ? t('admin.routing.matched', { name: run.data.matched.name, position: run.data.matched.position })
                : t('admin.routing.noMatch')}
            </p>
            {run.data.matched && run.data.outcome ? <Outcome rule={run.data.matched} outcome={run.data.outcome} /> : null}
            <ol className="admin-rules admin-rules--dry">
              {run.data.rules.map((r) => (
                <li key={r.id}>
                  {r.name} :{' '}
                  {r.failed.length ? t('admin.routing.failed', { conditions: failed(r.failed) }) : t('admin.routing.holds')}
                </li>
              ))}
            </ol>
          </>
        ) : null}
      </div>
    </section>
  );
}

/**
 * What the rule that matched would do to the request, action by action, as routing applies it:
 * an action that does not apply says so, and why (the citizen's démarche wins, an agent of
 * another service…), rather than the rule's list of actions.
 */
function Outcome({ rule, outcome: o }: { rule: RoutingRuleDto; outcome: RoutingOutcome }) {
  const { t } = useTranslation();
  const d = useDirectory();
  const a = rule.actions;
  const team = o.teamId ? d.team(o.teamId) : '?';
  // The rule's own values, as it names them.
  const value: Record<RoutingActionKey, string> = {
    teamId: a.teamId ? d.team(a.teamId) : '',
    requestTypeId: a.requestTypeId ? d.type(a.requestTypeId) : '',
    priority: a.priority ? t(`priority.${a.priority}`) : '',
    assigneeId: a.assigneeId ? d.agent(a.assigneeId) : '',
    labelIds: (a.labelIds ?? []).map(d.label).join(', '),
  };
  const applied: Record<RoutingActionKey, string | null> = {
    teamId: o.moved ? team : a.teamId ? t('admin.routing.sameTeam', { value: value.teamId }) : null,
    requestTypeId: o.requestTypeId && d.type(o.requestTypeId),
    priority: o.priority && t(`priority.${o.priority}`),
    assigneeId: o.assigneeId && d.agent(o.assigneeId),
    labelIds: o.labelIds.length ? o.labelIds.map(d.label).join(', ') : null,
  };
  const lines = (Object.keys(value) as RoutingActionKey[]).flatMap((action) => {
    if (a[action] === undefined) return [];
    const skip = o.skipped.find((x) => x.action === action);
    const label = t(`admin.routing.then.${action}`);
    const out: string[] = [];
    // Labels: those left apply, the removed ones are said to be gone.
    if (applied[action] && (!skip || action === 'labelIds')) out.push(`${label} : ${applied[action]}`);
    if (skip) {
      let reason = t(`admin.routing.reason.${skip.reason}`, { team });
      if (action === 'teamId' && o.teamId) reason += ` : ${t('admin.routing.staysIn', { team })}`;
      out.push(t('admin.routing.skipped', { action: label, value: value[action], reason }));
    }
    return out;
  });
  return (
    <>
      <p>{t('admin.routing.outcome')}</p>
      <ul className="admin-rules admin-rules--dry" data-testid="routing-dry-outcome">
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </>
  );
}
