import { randomBytes } from 'node:crypto';
import { parseEmail, twilioSignature } from '@guichet/channels';
import type { MessageDto, PublicRequestCreated, ReplyChannelDto } from '@guichet/contracts';
import { expectEventually, startSmtpCapture, startTwilioServer, type SmtpCapture, type TwilioServer } from '@guichet/testing';
import { orgSmtpSettings, seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'f'.repeat(32);
const TOKEN = 'auth-token-form-notices';
const TOWN_NUMBER = '+33700000021';
const mobile = () => `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

/**
 * Issue 21 item 5: the citizen who used the web form is told there is an answer, at the e-mail
 * (the organization's own outgoing mail, through the SMTP capture) or phone (the SMS channel,
 * through the Twilio stand-in) they typed; « Distribué » only once the provider said so.
 */
describe('notices of a reply to a web form request', () => {
  let t: TestApp;
  let smtp: SmtpCapture;
  let twilio: TwilioServer;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let smsChannel: string;

  const admin = () => town.admin.token;
  const agent = () => town.agentEC.token;
  const form = async (body: Record<string, unknown>) => {
    const res = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: {
        teamId: town.etatCivil.id,
        name: 'Camille Petit',
        subject: 'Acte de naissance',
        body: 'Bonjour, il me faut un acte.',
        ...body,
      },
      headers: { 'x-forwarded-for': `10.21.0.${Math.floor(Math.random() * 250)}` },
    });
    expect(res.status).toBe(201);
    const { rows } = await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [res.body.reference]);
    return { ...(res.body as PublicRequestCreated), id: rows[0].id as string };
  };
  const messagesOf = async (id: string): Promise<MessageDto[]> =>
    (await t.http('GET', `/api/v1/conversations/${id}/messages?limit=100`, { token: agent() })).body.items;
  const reply = async (id: string, body: string, channelId?: string) => {
    const c = (await t.http('GET', `/api/v1/conversations/${id}`, { token: agent() })).body;
    const res = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token: agent(),
      body: { kind: 'reply', body, version: c.version, ...(channelId ? { channelId } : {}) },
    });
    expect(res.status).toBe(201);
    return res.body as MessageDto;
  };
  const statusCallback = (sid: string, status: string) => {
    const path = `/webhooks/twilio/${smsChannel}/status`;
    const params = { MessageSid: sid, MessageStatus: status, AccountSid: ACCOUNT };
    return fetch(t.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, t.config.publicUrl + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
  };
  /** The confirmation page the citizen sees after sending the form (HTML, rendered by the API). */
  const confirmation = async (fields: Record<string, string>) => {
    const res = await fetch(`${t.url}/demandes/${town.org.slug}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': `10.21.1.${Math.floor(Math.random() * 250)}`,
      },
      body: new URLSearchParams({
        teamId: town.etatCivil.id,
        name: 'Camille',
        subject: 'Page',
        body: 'Bonjour.',
        ...fields,
      }).toString(),
    });
    expect(res.status).toBe(200);
    return res.text();
  };
  const setNotice = async (formReplyNotice: 'link' | 'full') =>
    expect((await t.http('PATCH', '/api/v1/organization/settings', { token: admin(), body: { formReplyNotice } })).status).toBe(
      200,
    );

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    [smtp, twilio, t] = await Promise.all([startSmtpCapture(), startTwilioServer(), startTestApp()]);
    twilio.addAccount(ACCOUNT, TOKEN);
    town = await seedTown(t);
    // The seeded SMS channel has no provider: the town's real one goes through the Twilio stand-in.
    await t.db.query(`UPDATE channel SET enabled = false WHERE id = $1`, [town.sms.id]);
    const sms = await t.http('POST', '/api/v1/channels', {
      token: admin(),
      body: {
        kind: 'sms',
        name: 'SMS mairie',
        teamId: town.etatCivil.id,
        config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: TOWN_NUMBER },
      },
    });
    expect(sms.status).toBe(201);
    smsChannel = sms.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), twilio?.close()]);
  });

  it('without an SMTP server for the town’s mail, promises no e-mail; the SMS is promised', async () => {
    const phone = mobile();
    const created = await form({ email: 'sans-smtp@exemple.fr', phone });
    expect(created.notify).toEqual({ email: null, sms: phone, full: false });
    const html = await confirmation({ email: 'sans-smtp@exemple.fr', phone });
    expect(html).toContain(`Vous serez prévenu par SMS au ${phone} dès qu’elle sera là.`);
    expect(html).not.toContain('courriel à sans-smtp@exemple.fr');
    expect(html).toContain('Sa réponse sera publiée sur votre page de suivi.');
    // A form without e-mail nor phone is told to come back to its page.
    expect(await confirmation({ email: 'autre@exemple.fr' })).toContain(
      'Vous ne serez pas prévenu par courriel ni par SMS : revenez sur votre page de suivi.',
    );
  });

  it('tells the citizen by e-mail (the tracking link, not the reply) and by SMS; the form reply is « sent », the SMS « delivered » only on Twilio’s word', async () => {
    const put = await t.http('PUT', '/api/v1/organization/mail-settings', {
      token: admin(),
      body: orgSmtpSettings(smtp, 'ne-pas-repondre@ville-notices.fr'),
    });
    expect(put.status).toBe(200);
    const email = `camille.${randomBytes(3).toString('hex')}@exemple.fr`;
    const phone = mobile();
    const created = await form({ email, phone });
    expect(created.notify).toEqual({ email, sms: phone, full: false });

    const text = 'Bonjour, votre acte est prêt : passez le retirer à l’accueil.';
    const sent = await reply(created.id, text);
    expect(sent.channelKind).toBe('webform');
    const mail = await expectEventually(async () => {
      const m = smtp.messages.find((x) => x.to.includes(email));
      expect(m).toBeDefined();
      return (await parseEmail(m!.raw, { channelId: 'x' })).inbound;
    });
    expect(mail.text).toContain(created.reference);
    expect(mail.text).toContain(`/suivi/${created.reference}?token=${created.trackingToken}`);
    expect(mail.text).not.toContain('passez le retirer');
    const sms = await expectEventually(() => {
      const r = twilio.creates().find((x) => x.form.To === phone);
      expect(r).toBeDefined();
      return r!;
    });
    expect(sms.form.Body).toContain(`/suivi/${created.reference}?token=${created.trackingToken}`);
    expect(sms.form.From).toBe(TOWN_NUMBER);

    const notices = await expectEventually(async () => {
      const all = await messagesOf(created.id);
      const n = all.filter((m) => m.notice);
      expect(n.map((m) => [m.notice!.via, m.status]).sort()).toEqual([
        ['email', 'sent'],
        ['sms', 'sent'],
      ]);
      // The reply on the form: published, not « delivered » (no one confirmed it).
      expect(all.find((m) => m.id === sent.id)!.status).toBe('sent');
      return n;
    });
    expect(notices.every((n) => n.notice!.replyId === sent.id && n.authorAgentId === null)).toBe(true);
    expect(notices.find((n) => n.notice!.via === 'email')!.notice!.to).toBe(email);

    // Twilio's callback, and only it, makes the SMS « delivered ».
    const { rows } = await t.db.query(`SELECT external_id FROM message WHERE id = $1`, [
      notices.find((n) => n.notice!.via === 'sms')!.id,
    ]);
    expect((await statusCallback(rows[0].external_id, 'delivered')).status).toBe(204);
    await expectEventually(async () =>
      expect((await messagesOf(created.id)).find((m) => m.notice?.via === 'sms')!.status).toBe('delivered'),
    );

    // The tracking page shows the exchange, not the notices.
    const page = (await t.http('GET', `/api/v1/public/requests/${created.reference}?token=${created.trackingToken}`)).body;
    expect(page.messages.map((m: { body: string }) => m.body)).toEqual([
      'Bonjour, il me faut un acte.',
      expect.stringContaining(text),
    ]);
  });

  it('sends the reply itself by e-mail when the town chose so; the confirmation says it', async () => {
    await setNotice('full');
    const email = `full.${randomBytes(3).toString('hex')}@exemple.fr`;
    const created = await form({ email });
    expect(created.notify).toEqual({ email, sms: null, full: true });
    const html = await confirmation({ email });
    expect(html).toContain(`Vous la recevrez aussi par courriel à ${email}.`);
    expect(html).toContain('Sa réponse sera publiée sur votre page de suivi.');

    await reply(created.id, 'Voici la liste des pièces : livret de famille, justificatif de domicile.');
    const mail = await expectEventually(async () => {
      const m = smtp.messages.find((x) => x.to.includes(email));
      expect(m).toBeDefined();
      return (await parseEmail(m!.raw, { channelId: 'x' })).inbound;
    });
    expect(mail.text).toContain('livret de famille');
    expect(mail.text).toContain(`/suivi/${created.reference}?token=${created.trackingToken}`);
    await setNotice('link');
  });

  it('offers the citizen’s phone and e-mail channels to the composer; a reply sent there is the answer itself, with no notice', async () => {
    const phone = mobile();
    const created = await form({ phone });
    const channels = (await t.http('GET', `/api/v1/conversations/${created.id}/reply-channels`, { token: agent() }))
      .body as ReplyChannelDto[];
    expect(channels).toEqual([{ id: smsChannel, kind: 'sms', to: phone }]);
    // Another service's agent may not see the file, nor where it reaches its citizen.
    expect(
      (await t.http('GET', `/api/v1/conversations/${created.id}/reply-channels`, { token: town.agentSco.token })).status,
    ).toBe(404);

    const sent = await reply(created.id, 'Votre acte est prêt.', smsChannel);
    const sms = await expectEventually(() => {
      const r = twilio.creates().filter((x) => x.form.To === phone);
      expect(r).toHaveLength(1);
      return r[0]!;
    });
    expect(sms.form.Body).toContain('Votre acte est prêt.');
    await expectEventually(async () => expect((await messagesOf(created.id)).find((m) => m.id === sent.id)!.status).toBe('sent'));
    expect((await messagesOf(created.id)).filter((m) => m.notice)).toEqual([]);
  });

  it('sends no SMS notice to a number that said STOP', async () => {
    const phone = mobile();
    const created = await form({ phone });
    await t.db.query(`UPDATE contact_identity SET opted_out_at = now() WHERE kind = 'phone' AND value = $1`, [phone]);
    const receipts = async () =>
      (await t.db.query(`SELECT count(*)::int AS n FROM domain_event_receipt WHERE listener = 'FormReplyNoticeListener.onReply'`))
        .rows[0].n as number;
    const before = await receipts();
    const sent = await reply(created.id, 'Réponse sur la page de suivi.');
    await expectEventually(async () => expect((await messagesOf(created.id)).find((m) => m.id === sent.id)!.status).toBe('sent'));
    // The notice listener ran (its receipt) and queued nothing.
    await expectEventually(async () => expect(await receipts()).toBe(before + 1));
    expect(twilio.creates().filter((x) => x.form.To === phone)).toEqual([]);
    expect((await messagesOf(created.id)).filter((m) => m.notice)).toEqual([]);
  });
});
