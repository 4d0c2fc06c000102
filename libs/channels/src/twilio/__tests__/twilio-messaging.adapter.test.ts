import { startTwilioServer, type TwilioServer } from '@guichet/testing';
import type { OutboundRequest } from '../../adapter';
import { smsAdapter, whatsappAdapter } from '../twilio-messaging.adapter';
import { twilioClient } from '../twilio-rest-client';

const ACCOUNT = 'AC' + '1'.repeat(32);
const TOKEN = 'twilio-token-123456';

describe('Twilio messaging adapters with the real twilio client', () => {
  let server: TwilioServer;
  const request = (
    over: Partial<OutboundRequest['channel']['config']> = {},
    kind: 'sms' | 'whatsapp' = 'sms',
  ): OutboundRequest => ({
    channel: {
      id: 'chan-1',
      kind,
      config: {
        accountSid: ACCOUNT,
        authToken: TOKEN,
        apiBaseUrl: server.url,
        ...(kind === 'sms' ? { phoneNumber: '+33700000001' } : { whatsappNumber: '+33700000002' }),
        ...over,
      },
    },
    to: { kind: kind === 'sms' ? 'phone' : 'whatsapp', value: '+33612345678' },
    message: { id: 'm1', body: 'Votre acte est prêt.', attachments: [] },
    conversation: { id: 'c1', reference: 'GU-222222', subject: null, lastInboundAt: null },
    threadExternalIds: [],
    replyToken: 't',
    publicUrl: 'https://guichet.ville.fr',
  });

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    server = await startTwilioServer();
    server.addAccount(ACCOUNT, TOKEN);
  });
  afterAll(() => server.close());

  it('creates the message with From, To, Body and a status callback, with Basic auth', async () => {
    const result = await smsAdapter.send(request());
    expect(result).toEqual({ ok: true, status: 'sent', externalId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    const sent = server.creates().at(-1)!;
    expect(sent.auth).toEqual({ username: ACCOUNT, password: TOKEN });
    expect(sent.form).toEqual({
      From: '+33700000001',
      To: '+33612345678',
      Body: 'Votre acte est prêt.',
      StatusCallback: 'https://guichet.ville.fr/webhooks/twilio/chan-1/status',
    });
  });

  it('prefixes WhatsApp numbers and prefers a messaging service when configured', async () => {
    await whatsappAdapter.send(request({}, 'whatsapp'));
    expect(server.creates().at(-1)!.form).toMatchObject({ From: 'whatsapp:+33700000002', To: 'whatsapp:+33612345678' });
    await smsAdapter.send(request({ messagingServiceSid: 'MG' + 'a'.repeat(32) }));
    const form = server.creates().at(-1)!.form;
    expect(form.MessagingServiceSid).toBe('MG' + 'a'.repeat(32));
    expect(form.From).toBeUndefined();
  });

  it('fails permanently with a French reason on 4xx, temporarily on 429, 5xx and network errors', async () => {
    server.scriptNext({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    expect(await smsAdapter.send(request())).toEqual({ ok: false, temporary: false, reason: 'numéro invalide' });
    server.scriptNext({ status: 429, code: 20429, message: 'Too Many Requests' });
    expect(await smsAdapter.send(request())).toMatchObject({ ok: false, temporary: true });
    server.scriptNext({ status: 500, code: 20500, message: 'Internal Server Error' });
    expect(await smsAdapter.send(request())).toMatchObject({
      ok: false,
      temporary: true,
      reason: expect.stringMatching(/HTTP 500/),
    });
    server.scriptNext({ status: 500, drop: true });
    expect(await smsAdapter.send(request())).toMatchObject({
      ok: false,
      temporary: true,
      reason: expect.stringMatching(/injoignable/),
    });
    expect(await smsAdapter.send(request({ authToken: 'wrong-token-000' }))).toMatchObject({
      ok: false,
      temporary: false,
      reason: expect.stringMatching(/identifiants/),
    });
  });

  it('fetches a created message through the same client', async () => {
    const created = await smsAdapter.send(request());
    const client = twilioClient({ accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: server.url });
    const fetched = await client.messages((created as { externalId: string }).externalId).fetch();
    expect(fetched).toMatchObject({ status: 'queued', to: '+33612345678', body: 'Votre acte est prêt.' });
    await expect(client.messages('SM' + '0'.repeat(32)).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('lists messages as Twilio does: newest first, filtered on To and From, paged with next_page_uri', async () => {
    const client = twilioClient({ accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: server.url });
    const to = '+33611000001';
    for (let i = 0; i < 5; i++) await client.messages.create({ from: '+33700000001', to, body: `liste ${i}` });
    await client.messages.create({ from: '+33700000009', to, body: 'autre expéditeur' });
    await client.messages.create({ from: '+33700000001', to: '+33611000002', body: 'autre destinataire' });
    const page = await client.messages.page({ to, from: '+33700000001', pageSize: 2 });
    expect(page.instances.map((m) => m.body)).toEqual(['liste 4', 'liste 3']);
    const raw = server.lists().at(-1)!;
    expect(raw.query).toEqual({ To: to, From: '+33700000001', PageSize: '2' });
    const next = await page.nextPage()!;
    expect(next.instances.map((m) => m.body)).toEqual(['liste 2', 'liste 1']);
    expect(server.lists().at(-1)!.query).toMatchObject({ Page: '1', PageSize: '2', PageToken: `PA${page.instances[1]!.sid}` });
    const last = await next.nextPage()!;
    expect(last.instances.map((m) => m.body)).toEqual(['liste 0']);
    expect(last.nextPage()).toBeUndefined();
    // All of them, through the client's own paging.
    expect((await client.messages.list({ to, pageSize: 4 })).map((m) => m.body)).toEqual([
      'autre expéditeur',
      'liste 4',
      'liste 3',
      'liste 2',
      'liste 1',
      'liste 0',
    ]);
    // Accepted, not yet handed to the carrier: no date_sent, so no DateSent filter matches.
    expect(await client.messages.list({ to, dateSentAfter: new Date(Date.now() - 3_600_000) })).toEqual([]);
  });

  it('finds an accepted message by citizen, sender and text (findSent), not one from before `since` nor a refused one', async () => {
    const since = new Date(Date.now() - 1_000);
    const req = request();
    req.to = { kind: 'phone', value: '+33611000003' };
    req.message.body = 'Votre rendez-vous est confirmé.';
    expect(await smsAdapter.findSent(req, since)).toEqual({ ok: true, records: [] });
    const sent = await smsAdapter.send(req);
    const other = await smsAdapter.send({ ...req, message: { ...req.message, body: 'Autre texte.' } });
    expect(other.ok).toBe(true);
    // 60 more to the same citizen: the match is on the second page of 50.
    for (let i = 0; i < 60; i++) await smsAdapter.send({ ...req, message: { ...req.message, body: `suite ${i}` } });
    const lists = server.lists().length;
    const found = await smsAdapter.findSent(req, since);
    expect(found).toEqual({
      ok: true,
      records: [{ externalId: (sent as { externalId: string }).externalId, createdAt: expect.any(Date) }],
    });
    expect(server.lists().length - lists).toBe(2);
    // Refused by Twilio afterwards (undelivered): not a copy the citizen has.
    server.messages.get((sent as { externalId: string }).externalId)!.status = 'undelivered';
    expect(await smsAdapter.findSent(req, since)).toEqual({ ok: true, records: [] });
    // Older than `since`: not this attempt's.
    server.messages.get((sent as { externalId: string }).externalId)!.status = 'sent';
    expect(await smsAdapter.findSent(req, new Date(Date.now() + 5_000))).toEqual({ ok: true, records: [] });
    // Twilio away: a reason, never "not there".
    expect(
      await smsAdapter.findSent(
        { ...req, channel: { ...req.channel, config: { ...req.channel.config, authToken: 'wrong-token-000' } } },
        since,
      ),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/identifiants/),
    });
  });

  it('refuses WhatsApp free text outside 24 h of the citizen’s last message', () => {
    const now = new Date('2026-11-28T12:00:00Z');
    expect(whatsappAdapter.checkReply({ lastInboundAt: new Date('2026-11-28T01:00:00Z'), now })).toBeNull();
    expect(whatsappAdapter.checkReply({ lastInboundAt: new Date('2026-11-27T11:00:00Z'), now })).toMatch(/24 h/);
    expect(whatsappAdapter.checkReply({ lastInboundAt: null, now })).toMatch(/24 h/);
    expect(smsAdapter.checkReply({ lastInboundAt: null, now })).toBeNull();
  });
});
