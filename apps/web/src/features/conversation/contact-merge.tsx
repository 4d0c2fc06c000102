import type { ContactMergeDto, IdentityKind } from '@guichet/contracts';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionFeedback } from '../../components/action-feedback';
import { IdentityFields } from '../../components/identity-fields';
import { useContactMerges, useDecideMerge, useProposeMerge } from '../../hooks/use-contact';
import { useMe } from '../../hooks/use-me';
import type { Language } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { mergeHref } from '../../lib/router';
import { useNow } from '../../lib/use-now';

/** A decision on a merge (confirm, refuse, withdraw, undo); ignored while another is on its way. */
function DecideButton(p: { label: string; busy: boolean; primary?: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      className={`button ${p.primary ? 'button--primary' : 'button--secondary'} button--small`}
      aria-disabled={p.busy || undefined}
      onClick={p.onClick}
    >
      {p.label}
    </button>
  );
}

/**
 * Contact merge from the citizen's file (issue 16): any agent who sees the file proposes merging
 * another file into it (named by one of its identities); supervisors and admins confirm or refuse,
 * and undo a confirmed merge within 30 days.
 */
export function ContactMerges({ contactId, manager }: { contactId: string; manager: boolean }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const now = useNow();
  const merges = useContactMerges(contactId);
  const propose = useProposeMerge(contactId);
  const decide = useDecideMerge();
  const me = useMe();
  const ids = useId();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<IdentityKind>('email');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [said, setSaid] = useState<string | null>(null);

  function onPropose(event: FormEvent) {
    event.preventDefault();
    if (propose.isPending) return;
    propose.mutate(
      { otherIdentity: { kind, value: value.trim() }, reason: reason.trim() },
      {
        onSuccess: () => {
          setOpen(false);
          setValue('');
          setReason('');
          setSaid(t('merge.proposed'));
        },
      },
    );
  }

  function onDecide(m: ContactMergeDto, decision: 'reject' | 'undo') {
    if (decide.isPending) return;
    decide.mutate(
      { id: m.id, decision },
      {
        onSuccess: () => setSaid(t(decision === 'reject' ? 'merge.refused' : 'merge.reverted')),
      },
    );
  }

  const error = propose.error ?? decide.error;
  const list = merges.data ?? [];
  return (
    <section className="merge-section" aria-labelledby={`${ids}-merge`}>
      <h4 className="citizen-panel__heading" id={`${ids}-merge`}>
        {t('merge.heading')}
      </h4>
      {list.length ? (
        <ul className="merge-list">
          {list.map((m) => {
            const kept = m.target.id === contactId;
            const other = kept ? m.source : m.target;
            const undoable = m.status === 'merged' && m.undoUntil !== null && Date.parse(m.undoUntil) > now;
            return (
              <li key={m.id} className="merge-list__item">
                <span className="merge-list__title">
                  {t('merge.other', { name: other.name ?? t('merge.unnamed') })} — {t(`merge.status.${m.status}`)}
                </span>
                <span className="citizen-panel__muted">
                  {kept ? t('merge.keptHere') : t('merge.keptThere')}
                  {m.proposedBy ? ` · ${t('merge.by', { name: m.proposedBy.name })}` : ''} · « {m.reason} »
                </span>
                {m.status === 'merged' ? (
                  <span className="citizen-panel__muted">
                    {t('merge.moved', { identities: m.movedIdentities, conversations: m.movedConversations })}
                    {undoable ? ` ${t('merge.undoUntil', { date: formatDateTime(m.undoUntil!, language) })}` : ''}
                  </span>
                ) : null}
                {manager && m.status === 'proposed' ? (
                  m.proposedBy?.id === me.data.id ? (
                    // Four eyes: the author of a proposal does not confirm it; they may withdraw it.
                    <>
                      <span className="citizen-panel__muted">{t('merge.ownProposal')}</span>
                      <span className="privacy-actions__buttons">
                        <DecideButton label={t('merge.withdraw')} busy={decide.isPending} onClick={() => onDecide(m, 'reject')} />
                      </span>
                    </>
                  ) : (
                    // The decision is taken with both files side by side (name and identities kept).
                    <span className="privacy-actions__buttons">
                      <a className="button button--primary button--small" href={mergeHref(m.id)}>
                        {t('merge.compare')}
                      </a>
                      <DecideButton label={t('merge.reject')} busy={decide.isPending} onClick={() => onDecide(m, 'reject')} />
                    </span>
                  )
                ) : null}
                {manager && undoable ? (
                  <span className="privacy-actions__buttons">
                    <DecideButton label={t('merge.undo')} busy={decide.isPending} onClick={() => onDecide(m, 'undo')} />
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : merges.isSuccess ? (
        <p className="citizen-panel__muted">{t('merge.none')}</p>
      ) : null}
      {open ? (
        <form className="identity-form merge-form" onSubmit={onPropose} aria-describedby={`${ids}-intro`}>
          <p className="citizen-panel__muted merge-form__intro" id={`${ids}-intro`}>
            {t('merge.intro')}
          </p>
          <IdentityFields
            id={ids}
            kind={kind}
            value={value}
            onKind={setKind}
            onValue={setValue}
            kindLabel={t('merge.otherKind')}
            valueLabel={t('merge.otherValue')}
            required
          />
          <label htmlFor={`${ids}-reason`}>{t('merge.reason')}</label>
          <input id={`${ids}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} required />
          <span className="privacy-actions__buttons">
            <button type="submit" className="button button--primary button--small" aria-disabled={propose.isPending || undefined}>
              {t('merge.submit')}
            </button>
            <button type="button" className="button button--secondary button--small" onClick={() => setOpen(false)}>
              {t('merge.cancel')}
            </button>
          </span>
        </form>
      ) : (
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={() => {
            setOpen(true);
            setSaid(null);
          }}
        >
          {t('merge.propose')}
        </button>
      )}
      <ActionFeedback said={said} error={error} />
    </section>
  );
}
