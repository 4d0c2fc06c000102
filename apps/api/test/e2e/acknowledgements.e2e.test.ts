import { randomBytes } from 'node:crypto';
import { parseEmail, twilioSignature } from '@guichet/channels';
import {
  civilDateAt,
  formatFrenchLongDate,
  type ConversationDto,
  type MessageDto,
  type RequestTypeDto,
} from '@guichet/contracts';
import {
  expectEventually,
  startDovecot,
  startSmtpCapture,
  startTwilioServer,
  type Dovecot,
  type DovecotUser,
  type SmtpCapture,
  type TwilioServer,
} from '@guichet/testing';
import { Database } from '../../src/common/database';
import { AcknowledgementListener } from '../../src/modules/acknowledgements/acknowledgement.listener';
import { domainEvent } from '../../src/modules/events/domain-events';
import { MailboxWatcherService } from '../../src/modules/email/mailbox-watcher.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ADDRESS = 'etat-civil@ville-ack.fr';
const ACCOUNT = 'AC' + 'a'.repeat(32);
const TOKEN = 'auth-token-ack-0001';
const TOWN_NUMBER = '+33700000011';
const mid = () => `<${randomBytes(8).toString('hex')}@exemple.fr>`;
const mobile = () => `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

/**
 * Issue 13: the accusés d'enregistrement and de réception Guichet sends by itself, end to end —
 * citizen's mail through Dovecot, SMS through a signed Twilio webhook, the web form — out through
 * the SMTP capture, the Twilio stand-in and the tracking page.
 */
describe('legal acknowledgements', () => {
  let t: TestApp;
  let dovecot: Dovecot;
  let smtp: SmtpCapture;
  let twilio: TwilioServer;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let off: Awaited<ReturnType<typeof seedTown>>;
  let box: DovecotUser;
  let emailChannel: string;
  let smsChannel: string;
  let terrasse: RequestTypeDto;
  let salle: RequestTypeDto;
  let acte: RequestTypeDto;

  const messagesOf = async (conversationId: string): Promise<MessageDto[]> =>
    (await t.http('GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, { token: town.admin.token })).body.items;
  const acksOf = async (conversationId: string) => (await messagesOf(conversationId)).filter((m) => m.acknowledgement);
  /** The one acknowledgement of a request, once sent. */
  const theAckOf = (conversationId: string) =>
    expectEventually(
      async () => {
        const acks = await acksOf(conversationId);
        expect(acks).toHaveLength(1);
        return acks[0]!;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
  const decisions = async (conversationId: string) =>
    (
      await t.db.query(`SELECT kind, reason FROM acknowledgement WHERE conversation_id = $1 ORDER BY created_at, id`, [
        conversationId,
      ])
    ).rows as { kind: string; reason: string | null }[];
  const conversation = async (id: string): Promise<ConversationDto> =>
    (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.admin.token })).body;
  const setType = async (id: string, requestTypeId: string) => {
    const c = await conversation(id);
    const res = await t.http('PATCH', `/api/v1/conversations/${id}`, {
      token: town.admin.token,
      body: { requestTypeId, version: c.version },
    });
    expect(res.status).toBe(200);
    return res.body as ConversationDto;
  };
  const longDate = (iso: string) => formatFrenchLongDate(civilDateAt(new Date(iso)));
  const form = async (body: Record<string, unknown>, slug = town.org.slug) => {
    const res = await t.http('POST', `/api/v1/public/organizations/${slug}/requests`, {
      body: {
        teamId: town.etatCivil.id,
        name: 'Élodie Martin',
        email: `elodie.${randomBytes(3).toString('hex')}@exemple.fr`,
        subject: 'Ma demande',
        body: 'Bonjour, voici ma demande.',
        ...body,
      },
      headers: { 'x-forwarded-for': `10.1.0.${Math.floor(Math.random() * 250)}` },
    });
    expect(res.status).toBe(201);
    const { rows } = await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [res.body.reference]);
    return { ...(res.body as { reference: string; trackingToken: string }), id: rows[0].id as string };
  };
  const tracking = async (reference: string, token: string) =>
    (await t.http('GET', `/api/v1/public/requests/${reference}?token=${token}`)).body as {
      messages: { direction: string; body: string }[];
    };
  const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));
  const sendMail = async (from: string, subject: string, extra: string[] = []) => {
    const id = mid();
    await dovecot.append(
      box,
      [
        `From: Citoyen <${from}>`,
        `To: ${ADDRESS}`,
        `Subject: ${subject}`,
        `Message-ID: ${id}`,
        `Date: ${new Date().toUTCString()}`,
        ...extra,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Bonjour, je vous écris au sujet de ma demande.',
        '',
      ].join('\r\n'),
    );
    return expectEventually(
      async () => {
        const { rows } = await t.db.query(`SELECT conversation_id FROM message WHERE external_id = $1`, [id]);
        expect(rows).toHaveLength(1);
        return { conversationId: rows[0].conversation_id as string, messageId: id };
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  };
  const sms = async (from: string, body: string) => {
    const path = `/webhooks/twilio/${smsChannel}/sms`;
    const params = {
      MessageSid: 'SM' + randomBytes(16).toString('hex'),
      AccountSid: ACCOUNT,
      From: from,
      To: TOWN_NUMBER,
      Body: body,
      NumMedia: '0',
    };
    const res = await fetch(t.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, t.config.publicUrl + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(200);
    await t.webhooksProcessed();
    const { rows } = await t.db.query(`SELECT conversation_id FROM message WHERE external_id = $1`, [params.MessageSid]);
    return rows[0].conversation_id as string;
  };
  const smsTo = (number: string) => twilio.creates().filter((r) => r.form.To === number);

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    [dovecot, smtp, twilio, t] = await Promise.all([startDovecot(), startSmtpCapture(), startTwilioServer(), startTestApp()]);
    twilio.addAccount(ACCOUNT, TOKEN);
    town = await seedTown(t);
    off = await seedTown(t);
    box = await dovecot.addUser('etat-civil-ack');
    const admin = town.admin.token;
    expect(
      (
        await t.http('PATCH', '/api/v1/organization/settings', {
          token: admin,
          body: {
            address: 'Hôtel de ville, 1 place de la Mairie, 99000 Démo',
            phone: '01 23 45 67 89',
            email: 'mairie@ville-ack.fr',
          },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.http('PATCH', `/api/v1/teams/${town.etatCivil.id}`, {
          token: admin,
          body: {
            contact: { address: '2 rue de l’État civil, 99000 Démo', phone: '01 23 45 67 00', email: 'etat-civil@ville-ack.fr' },
          },
        })
      ).status,
    ).toBe(200);
    expect((await t.http('PUT', '/api/v1/organization/acknowledgements', { token: admin, body: { enabled: true } })).status).toBe(
      200,
    );
    const type = async (body: Record<string, unknown>) => {
      const res = await t.http('POST', '/api/v1/request-types', { token: admin, body: { teamId: town.etatCivil.id, ...body } });
      expect(res.status).toBe(201);
      return res.body as RequestTypeDto;
    };
    terrasse = await type({
      name: 'Autorisation de terrasse',
      decisionRegime: 'rejection',
      deadline: { amount: 2, unit: 'months' },
      documents: ['Extrait Kbis', 'Attestation d’assurance'],
    });
    salle = await type({ name: 'Réservation de salle', decisionRegime: 'acceptance', deadline: { amount: 1, unit: 'months' } });
    acte = await type({
      name: 'Copie d’acte de naissance',
      decisionRegime: 'none',
      deadline: { amount: 15, unit: 'calendar_days' },
      acknowledgementExempt: true,
    });
    const email = await t.http('POST', '/api/v1/channels', {
      token: admin,
      body: {
        kind: 'email',
        name: 'État civil (e-mail)',
        teamId: town.etatCivil.id,
        config: {
          address: ADDRESS,
          imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
          processed: 'seen',
        },
      },
    });
    expect(email.status).toBe(201);
    emailChannel = email.body.id;
    const smsRes = await t.http('POST', '/api/v1/channels', {
      token: admin,
      body: {
        kind: 'sms',
        name: 'SMS mairie',
        teamId: town.etatCivil.id,
        config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: TOWN_NUMBER },
      },
    });
    expect(smsRes.status).toBe(201);
    smsChannel = smsRes.body.id;
    const watchers = t.app.get(MailboxWatcherService);
    await expectEventually(() => expect(watchers.status(emailChannel)?.state).toBe('idle'), {
      timeoutMs: 15_000,
      intervalMs: 50,
    });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([dovecot?.close(), smtp?.close(), twilio?.close()]);
  });

  it('acknowledges a form request at once with every R112-5 mention, on the tracking page, once', async () => {
    const req = await form({ requestTypeId: terrasse.id, subject: 'Terrasse du café' });
    const [ack] = await expectEventually(
      async () => {
        const acks = await acksOf(req.id);
        expect(acks).toHaveLength(1);
        return acks;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const c = await conversation(req.id);
    expect(c.decisionDueAt).not.toBeNull();
    expect(ack).toMatchObject({ direction: 'outbound', kind: 'message', acknowledgement: 'receipt', authorAgentId: null });
    const text = ack!.body;
    expect(text).toContain('Accusé de réception de votre demande ' + req.reference);
    expect(text).toContain('Démarche : Autorisation de terrasse');
    expect(text).toContain(`réputée rejetée (décision implicite de rejet)`);
    expect(text).toContain(`au ${longDate(c.decisionDueAt!)}`);
    expect(text).toMatch(
      /\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}/,
    );
    expect(text).toContain('Délais et voies de recours');
    expect(text).toContain('tribunal administratif');
    expect(text).toContain('- Extrait Kbis');
    expect(text).toContain('Service chargé de votre demande : État civil');
    expect(text).toContain('Adresse postale : 2 rue de l’État civil, 99000 Démo');
    expect(text).toContain('Courriel : etat-civil@ville-ack.fr');
    expect(text).toContain('Téléphone : 01 23 45 67 00');
    expect(text).toContain(`/suivi/${req.reference}?token=${req.trackingToken}`);
    // The citizen reads it on the tracking page (the form's channel).
    const page = await tracking(req.reference, req.trackingToken);
    const outbound = page.messages.filter((m) => m.direction === 'outbound');
    expect(outbound).toHaveLength(1);
    expect(outbound[0]!.body.toLowerCase()).toContain('accusé de réception');

    // The job runs again (a crash after sending, a redelivered event): nothing more is sent.
    const listener = t.app.get(AcknowledgementListener);
    const db = t.app.get(Database);
    const first = (await messagesOf(req.id)).find((m) => m.direction === 'inbound')!;
    await db.tx((m, afterCommit) =>
      listener.onReceived(
        domainEvent('message.received', town.org.id, { conversation: c, message: first, newConversation: true }),
        m,
        afterCommit,
      ),
    );
    // The citizen writes again on the tracking page: a message added to the file, no new acknowledgement.
    expect(
      (
        await t.http('POST', `/api/v1/public/requests/${req.reference}?token=${req.trackingToken}`, {
          body: { body: 'Je joins le Kbis demain.' },
          headers: { 'x-forwarded-for': '10.2.0.1' },
        })
      ).status,
    ).toBe(201);
    await expectEventually(async () =>
      expect((await messagesOf(req.id)).filter((m) => m.direction === 'inbound')).toHaveLength(2),
    );
    expect(await acksOf(req.id)).toHaveLength(1);
    expect(await decisions(req.id)).toEqual([{ kind: 'receipt', reason: null }]);
  });

  it('states the right to an attestation when silence means acceptance, and that none arises otherwise', async () => {
    const accepted = await form({ requestTypeId: salle.id });
    const none = await form({});
    const a = await theAckOf(accepted.id);
    const c = await conversation(accepted.id);
    expect(a.body).toContain(`réputée acceptée (décision implicite d’acceptation)`);
    expect(a.body).toContain(longDate(c.decisionDueAt!));
    expect(a.body).toContain('attestation');
    expect(a.body).toContain('L232-3');
    expect(a.body).not.toContain('voies de recours');
    // No démarche on the form: an accusé d'enregistrement, the receipt when an agent sets it.
    const n = await theAckOf(none.id);
    expect(n.acknowledgement).toBe('registration');
    expect(n.body).toContain('Accusé d’enregistrement de votre demande');
  });

  it('sends none for an R112-4 exception, nor where the organization turned them off', async () => {
    const exempt = await form({ requestTypeId: acte.id });
    const elsewhere = await form({ teamId: off.etatCivil.id }, off.org.slug);
    await expectEventually(async () => expect(await decisions(exempt.id)).toEqual([{ kind: 'skipped', reason: 'exempt' }]), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    await expectEventually(async () => expect(await decisions(elsewhere.id)).toEqual([{ kind: 'skipped', reason: 'disabled' }]), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    expect((await tracking(exempt.reference, exempt.trackingToken)).messages.map((m) => m.direction)).toEqual(['inbound']);
    expect((await tracking(elsewhere.reference, elsewhere.trackingToken)).messages.map((m) => m.direction)).toEqual(['inbound']);
  });

  it('by e-mail: registration at once, receipt when the démarche is set, a corrected one when it changes, never twice', async () => {
    const citizen = `paul.${randomBytes(3).toString('hex')}@exemple.fr`;
    const { conversationId, messageId } = await sendMail(citizen, 'Demande de terrasse');
    const reg = await expectEventually(
      async () => {
        expect(mailsTo(citizen)).toHaveLength(1);
        return parseEmail(mailsTo(citizen)[0]!.raw, { channelId: 'x' });
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const c0 = await conversation(conversationId);
    expect(reg.inbound.subject).toContain(c0.reference);
    expect(reg.inbound.text).toContain('Accusé d’enregistrement de votre demande ' + c0.reference);
    expect(reg.inbound.text).toContain('accusé de réception');
    expect(mailsTo(citizen)[0]!.text).toMatch(new RegExp(`^In-Reply-To: ${messageId}`, 'm'));

    const c1 = await setType(conversationId, salle.id);
    const receipt = await expectEventually(
      async () => {
        expect(mailsTo(citizen)).toHaveLength(2);
        return parseEmail(mailsTo(citizen)[1]!.raw, { channelId: 'x' });
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(receipt.inbound.text).toContain('Accusé de réception de votre demande');
    expect(receipt.inbound.text).toContain('Démarche : Réservation de salle');
    expect(receipt.inbound.text).toContain(longDate(c1.decisionDueAt!));
    expect(receipt.inbound.text).toContain('attestation');

    const c2 = await setType(conversationId, terrasse.id);
    const corrected = await expectEventually(
      async () => {
        expect(mailsTo(citizen)).toHaveLength(3);
        return parseEmail(mailsTo(citizen)[2]!.raw, { channelId: 'x' });
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(corrected.inbound.text).toContain('Accusé de réception rectificatif');
    expect(corrected.inbound.text).toContain('Démarche : Autorisation de terrasse');
    expect(corrected.inbound.text).toContain(longDate(c2.decisionDueAt!));
    expect(corrected.inbound.text).toContain('voies de recours');

    // Setting the same démarche again, and the citizen's answer in the thread: nothing more.
    const again = await conversation(conversationId);
    expect(
      (
        await t.http('PATCH', `/api/v1/conversations/${conversationId}`, {
          token: town.admin.token,
          body: { requestTypeId: terrasse.id, priority: 'high', version: again.version },
        })
      ).status,
    ).toBe(200);
    await sendMail(citizen, `Re: Demande de terrasse [${c0.reference}]`, [`In-Reply-To: ${messageId}`]);
    await expectEventually(
      async () => expect((await messagesOf(conversationId)).filter((m) => m.direction === 'inbound')).toHaveLength(2),
      {
        timeoutMs: 15_000,
      },
    );
    // An auto-reply opening a new file gets none either.
    const auto = await sendMail(`robot.${randomBytes(3).toString('hex')}@exemple.fr`, 'Absent du bureau', [
      'Auto-Submitted: auto-replied',
    ]);
    await expectEventually(
      async () => expect(await decisions(auto.conversationId)).toEqual([{ kind: 'skipped', reason: 'auto-reply' }]),
      {
        timeoutMs: 15_000,
        intervalMs: 100,
      },
    );
    expect((await decisions(conversationId)).map((d) => d.kind)).toEqual(['registration', 'receipt', 'correction']);
    expect(mailsTo(citizen)).toHaveLength(3);
    expect((await acksOf(conversationId)).map((m) => m.acknowledgement).sort()).toEqual([
      'correction',
      'receipt',
      'registration',
    ]);
  });

  it('by SMS: a short text with the tracking link; none to a citizen who said STOP', async () => {
    const number = mobile();
    const id = await sms(number, 'Bonjour, le lampadaire de ma rue est en panne.');
    const [out] = await expectEventually(
      async () => {
        expect(smsTo(number)).toHaveLength(1);
        return smsTo(number);
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const c = await conversation(id);
    const body = out!.form.Body!;
    expect(body).toContain(c.reference);
    expect(body).toContain('accusé d');
    const link = /http:\/\/guichet\.test\/suivi\/(GU-\w+)\?token=(\S+)/.exec(body);
    expect(link?.[1]).toBe(c.reference);
    expect(body.length).toBeLessThan(320);
    // The link opens the full text on the tracking page.
    const page = await tracking(link![1]!, link![2]!);
    expect(page.messages.filter((m) => m.direction === 'outbound').map((m) => m.body)).toEqual([body]);

    // STOP as a first message gets nothing; nor does that citizen's next request.
    const stopper = mobile();
    const stopId = await sms(stopper, 'STOP');
    await expectEventually(async () => expect(await decisions(stopId)).toEqual([{ kind: 'skipped', reason: 'opted-out' }]), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    const stopConv = await conversation(stopId);
    await t.http('PATCH', `/api/v1/conversations/${stopId}`, {
      token: town.admin.token,
      body: { status: 'resolved', version: stopConv.version },
    });
    const next = await sms(stopper, 'Finalement, une question sur les encombrants.');
    expect(next).not.toBe(stopId);
    await expectEventually(async () => expect(await decisions(next)).toEqual([{ kind: 'skipped', reason: 'opted-out' }]), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    expect(smsTo(stopper)).toHaveLength(0);
  });

  it('lets admins turn acknowledgements off per service and edit their texts, with French reasons for bad ones', async () => {
    const path = '/api/v1/organization/acknowledgements';
    const bad = await t.http('PUT', path, {
      token: town.admin.token,
      body: { templates: { short: 'Votre demande {{numero}} {{reference' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.join(' ')).toContain('variable inconnue : {{numero}}');
    expect((await t.http('PUT', path, { token: town.supervisor.token, body: { enabled: false } })).status).toBe(403);
    expect((await t.http('GET', path, { token: town.agentEC.token })).status).toBe(403);
    const saved = await t.http('PUT', path, {
      token: town.admin.token,
      body: { templates: { receipt: 'Accusé de réception {{reference}} — {{demarche}}\n{{decision}}\nTél. {{telephone}}' } },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.defaults).toMatchObject({ receipt: false, short: true });
    const custom = await form({ requestTypeId: salle.id });
    const ack = await theAckOf(custom.id);
    expect(ack.body.split('\n')[0]).toBe(`Accusé de réception ${custom.reference} — Réservation de salle`);
    expect(ack.body).toContain('Tél. 01 23 45 67 00');
    // What the text leaves out of R112-5 is added: the date received, the attestation, the service and its address.
    expect(ack.body).toContain('\n\nDemande reçue le ');
    expect(ack.body).toContain('L232-3');
    expect(ack.body).toContain(
      'Service chargé de votre demande : État civil\nAdresse postale : 2 rue de l’État civil, 99000 Démo',
    );
    // Back to the default text; the Scolarité service turns them off.
    await t.http('PUT', path, { token: town.admin.token, body: { templates: { receipt: '' } } });
    const team = await t.http('PUT', `${path}/teams/${town.scolarite.id}`, { token: town.admin.token, body: { enabled: false } });
    expect(team.status).toBe(200);
    expect(team.body.teams.find((x: { id: string }) => x.id === town.scolarite.id).enabled).toBe(false);
    expect(
      (await t.http('PUT', `${path}/teams/${off.scolarite.id}`, { token: town.admin.token, body: { enabled: false } })).status,
    ).toBe(404);
    const sco = await form({ teamId: town.scolarite.id });
    await expectEventually(
      async () => expect(await decisions(sco.id)).toEqual([{ kind: 'skipped', reason: 'service-disabled' }]),
      {
        timeoutMs: 15_000,
        intervalMs: 100,
      },
    );
  });
  it('sends a démarche’s own accusé de réception, with every mandatory mention; other démarches keep the organization’s', async () => {
    const admin = town.admin.token;
    const type = async (body: Record<string, unknown>) =>
      (await t.http('POST', '/api/v1/request-types', { token: admin, body: { teamId: town.etatCivil.id, ...body } }))
        .body as RequestTypeDto;
    const naissance = await type({
      name: 'Demande d’acte de naissance',
      decisionRegime: 'none',
      deadline: { amount: 15, unit: 'calendar_days' },
    });
    const path = (id: string) => `/api/v1/organization/acknowledgements/request-types/${id}`;
    const own = [
      'Votre demande d’acte de naissance {{reference}} est bien arrivée.',
      'Joignez la copie de votre pièce d’identité et, pour l’acte d’un parent, le livret de famille.',
      'L’acte vous est envoyé par courrier sous 15 jours.',
    ].join('\n');
    const saved = () =>
      t.db
        .query(`SELECT acknowledgement_templates FROM request_type WHERE id = $1`, [naissance.id])
        .then((r) => r.rows[0].acknowledgement_templates);

    // Bad input: a French reason, nothing saved; admins only; a démarche of this organization only.
    const bad = await t.http('PUT', path(naissance.id), {
      token: admin,
      body: { templates: { receipt: 'Pièces : {{documents}}', short: 'x'.repeat(481) } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      'templates.receipt: variable inconnue : {{documents}}',
      'templates.short: 480 caractères au plus',
    ]);
    const registration = await t.http('PUT', path(naissance.id), { token: admin, body: { templates: { registration: own } } });
    expect(registration.status).toBe(400);
    expect(registration.body.details).toEqual([
      'templates: texte inconnu pour une démarche : registration (receipt, short ou paperReceipt)',
    ]);
    expect((await t.http('PUT', path(naissance.id), { token: admin, body: { templates: {} } })).body.details).toEqual([
      'aucun changement demandé',
    ]);
    expect((await t.http('PUT', path('pas-un-id'), { token: admin, body: { templates: { receipt: own } } })).status).toBe(400);
    expect((await t.http('PUT', path(salle.id), { token: off.admin.token, body: { templates: { receipt: own } } })).status).toBe(
      404,
    );
    expect(
      (await t.http('PUT', path(naissance.id), { token: town.supervisor.token, body: { templates: { receipt: own } } })).status,
    ).toBe(403);
    expect(await saved()).toEqual({});

    const res = await t.http('PUT', path(naissance.id), { token: admin, body: { templates: { receipt: own } } });
    expect(res.status).toBe(200);
    expect(res.body.requestTypeTemplates).toEqual({ [naissance.id]: { receipt: own } });
    expect(res.body.defaults.receipt).toBe(true);
    expect((await t.http('GET', '/api/v1/organization/acknowledgements', { token: admin })).body.requestTypeTemplates).toEqual({
      [naissance.id]: { receipt: own },
    });

    // By e-mail: the accusé d'enregistrement, then the démarche set: its own text in the mail, with the R112-5 mentions.
    const receiptTo = async (subject: string, requestTypeId: string) => {
      const citizen = `lea.${randomBytes(3).toString('hex')}@exemple.fr`;
      const { conversationId } = await sendMail(citizen, subject);
      await expectEventually(async () => expect(mailsTo(citizen)).toHaveLength(1), { timeoutMs: 15_000, intervalMs: 100 });
      const c = await setType(conversationId, requestTypeId);
      const mail = await expectEventually(
        async () => {
          expect(mailsTo(citizen)).toHaveLength(2);
          return parseEmail(mailsTo(citizen)[1]!.raw, { channelId: 'x' });
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      return { c, text: mail.inbound.text.replace(/\r\n/g, '\n') };
    };
    const mine = await receiptTo('Acte de naissance de mon fils', naissance.id);
    expect(mine.text).toContain(
      [
        `Votre demande d’acte de naissance ${mine.c.reference} est bien arrivée.`,
        'Joignez la copie de votre pièce d’identité et, pour l’acte d’un parent, le livret de famille.',
        'L’acte vous est envoyé par courrier sous 15 jours.',
      ].join('\n'),
    );
    expect(mine.text).not.toContain('Accusé de réception de votre demande');
    expect(mine.text).toContain(`Demande reçue le ${longDate(mine.c.createdAt)} à `);
    expect(mine.text).toContain('Cette demande ne donne pas lieu à une décision implicite.');
    expect(mine.text).toContain('Service chargé de votre demande : État civil');
    expect(mine.text).toContain('Adresse postale : 2 rue de l’État civil, 99000 Démo');
    expect(mine.text).toContain('Courriel : etat-civil@ville-ack.fr');
    expect(mine.text).toContain('Téléphone : 01 23 45 67 00');
    // Another démarche: the organization's text.
    const other = await receiptTo('Réserver la salle des fêtes', salle.id);
    expect(other.text).toContain(`Accusé de réception de votre demande ${other.c.reference}`);
    expect(other.text).toContain('Démarche : Réservation de salle');
    expect(other.text).not.toContain('acte de naissance');

    // Silence means rejection: the appeal routes are there though the démarche's text says nothing of them.
    const domaine = await type({
      name: 'Occupation du domaine public',
      decisionRegime: 'rejection',
      deadline: { amount: 2, unit: 'months' },
    });
    expect(
      (await t.http('PUT', path(domaine.id), { token: admin, body: { templates: { receipt: 'Dossier {{reference}} reçu.' } } }))
        .status,
    ).toBe(200);
    const req = await form({ requestTypeId: domaine.id });
    const ack = await theAckOf(req.id);
    const c = await conversation(req.id);
    expect(ack.body).toMatch(new RegExp(`^Dossier ${req.reference} reçu\\.\n\nDemande reçue le `));
    expect(ack.body).toContain(`au ${longDate(c.decisionDueAt!)}, votre demande sera réputée rejetée`);
    expect(ack.body).toContain('Délais et voies de recours');

    // An empty text gives the organization's back.
    const back = await t.http('PUT', path(naissance.id), { token: admin, body: { templates: { receipt: '' } } });
    expect(back.body.requestTypeTemplates).toEqual({ [domaine.id]: { receipt: 'Dossier {{reference}} reçu.' } });
    expect(await saved()).toEqual({});
  });

  it('L111-2: replies carry the agent’s name, role, service and its address; short by SMS; the service only on request', async () => {
    const agent = town.agentEC;
    const path = `/api/v1/account/signature?teamId=${town.etatCivil.id}`;
    expect((await t.http('PATCH', path, { token: agent.token, body: { jobTitle: 'x'.repeat(121) } })).status).toBe(400);
    const set = await t.http('PATCH', path, { token: agent.token, body: { jobTitle: 'Officière d’état civil' } });
    expect(set.status).toBe(200);
    // The composer's preview: what replies will carry, once the organization signs them.
    expect(set.body).toMatchObject({
      enabled: false,
      full: 'Marie Dupont\nOfficière d’état civil\nÉtat civil\n' + `Ville ${town.org.slug}\n2 rue de l’État civil, 99000 Démo`,
      short: `Marie Dupont, Officière d’état civil - État civil - Ville ${town.org.slug}`,
      legalFooter: '',
    });
    expect(
      (await t.http('PUT', '/api/v1/organization/acknowledgements', { token: town.admin.token, body: { signReplies: true } }))
        .body.signReplies,
    ).toBe(true);
    const replyAs = async (conversationId: string, body: string, channelId: string) => {
      const c = await conversation(conversationId);
      const res = await t.http('POST', `/api/v1/conversations/${conversationId}/messages`, {
        token: agent.token,
        body: { kind: 'reply', body, channelId, version: c.version },
      });
      expect(res.status).toBe(201);
      return res.body as MessageDto;
    };

    const citizen = `lea.${randomBytes(3).toString('hex')}@exemple.fr`;
    const mail = await sendMail(citizen, 'Acte de mariage');
    await expectEventually(() => expect(mailsTo(citizen)).toHaveLength(1), { timeoutMs: 15_000, intervalMs: 100 }); // its acknowledgement
    const sent = await replyAs(mail.conversationId, 'Bonjour, votre acte est disponible.', emailChannel);
    expect(sent.body).toBe(
      'Bonjour, votre acte est disponible.\n\n-- \nMarie Dupont\nOfficière d’état civil\nÉtat civil\n' +
        `Ville ${town.org.slug}\n2 rue de l’État civil, 99000 Démo`,
    );
    const out = await expectEventually(
      async () => {
        expect(mailsTo(citizen)).toHaveLength(2);
        return parseEmail(mailsTo(citizen)[1]!.raw, { channelId: 'x' });
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(out.inbound.text).toContain('Marie Dupont\nOfficière d’état civil\nÉtat civil');
    expect(out.inbound.text).toContain('2 rue de l’État civil, 99000 Démo');

    const number = mobile();
    const smsConv = await sms(number, 'Bonjour, où en est mon dossier ?');
    await expectEventually(() => expect(smsTo(number)).toHaveLength(1), { timeoutMs: 15_000, intervalMs: 100 });
    await replyAs(smsConv, 'Votre dossier est complet.', smsChannel);
    const text = await expectEventually(
      () => {
        expect(smsTo(number)).toHaveLength(2);
        return smsTo(number)[1]!.form.Body!;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(text).toBe(`Votre dossier est complet.\nMarie Dupont, Officière d’état civil - État civil - Ville ${town.org.slug}`);

    // For her safety, she signs with the service only: neither her name nor her role go out.
    expect((await t.http('PATCH', path, { token: agent.token, body: { signAsService: true } })).body.short).toBe(
      `État civil - Ville ${town.org.slug}`,
    );
    const anonymous = await replyAs(mail.conversationId, 'Vous pouvez passer le retirer.', emailChannel);
    expect(anonymous.body).toBe(
      `Vous pouvez passer le retirer.\n\n-- \nÉtat civil\nVille ${town.org.slug}\n2 rue de l’État civil, 99000 Démo`,
    );
    expect(anonymous.body).not.toContain('Marie');
    await t.http('PATCH', path, { token: agent.token, body: { signAsService: false } });

    // The organization's legal footer closes e-mail replies, after the signature; an SMS never carries it.
    const footer = 'Mairie de Démo — vos données : https://demo.example.fr/donnees';
    expect(
      (await t.http('PATCH', '/api/v1/organization/settings', { token: town.admin.token, body: { legalFooter: footer } })).status,
    ).toBe(200);
    // The composer previews it too.
    expect((await t.http('GET', path, { token: agent.token })).body.legalFooter).toBe(footer);
    const footed = await replyAs(mail.conversationId, 'Bonne journée.', emailChannel);
    expect(footed.body).toBe(
      'Bonne journée.\n\n-- \nMarie Dupont\nOfficière d’état civil\nÉtat civil\n' +
        `Ville ${town.org.slug}\n2 rue de l’État civil, 99000 Démo\n\n${footer}`,
    );
    await expectEventually(
      async () => {
        const texts = await Promise.all(
          mailsTo(citizen).map(async (m) => (await parseEmail(m.raw, { channelId: 'x' })).inbound.text),
        );
        expect(texts.filter((x) => x?.includes(footer))).toHaveLength(1);
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    const smsReply = await replyAs(smsConv, 'Merci.', smsChannel);
    expect(smsReply.body).toBe(`Merci.\nMarie Dupont, Officière d’état civil - État civil - Ville ${town.org.slug}`);
    await t.http('PATCH', '/api/v1/organization/settings', { token: town.admin.token, body: { legalFooter: '' } });
  });
});
