/** Twilio error codes an agent may meet, as a short French reason. */
export const TWILIO_ERROR_REASONS: Record<number, string> = {
  20003: 'identifiants Twilio refusés (vérifiez le canal)',
  20404: 'ressource introuvable chez Twilio',
  21211: 'numéro invalide',
  21212: "numéro d'expéditeur invalide",
  21408: 'envoi vers ce pays non autorisé sur le compte Twilio',
  21606: "le numéro d'expéditeur ne peut pas envoyer de SMS",
  21610: 'le destinataire a répondu STOP',
  21612: 'ce numéro ne peut pas être joint depuis le numéro de la mairie',
  21614: "ce numéro n'est pas un mobile",
  21617: 'message trop long',
  30001: "file d'envoi saturée chez Twilio",
  30002: 'compte Twilio suspendu',
  30003: 'destinataire injoignable (téléphone éteint ou hors réseau)',
  30004: 'message bloqué par le destinataire',
  30005: 'numéro inconnu ou inexistant',
  30006: 'ligne fixe ou opérateur injoignable',
  30007: "filtré comme indésirable par l'opérateur",
  30008: "erreur inconnue de l'opérateur",
  63003: "ce numéro n'a pas de compte WhatsApp",
  63016: 'hors de la fenêtre de 24 h WhatsApp : le citoyen doit écrire en premier',
  63018: 'débit WhatsApp dépassé',
};

export function twilioErrorReason(code: number | string | null | undefined, fallback?: string | null): string {
  const n = typeof code === 'string' ? Number(code) : code;
  if (n && TWILIO_ERROR_REASONS[n]) return TWILIO_ERROR_REASONS[n];
  if (fallback) return n ? `${fallback} (erreur Twilio ${n})` : fallback;
  return n ? `échec de remise (erreur Twilio ${n})` : 'échec de remise';
}
