import { optKeyword, twilioDeliveryStatus, twilioMessageToInbound, InvalidTwilioPayloadError } from '../twilio-inbound';
import { twilioErrorReason } from '../twilio-errors';
import { rewriteTwilioUrl, isTwilioHostedUrl } from '../twilio-rest-client';
import { incomingCallTwiml, voicemailTwiml, emptyTwiml } from '../twilio-twiml';

const SID = 'SM' + 'a'.repeat(32);

describe('Twilio inbound messages', () => {
  it('maps an SMS to a phone identity threaded into the latest open conversation', () => {
    const { inbound, media } = twilioMessageToInbound('ch', {
      MessageSid: SID,
      From: '+33612345678',
      To: '+33700000000',
      Body: 'Bonjour',
      NumMedia: '0',
    });
    expect(inbound).toMatchObject({
      channelId: 'ch',
      externalId: SID,
      from: { kind: 'phone', value: '+33612345678' },
      text: 'Bonjour',
      thread: { latestOpen: true },
    });
    expect(media).toEqual([]);
  });

  it('strips the whatsapp: prefix into a whatsapp identity with the profile name', () => {
    const { inbound } = twilioMessageToInbound('ch', {
      MessageSid: SID,
      From: 'whatsapp:+33612345678',
      ProfileName: 'Awa',
      Body: 'Salut',
    });
    expect(inbound.from).toEqual({ kind: 'whatsapp', value: '+33612345678', name: 'Awa' });
  });

  it('lists MMS media with their types and file names', () => {
    const { inbound, media } = twilioMessageToInbound('ch', {
      MessageSid: 'MM' + 'b'.repeat(32),
      From: '+33612345678',
      Body: '',
      NumMedia: '2',
      MediaUrl0: 'https://api.twilio.com/m/0',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/m/1',
      MediaContentType1: 'application/pdf',
    });
    expect(inbound.text).toBe('');
    expect(media).toEqual([
      { url: 'https://api.twilio.com/m/0', contentType: 'image/jpeg', fileName: 'media-1.jpg' },
      { url: 'https://api.twilio.com/m/1', contentType: 'application/pdf', fileName: 'media-2.pdf' },
    ]);
  });

  it('refuses a payload without MessageSid or From', () => {
    expect(() => twilioMessageToInbound('ch', { From: '+33612345678' })).toThrow(InvalidTwilioPayloadError);
    expect(() => twilioMessageToInbound('ch', { MessageSid: SID })).toThrow(InvalidTwilioPayloadError);
  });
});

describe('opt-out keywords', () => {
  it.each(['STOP', 'stop', ' Stop. ', 'ARRET', 'Arrêt', 'ARRÊT', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'])(
    '%s opts out',
    (w) => {
      expect(optKeyword(w)).toBe('opt-out');
    },
  );
  it.each(['START', 'start', 'UNSTOP', 'YES'])('%s opts back in', (w) => expect(optKeyword(w)).toBe('opt-in'));
  it.each(['Stop envoyez plus', 'Bonjour', 'arrêtez svp', ''])('"%s" is a plain message', (w) =>
    expect(optKeyword(w)).toBeNull(),
  );
});

describe('Twilio statuses and errors', () => {
  it('maps message statuses to delivery statuses', () => {
    expect(
      ['queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed', 'receiving'].map(twilioDeliveryStatus),
    ).toEqual(['queued', 'queued', 'sent', 'delivered', 'delivered', 'failed', 'failed', null]);
  });

  it('gives agents a short French reason for error codes', () => {
    expect(twilioErrorReason(21211)).toBe('numéro invalide');
    expect(twilioErrorReason('21610')).toBe('le destinataire a répondu STOP');
    expect(twilioErrorReason(30006)).toMatch(/ligne fixe/);
    expect(twilioErrorReason(63016)).toMatch(/24 h/);
    expect(twilioErrorReason(99999)).toBe('échec de remise (erreur Twilio 99999)');
    expect(twilioErrorReason(undefined, 'refusé')).toBe('refusé');
  });

  it('aims Twilio URLs at the channel base URL and sends credentials only to Twilio hosts', () => {
    expect(rewriteTwilioUrl('https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json', 'http://127.0.0.1:4000/')).toBe(
      'http://127.0.0.1:4000/2010-04-01/Accounts/AC1/Messages.json',
    );
    expect(rewriteTwilioUrl('https://api.twilio.com/x', undefined)).toBe('https://api.twilio.com/x');
    expect(isTwilioHostedUrl('https://api.twilio.com/2010-04-01/x', undefined)).toBe(true);
    expect(isTwilioHostedUrl('http://127.0.0.1:4000/m', 'http://127.0.0.1:4000')).toBe(true);
    expect(isTwilioHostedUrl('https://evil.example/twilio.com', undefined)).toBe(false);
    expect(isTwilioHostedUrl('https://api.twilio.com.evil.example/x', undefined)).toBe(false);
  });
});

describe('TwiML', () => {
  it('answers messaging webhooks with an empty response', () => {
    expect(emptyTwiml()).toMatch(/<Response\/>$/);
  });

  it('forwards a call with a timeout and a dial action, or goes to a French voicemail', () => {
    const forward = incomingCallTwiml({
      forwardTo: '+33140000000',
      dialTimeoutSeconds: 25,
      actionUrl: 'https://g.fr/webhooks/twilio/c/voice-status',
    });
    expect(forward).toContain(
      '<Dial action="https://g.fr/webhooks/twilio/c/voice-status" method="POST" timeout="25" answerOnBridge="true"><Number>+33140000000</Number></Dial>',
    );
    const vm = voicemailTwiml({ actionUrl: 'https://g.fr/a', greeting: 'Mairie <fermée> & absente' });
    expect(vm).toContain('<Say language="fr-FR">Mairie &lt;fermée&gt; &amp; absente</Say>');
    expect(vm).toMatch(/<Record action="https:\/\/g.fr\/a" method="POST" maxLength="120" playBeep="true" timeout="5"\/>/);
    expect(incomingCallTwiml({ actionUrl: 'https://g.fr/a' })).toContain('<Record');
  });
});
