import type { ProcessingRestrictionDto, ProcessingRestrictionKind } from '@guichet/contracts';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionFeedback } from '../../components/action-feedback';
import { rightsApi } from '../../api/privacy';
import { useConversationPrivacy, usePrivacyAction } from '../../hooks/use-privacy';
import { addFrenchWords, type Language } from '../../i18n';
import { restrictionsFr } from '../../i18n/fr-restrictions';
import { formatDateTime, formatDay } from '../../lib/format';

addFrenchWords(restrictionsFr);

/**
 * Whether the citizen's limitation freezes this file (RGPD art. 18: no reply, note nor transfer
 * here), as the API's rule says (`frozen` of GET /conversations/:id/privacy).
 */
export function useFrozenFile(conversationId: string): boolean {
  const data = useConversationPrivacy(conversationId).data;
  return !!data && !data.anonymized && data.frozen;
}

/**
 * The citizen's limitation (RGPD art. 18) and objection (art. 21) in force, on the file's header
 * and the citizen card: what is stopped, since when, by whom, why and until when. A limitation is
 * a warning on the files it freezes, a lighter notice on the rights request and the requests the
 * citizen wrote since (still processed).
 */
export function RestrictionBanner({ conversationId }: { conversationId: string }) {
  const privacy = useConversationPrivacy(conversationId);
  const restrictions = privacy.data?.anonymized ? [] : (privacy.data?.restrictions ?? []);
  if (!restrictions.length) return null;
  const frozen = privacy.data?.frozen ?? false;
  return (
    <div data-testid="restriction-banner" data-frozen={frozen}>
      {restrictions.map((r) => (
        <RestrictionNotice key={r.id} restriction={r} frozen={frozen} />
      ))}
    </div>
  );
}

function RestrictionNotice({ restriction: r, frozen }: { restriction: ProcessingRestrictionDto; frozen: boolean }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const args = { date: formatDateTime(r.grantedAt, language), name: r.grantedBy?.name ?? '—' };
  const light = r.kind === 'limitation' && !frozen;
  const words =
    r.kind === 'objection'
      ? t('restriction.objected', args)
      : frozen
        ? t('restriction.limited', args)
        : t('restriction.limitedElsewhere', args);
  return (
    <p className={light ? 'notice notice--info' : 'notice notice--warning'} role="note">
      <strong>{words}</strong> {t('restriction.reason', { reason: r.reason })}
      {r.until ? ` ${t('restriction.until', { date: formatDay(r.until, language) })}` : null}
    </p>
  );
}

/**
 * A supervisor grants the conversation's limitation or objection request (with a reason, and for
 * a limitation an optional end date) and lifts what is in force (a limitation's citizen is told
 * first by the API, art. 18.3).
 */
export function RestrictionActions({ conversationId, contactId }: { conversationId: string; contactId: string }) {
  const { t } = useTranslation();
  const ids = useId();
  const privacy = useConversationPrivacy(conversationId);
  const grant = usePrivacyAction((v: { reason: string; until: string | null }) =>
    rightsApi.grant(conversationId, v.reason, v.until),
  );
  const lift = usePrivacyAction((v: { kind: ProcessingRestrictionKind; reason: string }) =>
    rightsApi.lift(contactId, v.kind, v.reason),
  );
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [liftReason, setLiftReason] = useState('');
  const [said, setSaid] = useState<string | null>(null);
  const data = privacy.data;
  if (!data || data.anonymized) return null;
  const kind = data.rightsRequest?.kind;
  const grantable =
    (kind === 'limitation' || kind === 'objection') && !data.restrictions.some((r) => r.kind === kind) ? kind : null;

  function onGrant(event: FormEvent) {
    event.preventDefault();
    if (grant.isPending || !reason.trim()) return;
    grant.mutate(
      { reason: reason.trim(), until: grantable === 'limitation' && until ? until : null },
      {
        onSuccess: () => {
          setReason('');
          setUntil('');
          setSaid(t('restriction.granted'));
        },
      },
    );
  }

  function onLift(event: FormEvent, k: ProcessingRestrictionKind) {
    event.preventDefault();
    if (lift.isPending || !liftReason.trim()) return;
    lift.mutate(
      { kind: k, reason: liftReason.trim() },
      {
        onSuccess: () => {
          setLiftReason('');
          setSaid(t('restriction.lifted'));
        },
      },
    );
  }

  return (
    <>
      {grantable ? (
        <form className="identity-form merge-form" onSubmit={onGrant} aria-labelledby={`${ids}-grant`}>
          <h4 className="citizen-panel__heading" id={`${ids}-grant`}>
            {t('restriction.grantHeading')}
          </h4>
          <label htmlFor={`${ids}-reason`}>{t('restriction.grantReason')}</label>
          <input id={`${ids}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1000} />
          {grantable === 'limitation' ? (
            <>
              <label htmlFor={`${ids}-until`}>{t('restriction.grantUntil')}</label>
              <input id={`${ids}-until`} type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
            </>
          ) : null}
          <span className="privacy-actions__buttons">
            <button type="submit" className="button button--primary button--small" aria-disabled={grant.isPending || undefined}>
              {grantable === 'limitation' ? t('restriction.grantLimitation') : t('restriction.grantObjection')}
            </button>
          </span>
        </form>
      ) : null}
      {data.restrictions.map((r) => (
        <form key={r.id} className="identity-form merge-form" onSubmit={(e) => onLift(e, r.kind)}>
          <label htmlFor={`${ids}-lift-${r.kind}`}>{t('restriction.liftReason')}</label>
          <input
            id={`${ids}-lift-${r.kind}`}
            value={liftReason}
            onChange={(e) => setLiftReason(e.target.value)}
            required
            maxLength={1000}
          />
          <span className="privacy-actions__buttons">
            <button type="submit" className="button button--secondary button--small" aria-disabled={lift.isPending || undefined}>
              {r.kind === 'limitation' ? t('restriction.liftLimitation') : t('restriction.liftObjection')}
            </button>
          </span>
        </form>
      ))}
      <ActionFeedback said={said} error={grant.error ?? lift.error} />
    </>
  );
}
