import { useTranslation } from 'react-i18next';
import { usePresence } from '../../hooks/use-presence';

/** "Marie consulte" / "Marie écrit…": the other agents in this conversation right now. */
export function PresenceBar({ conversationId, meId }: { conversationId: string; meId: string }) {
  const { t } = useTranslation();
  const presence = usePresence(conversationId);
  const others = presence.viewers.filter((v) => v.agentId !== meId);
  return (
    <p className="presence" aria-live="polite" data-testid="presence">
      {others.map((v) => (
        <span key={v.agentId} className={v.typing ? 'presence__item presence__item--typing' : 'presence__item'}>
          <span className="presence__dot" aria-hidden="true" />
          {v.typing ? t('presence.typing', { name: v.name }) : t('presence.viewing', { name: v.name })}
        </span>
      ))}
    </p>
  );
}
