import type { ConfirmContactMergeInput, ContactMergeFileDto } from '@guichet/contracts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionFeedback } from '../../components/action-feedback';
import { useDecideMerge, useMergeFiles } from '../../hooks/use-contact';
import { useMe } from '../../hooks/use-me';
import type { Language } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { FormError } from '../setup/public-card';
import { useNow } from '../../lib/use-now';

/** One file of the merge, in its column: name, identities, conversations, registrations. */
function FileColumn({ file, role, language }: { file: ContactMergeFileDto; role: 'target' | 'source'; language: Language }) {
  const { t } = useTranslation();
  const heading = `merge-file-${role}`;
  return (
    <section className="merge-file" aria-labelledby={heading}>
      <h2 className="merge-file__title" id={heading}>
        {t(role === 'target' ? 'mergePage.target' : 'mergePage.source')}
      </h2>
      <p className="merge-file__name">{file.name ?? t('merge.unnamed')}</p>
      <h3>{t('citizen.identities')}</h3>
      {file.identities.length ? (
        <ul className="plain-list">
          {file.identities.map((i) => (
            <li key={i.id}>
              <span className="admin-table__sub">{t(`mergePage.kinds.${i.kind}`, { defaultValue: i.kind })} :</span> {i.value}
            </li>
          ))}
        </ul>
      ) : (
        <p className="citizen-panel__muted">{t('citizen.noIdentity')}</p>
      )}
      <h3>{t('mergePage.conversations')}</h3>
      {file.conversations.length ? (
        <ul className="plain-list">
          {file.conversations.map((c) => (
            <li key={c.id}>
              <a href={`#/conversations/${c.id}`}>{c.subject?.trim() || c.reference}</a>{' '}
              <span className="admin-table__sub">
                {c.reference} · {c.team} · {t(`statusOne.${c.status}`, { defaultValue: c.status })} ·{' '}
                {formatDateTime(c.createdAt, language)}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="citizen-panel__muted">{t('mergePage.noConversation')}</p>
      )}
      <h3>{t('citizen.registrations')}</h3>
      {file.registrations.length ? (
        <ul className="plain-list">
          {file.registrations.map((r) => (
            <li key={r.id}>
              {r.event}{' '}
              <span className="admin-table__sub">
                {t(`registrants.statuses.${r.status}`, { defaultValue: r.status })} · {r.places} pl. ·{' '}
                {formatDateTime(r.startsAt, language)}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="citizen-panel__muted">{t('citizen.noRegistrations')}</p>
      )}
    </section>
  );
}

/**
 * A proposed contact merge side by side (issue 16, `#/fusions/<id>`, supervisors and admins): both
 * files (name, identities, conversations, registrations), the name the kept file bears and the
 * identities it keeps, then confirm or refuse; a confirmed merge is undone here within 30 days.
 */
export function MergePage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const now = useNow();
  const me = useMe().data;
  const files = useMergeFiles(id);
  const decide = useDecideMerge();
  const [name, setName] = useState<'target' | 'source'>('target');
  const [dropped, setDropped] = useState<Set<string>>(new Set());
  const [said, setSaid] = useState<string | null>(null);
  const title = useRef<HTMLHeadingElement>(null);
  // Keyboard and screen-reader users start at the title once both files are there.
  useEffect(() => {
    if (files.isSuccess) title.current?.focus();
  }, [files.isSuccess]);

  if (files.isPending) return <p role="status">{t('app.loading')}</p>;
  if (files.isError || !files.data)
    return (
      <div className="merge-page">
        <ActionFeedback said={null} error={files.error} />
      </div>
    );
  const { merge, target, source } = files.data;
  const identities = [
    ...target.identities.map((i) => ({ ...i, file: target })),
    ...source.identities.map((i) => ({ ...i, file: source })),
  ];
  // The API refuses a merge that keeps none of the citizen's contact details: said here first.
  const noneKept = identities.length > 0 && identities.every((i) => dropped.has(i.id));
  const own = merge.proposedBy?.id === me.id;
  const undoable = merge.status === 'merged' && merge.undoUntil !== null && Date.parse(merge.undoUntil) > now;

  function onConfirm(event: FormEvent) {
    event.preventDefault();
    if (decide.isPending) return;
    if (noneKept) {
      document.getElementById(`merge-keep-${identities[0]!.id}`)?.focus();
      return;
    }
    const choice: ConfirmContactMergeInput = {
      name,
      ...(dropped.size ? { keepIdentityIds: identities.filter((i) => !dropped.has(i.id)).map((i) => i.id) } : {}),
    };
    decide.mutate({ id, decision: 'confirm', choice }, { onSuccess: () => setSaid(t('merge.done')) });
  }
  const act = (decision: 'reject' | 'undo') =>
    !decide.isPending &&
    decide.mutate({ id, decision }, { onSuccess: () => setSaid(t(decision === 'reject' ? 'merge.refused' : 'merge.reverted')) });

  return (
    <div className="merge-page">
      <h1 ref={title} tabIndex={-1}>
        {t('mergePage.title')}
      </h1>
      <p>
        <strong>{t(`merge.status.${merge.status}`)}</strong>
        {merge.proposedBy
          ? ` · ${t('mergePage.proposedBy', { name: merge.proposedBy.name, date: formatDateTime(merge.proposedAt, language) })}`
          : ''}{' '}
        · « {merge.reason} »
      </p>
      {merge.status === 'merged' ? (
        <p className="citizen-panel__muted">
          {t('merge.moved', { identities: merge.movedIdentities, conversations: merge.movedConversations })}
          {merge.droppedIdentities ? ` ${t('mergePage.dropped', { count: merge.droppedIdentities })}` : ''}
          {undoable ? ` ${t('merge.undoUntil', { date: formatDateTime(merge.undoUntil!, language) })}` : ''}
        </p>
      ) : null}
      <div className="merge-columns">
        <FileColumn file={target} role="target" language={language} />
        <FileColumn file={source} role="source" language={language} />
      </div>
      {merge.status === 'proposed' && own ? (
        <div className="merge-decision">
          <p>{t('merge.ownProposal')}</p>
          <button type="button" className="button button--secondary" onClick={() => act('reject')}>
            {t('merge.withdraw')}
          </button>
        </div>
      ) : merge.status === 'proposed' ? (
        <form className="merge-decision" onSubmit={onConfirm}>
          <fieldset className="form-group">
            <legend>{t('mergePage.nameKept')}</legend>
            {(['target', 'source'] as const).map((side) => (
              <label key={side} className="merge-choice">
                <input type="radio" name="merge-name" checked={name === side} onChange={() => setName(side)} />{' '}
                {(side === 'target' ? target : source).name ?? t('merge.unnamed')}{' '}
                <span className="admin-table__sub">
                  ({t(side === 'target' ? 'mergePage.fromTarget' : 'mergePage.fromSource')})
                </span>
              </label>
            ))}
          </fieldset>
          <fieldset className="form-group">
            <legend>{t('mergePage.identitiesKept')}</legend>
            <p className="field__hint" id="merge-identities-hint">
              {t('mergePage.identitiesHint')}
            </p>
            {identities.map((i) => (
              <label key={i.id} className="merge-choice">
                <input
                  type="checkbox"
                  id={`merge-keep-${i.id}`}
                  aria-describedby={noneKept ? 'merge-identities-hint merge-identities-error' : 'merge-identities-hint'}
                  aria-invalid={noneKept || undefined}
                  checked={!dropped.has(i.id)}
                  onChange={(e) =>
                    setDropped((d) => {
                      const next = new Set(d);
                      if (e.target.checked) next.delete(i.id);
                      else next.add(i.id);
                      return next;
                    })
                  }
                />{' '}
                {i.value}{' '}
                <span className="admin-table__sub">
                  ({t(i.file === target ? 'mergePage.fromTarget' : 'mergePage.fromSource')})
                </span>
              </label>
            ))}
            <FormError id="merge-identities-error" error={noneKept ? t('mergePage.keepOne') : null} />
          </fieldset>
          <div className="privacy-actions__buttons">
            <button
              type="submit"
              className="button button--primary"
              aria-disabled={decide.isPending || noneKept || undefined}
              aria-describedby={noneKept ? 'merge-identities-error' : undefined}
            >
              {t('merge.confirm')}
            </button>
            <button type="button" className="button button--secondary" onClick={() => act('reject')}>
              {t('merge.reject')}
            </button>
          </div>
        </form>
      ) : undoable ? (
        <div className="merge-decision">
          <button type="button" className="button button--secondary" onClick={() => act('undo')}>
            {t('merge.undo')}
          </button>
        </div>
      ) : null}
      <ActionFeedback said={said} error={decide.error} />
    </div>
  );
}
