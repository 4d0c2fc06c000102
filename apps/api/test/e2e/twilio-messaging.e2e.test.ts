import { randomBytes } from 'node:crypto';
import { twilioSignature } from '@guichet/channels';
import type { ConversationDto, MessageDto } from '@guichet/contracts';
import { connectRecording, expectEventually, startTwilioServer, type RecordingClient, type TwilioServer } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'c'.repeat(32);
const TOKEN = 'auth-token-ville-0001';
const smsSid = (prefix = 'SM') => prefix + randomBytes(16).toString('hex');

describe('Twilio SMS and WhatsApp', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let twilio: TwilioServer;
  let sms: { id: string };
  let whatsapp: { id: string };
  let ec: RecordingClient;

  /** Posts a Twilio webhook signed like Twilio does (or with the given signature / none). */
  const webhook = async (path: string, params: Record<string, string>, o: { token?: string; signature?: string | null } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const signature =
      o.signature === undefined ? twilioSignature(o.token ?? TOKEN, t.config.publicUrl + path, params) : o.signature;
    if (signature !== null) headers['x-twilio-signature'] = signature;
    const res = await fetch(t.url + path, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
    const answer = { status: res.status, text: await res.text() };
    // Acknowledged once stored: filed right after.
    if (res.ok) await t.webhooksProcessed();
    return answer;
  };
  const inboundSms = (from: string, body: string, extra: Record<string, string> = {}, channel = sms) =>
    webhook(`/webhooks/twilio/${channel.id}/sms`, {
      MessageSid: smsSid(),
      AccountSid: ACCOUNT,
      From: from,
      To: '+33700000001',
      Body: body,
      NumMedia: '0',
      ...extra,
    });
  const conversationOf = async (messageExternalId: string) => {
    const { rows } = await t.db.query(
      `SELECT m.id AS message_id, m.conversation_id, c.contact_id FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.external_id = $1`,
      [messageExternalId],
    );
    return rows[0] as { message_id: string; conversation_id: string; contact_id: string } | undefined;
  };
  const get = async (conversationId: string): Promise<ConversationDto> =>
    (await t.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentEC.token })).body;
  const reply = async (conversationId: string, body: string, channelId = sms.id) => {
    const c = await get(conversationId);
    return t.http('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body, channelId, version: c.version },
    });
  };
  const message = async (id: string): Promise<{ status: string; error: string | null; external_id: string | null }> =>
    (await t.db.query(`SELECT status, error, external_id FROM message WHERE id = $1`, [id])).rows[0];

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    twilio = await startTwilioServer();
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await startTestApp();
    town = await seedTown(t);
    const create = async (kind: 'sms' | 'whatsapp', config: object) => {
      const res = await t.http('POST', '/api/v1/channels', {
        token: town.admin.token,
        body: {
          kind,
          name: `Mairie ${kind}`,
          teamId: town.etatCivil.id,
          config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, ...config },
        },
      });
      expect(res.status).toBe(201);
      return { id: res.body.id as string };
    };
    sms = await create('sms', { phoneNumber: '+33700000001' });
    whatsapp = await create('whatsapp', { whatsappNumber: '+33700000002' });
    ec = await connectRecording(t.url, town.agentEC.token);
  });
  afterAll(async () => {
    ec?.close();
    await t?.close();
    await twilio?.close();
  });

  it('files an SMS from a new citizen in a new conversation, pushed live, and answers empty TwiML', async () => {
    const sid = smsSid();
    const res = await webhook(`/webhooks/twilio/${sms.id}/sms`, {
      MessageSid: sid,
      From: '+33611111111',
      To: '+33700000001',
      Body: 'Bonjour, mon acte de naissance ?',
      NumMedia: '0',
    });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<Response\/>$/);
    const row = (await conversationOf(sid))!;
    const { rows } = await t.db.query(`SELECT kind, value FROM contact_identity WHERE contact_id = $1`, [row.contact_id]);
    expect(rows).toEqual([{ kind: 'phone', value: '+33611111111' }]);
    await expectEventually(() => {
      const created = ec.of<MessageDto>('message.created').find((m) => m.id === row.message_id);
      expect(created).toMatchObject({
        direction: 'inbound',
        kind: 'message',
        channelKind: 'sms',
        body: 'Bonjour, mon acte de naissance ?',
      });
      expect(ec.of<ConversationDto>('conversation.created').some((c) => c.id === row.conversation_id)).toBe(true);
    });
  });

  it('threads a known citizen’s SMS into their open conversation, whatever the French number format', async () => {
    const first = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: first, From: '+33622222222', Body: 'Premier' });
    const base = (await conversationOf(first))!;
    for (const from of ['06 22 22 22 22', '+33 6 22 22 22 22', '0033622222222', '+33622222222']) {
      const sid = smsSid();
      expect(
        (await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: sid, From: from, Body: `depuis ${from}` })).status,
      ).toBe(200);
      expect(await conversationOf(sid)).toEqual(
        expect.objectContaining({ conversation_id: base.conversation_id, contact_id: base.contact_id }),
      );
    }
    // A foreign number is its own citizen, in E.164.
    const uk = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: uk, From: '+32470123456', Body: 'Hello' });
    const ukRow = (await conversationOf(uk))!;
    expect(ukRow.contact_id).not.toBe(base.contact_id);
    const { rows } = await t.db.query(`SELECT value FROM contact_identity WHERE contact_id = $1`, [ukRow.contact_id]);
    expect(rows).toEqual([{ value: '+32470123456' }]);
    // A number that is no phone number is a 400 and nothing is stored.
    const before = await t.count('message');
    expect((await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: smsSid(), From: '12', Body: 'x' })).status).toBe(400);
    expect(await t.count('message')).toBe(before);
  });

  it('files an SMS after the citizen’s file was resolved or closed (transmitted) in a new file linked to it', async () => {
    const first = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: first, From: '+33655555555', Body: 'Ma demande de carte' });
    const base = (await conversationOf(first))!;
    const patch = async (id: string, status: string) => {
      const res = await t.http('PATCH', `/api/v1/conversations/${id}`, {
        token: town.agentEC.token,
        body: { status, version: (await get(id)).version },
      });
      expect(res.status).toBe(200);
    };
    // Resolved: a new request of the same citizen, linked to the resolved file (which stays resolved).
    await patch(base.conversation_id, 'resolved');
    const answer = smsSid();
    const sent = await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: answer, From: '06 55 55 55 55', Body: 'Encore' });
    expect(sent.status).toBe(200);
    const second = (await conversationOf(answer))!;
    expect(second.conversation_id).not.toBe(base.conversation_id);
    expect(second.contact_id).toBe(base.contact_id);
    expect(await get(second.conversation_id)).toMatchObject({ status: 'open', possiblyRelatedToId: base.conversation_id });
    expect((await get(base.conversation_id)).status).toBe('resolved');
    // The next SMS goes to that file in progress.
    const again = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: again, From: '+33655555555', Body: 'Toujours là' });
    expect((await conversationOf(again))!.conversation_id).toBe(second.conversation_id);

    // Closed (e.g. transmitted to the préfecture): linked to that latest file, never appended to it.
    await patch(second.conversation_id, 'closed');
    const later = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: later, From: '+33655555555', Body: 'Et la préfecture ?' });
    const third = (await conversationOf(later))!;
    expect([base.conversation_id, second.conversation_id]).not.toContain(third.conversation_id);
    expect(third.contact_id).toBe(base.contact_id);
    expect(await get(third.conversation_id)).toMatchObject({ status: 'open', possiblyRelatedToId: second.conversation_id });
    expect((await get(second.conversation_id)).status).toBe('closed');

    // Another citizen's first SMS is linked to nothing.
    const stranger = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: stranger, From: '+33655555556', Body: 'Bonjour' });
    const strangerRow = (await conversationOf(stranger))!;
    expect(strangerRow.contact_id).not.toBe(base.contact_id);
    expect((await get(strangerRow.conversation_id)).possiblyRelatedToId).toBeNull();
  });

  it('lands an SMS answer in the citizen’s email conversation', async () => {
    const emailed = await t.ingest.ingest({
      channelId: town.email.id,
      externalId: `<${randomBytes(6).toString('hex')}@example.fr>`,
      from: { kind: 'email', value: 'lucie@example.fr', name: 'Lucie Bernard' },
      extraIdentities: [{ kind: 'phone', value: '06 33 33 33 33' }],
      subject: 'Inscription scolaire',
      text: 'Bonjour, je vous écris par e-mail.',
    });
    const sid = smsSid();
    await inboundSms('+33633333333', 'Je vous réponds par SMS.');
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: sid, From: '+33633333333', Body: 'Et encore par SMS.' });
    expect((await conversationOf(sid))!.conversation_id).toBe(emailed.conversationId);
  });

  it('stores an SMS delivered twice (also concurrently) once', async () => {
    const params = { MessageSid: smsSid(), From: '+33644444444', Body: 'Doublon' };
    const before = await t.count('message');
    const results = await Promise.all([1, 2, 3].map(() => webhook(`/webhooks/twilio/${sms.id}/sms`, params)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await webhook(`/webhooks/twilio/${sms.id}/sms`, params)).status).toBe(200);
    expect(await t.count('message')).toBe(before + 1);
  });

  it('refuses forged, missing and misplaced signatures with 403 and stores nothing; unknown channels are 404', async () => {
    const before = { m: await t.count('message'), c: await t.count('contact'), i: await t.count('contact_identity') };
    const params = { MessageSid: smsSid(), From: '+33655555555', Body: 'Faux' };
    const path = `/webhooks/twilio/${sms.id}/sms`;
    expect((await webhook(path, params, { signature: null })).status).toBe(403);
    expect((await webhook(path, params, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' })).status).toBe(403);
    expect((await webhook(path, params, { token: 'un-autre-jeton-000' })).status).toBe(403);
    // Signed for another channel's URL, or with a field changed after signing.
    const signedElsewhere = twilioSignature(TOKEN, `${t.config.publicUrl}/webhooks/twilio/${whatsapp.id}/sms`, params);
    expect((await webhook(path, params, { signature: signedElsewhere })).status).toBe(403);
    const signed = twilioSignature(TOKEN, t.config.publicUrl + path, params);
    expect((await webhook(path, { ...params, Body: 'Modifié' }, { signature: signed })).status).toBe(403);
    const statusPath = `/webhooks/twilio/${sms.id}/status`;
    expect((await webhook(statusPath, { MessageSid: smsSid(), MessageStatus: 'delivered' }, { signature: null })).status).toBe(
      403,
    );
    expect(await t.count('message')).toBe(before.m);
    expect(await t.count('contact')).toBe(before.c);
    expect(await t.count('contact_identity')).toBe(before.i);
    expect((await webhook(`/webhooks/twilio/00000000-0000-4000-8000-000000000000/sms`, params)).status).toBe(404);
    expect((await webhook(`/webhooks/twilio/pas-un-id/sms`, params)).status).toBe(404);
    // An SMS channel does not take voice webhooks.
    expect(
      (await webhook(`/webhooks/twilio/${sms.id}/voice`, { CallSid: 'CA' + 'a'.repeat(32), From: '+33655555555' })).status,
    ).toBe(404);
  });

  it('fetches MMS media with the account credentials into the blob store, pushed live', async () => {
    const image = randomBytes(2048);
    const mediaPath = `/2010-04-01/Accounts/${ACCOUNT}/Messages/MM${'d'.repeat(32)}/Media/ME${'e'.repeat(32)}`;
    const url = twilio.addMedia(ACCOUNT, mediaPath, image, 'image/jpeg');
    const sid = smsSid('MM');
    const res = await webhook(`/webhooks/twilio/${sms.id}/sms`, {
      MessageSid: sid,
      From: '+33666666666',
      Body: 'Photo du nid-de-poule',
      NumMedia: '1',
      MediaUrl0: url,
      MediaContentType0: 'image/jpeg',
    });
    expect(res.status).toBe(200);
    const row = (await conversationOf(sid))!;
    await expectEventually(
      async () => {
        const { rows } = await t.db.query(`SELECT file_name, content_type, size FROM attachment WHERE message_id = $1`, [
          row.message_id,
        ]);
        expect(rows).toEqual(
          [{ file_name: 'media-1.jpg', content_type: 'image/jpeg', size: '2048' }].map((r) => ({
            ...r,
            size: expect.anything(),
          })),
        );
      },
      { timeoutMs: 15_000 },
    );
    const fetches = twilio.requests.filter((r) => r.path === mediaPath);
    expect(fetches.at(-1)!.auth).toEqual({ username: ACCOUNT, password: TOKEN });
    await expectEventually(() => {
      const updated = ec.of<MessageDto>('message.updated').find((m) => m.id === row.message_id);
      expect(updated?.attachments).toEqual([
        expect.objectContaining({ fileName: 'media-1.jpg', contentType: 'image/jpeg', size: 2048 }),
      ]);
    });
    const listed = await t.http('GET', `/api/v1/conversations/${row.conversation_id}/messages`, { token: town.agentEC.token });
    const stored = listed.body.items.find((m: MessageDto) => m.id === row.message_id);
    expect(stored.attachments[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sends an agent’s SMS reply with From, To, Body and a status callback; callbacks out of order never go back', async () => {
    const sid = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: sid, From: '+33677777777', Body: 'Merci de me rappeler' });
    const row = (await conversationOf(sid))!;
    const sent = await reply(row.conversation_id, 'Votre acte est prêt, à retirer en mairie.');
    expect(sent.status).toBe(201);
    expect(sent.body.status).toBe('queued');
    const created = await expectEventually(
      () => {
        const hit = twilio.creates().find((r) => r.form.Body === 'Votre acte est prêt, à retirer en mairie.');
        expect(hit).toBeDefined();
        return hit!;
      },
      { timeoutMs: 15_000 },
    );
    expect(created.auth).toEqual({ username: ACCOUNT, password: TOKEN });
    expect(created.form).toEqual({
      From: '+33700000001',
      To: '+33677777777',
      Body: 'Votre acte est prêt, à retirer en mairie.',
      StatusCallback: `${t.config.publicUrl}/webhooks/twilio/${sms.id}/status`,
    });
    const externalId = await expectEventually(async () => {
      const m = await message(sent.body.id);
      expect(m.status).toBe('sent');
      return m.external_id!;
    });
    expect(twilio.messages.get(externalId)).toMatchObject({ to: '+33677777777' });
    const status = (s: string, extra: Record<string, string> = {}) =>
      webhook(`/webhooks/twilio/${sms.id}/status`, { MessageSid: externalId, MessageStatus: s, AccountSid: ACCOUNT, ...extra });
    expect((await status('delivered')).status).toBe(204);
    await expectEventually(() =>
      expect(ec.of<MessageDto>('message.updated').some((m) => m.id === sent.body.id && m.status === 'delivered')).toBe(true),
    );
    expect((await status('sent')).status).toBe(204);
    expect((await status('queued')).status).toBe(204);
    expect((await message(sent.body.id)).status).toBe('delivered');
  });

  it('refuses, with a French 400, a reply or a first message longer than the channel’s capabilities allow (SMS: 1,600 characters)', async () => {
    const sid = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: sid, From: '+33678787878', Body: 'Bonjour' });
    const row = (await conversationOf(sid))!;
    const long = await reply(row.conversation_id, 'a'.repeat(1601));
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/trop long.*1600 caractères/);
    const first = await t.http('POST', '/api/v1/conversations', {
      token: town.agentEC.token,
      body: { channelKind: 'sms', to: '+33678787879', body: 'b'.repeat(1601) },
    });
    expect(first.status).toBe(400);
    expect(first.body.message).toMatch(/trop long.*1600 caractères/);
    expect((await reply(row.conversation_id, 'a'.repeat(1600))).status).toBe(201);
    await expectEventually(() => expect(twilio.creates().some((r) => r.form.Body === 'a'.repeat(1600))).toBe(true), {
      timeoutMs: 15_000,
    });
    expect(twilio.creates().some((r) => r.form.Body?.length === 1601)).toBe(false);
  });

  it('applies a status callback that arrives before the sent message’s sid is stored', async () => {
    const sid = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: sid, From: '+33687878787', Body: 'Course' });
    const row = (await conversationOf(sid))!;
    const early = smsSid();
    expect(
      (
        await webhook(`/webhooks/twilio/${sms.id}/status`, {
          MessageSid: early,
          MessageStatus: 'undelivered',
          ErrorCode: '30003',
        })
      ).status,
    ).toBe(204);
    const { rows } = await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, status, external_id)
       VALUES ($1, $2, 'outbound', 'message', $3, 'Réponse', 'sent', $4) RETURNING id`,
      [town.org.id, row.conversation_id, sms.id, early],
    );
    await expectEventually(
      async () =>
        expect(await message(rows[0].id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/injoignable/) }),
      {
        timeoutMs: 20_000,
        intervalMs: 200,
      },
    );
  }, 30_000);

  it('marks a reply failed with a French reason on an API 400, and on an undelivered callback', async () => {
    const sid = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: sid, From: '+33688888888', Body: 'Allô ?' });
    const row = (await conversationOf(sid))!;
    twilio.scriptNext({ status: 400, code: 21211, message: "The 'To' number +33688888888 is not a valid phone number." });
    const sent = await reply(row.conversation_id, 'Réponse 1');
    await expectEventually(
      async () => expect(await message(sent.body.id)).toMatchObject({ status: 'failed', error: 'numéro invalide' }),
      { timeoutMs: 15_000 },
    );
    await expectEventually(() =>
      expect(ec.of<MessageDto>('message.updated').find((m) => m.id === sent.body.id && m.status === 'failed')).toMatchObject({
        error: 'numéro invalide',
      }),
    );

    const second = await reply(row.conversation_id, 'Réponse 2');
    const externalId = await expectEventually(
      async () => {
        const m = await message(second.body.id);
        expect(m.status).toBe('sent');
        return m.external_id!;
      },
      { timeoutMs: 15_000 },
    );
    await webhook(`/webhooks/twilio/${sms.id}/status`, {
      MessageSid: externalId,
      MessageStatus: 'undelivered',
      ErrorCode: '30006',
    });
    expect(await message(second.body.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/ligne fixe/) });
    // A late "delivered" does not resurrect it.
    await webhook(`/webhooks/twilio/${sms.id}/status`, { MessageSid: externalId, MessageStatus: 'delivered' });
    expect((await message(second.body.id)).status).toBe('failed');
  });

  it('retries after 429 and 500 from the API, then sends', async () => {
    const sid = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: sid, From: '+33699999999', Body: 'Bonjour' });
    const row = (await conversationOf(sid))!;
    twilio.scriptNext(
      { status: 429, code: 20429, message: 'Too Many Requests' },
      { status: 500, code: 20500, message: 'Internal Server Error' },
    );
    const sent = await reply(row.conversation_id, 'Après deux essais');
    await expectEventually(async () => expect((await message(sent.body.id)).status).toBe('sent'), {
      timeoutMs: 45_000,
      intervalMs: 200,
    });
    // Two refused attempts, then the one that worked (the stand-in only records a body on success).
    const attempts = twilio.creates().filter((r) => r.form.Body === 'Après deux essais');
    expect(attempts.length).toBe(3);
  }, 60_000);

  it('honours STOP / ARRÊT (sending refused with a 400) until START', async () => {
    const sid = smsSid();
    await webhook(`/webhooks/twilio/${sms.id}/sms`, { MessageSid: sid, From: '+33612121212', Body: 'Bonjour' });
    const row = (await conversationOf(sid))!;
    const optedOut = async () =>
      (await t.db.query(`SELECT opted_out_at FROM contact_identity WHERE kind = 'phone' AND value = '+33612121212'`)).rows[0]
        .opted_out_at;
    await inboundSms('+33612121212', 'ARRÊT');
    expect(await optedOut()).toBeInstanceOf(Date);
    const refused = await reply(row.conversation_id, 'Encore un message');
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/refusé les messages/);
    await inboundSms('+33612121212', 'START');
    expect(await optedOut()).toBeNull();
    expect((await reply(row.conversation_id, 'De nouveau joignable')).status).toBe(201);
    await inboundSms('+33612121212', ' stop ');
    expect(await optedOut()).toBeInstanceOf(Date);
    // "Stop" inside a sentence is a message, not an opt-out keyword.
    await inboundSms('+33612121212', 'UNSTOP');
    await inboundSms('+33612121212', 'Stop, je voulais dire merci');
    expect(await optedOut()).toBeNull();
  });

  it('files WhatsApp messages under a whatsapp identity and replies within the 24-hour window only', async () => {
    const sid = smsSid();
    await webhook(`/webhooks/twilio/${whatsapp.id}/sms`, {
      MessageSid: sid,
      From: 'whatsapp:+33613131313',
      To: 'whatsapp:+33700000002',
      ProfileName: 'Nadia K.',
      Body: 'Salut la mairie',
    });
    const row = (await conversationOf(sid))!;
    const { rows } = await t.db.query(`SELECT kind, value FROM contact_identity WHERE contact_id = $1`, [row.contact_id]);
    expect(rows).toEqual([{ kind: 'whatsapp', value: '+33613131313' }]);
    expect((await get(row.conversation_id)).contact.name).toBe('Nadia K.');
    const ok = await reply(row.conversation_id, 'Bonjour Nadia', whatsapp.id);
    expect(ok.status).toBe(201);
    await expectEventually(
      () =>
        expect(twilio.creates().find((r) => r.form.Body === 'Bonjour Nadia')?.form).toMatchObject({
          From: 'whatsapp:+33700000002',
          To: 'whatsapp:+33613131313',
        }),
      { timeoutMs: 15_000 },
    );
    // A day later, free text is refused with the reason.
    await t.db.query(
      `UPDATE message SET created_at = now() - interval '25 hours' WHERE conversation_id = $1 AND direction = 'inbound'`,
      [row.conversation_id],
    );
    const late = await reply(row.conversation_id, 'Trop tard', whatsapp.id);
    expect(late.status).toBe(400);
    expect(late.body.message).toMatch(/24 h/);
    // No SMS either: this citizen has no phone identity.
    expect((await reply(row.conversation_id, 'Par SMS ?', sms.id)).status).toBe(400);
  });
});
