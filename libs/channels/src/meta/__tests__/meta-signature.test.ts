import { signMetaPayload, verifyMetaSignature } from '../meta-signature';

describe('X-Hub-Signature-256', () => {
  // RFC 4231-style public vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
  const vector = 'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';

  it('signs and verifies the exact bytes with the app secret', () => {
    const body = Buffer.from('The quick brown fox jumps over the lazy dog');
    expect(signMetaPayload(body, 'key')).toBe(vector);
    expect(verifyMetaSignature(body, vector, 'key')).toBe(true);
    expect(verifyMetaSignature(body, vector.toUpperCase().replace('SHA256=', 'sha256='), 'key')).toBe(true);
  });

  it('refuses another body, another secret, a missing, truncated or non-sha256 header', () => {
    const body = Buffer.from('The quick brown fox jumps over the lazy dog');
    expect(verifyMetaSignature(Buffer.from('The quick brown fox jumps over the lazy dog '), vector, 'key')).toBe(false);
    expect(verifyMetaSignature(body, vector, 'other')).toBe(false);
    expect(verifyMetaSignature(body, undefined, 'key')).toBe(false);
    expect(verifyMetaSignature(body, vector.slice(0, -2), 'key')).toBe(false);
    expect(verifyMetaSignature(body, vector.replace('sha256', 'sha1'), 'key')).toBe(false);
    expect(verifyMetaSignature(body, [vector], 'key')).toBe(false);
    expect(verifyMetaSignature(undefined, vector, 'key')).toBe(false);
    expect(verifyMetaSignature(body, vector, '')).toBe(false);
  });

  it('is sensitive to re-serialization: a re-encoded JSON body does not verify', () => {
    const raw = '{"object":"page", "entry":[]}';
    const sig = signMetaPayload(raw, 's3cret');
    expect(verifyMetaSignature(Buffer.from(raw), sig, 's3cret')).toBe(true);
    expect(verifyMetaSignature(JSON.stringify(JSON.parse(raw)), sig, 's3cret')).toBe(false);
  });
});
