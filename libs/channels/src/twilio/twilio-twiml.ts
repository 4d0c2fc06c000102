/** The twilio package, loaded with the first answer to Twilio (the app starts without it). */
const twilio = () => require('twilio') as typeof import('twilio');

export const DEFAULT_VOICEMAIL_GREETING =
  'Bonjour, vous êtes bien à la mairie. Nous ne pouvons pas vous répondre pour le moment. Laissez votre nom, votre numéro et votre message après le bip : nous vous rappellerons.';

/** Empty answer to a messaging webhook: Twilio sends nothing back to the citizen. */
export function emptyTwiml(): string {
  return new (twilio().twiml.MessagingResponse)().toString();
}

/** French voicemail: greeting, beep, up to two minutes of recording posted to `actionUrl`. */
export function voicemailTwiml(o: { greeting?: string; actionUrl: string; maxLengthSeconds?: number }): string {
  const r = new (twilio().twiml.VoiceResponse)();
  r.say({ language: 'fr-FR' }, o.greeting || DEFAULT_VOICEMAIL_GREETING);
  r.record({ action: o.actionUrl, method: 'POST', maxLength: o.maxLengthSeconds ?? 120, playBeep: true, timeout: 5 });
  r.say({ language: 'fr-FR' }, "Nous n'avons pas reçu de message. Au revoir.");
  return r.toString();
}

/**
 * An incoming call: forwarded to the switchboard or an agent's number for `dialTimeoutSeconds`;
 * when nobody answers, Twilio posts the dial outcome to `actionUrl`, which answers the
 * voicemail. Without a number to forward to, straight to voicemail.
 */
export function incomingCallTwiml(o: {
  forwardTo?: string;
  callerId?: string;
  dialTimeoutSeconds?: number;
  actionUrl: string;
  greeting?: string;
}): string {
  if (!o.forwardTo) return voicemailTwiml({ greeting: o.greeting, actionUrl: o.actionUrl });
  const r = new (twilio().twiml.VoiceResponse)();
  const dial = r.dial({ action: o.actionUrl, method: 'POST', timeout: o.dialTimeoutSeconds ?? 20, answerOnBridge: true });
  dial.number(o.forwardTo);
  return r.toString();
}

export function goodbyeTwiml(message?: string): string {
  const r = new (twilio().twiml.VoiceResponse)();
  if (message) r.say({ language: 'fr-FR' }, message);
  r.hangup();
  return r.toString();
}
