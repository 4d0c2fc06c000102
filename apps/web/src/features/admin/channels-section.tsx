import {
  CHANNEL_KINDS,
  SECRET_FIELDS,
  channelConfigForm,
  type ChannelDto,
  type ChannelKind,
  type ChannelTestDto,
  type MeDto,
} from '@guichet/contracts';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { channelsAdminApi } from '../../api/channels-admin';
import { isApiError } from '../../api/client';
import {
  useAdminChannels,
  useChannelActivity,
  useChannelQuarantine,
  useDiscardQuarantined,
  useRetryQuarantined,
  useSaveChannel,
  useTestChannel,
} from '../../hooks/use-channels-admin';
import { useTeams } from '../../hooks/use-teams';
import { apiErrorText } from '../../lib/api-error-text';
import { FormError } from '../setup/public-card';
import {
  ConfigFields,
  ConfigLineError,
  configFromValues,
  errorsByPath,
  initialValues,
  type ConfigValues,
  type SchemaNode,
} from './config-fields';
import { AdminTable } from './editor-parts';

/** Channels: every kind created and edited from forms generated from its schema, webhooks to paste, e-mail tests and quarantine. */
export function ChannelsSection({ readOnly, me }: { readOnly: boolean; me: MeDto }) {
  const { t } = useTranslation();
  const channels = useAdminChannels();
  const teams = useTeams();
  const [editing, setEditing] = useState<string | null>(null);
  const [newKind, setNewKind] = useState<ChannelKind | null>(null);
  // Closing an editor gives the keyboard back to what opened it: the row's « Modifier », or the kind chooser.
  const editButtons = useRef(new Map<string, HTMLButtonElement>());
  const kindChooser = useRef<HTMLSelectElement>(null);
  const teamName = (id: string) => teams.data?.find((team) => team.id === id)?.name ?? '';
  if (readOnly) return <p>{t('admin.channels.adminsOnly')}</p>;
  const current = channels.data?.find((c) => c.id === editing);
  return (
    <div className="admin-form">
      <h2>{t('admin.channels.title')}</h2>
      <p className="field__hint">{t('admin.channels.intro')}</p>
      {channels.isPending ? <p role="status">{t('app.loading')}</p> : null}
      <AdminTable
        caption={t('admin.channels.title')}
        columns={[
          t('admin.channels.name'),
          t('admin.channels.kind'),
          t('admin.channels.team'),
          t('admin.channels.state'),
          t('admin.actions'),
        ]}
      >
        {channels.data?.map((c) => (
          <tr key={c.id} className={c.enabled ? undefined : 'admin-table__row--muted'}>
            <td>{c.name}</td>
            <td>{t(`channel.${c.kind}`)}</td>
            <td>{teamName(c.teamId)}</td>
            <td>{c.enabled ? t('admin.channels.enabled') : t('admin.channels.disabled')}</td>
            <td>
              <button
                type="button"
                className="button button--secondary"
                ref={(button) => {
                  if (button) editButtons.current.set(c.id, button);
                  else editButtons.current.delete(c.id);
                }}
                aria-expanded={editing === c.id}
                aria-controls="channel-editor"
                onClick={() => {
                  setNewKind(null);
                  setEditing(editing === c.id ? null : c.id);
                }}
              >
                {t('admin.channels.edit', { name: c.name })}
              </button>
            </td>
          </tr>
        ))}
      </AdminTable>
      {channels.data && channels.data.length === 0 ? <p>{t('admin.channels.empty')}</p> : null}

      <div className="form-row form-row--end">
        <div className="field">
          <label className="field__label" htmlFor="channel-new-kind">
            {t('admin.channels.newKind')}
          </label>
          <select
            id="channel-new-kind"
            ref={kindChooser}
            className="field__input"
            value={newKind ?? ''}
            onChange={(e) => {
              setEditing(null);
              setNewKind((e.target.value || null) as ChannelKind | null);
            }}
          >
            <option value="">{t('admin.channels.chooseKind')}</option>
            {CHANNEL_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`channel.${kind}`)}
              </option>
            ))}
          </select>
        </div>
      </div>

      {current ? (
        <ChannelEditor
          key={current.id}
          kind={current.kind}
          channel={current}
          me={me}
          onDone={() => {
            editButtons.current.get(current.id)?.focus();
            setEditing(null);
          }}
        />
      ) : newKind ? (
        <ChannelEditor
          key={`new-${newKind}`}
          kind={newKind}
          me={me}
          onDone={() => {
            kindChooser.current?.focus();
            setNewKind(null);
          }}
        />
      ) : null}
    </div>
  );
}

