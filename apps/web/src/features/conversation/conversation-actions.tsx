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
import { networkMessage } from '../../lib/error-message';
import { useUpdateConversation } from '../../hooks/use-update-conversation';
import { onShortcut } from '../../lib/shortcut-bus';
import { canSeeAllTeams } from '../inbox/inbox-views';
import { AdministrationTransferForm } from './administration-transfer-form';
import { LogCallForm } from './log-call-form';
import { LabelField } from './label-field';
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
  const [handOverOpen, setHandOverOpen] = useState(false);
  const [transferOpen, setTransferOpen] = useState(false);
  const [note, setNote] = useState('');
  const [snoozeUntil, setSnoozeUntil] = useState(defaultSnooze);
  const containerRef = useRef<HTMLDivElement>(null);
  const latest = useLatest(c);

  function apply(input: Omit<UpdateConversationInput, 'version'>, done: string, onDone?: () => void) {
    const before = latest.current;
    setError(null);
    update.mutate(
      { id: before.id, input: { ...input, version: before.version } },
      {
        onSuccess: (after) => {
          onChanged(before, after);
          onDone?.();
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
              : hasStatus(e, 422)
                ? e.message
                : e.isNetworkError
                  ? networkMessage(t, e)
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

  // An agent hands over what is theirs or nobody's; supervisors anyone's (the API says the same).
  const mayHandOver = manager || c.assigneeId === null || c.assigneeId === me.id;
  // Only colleagues who would see the file once given it: of its service (the new one when it moves), or managers.
  const targetTeamId = moveTo || c.teamId;
  const teamAgents = (agents ?? [])
    .filter((a) => a.id !== c.assigneeId && (a.role === 'agent' ? a.teamIds.includes(targetTeamId) : true))
    .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const assignee = teamAgents.some((a) => a.id === assignTo) ? assignTo : '';
  const sortedTeams = [...(teams ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
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
        {mayHandOver ? (
          <button
            type="button"
            className="button button--secondary button--small"
            aria-expanded={handOverOpen}
            onClick={() => {
              setError(null);
              setHandOverOpen(!handOverOpen);
            }}
            data-testid="action-handover"
          >
            {t('actions.handOver')}
          </button>
        ) : null}
        <LabelField conversation={c} apply={apply} />
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
      {transferOpen && mayHandOver && !closed ? (
        <AdministrationTransferForm
          conversation={c}
          onDone={(text) => {
            setTransferOpen(false);
            announce(text);
          }}
          onCancel={() => setTransferOpen(false)}
        />
      ) : null}
      {handOverOpen && mayHandOver ? (
        <form
          className="actions__handover"
          data-testid="handover-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!moveTo && !assignee) {
              setError(t('actions.handOverEmpty'));
              return;
            }
            if (moveTo && !note.trim()) {
              setError(t('actions.handOverNoteRequired'));
              return;
            }
            const name = agents?.find((a) => a.id === assignee)?.name ?? '';
            const team = teams?.find((x) => x.id === moveTo)?.name ?? '';
            const done = [moveTo ? t('actions.movedTo', { team }) : '', assignee ? t('actions.assignedTo', { name }) : '']
              .filter(Boolean)
              .join(' ');
            apply(
              {
                ...(moveTo ? { teamId: moveTo } : {}),
                ...(assignee ? { assigneeId: assignee } : {}),
                ...(note.trim() ? { note: note.trim() } : {}),
              },
              done,
              () => {
                setHandOverOpen(false);
                setAssignTo('');
                setMoveTo('');
                setNote('');
              },
            );
          }}
        >
          <span className="actions__field">
            <label htmlFor={`${ids}-team`}>{t('actions.moveTeam')}</label>
            <select id={`${ids}-team`} value={moveTo} onChange={(e) => setMoveTo(e.target.value)} data-testid="handover-team">
              <option value="">{t('actions.sameTeam')}</option>
              {sortedTeams
                .filter((x) => x.id !== c.teamId)
                .map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
            </select>
          </span>
          <span className="actions__field">
            <label htmlFor={`${ids}-agent`}>{t('actions.assignAgent')}</label>
            <select id={`${ids}-agent`} value={assignee} onChange={(e) => setAssignTo(e.target.value)} data-testid="assign-agent">
              <option value="">{moveTo ? t('actions.serviceQueue') : t('actions.chooseAgent')}</option>
              {teamAgents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </span>
          <span className="actions__field actions__field--wide">
            <label htmlFor={`${ids}-note`}>{t('actions.handOverNote')}</label>
            {/* The API refuses a change of service without a note (400): the field says so before. */}
            <textarea
              id={`${ids}-note`}
              rows={2}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              aria-required={moveTo !== ''}
              aria-invalid={moveTo !== '' && error === t('actions.handOverNoteRequired')}
              data-testid="handover-note"
            />
          </span>
          <button type="submit" className="button button--primary button--small">
            {t('actions.handOverConfirm')}
          </button>
          {/* Outside the town hall (CRPA L114-2): a transfer too, so it is offered here rather than
              as one more button in the row of actions. */}
          {!closed ? (
            <button
              type="button"
              className="button button--secondary button--small"
              onClick={() => {
                setError(null);
                setHandOverOpen(false);
                setTransferOpen(true);
              }}
              data-testid="action-transfer-administration"
            >
              {t('transfer.open')}
            </button>
          ) : null}
        </form>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
