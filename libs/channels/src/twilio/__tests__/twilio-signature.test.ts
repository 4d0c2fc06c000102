import { parseTwilioForm, twilioSignature, verifyTwilioSignature } from '../twilio-signature';

// Twilio's published example (https://www.twilio.com/docs/usage/security#validating-requests).
const TOKEN = '12345';
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' };
const EXPECTED = 'GvWf1cFY/Q7PnoempGyD5oXAezc=';

describe('Twilio request signature', () => {
  it("matches Twilio's published vector", () => {
    expect(twilioSignature(TOKEN, URL, PARAMS)).toBe(EXPECTED);
    expect(verifyTwilioSignature(TOKEN, EXPECTED, URL, PARAMS)).toBe(true);
  });

  it('does not depend on the order the fields were posted in', () => {
    const reversed = Object.fromEntries(Object.entries(PARAMS).reverse());
    expect(twilioSignature(TOKEN, URL, reversed)).toBe(EXPECTED);
  });

  it('refuses a changed field, URL, token, a missing signature or token', () => {
    expect(verifyTwilioSignature(TOKEN, EXPECTED, URL, { ...PARAMS, Digits: '1235' })).toBe(false);
    expect(verifyTwilioSignature(TOKEN, EXPECTED, URL.replace('foo=1', 'foo=2'), PARAMS)).toBe(false);
    expect(verifyTwilioSignature('54321', EXPECTED, URL, PARAMS)).toBe(false);
    expect(verifyTwilioSignature(TOKEN, undefined, URL, PARAMS)).toBe(false);
    expect(verifyTwilioSignature(undefined, EXPECTED, URL, PARAMS)).toBe(false);
    expect(verifyTwilioSignature(TOKEN, 'short', URL, PARAMS)).toBe(false);
    const { Digits: _dropped, ...fewer } = PARAMS;
    expect(verifyTwilioSignature(TOKEN, EXPECTED, URL, fewer)).toBe(false);
  });

  it('signs every value of a repeated field', () => {
    const a = twilioSignature(TOKEN, URL, { X: ['1', '2'] });
    expect(a).not.toBe(twilioSignature(TOKEN, URL, { X: '1' }));
    expect(verifyTwilioSignature(TOKEN, a, URL, { X: ['1', '2'] })).toBe(true);
  });

  it('reads the fields of a raw form body as Twilio signed them', () => {
    const raw = Buffer.from('CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212');
    expect(verifyTwilioSignature(TOKEN, EXPECTED, URL, parseTwilioForm(raw))).toBe(true);
    expect(parseTwilioForm('Body=Bonjour+%C3%A0+vous+%26+merci&MediaUrl=a&MediaUrl=b&__proto__=x')).toEqual({
      Body: 'Bonjour à vous & merci',
      MediaUrl: ['a', 'b'],
      ['__proto__']: 'x',
    });
    expect(Object.keys(parseTwilioForm(Array.from({ length: 1500 }, (_, i) => `F${i}=${i}`).join('&')))).toHaveLength(1500);
  });
});