function ChannelEditor({
  kind,
  channel,
  me,
  onDone,
}: {
  kind: ChannelKind;
  channel?: ChannelDto;
  me: MeDto;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const teams = useTeams();
  const save = useSaveChannel();
  const test = useTestChannel();
  const schema = useMemo(() => channelConfigForm(kind) as SchemaNode, [kind]);
  const secrets = SECRET_FIELDS[kind];
  const [values, setValues] = useState<ConfigValues>(() => initialValues(schema, channel?.config ?? {}, secrets));
  const [name, setName] = useState(channel?.name ?? '');
  const [teamId, setTeamId] = useState(channel?.teamId ?? '');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [localError, setLocalError] = useState<string | null>(null);
  // A failed connection test blocks the save until the admin asks for it (« Enregistrer quand même »).
  const [failedTest, setFailedTest] = useState<ChannelTestDto | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Opening the editor moves the keyboard to it (its fields are below the list).
  useEffect(() => headingRef.current?.focus(), []);

  const serverErrors = errorsByPath(isApiError(save.error) ? save.error.body.details : undefined);
  const testErrors = errorsByPath(isApiError(test.error) ? test.error.body.details : undefined);
  const errors = { ...testErrors, ...serverErrors };
  const formError = localError ?? (save.error ? apiErrorText(t, save.error) : test.error ? apiErrorText(t, test.error) : null);

  function config(): Record<string, unknown> | null {
    try {
      setLocalError(null);
      return configFromValues(schema, values);
    } catch (e) {
      if (!(e instanceof ConfigLineError)) throw e;
      setLocalError(t('admin.channels.badLine', { line: e.line }));
      return null;
    }
  }

  async function runTest(c: Record<string, unknown>): Promise<ChannelTestDto | null> {
    save.reset();
    try {
      return await test.mutateAsync({ kind: 'email', config: c, ...(channel ? { channelId: channel.id } : {}) });
    } catch {
      return null;
    }
  }

  function store(c: Record<string, unknown>) {
    const done = { onSuccess: onDone };
    if (channel) save.mutate({ id: channel.id, body: { name: name.trim(), teamId, enabled, config: c } }, done);
    else save.mutate({ body: { kind, name: name.trim(), teamId, config: c } }, done);
  }

  async function submit(force: boolean) {
    const c = config();
    if (!c) return;
    if (kind === 'email' && enabled && !force) {
      const result = await runTest(c);
      if (!result) return;
      if (!result.imap.ok || !result.smtp.ok) {
        setFailedTest(result);
        return;
      }
    }
    setFailedTest(null);
    store(c);
  }

  const title = channel
    ? t('admin.channels.editTitle', { name: channel.name })
    : t('admin.channels.newTitle', { kind: t(`channel.${kind}`) });
  const webformUrl = kind === 'webform' ? `${window.location.origin}/demandes/${me.organization.slug}` : null;
  return (
    <form
      id="channel-editor"
      className="admin-form channel-editor"
      noValidate
      onSubmit={(e: FormEvent<HTMLFormElement>) => {
        e.preventDefault();
        void submit(false);
      }}
      aria-labelledby="channel-editor-title"
    >
      <h3 id="channel-editor-title" ref={headingRef} tabIndex={-1}>
        {title}
      </h3>
      <div className="form-row">
        <div className="field">
          <label className="field__label" htmlFor="channel-name">
            {t('admin.channels.name')}
            <span aria-hidden="true"> *</span>
          </label>
          <input
            id="channel-name"
            className="field__input"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={serverErrors.name ? true : undefined}
          />
        </div>
        <div className="field">
          <label className="field__label" htmlFor="channel-team">
            {t('admin.channels.team')}
            <span aria-hidden="true"> *</span>
          </label>
          <select id="channel-team" className="field__input" required value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <option value="">{t('admin.channels.chooseTeam')}</option>
            {teams.data?.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {channel ? (
        <div className="field field--checkbox">
          <input id="channel-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <label htmlFor="channel-enabled">{t('admin.channels.enabledLabel')}</label>
        </div>
      ) : null}

      <ConfigFields
        schema={schema}
        values={values}
        onChange={(path, v) => setValues((before) => ({ ...before, [path]: v }))}
        secrets={secrets}
        secretsSet={channel?.secretsSet ?? []}
        errors={errors}
        prefix="channel"
      />

      {channel?.webhooks.length ? <Webhooks webhooks={channel.webhooks} /> : null}
      {webformUrl ? (
        <p>
          {t('admin.channels.webformUrl')} <a href={webformUrl}>{webformUrl}</a>
        </p>
      ) : null}
      {!channel && kind !== 'email' && kind !== 'webform' ? (
        <p className="field__hint">{t('admin.channels.webhooksAfterSave')}</p>
      ) : null}

      <TestResult result={failedTest ?? (test.isSuccess ? test.data : null)} />
      <FormError id="channel-error" error={formError} />
      {failedTest ? (
        <p className="notice notice--warning" role="alert">
          {t('admin.channels.notSaved')}
        </p>
      ) : null}
      <div className="form-row">
        <button type="submit" className="button button--primary" disabled={save.isPending || test.isPending}>
          {test.isPending ? t('admin.channels.testing') : t('admin.save')}
        </button>
        {kind === 'email' ? (
          <button
            type="button"
            className="button button--secondary"
            disabled={test.isPending}
            onClick={() => {
              const c = config();
              if (c) void runTest(c).then(() => setFailedTest(null));
            }}
          >
            {t('admin.channels.test')}
          </button>
        ) : null}
        {failedTest ? (
          <button type="button" className="button button--secondary" onClick={() => void submit(true)}>
            {t('admin.channels.saveAnyway')}
          </button>
        ) : null}
        <button type="button" className="button button--secondary" onClick={onDone}>
          {t('admin.channels.cancel')}
        </button>
      </div>
      {channel?.kind === 'email' ? <MailboxPanels channelId={channel.id} /> : null}
    </form>
  );
}

function TestResult({ result }: { result: ChannelTestDto | null }) {
  const { t } = useTranslation();
  if (!result) return null;
  return (
    <div role="status">
      <ul className="admin-list channel-test" aria-label={t('admin.channels.testResult')}>
        {(['imap', 'smtp'] as const).map((server) => (
          <li key={server} className={result[server].ok ? 'channel-test--ok' : 'channel-test--failed'}>
            {server.toUpperCase()} : {result[server].ok ? t('admin.channels.testOk') : result[server].error}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Webhooks({ webhooks }: { webhooks: ChannelDto['webhooks'] }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<string | null>(null);
  async function copy(url: string, input: HTMLInputElement | null) {
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // No clipboard outside HTTPS: the address is selected for Ctrl+C.
      input?.select();
    }
    setCopied(url);
  }
  return (
    <fieldset className="form-group">
      <legend>{t('admin.channels.webhooks')}</legend>
      {webhooks.map((w, i) => (
        <WebhookRow key={w.url} id={`channel-webhook-${i}`} label={w.label} url={w.url} onCopy={copy} />
      ))}
      <p className="visually-hidden" role="status">
        {copied ? t('admin.channels.copied') : ''}
      </p>
    </fieldset>
  );
}

function WebhookRow({
  id,
  label,
  url,
  onCopy,
}: {
  id: string;
  label: string;
  url: string;
  onCopy: (url: string, input: HTMLInputElement | null) => Promise<void>;
}) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="form-row form-row--end form-row--webhook">
      <div className="field">
        <label className="field__label" htmlFor={id}>
          {label}
        </label>
        <input id={id} ref={input} className="field__input" readOnly value={url} onFocus={(e) => e.target.select()} />
      </div>
      <button type="button" className="button button--secondary" onClick={() => void onCopy(url, input.current)}>
        {t('admin.channels.copy')}
      </button>
    </div>
  );
}

/**
 * An e-mail channel's unreadable mails and what the watcher skipped. Each quarantined mail's raw
 * source downloads as an .eml (to open elsewhere, or for whoever fixes the reader); it is retried
 * after a fix, or discarded after a confirmation in its row.
 */
function MailboxPanels({ channelId }: { channelId: string }) {
  const { t } = useTranslation();
  const quarantine = useChannelQuarantine(channelId);
  const activity = useChannelActivity(channelId);
  const retry = useRetryQuarantined();
  const discard = useDiscardQuarantined();
  const [confirming, setConfirming] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const discardButtons = useRef(new Map<string, HTMLButtonElement>());
  // A retried or discarded mail leaves the list: the keyboard waits on the quarantine's heading, above the outcome.
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard users land on the confirmation « Écarter » opened (once, when it opens).
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const waiting = quarantine.data?.filter((q) => !q.retriedAt || q.error) ?? [];
  const outcome = retry.data
    ? { ok: retry.data.ok, text: retry.data.ok ? t('admin.channels.retried') : (retry.data.error ?? '') }
    : discard.isSuccess
      ? { ok: true, text: t('admin.channels.discarded') }
      : discard.error
        ? { ok: false, text: apiErrorText(t, discard.error) }
        : null;
  return (
    <>
      <h4 ref={heading} tabIndex={-1}>
        {t('admin.channels.quarantine')}
      </h4>
      {waiting.length ? (
        <AdminTable
          caption={t('admin.channels.quarantine')}
          columns={[t('admin.channels.receivedAt'), t('admin.channels.error'), t('admin.actions')]}
        >
          {waiting.map((q) => {
            const date = new Date(q.createdAt).toLocaleString('fr-FR');
            const act = (mutation: 'retry' | 'discard') => {
              retry.reset();
              discard.reset();
              setConfirming(null);
              const which = { id: channelId, quarantineId: q.id };
              const focusHeading = () => heading.current?.focus();
              // Refused again, a retried mail stays in its row, and the keyboard with it.
              if (mutation === 'retry') retry.mutate(which, { onSuccess: (r) => r.ok && focusHeading() });
              else discard.mutate(which, { onSuccess: focusHeading });
            };
            return (
              <tr key={q.id}>
                <td>{date}</td>
                <td>{q.error}</td>
                <td className="admin-table__actions">
                  {confirming === q.id ? (
                    <div role="group" aria-labelledby={`quarantine-warning-${q.id}`}>
                      <p className="admin-table__sub" id={`quarantine-warning-${q.id}`}>
                        {t('admin.channels.discardConfirm')}
                      </p>
                      <button
                        type="button"
                        className="button button--danger button--small"
                        ref={confirmButton}
                        onClick={() => act('discard')}
                      >
                        {t('admin.channels.discard')}
                        <span className="visually-hidden"> {date}</span>
                      </button>
                      <button
                        type="button"
                        className="button button--secondary button--small"
                        onClick={() => {
                          setConfirming(null);
                          // Back to the row's « Écarter » once it is shown again.
                          requestAnimationFrame(() => discardButtons.current.get(q.id)?.focus());
                        }}
                      >
                        {t('admin.cancel')}
                      </button>
                    </div>
                  ) : (
                    <>
                      <a
                        className="button button--secondary button--small"
                        href={channelsAdminApi.rawUrl(channelId, q.id)}
                        download
                      >
                        {t('admin.channels.raw')}
                        <span className="visually-hidden"> {date}</span>
                      </a>
                      <button type="button" className="button button--secondary button--small" onClick={() => act('retry')}>
                        {t('admin.channels.retry')}
                        <span className="visually-hidden"> {date}</span>
                      </button>
                      <button
                        type="button"
                        className="button button--secondary button--small"
                        ref={(button) => {
                          if (button) discardButtons.current.set(q.id, button);
                          else discardButtons.current.delete(q.id);
                        }}
                        onClick={() => setConfirming(q.id)}
                      >
                        {t('admin.channels.discard')}
                        <span className="visually-hidden"> {date}</span>
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </AdminTable>
      ) : (
        <p className="field__hint">{t('admin.channels.quarantineEmpty')}</p>
      )}
      {outcome ? (
        <p className={outcome.ok ? 'notice notice--success' : 'form-error'} role="status">
          {outcome.text}
        </p>
      ) : null}
      <h4>{t('admin.channels.activity')}</h4>
      {activity.data?.length ? (
        <ul className="admin-list">
          {activity.data.slice(0, 50).map((a) => (
            <li key={a.id}>
              {new Date(a.createdAt).toLocaleString('fr-FR')} — {t(`admin.channels.events.${a.kind}`)} — {a.reason}
            </li>
          ))}
        </ul>
      ) : (
        <p className="field__hint">{t('admin.channels.activityEmpty')}</p>
      )}
    </>
  );
}
