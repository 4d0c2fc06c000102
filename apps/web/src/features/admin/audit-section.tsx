import { AUDIT_ACTION_LABELS, type AuditEventDto } from '@guichet/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { auditExportPath, type AuditFilters } from '../../api/privacy';
import { useAdminAgents, useAdminTeams } from '../../hooks/use-admin';
import { useAuditLog } from '../../hooks/use-privacy';
import { apiErrorText } from '../../lib/api-error-text';
import { downloadFromApi } from '../../lib/download';
import { AUDIT_HREF, auditFilterFromHash, navigate, useHash } from '../../lib/router';
import { addFrenchWords } from '../../i18n';
import { privacyFr } from '../../i18n/fr-privacy';
import { FormError } from '../setup/public-card';
import { purgeSummary } from './purge-summary';
import { TableRegion } from './editor-parts';

addFrenchWords(privacyFr);

/** `2026-11-30` → the next day at midnight, so « au 30 novembre » includes that whole day. */
function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
}

/** The French (or English) name of an action; an action this version does not know shows its code. */
function actionLabel(action: string, language: string): string {
  const labels: Record<string, string> = AUDIT_ACTION_LABELS[language === 'en' ? 'en' : 'fr'];
  return Object.hasOwn(labels, action) ? labels[action]! : action;
}

