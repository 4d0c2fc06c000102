import { CHANNEL_KINDS } from '@guichet/contracts';
import { ADAPTERS, adapterFor } from '../registry';

describe('adapter registry', () => {
  it('has an adapter for every channel kind', () => {
    for (const kind of CHANNEL_KINDS) expect(adapterFor(kind).kind).toBe(kind);
    expect(Object.keys(ADAPTERS).sort()).toEqual([...CHANNEL_KINDS].sort());
  });

  it('publishes web form replies at once, and refuses kinds not built yet with a reason', async () => {
    const req = {
      channel: { id: 'c', kind: 'webform' as const, config: {} },
      to: null,
      message: { id: 'm', body: 'b', attachments: [] },
      conversation: { id: 'c', reference: 'GU-222222', subject: null, lastInboundAt: null },
      threadExternalIds: [],
      replyToken: 't',
      publicUrl: 'http://guichet.test',
    };
    await expect(adapterFor('webform').send(req)).resolves.toEqual({ ok: true, status: 'sent' });
    const sms = await adapterFor('sms').send({ ...req, channel: { ...req.channel, kind: 'sms' } });
    expect(sms).toMatchObject({ ok: false, temporary: false });
    expect(sms.ok === false && sms.reason).toMatch(/SMS/);
  });
});
