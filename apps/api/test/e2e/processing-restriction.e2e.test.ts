import { randomBytes, randomUUID } from 'node:crypto';
import { pbxSignature } from '@guichet/channels';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import type { ConversationDto, MessageDto, ProcessingRestrictionDto } from '@guichet/contracts';
import { expectEventually, startSmtpCapture, startTwilioServer, type SmtpCapture, type TwilioServer } from '@guichet/testing';
import { RegistrantNotices } from '../../src/modules/municipal-events/registrant-notices.service';
import { OutboundWorker, type OutboundJob } from '../../src/modules/outbound/outbound.worker';
import { citizenSms } from '../citizen-peers';
import { orgSmtpSettings, seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'e'.repeat(32);
const TOKEN = 'auth-token-restriction';
const TOWN_NUMBER = '+33700000031';
// In an assigned mobile range (06 12…).
const mobile = () => `+33612${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
const WAIT = { timeoutMs: 20_000, intervalMs: 100 };
const LIMITED = 'limitation du traitement (RGPD art. 18)';

/**
 * RGPD art. 18 and 21 (issue 16) on real PostgreSQL, through the real outbound path (the Twilio
 * stand-in, the SMTP capture): a granted limitation keeps the citizen's data stored but stops every
 * message except the rights request's answer, transfers (to a service, to another administration),
 * merges, erasure, the survey and retention, each refused with 423 and a French reason; lifting
 * tells the citizen first; a granted objection stops the survey and the event reminders; all audited.
 */
describe('limitation and objection of processing', () => {
  let t: TestApp;
  let smtp: SmtpCapture;
  let twilio: TwilioServer;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let smsChannel: string;

  const sup = () => town.supervisor.token;
  const conversation = async (id: string): Promise<ConversationDto> =>
    (await t.http('GET', `/api/v1/conversations/${id}`, { token: sup() })).body;
  const messagesOf = async (id: string): Promise<MessageDto[]> =>
    (await t.http('GET', `/api/v1/conversations/${id}/messages?limit=100`, { token: sup() })).body.items;
  const reply = async (id: string, body: string, token = sup()) =>
    t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token,
      body: { kind: 'reply', body, channelId: smsChannel, version: (await conversation(id)).version },
    });
  const smsTo = (number: string) => twilio.creates().filter((r) => r.form.To === number);
  /** The Twilio stand-in received, for this number, an SMS containing `text`. */
  const smsReaches = (number: string, text: string) =>
    expectEventually(
      () =>
        expect(
          smsTo(number)
            .map((r) => r.form.Body)
            .join('\n'),
        ).toContain(text),
      WAIT,
    );
  /** Every message of the town has left or failed: what the stand-in has is all it will get. */
  const settled = () =>
    expectEventually(async () => {
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS n FROM message WHERE organization_id = $1 AND kind = 'message' AND status IN ('queued', 'sending')`,
        [town.org.id],
      );
      expect(rows[0].n).toBe(0);
    }, WAIT);
  const rightsRequest = async (phone: string, kind: 'limitation' | 'objection') => {
    const id = await citizenSms(t, {
      channelId: smsChannel,
      accountSid: ACCOUNT,
      authToken: TOKEN,
      from: phone,
      to: TOWN_NUMBER,
      body: kind === 'limitation' ? 'Je conteste l’exactitude de mes données : gelez-les.' : 'Je m’oppose à vos enquêtes.',
    });
    const set = await t.http('PUT', `/api/v1/conversations/${id}/rights-request`, { token: sup(), body: { kind } });
    expect(set.status).toBe(200);
    return id;
  };
  /**
   * A citizen's limitation granted on their rights request, after an agent opened them a file: their
   * latest open one, which the limitation freezes.
   */
  const limitedWithFrozenFile = async (phone: string) => {
    const request = await rightsRequest(phone, 'limitation');
    const started = await t.http('POST', '/api/v1/conversations', {
      token: town.agentEC.token,
      body: { channelKind: 'sms', to: phone, body: 'Bonjour, votre dossier de cantine est incomplet.' },
    });
    expect(started.status).toBe(201);
    const grant = await t.http('POST', `/api/v1/conversations/${request}/rights-request/grant`, {
      token: sup(),
      body: { reason: 'Exactitude contestée (art. 18.1.a)' },
    });
    expect(grant.status).toBe(201);
    return { request, frozen: started.body.conversation.id as string };
  };
  const audit = async (contactId: string) =>
    (
      await t.db.query(
        `SELECT action, agent_id, data FROM audit_event
          WHERE contact_id = $1 AND action LIKE 'contact.processing%' ORDER BY id`,
        [contactId],
      )
    ).rows as { action: string; agent_id: string | null; data: Record<string, unknown> }[];

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    [smtp, twilio, t] = await Promise.all([startSmtpCapture(), startTwilioServer(), startTestApp()]);
    twilio.addAccount(ACCOUNT, TOKEN);
    town = await seedTown(t);
    // The seeded SMS channel has no provider: the town's real one goes through the Twilio stand-in.
    await t.db.query(`UPDATE channel SET enabled = false WHERE id = $1`, [town.sms.id]);
    const sms = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'sms',
        name: 'SMS mairie',
        teamId: town.etatCivil.id,
        config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: TOWN_NUMBER },
      },
    });
    expect(sms.status).toBe(201);
    smsChannel = sms.body.id;
    const mail = await t.http('PUT', '/api/v1/organization/mail-settings', {
      token: town.admin.token,
      body: orgSmtpSettings(smtp, 'mairie@ville-limitation.fr'),
    });
    expect(mail.status).toBe(200);
    const survey = await t.http('PUT', `/api/v1/teams/${town.etatCivil.id}/satisfaction`, {
      token: town.admin.token,
      body: { mode: 'on', delayHours: 24 },
    });
    expect(survey.status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), twilio?.close()]);
  });

  it('a granted limitation stops every processing but the rights request’s answer (423, French reason); lifting tells the citizen first; audited', async () => {
    const phone = mobile();
    const request = await rightsRequest(phone, 'limitation');
    const contactId = (await conversation(request)).contact.id;
    // Another file of the same citizen, opened by an agent before the limitation (its SMS leaves).
    const started = await t.http('POST', '/api/v1/conversations', {
      token: town.agentEC.token,
      body: { channelKind: 'sms', to: phone, body: 'Bonjour, votre acte de naissance est prêt.' },
    });
    expect(started.status).toBe(201);
    const other = started.body.conversation.id as string;
    await settled();

    // Granting is a supervisor's, once, for a limitation or objection request only.
    const grantPath = `/api/v1/conversations/${request}/rights-request/grant`;
    const body = { reason: 'Exactitude contestée (art. 18.1.a), vérification en cours', until: '2027-01-31' };
    expect((await t.http('POST', grantPath, { token: town.agentEC.token, body })).status).toBe(403);
    expect((await t.http('POST', `/api/v1/conversations/${other}/rights-request/grant`, { token: sup(), body })).status).toBe(
      404,
    );
    const granted = await t.http<ProcessingRestrictionDto>('POST', grantPath, { token: sup(), body });
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({
      contactId,
      kind: 'limitation',
      conversationId: request,
      reason: body.reason,
      until: '2027-01-31',
      grantedBy: { id: town.supervisor.id, name: 'Sarah Superviseure' },
      liftedAt: null,
    });
    expect((await t.http('POST', grantPath, { token: sup(), body })).status).toBe(409);
    // Shown on every file of the citizen, and on their card.
    const privacy = await t.http('GET', `/api/v1/conversations/${other}/privacy`, { token: town.agentEC.token });
    expect(privacy.body.restrictions).toEqual([granted.body]);
    const card = await t.http('GET', `/api/v1/contacts/${contactId}/restrictions`, { token: town.agentEC.token });
    expect(card.body).toEqual([granted.body]);
    expect((await t.http('GET', `/api/v1/contacts/${contactId}/restrictions`, { token: town.agentSco.token })).status).toBe(404);

    const before = smsTo(phone).length;
    const refused = async (res: { status: number; body: { message?: string } }) => {
      expect(res.status).toBe(423);
      expect(res.body.message).toContain(LIMITED);
      return res.body.message!;
    };
    // No message outside the rights request, nor a new file started to them.
    expect(await refused(await reply(other, 'Votre dossier avance.'))).toContain('hors de sa demande d’exercice de droits');
    await refused(
      await t.http('POST', '/api/v1/conversations', {
        token: town.agentEC.token,
        body: { channelKind: 'sms', to: phone, body: 'Nouvelle information.' },
      }),
    );
    // No transfer to another service nor to another administration (L114-2), no merge, no erasure.
    const c = await conversation(other);
    expect(
      await refused(
        await t.http('PATCH', `/api/v1/conversations/${other}`, {
          token: sup(),
          body: { teamId: town.scolarite.id, note: 'Pour la scolarité', version: c.version },
        }),
      ),
    ).toContain('transfert vers un autre service');
    expect(
      await refused(
        await t.http('POST', `/api/v1/conversations/${other}/transfer-administration`, {
          token: sup(),
          body: {
            administration: { name: 'Préfecture', email: 'titres@prefecture.gouv.fr' },
            note: 'Compétence de la préfecture.',
            version: c.version,
          },
        }),
      ),
    ).toContain('L114-2');
    const stranger = await citizenSms(t, {
      channelId: smsChannel,
      accountSid: ACCOUNT,
      authToken: TOKEN,
      from: mobile(),
      to: TOWN_NUMBER,
      body: 'Même personne ?',
    });
    const strangerId = (await conversation(stranger)).contact.id;
    expect(
      await refused(
        await t.http('POST', `/api/v1/contacts/${strangerId}/merges`, {
          token: sup(),
          body: { otherContactId: contactId, reason: 'Même personne' },
        }),
      ),
    ).toContain('fusion');
    expect(await refused(await t.http('POST', `/api/v1/contacts/${contactId}/anonymize`, { token: sup() }))).toContain(
      'effacement',
    );
    // A message queued before the limitation (its job runs now) fails at the outbound worker with the reason.
    const [first] = (await messagesOf(other)).filter((m) => m.direction === 'outbound' && m.kind === 'message');
    await t.db.query(`UPDATE message SET status = 'queued', external_id = NULL WHERE id = $1`, [first!.id]);
    await t.app
      .get(OutboundWorker)
      .handle({ data: { messageId: first!.id, organizationId: town.org.id }, retryCount: 0 } as Job<OutboundJob>);
    const failed = (await messagesOf(other)).find((m) => m.id === first!.id)!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(LIMITED);
    // No satisfaction survey when the file is resolved.
    const resolved = await t.http('PATCH', `/api/v1/conversations/${other}`, {
      token: sup(),
      body: { status: 'resolved', version: (await conversation(other)).version },
    });
    expect(resolved.status).toBe(200);
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT status, skipped_reason FROM satisfaction_survey WHERE conversation_id = $1`, [
        other,
      ]);
      expect(rows).toEqual([{ status: 'skipped', skipped_reason: 'limitation' }]);
    }, WAIT);
    // Retention keeps it (stored, not processed), past its rule.
    await t.db.query(`UPDATE conversation SET resolved_at = now() - interval '400 days' WHERE id = $1`, [other]);
    const rules = await t.http('PUT', '/api/v1/retention-rules', {
      token: town.admin.token,
      body: { rules: [{ durationDays: 30, legalBasis: 'Mission de service public', purpose: 'Répondre aux usagers' }] },
    });
    expect(rules.status).toBe(200);
    expect((await t.http('POST', '/api/v1/retention/run', { token: town.admin.token })).status).toBeLessThan(300);
    const { rows: kept } = await t.db.query(`SELECT anonymized_at FROM conversation WHERE id = $1`, [other]);
    expect(kept).toEqual([{ anonymized_at: null }]);
    await settled();
    expect(smsTo(phone)).toHaveLength(before);
    expect(smtp.messages).toHaveLength(0);

    // A request the citizen opens after the limitation is theirs to have processed (art. 18.2:
    // writing is consent): it is answered; their earlier file stays frozen.
    const fresh = await t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'phone', value: phone },
        text: 'Bonjour, je voudrais une copie de mon acte de naissance.',
      },
      { teamId: town.etatCivil.id },
    );
    expect((await conversation(fresh.conversationId)).contact.id).toBe(contactId);
    expect((await reply(fresh.conversationId, 'Votre copie d’acte part demain.')).status).toBe(201);
    await smsReaches(phone, 'Votre copie d’acte part demain');
    await refused(await reply(other, 'Votre dossier avance.'));
    const moved = await t.http('PATCH', `/api/v1/conversations/${fresh.conversationId}`, {
      token: sup(),
      body: { teamId: town.scolarite.id, note: 'Pour la scolarité', version: (await conversation(fresh.conversationId)).version },
    });
    expect(moved.status).toBe(200);

    // The answer to the rights request itself goes out.
    const answer = await reply(request, 'Bonjour, vos données sont gelées le temps de la vérification.');
    expect(answer.status).toBe(201);
    await smsReaches(phone, 'sont gelées');

    // Lifting: a supervisor's, with a reason; the citizen is told first (art. 18.3), in the request.
    const liftPath = `/api/v1/contacts/${contactId}/restrictions/limitation/lift`;
    expect((await t.http('POST', liftPath, { token: town.agentEC.token, body: { reason: 'x' } })).status).toBe(403);
    expect((await t.http('POST', liftPath, { token: sup(), body: { reason: ' ' } })).status).toBe(400);
    const lifted = await t.http<ProcessingRestrictionDto>('POST', liftPath, {
      token: sup(),
      body: { reason: 'Exactitude vérifiée : les données sont justes' },
    });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({
      id: granted.body.id,
      liftedBy: { id: town.supervisor.id },
      liftReason: 'Exactitude vérifiée : les données sont justes',
      liftedAt: expect.any(String),
    });
    const told = (await messagesOf(request)).filter((m) => m.direction === 'outbound' && m.body.includes('article 18.3'));
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toContain('va être levée');
    await smsReaches(phone, 'article 18.3');
    expect((await t.http('POST', liftPath, { token: sup(), body: { reason: 'encore' } })).status).toBe(404);
    // Processing again: a reply to the other file leaves.
    expect((await reply(other, 'Votre dossier avance.')).status).toBe(201);
    await smsReaches(phone, 'Votre dossier avance');
    expect((await t.http('GET', `/api/v1/contacts/${contactId}/restrictions`, { token: sup() })).body).toEqual([lifted.body]);

    const rows = await audit(contactId);
    expect(rows.map((r) => [r.action, r.agent_id])).toEqual([
      ['contact.processing_restricted', town.supervisor.id],
      ['contact.processing_refused', null],
      ['contact.processing_restriction_lifted', town.supervisor.id],
    ]);
    expect(rows[0]!.data).toMatchObject({ kind: 'limitation', reason: body.reason, until: '2027-01-31' });
    expect(rows[1]!.data).toMatchObject({ messageId: first!.id });
    expect(rows[2]!.data).toMatchObject({ kind: 'limitation', toldMessageId: told[0]!.id });
  });

  it('a granted objection stops the satisfaction survey and the event reminders, not the answers; lifted, audited', async () => {
    const phone = mobile();
    const request = await rightsRequest(phone, 'objection');
    const contactId = (await conversation(request)).contact.id;
    const grant = await t.http<ProcessingRestrictionDto>('POST', `/api/v1/conversations/${request}/rights-request/grant`, {
      token: sup(),
      body: { reason: 'Enquêtes et rappels non nécessaires à la réponse (art. 21)' },
    });
    expect(grant.status).toBe(201);
    expect(grant.body).toMatchObject({ kind: 'objection', until: null });
    // An objection refuses nothing an answer needs: the reply leaves; the survey of the resolved file does not.
    expect((await reply(request, 'Bonjour, c’est noté : plus d’enquête ni de rappel.')).status).toBe(201);
    await smsReaches(phone, 'plus d’enquête');
    const resolved = await t.http('PATCH', `/api/v1/conversations/${request}`, {
      token: sup(),
      body: { status: 'resolved', version: (await conversation(request)).version },
    });
    expect(resolved.status).toBe(200);
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT status, skipped_reason FROM satisfaction_survey WHERE conversation_id = $1`, [
        request,
      ]);
      expect(rows).toEqual([{ status: 'skipped', skipped_reason: 'objection' }]);
    }, WAIT);
    // They register to an event by SMS: the confirmation goes (needed), the reminder is withheld.
    const startsAt = new Date(Date.now() + 5 * 24 * 3600_000);
    const ev = await t.http('POST', '/api/v1/events', {
      token: town.agentSco.token,
      body: {
        teamId: town.scolarite.id,
        title: 'Atelier opposition',
        description: 'Un atelier',
        place: 'Médiathèque',
        startsAt: startsAt.toISOString(),
        capacity: 10,
        waitlistCapacity: 0,
        maxPlacesPerRegistration: 1,
        published: true,
        reminderMinutes: [2880],
      },
    });
    expect(ev.status).toBe(201);
    const reg = await t.http('POST', `/api/v1/public/events/${ev.body.id}/registrations`, {
      body: { name: 'Inès Morel', phone, channel: 'sms', places: 1, consentReminders: true, answers: {} },
      headers: { 'x-forwarded-for': '10.41.0.7' },
    });
    expect(reg.status).toBe(201);
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT contact_id FROM municipal_event_registration WHERE id = $1`, [reg.body.id]);
      expect(rows).toEqual([{ contact_id: contactId }]);
    }, WAIT);
    await smsReaches(phone, 'est confirmée');
    const notices = t.app.get(RegistrantNotices);
    expect(await notices.sendDueReminders(new Date(startsAt.getTime() - 47 * 3600_000))).toBe(1);
    const { rows: reminders } = await t.db.query(`SELECT message_id FROM municipal_event_reminder WHERE registration_id = $1`, [
      reg.body.id,
    ]);
    expect(reminders).toEqual([{ message_id: null }]);
    await settled();
    expect(smsTo(phone).filter((r) => String(r.form.Body).startsWith('Rappel'))).toHaveLength(0);

    // Lifted (the citizen withdrew it): audited, nothing to tell.
    const lifted = await t.http('POST', `/api/v1/contacts/${contactId}/restrictions/objection/lift`, {
      token: sup(),
      body: { reason: 'L’usager retire son opposition' },
    });
    expect(lifted.status).toBe(200);
    expect((await audit(contactId)).map((r) => [r.action, (r.data as { kind?: string }).kind])).toEqual([
      ['contact.processing_restricted', 'objection'],
      ['contact.processing_restriction_lifted', 'objection'],
    ]);
  });

  it('a limited citizen’s SMS or reply to a frozen file starts a new file, acknowledged and answered; the frozen file takes nothing', async () => {
    const phone = mobile();
    const sms = (body: string) =>
      citizenSms(t, { channelId: smsChannel, accountSid: ACCOUNT, authToken: TOKEN, from: phone, to: TOWN_NUMBER, body });
    const { request, frozen } = await limitedWithFrozenFile(phone);
    await settled();
    const ack = await t.http('PUT', '/api/v1/organization/acknowledgements', {
      token: town.admin.token,
      body: { enabled: true },
    });
    expect(ack.status).toBe(200);
    const inboundOf = async (id: string) => (await messagesOf(id)).filter((m) => m.direction === 'inbound').map((m) => m.body);
    const before = await inboundOf(frozen);

    // Their SMS (threaded by « latest open file », the frozen one): a new file, related to it.
    const fresh = await sms('Bonjour, il me faut aussi un certificat de résidence.');
    expect([fresh === frozen, fresh === request]).toEqual([false, false]);
    const f = await conversation(fresh);
    expect(f.possiblyRelatedToId).toBe(frozen);
    expect(f.contact.id).toBe((await conversation(frozen)).contact.id);
    expect(await inboundOf(frozen)).toEqual(before);
    const { rows } = await t.db.query(
      `SELECT guichet_limited_since(contact_id, id) AS since FROM conversation WHERE id = ANY($1::uuid[]) ORDER BY id = $2`,
      [[frozen, fresh], fresh],
    );
    expect(rows.map((r: { since: Date | null }) => r.since !== null)).toEqual([true, false]);
    // The file page's flag says the same (its composer is closed on the frozen file only).
    const frozenFlag = async (id: string) =>
      (await t.http('GET', `/api/v1/conversations/${id}/privacy`, { token: town.agentEC.token })).body.frozen;
    expect([await frozenFlag(frozen), await frozenFlag(fresh), await frozenFlag(request)]).toEqual([true, false, false]);
    // Theirs to have processed (art. 18.2): acknowledged, answered.
    await expectEventually(async () => {
      const { rows: sent } = await t.db.query(`SELECT kind, reason FROM acknowledgement WHERE conversation_id = $1`, [fresh]);
      expect(sent).toEqual([{ kind: 'registration', reason: null }]);
    }, WAIT);
    expect((await reply(fresh, 'Votre certificat de résidence est prêt.')).status).toBe(201);
    await smsReaches(phone, 'certificat de résidence est prêt');
    // Their next SMS continues that new file (now their latest open one).
    expect(await sms('Merci, je passe le chercher jeudi.')).toBe(fresh);
    // A message answering the frozen file itself (what a mail's reply token says): a new file too.
    const answered = await t.ingest.ingest({
      channelId: smsChannel,
      externalId: `SM${randomUUID()}`,
      from: { kind: 'phone', value: phone },
      text: 'Voici la pièce qui manquait au dossier de cantine.',
      thread: { conversationId: frozen },
    });
    expect(answered.newConversation).toBe(true);
    expect((await conversation(answered.conversationId)).possiblyRelatedToId).toBe(frozen);
    expect(await inboundOf(frozen)).toEqual(before);
    const ackOff = await t.http('PUT', '/api/v1/organization/acknowledgements', {
      token: town.admin.token,
      body: { enabled: false },
    });
    expect(ackOff.status).toBe(200);
  });

  it('an agent’s call out through the switchboard to a limited citizen goes to their rights request, never to a frozen file', async () => {
    const secret = 'secret-partage-standard-limite';
    const pbx = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: { kind: 'pbx', name: 'Standard', teamId: town.etatCivil.id, config: { sharedSecret: secret } },
    });
    expect(pbx.status).toBe(201);
    const phone = mobile();
    /** The switchboard tells of an agent's call from extension 201 to the citizen. */
    const callOut = async () => {
      const callId = `out-${randomBytes(4).toString('hex')}`;
      const raw = JSON.stringify({
        event: 'ringing',
        callId,
        from: '201',
        to: phone,
        direction: 'outbound',
        at: new Date().toISOString(),
      });
      const res = await fetch(`${t.url}/webhooks/calls/${pbx.body.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-guichet-signature': pbxSignature(secret, raw) },
        body: raw,
      });
      expect(res.status).toBe(202);
      const { rows } = await t.db.query(`SELECT conversation_id FROM message WHERE channel_id = $1 AND external_id = $2`, [
        pbx.body.id,
        callId,
      ]);
      return { stored: ((await res.json()) as { stored: boolean }).stored, conversationId: rows[0]?.conversation_id ?? null };
    };
    const { request, frozen } = await limitedWithFrozenFile(phone);
    const calls = async (id: string) => (await messagesOf(id)).filter((m) => m.kind === 'call').length;

    expect(await callOut()).toEqual({ stored: true, conversationId: request });
    // With the rights request closed, no open file may take it: not stored, as a call to an unknown number.
    const closed = await t.http('PATCH', `/api/v1/conversations/${request}`, {
      token: sup(),
      body: { status: 'resolved', version: (await conversation(request)).version },
    });
    expect(closed.status).toBe(200);
    expect(await callOut()).toEqual({ stored: false, conversationId: null });
    expect(await calls(frozen)).toBe(0);
  });
});