/** One of the log's filters among named things (agents, services); empty means all of them. */
function FilterSelect(p: { id: string; name: string; label: string; all: string; options?: { id: string; name: string }[] }) {
  return (
    <div className="field">
      <label className="field__label" htmlFor={p.id}>
        {p.label}
      </label>
      <select id={p.id} name={p.name} className="field__input" defaultValue="">
        <option value="">{p.all}</option>
        {p.options?.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A count of an `audit.purged` event's data (0 when absent). */
const countIn = (data: Record<string, unknown>, key: string): number => {
  const v = data[key];
  return typeof v === 'number' ? v : 0;
};

/**
 * The audit log (RGPD): who viewed or changed which citizen's file, and when, from where.
 * Supervisors see their services' part, admins all of it; the log cannot be edited from here. The
 * citizen panel and a conversation link here filtered on them (`#/admin/journal?contactId=…`,
 * `?conversationId=…`).
 */
export function AuditSection() {
  const linked = auditFilterFromHash(useHash());
  // A link followed while the log is open (another citizen, another request) starts over from it.
  return <AuditLog key={`${linked.contactId ?? ''}/${linked.conversationId ?? ''}`} linked={linked} />;
}

function AuditLog({ linked }: { linked: { contactId?: string; conversationId?: string } }) {
  const { t, i18n } = useTranslation();
  const agents = useAdminAgents();
  const teams = useAdminTeams();
  const [filters, setFilters] = useState<AuditFilters>(linked);
  const [exporting, setExporting] = useState<'idle' | 'busy' | 'done' | 'failed'>('idle');
  const log = useAuditLog(filters);
  const format = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'medium' });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const text = (k: string) => String(f.get(k) ?? '').trim() || undefined;
    const from = text('from');
    const to = text('to');
    setFilters({
      conversationId: filters.conversationId,
      agentId: text('agentId'),
      teamId: text('teamId'),
      contactId: text('contactId'),
      from: from ? new Date(`${from}T00:00:00`).toISOString() : undefined,
      to: to ? dayAfter(to) : undefined,
    });
  }

  const label = (e: AuditEventDto) => actionLabel(e.action, i18n.language);
  const detail = (e: AuditEventDto) => {
    if (!e.data) return '';
    if (typeof e.data.q === 'string') return t('audit.searched', { q: e.data.q });
    if (typeof e.data.reason === 'string') return e.data.reason;
    if (e.action === 'audit.purged')
      return (
        purgeSummary(t, i18n.language, {
          anonymized: countIn(e.data, 'conversationsAnonymized'),
          deleted: countIn(e.data, 'conversationsDeleted'),
          contacts: countIn(e.data, 'contactsAnonymized'),
          events: countIn(e.data, 'auditEventsPurged'),
          quarantined: countIn(e.data, 'quarantinedMailsPurged'),
          reports: countIn(e.data, 'mailReportsPurged'),
        }) ?? t('audit.purgedNothing')
      );
    return '';
  };
  /** From where: the IP address and the session (its first characters, as the agent's session list can tell it). */
  const origin = (e: AuditEventDto) => {
    const session = e.sessionId?.slice(0, 8);
    if (e.ip && session) return t('audit.originOf', { ip: e.ip, session });
    if (e.ip) return e.ip;
    if (session) return t('audit.sessionOnly', { session });
    return e.agent ? '—' : t('audit.noOrigin');
  };
  const linkedReference = log.data?.pages
    .flatMap((p) => p.items)
    .find((e) => e.conversationId === filters.conversationId)?.conversationReference;
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];

  /** The whole filtered log as CSV (every page, not only those shown), for the data protection officer. */
  async function exportCsv() {
    if (exporting === 'busy') return;
    setExporting('busy');
    try {
      await downloadFromApi(auditExportPath(filters), 'journal-acces.csv');
      setExporting('done');
    } catch {
      setExporting('failed');
    }
  }

  return (
    <div className="admin-form">
      <h2>{t('audit.title')}</h2>
      <p className="field__hint">{t('audit.intro')}</p>
      {filters.conversationId ? (
        <p className="notice" role="note">
          {linkedReference
            ? t('audit.filteredConversation', { reference: linkedReference })
            : t('audit.filteredConversationUnknown')}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setFilters({ ...filters, conversationId: undefined });
              if (linked.conversationId) navigate(AUDIT_HREF, { replace: true });
            }}
          >
            {t('audit.clearConversation')}
          </button>
        </p>
      ) : null}
      <form className="admin-form admin-form--inline audit-filters" onSubmit={onSubmit} aria-label={t('audit.filters')}>
        <div className="form-row">
          <FilterSelect
            id="audit-agent"
            name="agentId"
            label={t('audit.agent')}
            all={t('audit.allAgents')}
            options={agents.data}
          />
          <FilterSelect id="audit-team" name="teamId" label={t('audit.team')} all={t('audit.allTeams')} options={teams.data} />
          <div className="field">
            <label className="field__label" htmlFor="audit-contact">
              {t('audit.contact')}
            </label>
            <input
              id="audit-contact"
              name="contactId"
              className="field__input"
              autoComplete="off"
              spellCheck={false}
              defaultValue={linked.contactId ?? ''}
            />
          </div>
          <div className="field">
            <label className="field__label" htmlFor="audit-from">
              {t('audit.from')}
            </label>
            <input id="audit-from" name="from" type="date" className="field__input" />
          </div>
          <div className="field">
            <label className="field__label" htmlFor="audit-to">
              {t('audit.to')}
            </label>
            <input id="audit-to" name="to" type="date" className="field__input" />
          </div>
        </div>
        <button type="submit" className="button button--primary">
          {t('audit.apply')}
        </button>{' '}
        <button
          type="button"
          className="button button--secondary"
          aria-disabled={exporting === 'busy' || undefined}
          aria-describedby="audit-export-hint"
          onClick={() => void exportCsv()}
        >
          {exporting === 'busy' ? t('audit.exporting') : t('audit.export')}
        </button>
        <p id="audit-export-hint" className="field__hint">
          {t('audit.exportHint')}
        </p>
        <p role="status" aria-live="polite" className="field__hint">
          {exporting === 'done' ? t('audit.exported') : exporting === 'failed' ? t('audit.exportFailed') : ''}
        </p>
      </form>
      <FormError id="audit-error" error={log.error ? apiErrorText(t, log.error) : null} />
      <TableRegion label={t('audit.title')}>
        <table className="admin-table" aria-busy={log.isFetching || undefined}>
          <caption className="visually-hidden">{t('audit.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.agent')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.conversation')}</th>
              <th scope="col">{t('audit.contact')}</th>
              <th scope="col">{t('audit.origin')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>
                  <time dateTime={e.at}>{format.format(new Date(e.at))}</time>
                </td>
                <td>{e.agent?.name ?? t('audit.system')}</td>
                <td>
                  {label(e)}
                  {detail(e) ? <span className="admin-table__sub"> — {detail(e)}</span> : null}
                </td>
                <td>
                  {e.conversationId && e.conversationReference ? (
                    <a href={`#/conversations/${encodeURIComponent(e.conversationId)}`}>{e.conversationReference}</a>
                  ) : e.conversationId ? (
                    // Deleted by its retention rule: nothing left to open.
                    t('audit.removed')
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {e.contactId ? (
                    <span className="admin-table__sub">
                      <span className="visually-hidden">{t('audit.contactId')} </span>
                      <code>{e.contactId.slice(0, 8)}</code>
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="admin-table__sub">{origin(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      {log.isSuccess && items.length === 0 ? <p role="status">{t('audit.empty')}</p> : null}
      {log.hasNextPage ? (
        <button
          type="button"
          className="button button--secondary"
          aria-disabled={log.isFetchingNextPage || undefined}
          onClick={() => void (log.isFetchingNextPage ? undefined : log.fetchNextPage())}
        >
          {t('audit.more')}
        </button>
      ) : null}
    </div>
  );
}
