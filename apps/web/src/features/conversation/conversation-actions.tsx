import { useLatest } from '../../lib/use-latest';
import {
  PRIORITIES,
  type AgentDto,
  type ConversationDto,
  type Priority,
  type TeamDto,
  type UpdateConversationInput,
} from '@guichet/contracts';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hasStatus } from '../../api/client';
import { useUpdateConversation } from '../../hooks/use-update-conversation';
import { onShortcut } from '../../lib/shortcut-bus';
import { canSeeAllTeams } from '../inbox/inbox-views';
import { LogCallForm } from './log-call-form';
import { RequestTypeField } from './request-type-field';

interface ActionsProps {
  conversation: ConversationDto;
  me: AgentDto;
  agents: AgentDto[] | undefined;
  teams: TeamDto[] | undefined;
  announce(text: string): void;
  /** Called after a change made here, so a draft started before it is not taken for stale. */
  onChanged(before: ConversationDto, after: ConversationDto): void;
}

/** Tomorrow 9:00 local time, as a datetime-local value. */
function defaultSnooze(): string {
  const d = new Date(Date.now() + 24 * 3600_000);
  d.setHours(9, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function ConversationActions({ conversation: c, me, agents, teams, announce, onChanged }: ActionsProps) {
  const { t } = useTranslation();
  const update = useUpdateConversation();
  const ids = useId();
  const manager = canSeeAllTeams(me);
  const [error, setError] = useState<string | null>(null);
  const [assignTo, setAssignTo] = useState('');
  const [moveTo, setMoveTo] = useState('');
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const [logOpen, setLogOpen] = useState(false);
  const [snoozeUntil, setSnoozeUntil] = useState(defaultSnooze);
  const containerRef = useRef<HTMLDivElement>(null);
  const latest = useLatest(c);

  function apply(input: Omit<UpdateConversationInput, 'version'>, done: string) {
    const before = latest.current;
    setError(null);
    update.mutate(
      { id: before.id, input: { ...input, version: before.version } },
      {
        onSuccess: (after) => {
          onChanged(before, after);
          announce(done);
          // The button pressed may have been replaced (Prendre -> Libérer): keep focus in the actions.
          requestAnimationFrame(() => {
            const container = containerRef.current;
            if (container && (document.activeElement === document.body || !document.activeElement?.isConnected))
              container.querySelector<HTMLElement>('button')?.focus();
          });
        },
        onError: (e) => {
          const message = hasStatus(e, 409)
            ? t('actions.conflict')
            : hasStatus(e, 403)
              ? t('actions.forbidden', { reason: e.message })
              : e.isNetworkError
                ? t('errors.network')
                : e.message || t('errors.generic');
          setError(message);
          announce(message);
        },
      },
    );
  }

  const take = () => apply({ assigneeId: me.id }, t('actions.taken'));
  const resolve = () => apply({ status: 'resolved' }, t('actions.resolved'));
  const takeRef = useLatest(take);
  const resolveRef = useLatest(resolve);
  useEffect(
    () =>
      onShortcut((command) => {
        if (command === 'take') takeRef.current();
        if (command === 'resolve') resolveRef.current();
      }),
    [takeRef, resolveRef],
  );

  const teamAgents = (agents ?? [])
    .filter((a) => (a.role === 'agent' ? a.teamIds.includes(c.teamId) : true))
    .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const closed = c.status === 'resolved' || c.status === 'closed';

  return (
    <div className="actions" role="group" aria-label={t('actions.label')} ref={containerRef}>
      <div className="actions__row">
        {c.assigneeId !== me.id ? (
          <button
            type="button"
            className="button button--primary button--small"
            onClick={take}
            aria-keyshortcuts="a"
            data-testid="action-take"
          >
            {t('actions.take')}
          </button>
        ) : (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => apply({ assigneeId: null }, t('actions.released'))}
          >
            {t('actions.release')}
          </button>
        )}
        {closed ? (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => apply({ status: 'open' }, t('actions.reopened'))}
          >
            {t('actions.reopen')}
          </button>
        ) : (
          <>
            <button type="button" className="button button--secondary button--small" onClick={resolve} aria-keyshortcuts="e">
              {t('actions.resolve')}
            </button>
            {c.status !== 'pending' ? (
              <button
                type="button"
                className="button button--secondary button--small"
                onClick={() => apply({ status: 'pending' }, t('actions.pendingDone'))}
              >
                {t('actions.pending')}
              </button>
            ) : (
              <button
                type="button"
                className="button button--secondary button--small"
                onClick={() => apply({ status: 'open' }, t('actions.reopened'))}
              >
                {t('actions.reopen')}
              </button>
            )}
            <button
              type="button"
              className="button button--secondary button--small"
              aria-expanded={snoozeOpen}
              onClick={() => setSnoozeOpen(!snoozeOpen)}
            >
              {t('actions.snooze')}
            </button>
          </>
        )}
        <button
          type="button"
          className="button button--secondary button--small"
          aria-expanded={logOpen}
          onClick={() => setLogOpen(!logOpen)}
        >
          {t('logCall.open')}
        </button>
        <span className="actions__field">
          <label htmlFor={`${ids}-priority`}>{t('actions.priority')}</label>
          <select
            id={`${ids}-priority`}
            value={c.priority}
            onChange={(e) => apply({ priority: e.target.value as Priority }, t('actions.priorityDone'))}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`priority.${p}`)}
              </option>
            ))}
          </select>
        </span>
      </div>
      <RequestTypeField conversation={c} apply={apply} />
      {snoozeOpen && !closed ? (
        <form
          className="actions__row"
          onSubmit={(e) => {
            e.preventDefault();
            const when = new Date(snoozeUntil);
            if (Number.isNaN(when.getTime()) || when.getTime() <= Date.now()) {
              setError(t('actions.snoozeInvalid'));
              return;
            }
            setSnoozeOpen(false);
            apply({ status: 'snoozed', snoozedUntil: when.toISOString() }, t('actions.snoozed'));
          }}
        >
          <span className="actions__field">
            <label htmlFor={`${ids}-snooze`}>{t('actions.snoozeUntil')}</label>
            <input
              id={`${ids}-snooze`}
              type="datetime-local"
              value={snoozeUntil}
              onChange={(e) => setSnoozeUntil(e.target.value)}
              required
            />
          </span>
          <button type="submit" className="button button--primary button--small">
            {t('actions.snoozeConfirm')}
          </button>
        </form>
      ) : null}
      {logOpen ? (
        <LogCallForm
          conversationId={c.id}
          onDone={(text) => {
            setLogOpen(false);
            announce(text);
          }}
        />
      ) : null}
      {manager ? (
        <div className="actions__row">
          <form
            className="actions__inline"
            onSubmit={(e) => {
              e.preventDefault();
              if (!assignTo) return;
              const name = agents?.find((a) => a.id === assignTo)?.name ?? '';
              apply({ assigneeId: assignTo }, t('actions.assignedTo', { name }));
            }}
          >
            <label htmlFor={`${ids}-agent`}>{t('actions.assignAgent')}</label>
            <select id={`${ids}-agent`} value={assignTo} onChange={(e) => setAssignTo(e.target.value)} data-testid="assign-agent">
              <option value="">{t('actions.chooseAgent')}</option>
              {teamAgents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
            <button type="submit" className="button button--secondary button--small">
              {t('actions.assign')}
            </button>
          </form>
          <form
            className="actions__inline"
            onSubmit={(e) => {
              e.preventDefault();
              if (!moveTo) return;
              const team = teams?.find((x) => x.id === moveTo)?.name ?? '';
              apply({ teamId: moveTo }, t('actions.movedTo', { team }));
            }}
          >
            <label htmlFor={`${ids}-team`}>{t('actions.moveTeam')}</label>
            <select id={`${ids}-team`} value={moveTo} onChange={(e) => setMoveTo(e.target.value)}>
              <option value="">{t('actions.chooseTeam')}</option>
              {(teams ?? [])
                .filter((x) => x.id !== c.teamId)
                .map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
            </select>
            <button type="submit" className="button button--secondary button--small">
              {t('actions.move')}
            </button>
          </form>
        </div>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
