import { CHANNEL_CAPABILITIES } from '@guichet/contracts';

const HOUR = 3_600_000;
/** Within this time of the citizen's last message a reply is a plain RESPONSE; later it needs the HUMAN_AGENT tag. */
export const META_STANDARD_WINDOW_MS = 24 * HOUR;

export type MetaSendPolicy =
  | { allowed: true; messagingType: 'RESPONSE' }
  | { allowed: true; messagingType: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' }
  | { allowed: false; reason: string };

/**
 * Meta's messaging windows: a free reply within 24 h of the citizen's last message on this
 * channel kind; up to the kind's reply window (CHANNEL_CAPABILITIES: 7 days) only with the
 * HUMAN_AGENT tag (a person answers); beyond it nothing can be sent until the citizen writes again.
 */
export function metaSendPolicy(
  lastInboundAt: Date | null,
  now: Date,
  label: string,
  windowHours: number | null = CHANNEL_CAPABILITIES.messenger.replyWindowHours,
): MetaSendPolicy {
  if (!lastInboundAt) {
    return {
      allowed: false,
      reason: `ce citoyen ne vous a jamais écrit sur ${label} : ${label} n'autorise une réponse qu'après un message du citoyen`,
    };
  }
  const elapsed = now.getTime() - lastInboundAt.getTime();
  if (elapsed <= META_STANDARD_WINDOW_MS) return { allowed: true, messagingType: 'RESPONSE' };
  if (windowHours === null || elapsed <= windowHours * HOUR)
    return { allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  return {
    allowed: false,
    reason: `le dernier message du citoyen sur ${label} date de plus de ${windowDuration(windowHours)} : ${label} n'autorise plus de réponse tant qu'il ne vous a pas réécrit (choisissez un autre canal)`,
  };
}

/** "7 jours", "24 heures": a window as an agent reads it. */
export function windowDuration(hours: number): string {
  return hours % 24 === 0 && hours > 24 ? `${hours / 24} jours` : `${hours} heures`;
}
