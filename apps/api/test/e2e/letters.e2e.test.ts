import {
  addCalendarDays,
  addMonths,
  civilDateAt,
  DEFAULT_RESPONSE_TARGETS,
  endOfCivilDay,
  formatFrenchLongDate,
  instantAt,
  responseDue,
  type ConversationDto,
  type MessageDto,
  type Page,
  type PublicRequestDto,
  type RequestTypeDto,
} from '@guichet/contracts';
import { expectEventually } from '@guichet/testing';
import { DataSource } from 'typeorm';
import { LetterAnswerPosted1765108000000 } from '../../src/database/migrations/1765108000000-letter-answer-posted';
import { RealtimePublisher } from '../../src/modules/realtime/realtime.publisher';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Issue 13, Services Publics+ engagement 5: letters (courrier papier). An agent registers a letter
 * with its scan; it becomes a request of the letter channel dated the day it came, answered within
 * two weeks; its acknowledgement and its answers are printable letters the agent posts.
 */
describe('letters registered by agents, acknowledged and answered on paper', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let letterChannel: { id: string };
  let terrasse: RequestTypeDto;
  const pdf = () => new Blob([Buffer.from('%PDF-1.4\n% courrier scanné\n')], { type: 'application/pdf' });
  const today = () => civilDateAt(new Date());

  const register = (fields: Record<string, string>, scan: Blob | null = pdf(), token = town.agentEC.token) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    if (scan) form.append('scan', scan, 'courrier.pdf');
    return t.http<ConversationDto>('POST', '/api/v1/letters', { token, form });
  };
  const letter = (over: Record<string, string> = {}) => ({
    receivedOn: addCalendarDays(today(), -7),
    name: 'Jeanne Courrier',
    address: '12 rue des Lilas\n99000 Démo',
    teamId: town.etatCivil.id,
    subject: 'Terrasse du Café de la Poste',
    summary: 'Demande d’autorisation d’une terrasse de 8 tables devant le café, du 1er avril au 30 septembre.',
    ...over,
  });
  /** What a paper text never cites: the saisine par voie électronique and its accusé d'enregistrement. */
  const ELECTRONIC = /L112-8|L112-11|électronique|d’enregistrement|d'enregistrement/;
  const conversation = async (id: string) =>
    (await t.http<ConversationDto>('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body;
  const acknowledgements = async (id: string) => (await messages(id)).filter((m) => m.acknowledgement);
  const tracking = async (body: string) => {
    const [, reference, token] = /\/suivi\/(GU-[0-9A-Z]+)\?token=([\w-]+)/.exec(body)!;
    const res = await t.http<PublicRequestDto>('GET', `/api/v1/public/requests/${reference}?token=${token}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const messages = async (id: string) =>
    (await t.http<Page<MessageDto>>('GET', `/api/v1/conversations/${id}/messages`, { token: town.agentEC.token })).body.items;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    letterChannel = await t.newChannel({ organizationId: town.org.id, teamId: town.etatCivil.id, kind: 'letter' });
    const admin = town.admin.token;
    await t.http('PATCH', '/api/v1/organization/settings', {
      token: admin,
      body: {
        address: 'Hôtel de ville, 1 place de la Mairie, 99000 Démo',
        phone: '01 23 45 67 89',
        email: 'mairie@ville-demo.fr',
      },
    });
    expect(
      (await t.http('PUT', '/api/v1/organization/acknowledgements', { token: admin, body: { enabled: true, signReplies: true } }))
        .status,
    ).toBe(200);
    expect(
      (await t.http('PATCH', '/api/v1/account/signature', { token: town.agentEC.token, body: { jobTitle: 'Agente d’accueil' } }))
        .status,
    ).toBe(200);
    const created = await t.http('POST', '/api/v1/request-types', {
      token: admin,
      body: {
        teamId: town.etatCivil.id,
        name: 'Autorisation de terrasse',
        decisionRegime: 'rejection',
        deadline: { amount: 2, unit: 'months' },
        documents: ['Extrait Kbis'],
      },
    });
    expect(created.status).toBe(201);
    terrasse = created.body;
  });
  afterAll(() => t.close());

  it('opens a letter request dated the day it came, due two weeks later, with its démarche’s legal date and the scan', async () => {
    const fields = letter({ requestTypeId: terrasse.id });
    const res = await register(fields);
    expect(res.status).toBe(201);
    const receivedAt = instantAt(fields.receivedOn, 9 * 60);
    expect(res.body).toMatchObject({
      lastChannelKind: 'letter',
      teamId: town.etatCivil.id,
      subject: fields.subject,
      contact: { name: 'Jeanne Courrier' },
      createdAt: receivedAt.toISOString(),
      unread: true,
    });
    const id = res.body.id;
    // The démarche the agent gave and the due dates, set by the same listeners as any request's.
    const expected = {
      requestType: { id: terrasse.id, name: 'Autorisation de terrasse' },
      decisionRegime: 'rejection',
      decisionDueAt: endOfCivilDay(addMonths(fields.receivedOn, 2)).toISOString(),
      responseDueAt: responseDue({ receivedAt, target: DEFAULT_RESPONSE_TARGETS.letter })!.toISOString(),
    };
    await expectEventually(async () =>
      expect((await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body).toMatchObject(expected),
    );
    // Ten opening days (two weeks) after the day the letter came, not after the day it was registered.
    expect(new Date(expected.responseDueAt).getTime() - receivedAt.getTime()).toBeGreaterThan(13 * 86_400_000);
    const [first] = (await messages(id)).filter((m) => m.direction === 'inbound');
    expect(first).toMatchObject({
      channelKind: 'letter',
      channelId: letterChannel.id,
      body: fields.summary,
      status: 'received',
      createdAt: receivedAt.toISOString(),
      letter: { receivedOn: fields.receivedOn, sender: { name: 'Jeanne Courrier', address: '12 rue des Lilas\n99000 Démo' } },
      attachments: [expect.objectContaining({ fileName: 'courrier.pdf', contentType: 'application/pdf' })],
    });
    const audit = await t.db.query(
      `SELECT agent_id, data FROM audit_event WHERE action = 'conversation.letter_registered' AND conversation_id = $1`,
      [id],
    );
    expect(audit.rows).toEqual([
      { agent_id: town.agentEC.id, data: { receivedOn: fields.receivedOn, teamId: town.etatCivil.id, scan: 'courrier.pdf' } },
    ]);
  });

  it('acknowledges a paper request by a printable letter of the agent who registered it, never sent electronically, posted once', async () => {
    const fields = letter({ requestTypeId: terrasse.id, name: 'Paul Papier', address: '3 impasse du Moulin\n99000 Démo' });
    const id = (await register(fields)).body.id;
    let ack: MessageDto | undefined;
    await expectEventually(async () => {
      ack = (await messages(id)).find((m) => m.acknowledgement);
      expect(ack).toBeDefined();
    });
    await t.settled();
    ack = (await messages(id)).find((m) => m.acknowledgement)!;
    // Waiting to be posted: no provider was asked (the outbound job would have failed it).
    expect(ack).toMatchObject({
      direction: 'outbound',
      channelKind: 'letter',
      acknowledgement: 'receipt',
      authorAgentId: town.agentEC.id,
      status: 'queued',
      error: null,
    });
    const decision = formatFrenchLongDate(addMonths(fields.receivedOn, 2));
    // The paper text (L112-3, R112-5): the day it came, the démarche, the date silence decides and
    // what it decides, the appeal, the documents, the service's address and phone; nothing electronic.
    expect(ack.body).toMatch(/^Madame, Monsieur,\n/);
    expect(ack.body).toContain(`Nous avons bien reçu le ${formatFrenchLongDate(fields.receivedOn)} votre demande`);
    expect(ack.body).toContain('Démarche : Autorisation de terrasse');
    expect(ack.body).toContain(`au ${decision}, votre demande sera réputée rejetée`);
    expect(ack.body).toContain('Délais et voies de recours');
    expect(ack.body).toContain('Extrait Kbis');
    expect(ack.body).toContain('Service chargé de votre demande : État civil');
    expect(ack.body).toContain('Adresse postale : Hôtel de ville, 1 place de la Mairie, 99000 Démo');
    expect(ack.body).toContain('Téléphone : 01 23 45 67 89');
    expect(ack.body).toContain('articles L112-3 et R112-5');
    expect(ack.body).not.toMatch(ELECTRONIC);
    // L111-2: the agent's name and role, the service.
    expect(ack.body).toMatch(/-- \nMarie Dupont\nAgente d’accueil\nÉtat civil/);
    expect(await t.count('acknowledgement')).toBeGreaterThan(0);

    const path = `/api/v1/conversations/${id}/messages/${ack.id}/letter`;
    const page = await t.http<string>('GET', path, { token: town.agentEC.token });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const reference = (await t.http<ConversationDto>('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body
      .reference;
    for (const part of [
      '<address class="addressee" aria-label="Destinataire">',
      '<span>Paul Papier</span>',
      '<span>3 impasse du Moulin</span><span>99000 Démo</span>',
      `<p><strong>Référence :</strong> ${reference}</p>`,
      '<p><strong>Objet :</strong> Accusé de réception de votre demande</p>',
      '<span>Hôtel de ville, 1 place de la Mairie, 99000 Démo</span>',
      `<p>Nous avons bien reçu le ${formatFrenchLongDate(fields.receivedOn)} votre demande, enregistrée sous la référence ${reference}.<br>Démarche : Autorisation de terrasse</p>`,
      `<p>En l’absence de réponse de notre part au ${decision}, votre demande sera réputée rejetée (décision implicite de rejet).</p>`,
      '<br>Téléphone : 01 23 45 67 89<br>',
      'Marie Dupont',
      'Agente d’accueil',
      `Le ${formatFrenchLongDate(today())}`,
    ])
      expect([part, page.body.includes(part)]).toEqual([part, true]);
    expect(page.body).not.toMatch(ELECTRONIC);
    // Another service's agent may not print it; an inbound message is no letter of the town hall.
    expect((await t.http('GET', path, { token: town.agentSco.token })).status).toBe(404);
    const inbound = (await messages(id)).find((m) => m.direction === 'inbound')!;
    expect(
      (await t.http('GET', `/api/v1/conversations/${id}/messages/${inbound.id}/letter`, { token: town.agentEC.token })).status,
    ).toBe(404);

    const posted = await t.http<MessageDto>('POST', `/api/v1/conversations/${id}/messages/${ack.id}/posted`, {
      token: town.agentEC.token,
    });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ id: ack.id, status: 'sent' });
    expect(Date.now() - Date.parse(posted.body.postedAt!)).toBeLessThan(60_000);
    const again = await t.http('POST', `/api/v1/conversations/${id}/messages/${ack.id}/posted`, { token: town.agentEC.token });
    expect([again.status, again.body.message]).toEqual([409, 'ce courrier est déjà marqué posté']);
    expect(
      (await t.http('POST', `/api/v1/conversations/${id}/messages/${inbound.id}/posted`, { token: town.agentEC.token })).status,
    ).toBe(400);
    const audits = await t.db.query(
      `SELECT agent_id FROM audit_event WHERE action = 'conversation.letter_posted' AND conversation_id = $1`,
      [id],
    );
    expect(audits.rows).toEqual([{ agent_id: town.agentEC.id }]);
    // The acknowledgement is no answer: the file still waits for its first response.
    expect(
      (await t.http<ConversationDto>('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body.firstResponseAt,
    ).toBeNull();
  });

  it('answers on paper: the reply is a signed printable letter, waiting to be posted, the first response once posted', async () => {
    const fields = letter({ subject: 'Bruit de la salle des fêtes' });
    const created = (await register(fields)).body;
    await t.settled();
    const current = (await t.http<ConversationDto>('GET', `/api/v1/conversations/${created.id}`, { token: town.agentEC.token }))
      .body;
    const reply = await t.http<MessageDto>('POST', `/api/v1/conversations/${created.id}/messages`, {
      token: town.agentEC.token,
      body: {
        kind: 'reply',
        body: 'Madame,\n\nnous avons bien noté votre réclamation.\n\nBien cordialement,',
        version: current.version,
      },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ channelKind: 'letter', status: 'queued', authorAgentId: town.agentEC.id });
    expect(reply.body.body).toContain('-- \nMarie Dupont\nAgente d’accueil');
    await t.settled();
    expect((await messages(created.id)).find((m) => m.id === reply.body.id)).toMatchObject({ status: 'queued', error: null });
    // Written, not posted: the citizen has no answer yet.
    expect((await conversation(created.id)).firstResponseAt).toBeNull();
    const page = await t.http<string>('GET', `/api/v1/conversations/${created.id}/messages/${reply.body.id}/letter`, {
      token: town.agentEC.token,
    });
    expect(page.body).toContain(
      `<p><strong>Objet :</strong> Votre courrier du ${formatFrenchLongDate(fields.receivedOn)} : Bruit de la salle des fêtes</p>`,
    );
    expect(page.body).toContain('<p>Madame,</p><p>nous avons bien noté votre réclamation.</p><p>Bien cordialement,</p>');
    expect(page.body).toMatch(/<p class="signature">Marie Dupont\nAgente d’accueil\nÉtat civil/);
  });

  it('counts a paper answer from the day it is posted: first response then, and unanswered (overdue past its two weeks) until', async () => {
    const receivedOn = addCalendarDays(today(), -20);
    const posted = await register(
      letter({ receivedOn, name: 'Paul Postier', address: '3 impasse du Tri\n99000 Démo', subject: 'Haie mitoyenne' }),
    );
    const never = await register(
      letter({ receivedOn, name: 'Inès Tiroir', address: '5 quai des Brouillons\n99000 Démo', subject: 'Arbre penché' }),
    );
    expect([posted.status, never.status]).toEqual([201, 201]);
    await t.settled(); // due dates and acknowledgements
    const write = async (id: string) => {
      const res = await t.http<MessageDto>('POST', `/api/v1/conversations/${id}/messages`, {
        token: town.agentEC.token,
        body: { kind: 'reply', body: 'Madame, Monsieur,\n\nnous passerons voir.', version: (await conversation(id)).version },
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    const [written, draft] = [await write(posted.body.id), await write(never.body.id)];
    // Written on day D, three days ago (its two weeks were already past: both files are overdue).
    await t.db.query(`UPDATE message SET created_at = now() - interval '3 days' WHERE id = ANY($1::uuid[])`, [[written, draft]]);
    const overdue = async () =>
      (
        await t.http<Page<ConversationDto>>('GET', '/api/v1/conversations?due=overdue&limit=100', { token: town.agentEC.token })
      ).body.items.map((c) => c.id);
    for (const id of [posted.body.id, never.body.id]) {
      const c = await conversation(id);
      expect(c.firstResponseAt).toBeNull();
      expect(Date.parse(c.responseDueAt!)).toBeLessThan(Date.now());
    }
    expect(await overdue()).toEqual(expect.arrayContaining([posted.body.id, never.body.id]));
    const counts = async () =>
      (await t.http<{ overdue: number }>('GET', '/api/v1/conversations/counts', { token: town.agentEC.token })).body.overdue;
    const overdueBefore = await counts();
    const told = jest.spyOn(t.app.get(RealtimePublisher), 'conversation');

    // Posted on D+3: the citizen is answered from then, no longer overdue; told to the screens with the state before.
    const res = await t.http<MessageDto>('POST', `/api/v1/conversations/${posted.body.id}/messages/${written}/posted`, {
      token: town.agentEC.token,
    });
    expect(res.status).toBe(200);
    const answered = await conversation(posted.body.id);
    expect(Math.abs(Date.parse(answered.firstResponseAt!) - Date.parse(res.body.postedAt!))).toBeLessThan(1_000);
    const writtenAt = Date.parse((await messages(posted.body.id)).find((m) => m.id === written)!.createdAt);
    expect(Date.parse(answered.firstResponseAt!) - writtenAt).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(await overdue()).not.toContain(posted.body.id);
    expect(await counts()).toBe(overdueBefore - 1);
    await expectEventually(() =>
      expect(told).toHaveBeenCalledWith(
        'conversation.updated',
        town.org.id,
        expect.objectContaining({ id: posted.body.id, firstResponseAt: answered.firstResponseAt }),
        [],
        expect.objectContaining({ firstResponseAt: null, responseDueAt: answered.responseDueAt }),
      ),
    );
    told.mockRestore();

    // Never posted: still awaiting its answer, overdue.
    expect((await conversation(never.body.id)).firstResponseAt).toBeNull();
    expect(await overdue()).toContain(never.body.id);
    // A second letter posted later does not move the first response.
    const second = await write(posted.body.id);
    const again = await t.http('POST', `/api/v1/conversations/${posted.body.id}/messages/${second}/posted`, {
      token: town.agentEC.token,
    });
    expect(again.status).toBe(200);
    expect((await conversation(posted.body.id)).firstResponseAt).toBe(answered.firstResponseAt);
  });

  it('gives files answered by a letter before this rule their first response at its posting, none while it waits (migration)', async () => {
    const receivedOn = addCalendarDays(today(), -5);
    const files = [];
    for (const name of ['Lou Ancien', 'Max Ancien']) {
      const res = await register(
        letter({ receivedOn, name, address: `${name.length} rue d’Avant\n99000 Démo`, subject: 'Avant' }),
      );
      expect(res.status).toBe(201);
      files.push(res.body.id);
    }
    await t.settled();
    const replies: string[] = [];
    for (const id of files) {
      const res = await t.http<MessageDto>('POST', `/api/v1/conversations/${id}/messages`, {
        token: town.agentEC.token,
        body: { kind: 'reply', body: 'Madame, Monsieur,\n\nc’est noté.', version: (await conversation(id)).version },
      });
      replies.push(res.body.id);
    }
    const posted = await t.http<MessageDto>('POST', `/api/v1/conversations/${files[0]}/messages/${replies[0]}/posted`, {
      token: town.agentEC.token,
    });
    expect(posted.status).toBe(200);
    // As the files were before: answered when the letters were written (a day before the first was posted).
    await t.db.query(`UPDATE message SET created_at = now() - interval '1 day' WHERE id = ANY($1::uuid[])`, [replies]);
    await t.db.query(
      `UPDATE conversation c SET first_response_at = m.created_at FROM message m WHERE m.id = ANY($1::uuid[]) AND c.id = m.conversation_id`,
      [replies],
    );
    const runner = t.app.get(DataSource).createQueryRunner();
    try {
      await new LetterAnswerPosted1765108000000().up(runner);
    } finally {
      await runner.release();
    }
    expect((await conversation(files[0]!)).firstResponseAt).toBe(posted.body.postedAt);
    expect((await conversation(files[1]!)).firstResponseAt).toBeNull();
  });

  it('acknowledges a paper request without its démarche by a letter citing no electronic rule, then completely once the démarche is set', async () => {
    const fields = letter({ name: 'Rose Sansdemarche', address: '8 allée des Roses\n99000 Démo', subject: 'Question' });
    const id = (await register(fields)).body.id;
    await t.settled();
    const [first, ...others] = await acknowledgements(id);
    expect(others).toEqual([]);
    expect(first).toMatchObject({
      acknowledgement: 'registration',
      channelKind: 'letter',
      status: 'queued',
      authorAgentId: town.agentEC.id,
    });
    const reference = (await conversation(id)).reference;
    expect(first!.body).toContain(
      `Nous avons bien reçu le ${formatFrenchLongDate(fields.receivedOn)} votre courrier, enregistré sous la référence ${reference}.`,
    );
    expect(first!.body).toContain('Il a été confié au service État civil');
    expect(first!.body).toContain('Adresse postale : Hôtel de ville, 1 place de la Mairie, 99000 Démo');
    expect(first!.body).toContain('Téléphone : 01 23 45 67 89');
    expect(first!.body).toContain('les délais de recours ne vous sont pas opposables (article L112-6');
    expect(first!.body).not.toMatch(ELECTRONIC);
    const page = await t.http<string>('GET', `/api/v1/conversations/${id}/messages/${first!.id}/letter`, {
      token: town.agentEC.token,
    });
    expect(page.body).toContain('<p><strong>Objet :</strong> Accusé de réception de votre courrier</p>');
    expect(page.body).not.toMatch(ELECTRONIC);

    // The démarche set: the complete accusé de réception follows, on paper too.
    const c = await conversation(id);
    const set = await t.http('PATCH', `/api/v1/conversations/${id}`, {
      token: town.agentEC.token,
      body: { requestTypeId: terrasse.id, version: c.version },
    });
    expect(set.status).toBe(200);
    await t.settled();
    const acks = await acknowledgements(id);
    expect(acks.map((a) => a.acknowledgement)).toEqual(['registration', 'receipt']);
    expect(acks[1]).toMatchObject({ channelKind: 'letter', status: 'queued', authorAgentId: town.agentEC.id });
    expect(acks[1]!.body).toContain('Démarche : Autorisation de terrasse');
    expect(acks[1]!.body).toContain(
      `au ${formatFrenchLongDate(addMonths(fields.receivedOn, 2))}, votre demande sera réputée rejetée`,
    );
    expect(acks[1]!.body).toContain('Délais et voies de recours');
    expect(acks[1]!.body).not.toMatch(ELECTRONIC);
  });

  it('shows the citizen a paper letter of the town hall on the tracking page only once it is marked posted', async () => {
    const id = (
      await register(letter({ requestTypeId: terrasse.id, name: 'Yves Suivi', address: '2 place du Marché\n99000 Démo' }))
    ).body.id;
    await t.settled();
    const [ack] = await acknowledgements(id);
    const shown = async () => (await tracking(ack!.body)).messages.map((m) => m.id);
    const inbound = (await messages(id)).find((m) => m.direction === 'inbound')!;
    // Printed, not posted yet: only the citizen's letter.
    expect(await shown()).toEqual([inbound.id]);
    const reply = await t.http<MessageDto>('POST', `/api/v1/conversations/${id}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body: 'Madame, Monsieur,\n\nvotre dossier est complet.', version: (await conversation(id)).version },
    });
    expect(reply.status).toBe(201);
    await t.settled();
    expect(await shown()).toEqual([inbound.id]);
    const post = async (messageId: string) =>
      expect(
        (await t.http('POST', `/api/v1/conversations/${id}/messages/${messageId}/posted`, { token: town.agentEC.token })).status,
      ).toBe(200);
    await post(ack!.id);
    expect(await shown()).toEqual([inbound.id, ack!.id]);
    await post(reply.body.id);
    expect(await shown()).toEqual([inbound.id, ack!.id, reply.body.id]);
  });

  it('joins a letter to the citizen its typed details match exactly; otherwise a new citizen, flagged as possibly related', async () => {
    const known = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: {
        teamId: town.etatCivil.id,
        name: 'Lucie Connue',
        email: 'lucie.connue@example.fr',
        subject: 'Acte',
        body: 'Bonjour',
      },
      headers: { 'x-forwarded-for': '10.9.0.1' },
    });
    expect(known.status).toBe(201);
    const [{ contact_id: knownContact, id: knownFile }] = (
      await t.db.query(`SELECT contact_id, id FROM conversation WHERE reference = $1`, [known.body.reference])
    ).rows;
    const identities = async (contactId: string) =>
      (await t.db.query(`SELECT kind, value FROM contact_identity WHERE contact_id = $1 ORDER BY kind`, [contactId])).rows;
    const audited = async (id: string) =>
      (
        await t.db.query(
          `SELECT data FROM audit_event WHERE action = 'conversation.letter_registered' AND conversation_id = $1`,
          [id],
        )
      ).rows[0].data;

    // Her e-mail and a number nobody holds: not exact (typed details add no identity to anyone).
    const partly = await register(letter({ name: 'L. Connue', email: 'Lucie.Connue@example.fr', phone: '06 12 34 56 78' }));
    expect(partly.status).toBe(201);
    expect(partly.body.contact.id).not.toBe(knownContact);
    expect(partly.body.possiblyRelatedToId).toBe(knownFile);
    expect(await identities(knownContact)).toEqual([{ kind: 'email', value: 'lucie.connue@example.fr' }]);
    expect(await identities(partly.body.contact.id)).toEqual([{ kind: 'phone', value: '+33612345678' }]);

    // Her e-mail only (as typed, any case): her letter, in her file, nothing added to her.
    const exact = await register(
      letter({ name: 'Lucie Connue', address: '3 rue Haute\n99000 Démo', email: 'LUCIE.CONNUE@example.fr' }),
    );
    expect(exact.status).toBe(201);
    expect(exact.body.contact.id).toBe(knownContact);
    expect(exact.body.possiblyRelatedToId).toBeNull();
    expect(await identities(knownContact)).toEqual([{ kind: 'email', value: 'lucie.connue@example.fr' }]);
    expect(await audited(exact.body.id)).toMatchObject({ joinedCitizen: true });

    // No e-mail nor phone: the same name at the same postal address as an earlier letter, however typed.
    const henri = await register(letter({ name: 'Henri Poste', address: '4 rue du Four\n99000 Démo' }));
    const again = await register(letter({ name: 'HENRI  poste', address: '4, Rue du Four — 99000 DEMO' }));
    expect(again.body.contact.id).toBe(henri.body.contact.id);
    expect(again.body.possiblyRelatedToId).toBeNull();
    expect(await audited(henri.body.id)).not.toHaveProperty('joinedCitizen');
    // Another address: another citizen, and nothing points to anyone.
    const elsewhere = await register(letter({ name: 'Henri Poste', address: '6 rue du Four\n99000 Démo' }));
    expect(elsewhere.body.contact.id).not.toBe(henri.body.contact.id);
    expect(elsewhere.body.possiblyRelatedToId).toBeNull();
    // Henri's name and address with Lucie's e-mail: two citizens pointed to, none joined; flagged.
    const both = await register(
      letter({ name: 'Henri Poste', address: '4 rue du Four\n99000 Démo', email: 'lucie.connue@example.fr' }),
    );
    expect([knownContact, henri.body.contact.id, elsewhere.body.contact.id]).not.toContain(both.body.contact.id);
    expect(both.body.possiblyRelatedToId).not.toBeNull();
    expect(await identities(both.body.contact.id)).toEqual([]);
    // The sender's key of another town is not this town's.
    const other = await seedTown(t);
    await t.newChannel({ organizationId: other.org.id, teamId: other.etatCivil.id, kind: 'letter' });
    const form = new FormData();
    for (const [k, v] of Object.entries(
      letter({ name: 'Henri Poste', address: '4 rue du Four\n99000 Démo', teamId: other.etatCivil.id }),
    ))
      form.append(k, v);
    form.append('scan', pdf(), 'courrier.pdf');
    const there = await t.http<ConversationDto>('POST', '/api/v1/letters', { token: other.agentEC.token, form });
    expect(there.status).toBe(201);
    expect(there.body.possiblyRelatedToId).toBeNull();
    expect(there.body.contact.id).not.toBe(henri.body.contact.id);
  });

  it('refuses a letter without its scan, with a bad date, file or address, or of another service, with French reasons and nothing written', async () => {
    await t.settled(); // the earlier letters' acknowledgements written
    const before = await Promise.all(['conversation', 'message', 'contact', 'attachment'].map((x) => t.count(x)));
    const refused = async (res: Promise<{ status: number; body: unknown }>, status: number, detail?: string) => {
      const r = (await res) as { status: number; body: { details?: string[] } };
      expect([r.status, detail ? r.body.details?.some((d) => d.startsWith(detail)) : true]).toEqual([status, true]);
    };
    await refused(register(letter(), null), 400, 'scan: joignez le scan');
    await refused(
      register(letter({ receivedOn: addCalendarDays(today(), 1) }), pdf()),
      400,
      'receivedOn: la date de réception ne peut pas être dans le futur',
    );
    await refused(register(letter({ receivedOn: '2026-02-30' })), 400, 'receivedOn: date de réception invalide');
    await refused(
      register(letter({ receivedOn: addCalendarDays(today(), -400) })),
      400,
      'receivedOn: un courrier reçu il y a plus de',
    );
    await refused(
      register(letter(), new Blob([Buffer.from('MZ\x90\x00')], { type: 'application/x-msdownload' })),
      400,
      'scan: le scan doit être',
    );
    await refused(
      register(letter(), new Blob([Buffer.from('pas un pdf')], { type: 'application/pdf' })),
      400,
      'scan: « courrier.pdf » n’est pas',
    );
    await refused(register(letter({ address: '' })), 400, 'address:');
    await refused(register(letter({ email: 'pas-une-adresse' })), 400, 'email:');
    await refused(register(letter({ requestTypeId: terrasse.id, teamId: town.scolarite.id }), pdf(), town.admin.token), 400);
    await refused(register(letter({ teamId: town.scolarite.id })), 403);
    // A town without a letter channel.
    const other = await seedTown(t);
    await refused(register(letter({ teamId: other.etatCivil.id }), pdf(), other.agentEC.token), 400, 'channel:');
    expect(await Promise.all(['conversation', 'message', 'contact', 'attachment'].map((x) => t.count(x)))).toEqual(before);
  });

  it('keeps the service and the démarche the agent chose when a routing rule would move the letter; the rule’s other actions apply', async () => {
    const admin = town.admin.token;
    const label = await t.http<{ id: string }>('POST', '/api/v1/labels', { token: admin, body: { name: 'Courrier' } });
    expect(label.status).toBe(201);
    const acte = await t.http<RequestTypeDto>('POST', '/api/v1/request-types', {
      token: admin,
      body: { teamId: town.etatCivil.id, name: 'Copie d’acte', decisionRegime: 'none' },
    });
    expect(acte.status).toBe(201);
    const rule = async (body: object) => {
      const res = await t.http<{ id: string }>('POST', '/api/v1/routing-rules', { token: admin, body: { position: 1, ...body } });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    // A rule that would send every letter to Scolarité, urgent and labelled.
    const away = await rule({
      name: 'Courrier vers la scolarité',
      conditions: { channelKinds: ['letter'], words: ['cantine'] },
      actions: { teamId: town.scolarite.id, priority: 'high', labelIds: [label.body.id] },
    });
    // A rule that sets a démarche of État civil.
    const typed = await rule({
      name: 'Actes',
      conditions: { channelKinds: ['letter'], words: ['acte'] },
      actions: { teamId: town.etatCivil.id, requestTypeId: acte.body.id },
    });
    try {
      const chosen = await register(
        letter({ requestTypeId: terrasse.id, subject: 'Cantine et terrasse', name: 'Agnès Routage' }),
      );
      await t.settled();
      expect(await conversation(chosen.body.id)).toMatchObject({
        teamId: town.etatCivil.id,
        requestType: { id: terrasse.id },
        priority: 'high',
        labels: [expect.objectContaining({ id: label.body.id })],
      });
      // The agent gave a démarche: the rule's is not taken.
      const given = await register(letter({ requestTypeId: terrasse.id, subject: 'Acte et terrasse', name: 'Agnès Routage' }));
      await t.settled();
      expect(await conversation(given.body.id)).toMatchObject({ teamId: town.etatCivil.id, requestType: { id: terrasse.id } });
      // None given: the rule's démarche of the chosen service is.
      const none = await register(letter({ subject: 'Copie intégrale acte de naissance', name: 'Agnès Routage' }));
      await t.settled();
      expect(await conversation(none.body.id)).toMatchObject({ teamId: town.etatCivil.id, requestType: { id: acte.body.id } });
    } finally {
      for (const id of [away, typed]) await t.http('DELETE', `/api/v1/routing-rules/${id}`, { token: admin });
    }
  });
});
