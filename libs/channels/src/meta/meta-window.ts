const HOUR = 3_600_000;
export const META_STANDARD_WINDOW_MS = 24 * HOUR;
export const META_HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR;

export type MetaSendPolicy =
  | { allowed: true; messagingType: 'RESPONSE' }
  | { allowed: true; messagingType: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' }
  | { allowed: false; reason: string };

/**
 * Meta's messaging windows: a free reply within 24 h of the citizen's last message on this
 * channel kind; between 24 h and 7 days only with the HUMAN_AGENT tag (a person answers);
 * beyond 7 days nothing can be sent until the citizen writes again.
 */
export function metaSendPolicy(lastInboundAt: Date | null, now: Date, label: string): MetaSendPolicy {
  if (!lastInboundAt) {
    return { allowed: false, reason: `ce citoyen ne vous a jamais écrit sur ${label} : ${label} n'autorise une réponse qu'après un message du citoyen` };
  }
  const elapsed = now.getTime() - lastInboundAt.getTime();
  if (elapsed <= META_STANDARD_WINDOW_MS) return { allowed: true, messagingType: 'RESPONSE' };
  if (elapsed <= META_HUMAN_AGENT_WINDOW_MS) return { allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  return {
    allowed: false,
    reason: `le dernier message du citoyen sur ${label} date de plus de 7 jours : ${label} n'autorise plus de réponse tant qu'il ne vous a pas réécrit (choisissez un autre canal)`,
  };
}
