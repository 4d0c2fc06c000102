import { mapGraphError } from '../graph-errors';
import { instagramAdapter, messengerAdapter, splitMetaText } from '../meta.adapter';
import { metaSendPolicy } from '../meta-window';

const H = 3_600_000;

describe('Meta messaging windows', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const ago = (h: number) => new Date(now.getTime() - h * H);

  it('answers freely within 24 h, with HUMAN_AGENT up to 7 days, never beyond', () => {
    expect(metaSendPolicy(ago(23), now, 'Messenger')).toEqual({ allowed: true, messagingType: 'RESPONSE' });
    expect(metaSendPolicy(ago(72), now, 'Messenger')).toEqual({
      allowed: true,
      messagingType: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
    expect(metaSendPolicy(ago(24 * 7 - 1), now, 'Messenger')).toMatchObject({ messagingType: 'MESSAGE_TAG' });
    const refused = metaSendPolicy(ago(24 * 8), now, 'Messenger');
    expect(refused).toMatchObject({ allowed: false, reason: expect.stringMatching(/plus de 7 jours/) });
    expect(metaSendPolicy(null, now, 'Instagram')).toMatchObject({ allowed: false, reason: expect.stringMatching(/Instagram/) });
  });

  it('checkReply refuses beyond 7 days with a French reason, accepts within', () => {
    expect(messengerAdapter.checkReply({ lastInboundAt: ago(23), now })).toBeNull();
    expect(instagramAdapter.checkReply({ lastInboundAt: ago(72), now })).toBeNull();
    expect(messengerAdapter.checkReply({ lastInboundAt: ago(24 * 8), now })).toMatch(/Messenger/);
  });

  it('splits long replies within the provider limit', () => {
    const parts = splitMetaText(`${'a'.repeat(1500)}\n\n${'b'.repeat(1500)}`, 2000);
    expect(parts).toEqual(['a'.repeat(1500), 'b'.repeat(1500)]);
    expect(splitMetaText('x'.repeat(4500), 2000).map((p) => p.length)).toEqual([2000, 2000, 500]);
  });
});

describe('Graph error codes', () => {
  const e = (code: number, error_subcode?: number) => ({
    message: 'm',
    type: 'OAuthException',
    code,
    error_subcode,
    fbtrace_id: 'x',
  });

  it('maps to short French reasons and a retry decision', () => {
    expect(mapGraphError(401, e(190, 463))).toMatchObject({
      temporary: false,
      auth: true,
      reason: expect.stringMatching(/jeton.*expiré/),
    });
    expect(mapGraphError(400, e(551, 1545041))).toMatchObject({ temporary: false, reason: expect.stringMatching(/injoignable/) });
    expect(mapGraphError(400, e(100, 1545041))).toMatchObject({ temporary: false, reason: expect.stringMatching(/injoignable/) });
    expect(mapGraphError(400, e(10, 2018278))).toMatchObject({
      temporary: false,
      reason: expect.stringMatching(/fenêtre de 24 h/),
    });
    for (const code of [4, 17, 32, 613]) {
      expect(mapGraphError(429, e(code))).toMatchObject({ temporary: true, reason: expect.stringMatching(/limite de débit/) });
    }
    expect(mapGraphError(500, e(2))).toMatchObject({ temporary: true });
    expect(mapGraphError(503, undefined)).toMatchObject({ temporary: true });
    expect(mapGraphError(400, e(100))).toMatchObject({ temporary: false, reason: expect.stringMatching(/refusée par Meta/) });
    expect(mapGraphError(403, e(200))).toMatchObject({
      temporary: false,
      auth: true,
      reason: expect.stringMatching(/permission/),
    });
  });
});
