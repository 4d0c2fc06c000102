import { formatFrenchLongDate, civilDateAt, SATISFACTION_QUESTION } from '@guichet/contracts';

export interface SurveyFacts {
  commune: string;
  reference: string;
  service: string;
  url: string;
  expiresAt: Date;
}

/**
 * The invitation, on the channel the citizen used: the full text by e-mail and on the tracking
 * page (the web form's channel), a short one with the link by SMS and chat. It says it is the only
 * one: no reminder follows.
 */
export function surveyInvitation(form: 'full' | 'short', f: SurveyFacts): string {
  if (form === 'short') return `${f.commune} : demande ${f.reference} traitée. Votre avis (note de 0 à 10) : ${f.url}`;
  return [
    'Bonjour,',
    '',
    `Votre demande ${f.reference} auprès du service ${f.service} a été traitée.`,
    'Pour nous aider à améliorer l’accueil, pouvez-vous répondre à une seule question, sans créer de compte ?',
    '',
    `« ${SATISFACTION_QUESTION} » (note de 0 à 10)`,
    '',
    `Donner mon avis : ${f.url}`,
    '',
    `Ce lien est personnel et reste ouvert jusqu’au ${formatFrenchLongDate(civilDateAt(f.expiresAt))}. Vous ne recevrez pas de relance.`,
    '',
    f.commune,
  ].join('\n');
}

/** The line the answer leaves in the conversation's timeline. */
export function surveyAnswerLine(score: number, comment: string | null): string {
  return `Avis du citoyen : ${score}/10${comment ? ` — « ${comment} »` : ''}`;
}
