import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLogCall } from '../../hooks/use-log-call';
import { useFrozenFile } from './processing-restrictions';

/** Logs a phone call or a counter visit ("accueil physique") in the timeline. */
export function LogCallForm({ conversationId, onDone }: { conversationId: string; onDone(text: string): void }) {
  const { t } = useTranslation();
  const ids = useId();
  const log = useLogCall(conversationId);
  const [kind, setKind] = useState<'phone' | 'counter'>('phone');
  const [direction, setDirection] = useState<'inbound' | 'outbound'>('outbound');
  const [minutes, setMinutes] = useState('');
  const [note, setNote] = useState('');
  // RGPD art. 18: a frozen file takes no call log (the API refuses it with 423); said, not offered.
  const frozen = useFrozenFile(conversationId);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const duration = minutes.trim() ? Math.round(Number(minutes.replace(',', '.')) * 60) : undefined;
    log.mutate(
      {
        kind,
        direction,
        durationSeconds: duration !== undefined && Number.isFinite(duration) ? duration : undefined,
        note: note.trim() || undefined,
      },
      {
        onSuccess: () => {
          setMinutes('');
          setNote('');
          onDone(kind === 'phone' ? t('logCall.doneCall') : t('logCall.doneVisit'));
        },
      },
    );
  }

  if (frozen)
    return (
      <p className="notice notice--warning log-call" role="status" data-testid="log-call-frozen">
        {t('restriction.callFrozen')}
      </p>
    );

  return (
    <form className="log-call" onSubmit={onSubmit} aria-labelledby={`${ids}-title`}>
      <p className="log-call__title" id={`${ids}-title`}>
        {t('logCall.title')}
      </p>
      <div className="actions__row">
        <span className="actions__field">
          <label htmlFor={`${ids}-kind`}>{t('logCall.kind')}</label>
          <select id={`${ids}-kind`} value={kind} onChange={(e) => setKind(e.target.value as 'phone' | 'counter')}>
            <option value="phone">{t('logCall.phone')}</option>
            <option value="counter">{t('logCall.counter')}</option>
          </select>
        </span>
        <span className="actions__field">
          <label htmlFor={`${ids}-direction`}>{t('logCall.direction')}</label>
          <select
            id={`${ids}-direction`}
            value={direction}
            onChange={(e) => setDirection(e.target.value as 'inbound' | 'outbound')}
          >
            <option value="outbound">{t('logCall.outbound')}</option>
            <option value="inbound">{t('logCall.inbound')}</option>
          </select>
        </span>
        <span className="actions__field">
          <label htmlFor={`${ids}-minutes`}>{t('logCall.minutes')}</label>
          <input
            id={`${ids}-minutes`}
            inputMode="decimal"
            size={4}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
          />
        </span>
      </div>
      <div className="actions__row">
        <span className="actions__field log-call__note">
          <label htmlFor={`${ids}-note`}>{t('logCall.note')}</label>
          <input id={`${ids}-note`} value={note} onChange={(e) => setNote(e.target.value)} maxLength={5000} />
        </span>
        <button type="submit" className="button button--primary button--small" aria-disabled={log.isPending || undefined}>
          {t('logCall.submit')}
        </button>
      </div>
      {log.error ? (
        <p className="form-error" role="alert">
          {log.error.message}
        </p>
      ) : null}
    </form>
  );
}
