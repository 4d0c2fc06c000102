import { createHmac } from 'node:crypto';
import { pbxSignature, verifyPbxSignature } from '../pbx-signature';

describe('switchboard signature', () => {
  const secret = 'pbx-shared-secret-0123';
  const body = Buffer.from('{"event":"ringing","callId":"1"}');

  it('is the hex HMAC-SHA256 of the raw body', () => {
    expect(pbxSignature(secret, body)).toBe(createHmac('sha256', secret).update(body).digest('hex'));
    expect(verifyPbxSignature(secret, pbxSignature(secret, body), body)).toBe(true);
    expect(verifyPbxSignature(secret, 'sha256=' + pbxSignature(secret, body).toUpperCase(), body)).toBe(true);
  });

  it('refuses another body, secret, a malformed or missing signature', () => {
    const sig = pbxSignature(secret, body);
    expect(verifyPbxSignature(secret, sig, Buffer.from('{"event":"hangup","callId":"1"}'))).toBe(false);
    expect(verifyPbxSignature('another-secret-000000', sig, body)).toBe(false);
    expect(verifyPbxSignature(secret, 'zz', body)).toBe(false);
    expect(verifyPbxSignature(secret, undefined, body)).toBe(false);
    expect(verifyPbxSignature(undefined, sig, body)).toBe(false);
  });
});
