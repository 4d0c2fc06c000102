import { randomUUID } from 'node:crypto';
import { replyToken, verifyReplyToken } from '../../src/modules/outbound/reply-token';

describe('reply tokens (email plus-address)', () => {
  const secret = 'secret-de-test-0123456789';

  it('round-trips a conversation id, whatever the case the mail server gives back', () => {
    const id = randomUUID();
    const token = replyToken(secret, id);
    expect(token).toMatch(/^[a-z2-7]{36}$/);
    expect(`developpement-economique+${token}@ville-demo.fr`.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(verifyReplyToken(secret, token)).toBe(id);
    expect(verifyReplyToken(secret, token.toUpperCase())).toBe(id);
  });

  it('ignores forged, altered or foreign tokens', () => {
    const token = replyToken(secret, randomUUID());
    const flipped = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    expect(verifyReplyToken(secret, flipped)).toBeNull();
    expect(verifyReplyToken('un-autre-secret-0123456789', token)).toBeNull();
    expect(verifyReplyToken(secret, token.slice(0, 30))).toBeNull();
    expect(verifyReplyToken(secret, '1'.repeat(36))).toBeNull();
  });
});
