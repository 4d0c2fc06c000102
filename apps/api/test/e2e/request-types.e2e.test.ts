import { randomUUID } from 'node:crypto';
import { addMonths, civilDateAt, endOfCivilDay, type ConversationDto, type RequestTypeDto } from '@guichet/contracts';
import { expectEventually } from '@guichet/testing';
import { citizenSms, seedTown, startTestApp, type TestApp } from '../harness';

/** Issue 13: démarches per service, the due dates they give conversations, the due-date views. */
describe('request types and due dates', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;
  let terrasse: RequestTypeDto;
  let acte: RequestTypeDto;
  let inscription: RequestTypeDto;

  const create = (token: string, body: unknown) => t.http('POST', '/api/v1/request-types', { token, body });
  const conversation = (id: string, token = town.supervisor.token) =>
    t.http<ConversationDto>('GET', `/api/v1/conversations/${id}`, { token });
  const patch = (id: string, body: Record<string, unknown>, token = town.supervisor.token) =>
    conversation(id, token).then((c) =>
      t.http<ConversationDto>('PATCH', `/api/v1/conversations/${id}`, { token, body: { ...body, version: c.body.version } }),
    );
  /** A citizen's SMS, once the creation listener gave it its response target. */
  // 06 1x xx xx xx: an allocated mobile range (06 39, 06 90–06 97 are not, and fail normalization).
  const sms = async (text: string, from = `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`) => {
    const { conversationId } = await t.ingest.ingest({
      channelId: town.sms.id,
      externalId: `SM${randomUUID()}`,
      from: { kind: 'phone', value: from },
      text,
    });
    await expectEventually(async () => expect((await conversation(conversationId)).body.responseDueAt).not.toBeNull());
    return conversationId;
  };

  /**
   * In town `o`, a démarche of État civil with no implicit decision, and a citizen's SMS received at
   * `receivedAt` (its row dated back) to which a supervisor sets it: the dates are counted then.
   */
  const smsOfType = async (
    o: Awaited<ReturnType<typeof seedTown>>,
    type: { name: string; deadline: { amount: number; unit: 'working_days' } },
    text: string,
    receivedAt: string,
  ) => {
    const created = await create(o.supervisor.token, { teamId: o.etatCivil.id, decisionRegime: 'none', ...type });
    expect(created.status).toBe(201);
    const conversationId = await citizenSms(t, o.sms.id, text);
    const get = () => conversation(conversationId, o.supervisor.token);
    await expectEventually(async () => expect((await get()).body.responseDueAt).not.toBeNull());
    await t.db.query(`UPDATE conversation SET created_at = $2 WHERE id = $1`, [conversationId, receivedAt]);
    const set = await patch(conversationId, { requestTypeId: (created.body as RequestTypeDto).id }, o.supervisor.token);
    expect(set.status).toBe(200);
    return { conversationId, set, get };
  };

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    other = await seedTown(t);
    terrasse = (
      await create(town.supervisor.token, {
        teamId: town.etatCivil.id,
        name: 'Autorisation de terrasse',
        description: 'Occupation du domaine public.',
        decisionRegime: 'rejection',
        deadline: { amount: 2, unit: 'months' },
        documents: ['Extrait Kbis', 'Attestation d’assurance'],
      })
    ).body;
    acte = (
      await create(town.admin.token, {
        teamId: town.etatCivil.id,
        name: "Copie d'acte de naissance",
        decisionRegime: 'none',
        deadline: { amount: 15, unit: 'calendar_days' },
        acknowledgementExempt: true,
      })
    ).body;
    inscription = (
      await create(town.admin.token, {
        teamId: town.scolarite.id,
        name: 'Inscription scolaire',
        decisionRegime: 'acceptance',
        deadline: { amount: 2, unit: 'months' },
      })
    ).body;
  });
  afterAll(() => t.close());

  it('supervisors and admins define démarches; agents read them per service', async () => {
    expect(terrasse).toEqual({
      id: expect.any(String),
      teamId: town.etatCivil.id,
      name: 'Autorisation de terrasse',
      description: 'Occupation du domaine public.',
      decisionRegime: 'rejection',
      deadline: { amount: 2, unit: 'months' },
      documents: ['Extrait Kbis', 'Attestation d’assurance'],
      acknowledgementExempt: false,
      active: true,
    });
    expect(acte).toMatchObject({ description: '', documents: [], acknowledgementExempt: true });
    const list = await t.http<RequestTypeDto[]>('GET', `/api/v1/request-types?teamId=${town.etatCivil.id}`, {
      token: town.agentEC.token,
    });
    expect(list.status).toBe(200);
    expect(list.body.map((x) => x.name)).toEqual(['Autorisation de terrasse', "Copie d'acte de naissance"]);
    const all = await t.http<RequestTypeDto[]>('GET', '/api/v1/request-types', { token: town.agentSco.token });
    expect(all.body.map((x) => x.id).sort()).toEqual([terrasse.id, acte.id, inscription.id].sort());
    // Another town sees none of them.
    expect((await t.http('GET', '/api/v1/request-types', { token: other.admin.token })).body).toEqual([]);
  });

  it('refuses bad démarches with a French reason, and agents may not define them', async () => {
    const body = { teamId: town.etatCivil.id, name: 'Permis', decisionRegime: 'acceptance' };
    expect((await create(town.agentEC.token, body)).status).toBe(403);
    const noDeadline = await create(town.admin.token, body);
    expect(noDeadline).toMatchObject({ status: 400 });
    expect(noDeadline.body.details.join()).toContain('une décision implicite (acceptation ou rejet) demande un délai');
    const badUnit = await create(town.admin.token, { ...body, deadline: { amount: 2, unit: 'weeks' } });
    expect(badUnit.status).toBe(400);
    expect(badUnit.body.details.join()).toContain('unité inconnue');
    expect(await create(town.admin.token, { ...body, deadline: { amount: 36, unit: 'months' } })).toMatchObject({ status: 400 });
    expect(
      await create(town.admin.token, { ...body, teamId: other.etatCivil.id, deadline: { amount: 2, unit: 'months' } }),
    ).toMatchObject({
      status: 400,
      body: { message: 'service inconnu' },
    });
    expect(
      await create(town.admin.token, { ...body, name: 'autorisation de TERRASSE', deadline: { amount: 1, unit: 'months' } }),
    ).toMatchObject({
      status: 409,
      body: { message: 'ce service a déjà une démarche « autorisation de TERRASSE »' },
    });
    expect(
      (await t.http('PATCH', `/api/v1/request-types/${terrasse.id}`, { token: other.admin.token, body: { name: 'x' } })).status,
    ).toBe(404);
    expect(
      await t.http('PATCH', `/api/v1/request-types/${terrasse.id}`, {
        token: town.admin.token,
        body: { decisionRegime: 'acceptance', deadline: null },
      }),
    ).toMatchObject({ status: 400 });
    const rows = await t.db.query(`SELECT count(*)::int AS n FROM request_type WHERE organization_id = $1`, [town.org.id]);
    expect(rows.rows[0].n).toBe(3);
  });

  it('lists each service’s démarches on the public page and takes the citizen’s choice, dates set', async () => {
    const org = await t.http('GET', `/api/v1/public/organizations/${town.org.slug}`);
    const ec = org.body.teams.find((x: { id: string }) => x.id === town.etatCivil.id);
    expect(ec.requestTypes).toEqual([
      {
        id: terrasse.id,
        name: 'Autorisation de terrasse',
        description: 'Occupation du domaine public.',
        decisionRegime: 'rejection',
        deadline: { amount: 2, unit: 'months' },
        documents: ['Extrait Kbis', 'Attestation d’assurance'],
      },
      expect.objectContaining({ id: acte.id }),
    ]);
    const form = (requestTypeId: string) =>
      t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
        body: {
          teamId: town.etatCivil.id,
          requestTypeId,
          name: 'Jeanne Terrasse',
          email: `jeanne.${randomUUID()}@exemple.fr`,
          subject: 'Terrasse du café',
          body: 'Je souhaite installer une terrasse.',
        },
        headers: { 'x-forwarded-for': `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` },
      });
    const before = await t.count('conversation');
    // A démarche of another service is refused, nothing written.
    expect(await form(inscription.id)).toMatchObject({
      status: 400,
      body: { details: ['requestTypeId: autre service'] },
    });
    expect(await form(randomUUID())).toMatchObject({ status: 400, body: { message: 'démarche inconnue' } });
    expect(await t.count('conversation')).toBe(before);

    const sent = await form(terrasse.id);
    expect(sent.status).toBe(201);
    const [row] = (await t.db.query(`SELECT id, created_at FROM conversation WHERE reference = $1`, [sent.body.reference])).rows;
    const dto = (await conversation(row.id)).body;
    expect(dto.requestType).toEqual({ id: terrasse.id, name: 'Autorisation de terrasse' });
    expect(dto.decisionRegime).toBe('rejection');
    expect(dto.decisionDueAt).toBe(endOfCivilDay(addMonths(civilDateAt(row.created_at), 2)).toISOString());
    // A web form: answered within five opening days, so some days after receipt.
    const response = new Date(dto.responseDueAt!).getTime() - row.created_at.getTime();
    expect(response).toBeGreaterThan(4 * 86_400_000);
    expect(response).toBeLessThan(12 * 86_400_000);
    expect(dto.awaitingDocuments).toBe(false);
  });

  it('agents set or change the démarche on any conversation, which recomputes its dates; snooze moves nothing', async () => {
    const id = await sms('Bonjour, pour ma terrasse ?');
    // An SMS: the response target (2 opening days) was set by the creation listener.
    const fresh = (await conversation(id)).body;
    expect(fresh).toMatchObject({ requestType: null, decisionRegime: null, decisionDueAt: null });
    expect(fresh.responseDueAt).not.toBeNull();

    const set = await patch(id, { requestTypeId: terrasse.id }, town.agentEC.token);
    expect(set.status).toBe(200);
    const createdAt = new Date(set.body.createdAt);
    expect(set.body).toMatchObject({
      requestType: { id: terrasse.id, name: 'Autorisation de terrasse' },
      decisionRegime: 'rejection',
      decisionDueAt: endOfCivilDay(addMonths(civilDateAt(createdAt), 2)).toISOString(),
      responseDueAt: fresh.responseDueAt,
    });
    const changed = await patch(id, { requestTypeId: acte.id }, town.agentEC.token);
    expect(changed.body).toMatchObject({ requestType: { id: acte.id }, decisionRegime: 'none' });
    expect(new Date(changed.body.decisionDueAt!).getTime()).toBeLessThan(new Date(set.body.decisionDueAt!).getTime());

    const snoozed = await patch(
      id,
      { status: 'snoozed', snoozedUntil: new Date(Date.now() + 86_400_000).toISOString() },
      town.agentEC.token,
    );
    expect(snoozed.body).toMatchObject({
      status: 'snoozed',
      decisionDueAt: changed.body.decisionDueAt,
      responseDueAt: changed.body.responseDueAt,
    });

    // A démarche of another service, withdrawn, or unknown: refused.
    expect(await patch(id, { requestTypeId: inscription.id }, town.agentEC.token)).toMatchObject({ status: 400 });
    expect(await patch(id, { requestTypeId: randomUUID() }, town.agentEC.token)).toMatchObject({ status: 400 });
    // Removing it clears the decision date, keeps the response target.
    const removed = await patch(id, { requestTypeId: null }, town.agentEC.token);
    expect(removed.body).toMatchObject({
      requestType: null,
      decisionRegime: null,
      decisionDueAt: null,
      responseDueAt: fresh.responseDueAt,
    });
    // The change is audited.
    const audits = await t.db.query(
      `SELECT data FROM audit_event WHERE action = 'conversation.updated' AND conversation_id = $1`,
      [id],
    );
    expect(audits.rows.map((r) => r.data.requestTypeId)).toEqual(expect.arrayContaining([terrasse.id, acte.id, null]));
  });

  it('stops the clocks while documents are awaited and restarts the whole deadline when they come (L114-5)', async () => {
    const id = await sms('Ma demande de terrasse');
    await patch(id, { requestTypeId: terrasse.id });
    const waiting = await patch(id, { awaitingDocuments: true });
    expect(waiting.body).toMatchObject({
      awaitingDocuments: true,
      decisionDueAt: null,
      responseDueAt: null,
      decisionRegime: 'rejection',
    });
    // Pretend the documents were asked for 20 days ago, then they arrive now.
    await t.db.query(`UPDATE conversation SET documents_requested_at = now() - interval '20 days' WHERE id = $1`, [id]);
    const arrived = await patch(id, { awaitingDocuments: false });
    expect(arrived.body.awaitingDocuments).toBe(false);
    const [row] = (await t.db.query(`SELECT documents_received_at FROM conversation WHERE id = $1`, [id])).rows;
    expect(arrived.body.decisionDueAt).toBe(endOfCivilDay(addMonths(civilDateAt(row.documents_received_at), 2)).toISOString());
    expect(arrived.body.responseDueAt).not.toBeNull();
  });

  it('a type’s new deadline moves the dates of its files in progress', async () => {
    const id = await sms('Encore la terrasse');
    const set = await patch(id, { requestTypeId: terrasse.id });
    const res = await t.http('PATCH', `/api/v1/request-types/${terrasse.id}`, {
      token: town.supervisor.token,
      body: { deadline: { amount: 1, unit: 'months' } },
    });
    expect(res).toMatchObject({ status: 200, body: { deadline: { amount: 1, unit: 'months' } } });
    const after = (await conversation(id)).body;
    expect(after.decisionDueAt).toBe(endOfCivilDay(addMonths(civilDateAt(new Date(set.body.createdAt)), 1)).toISOString());
    await t.http('PATCH', `/api/v1/request-types/${terrasse.id}`, {
      token: town.supervisor.token,
      body: { deadline: { amount: 2, unit: 'months' } },
    });
  });

  it('lists overdue and due-within-48-h files earliest first, counted, for those who may see them', async () => {
    const late = await sms('En retard');
    const later = await sms('En retard aussi');
    const soon = await sms('Bientôt');
    const far = await sms('Plus tard');
    const set = (id: string, sql: string) =>
      t.db.query(`UPDATE conversation SET decision_due_at = ${sql}, response_due_at = NULL WHERE id = $1`, [id]);
    await set(late, `now() - interval '3 days'`);
    await set(later, `now() - interval '1 hour'`);
    await set(soon, `now() + interval '20 hours'`);
    await set(far, `now() + interval '10 days'`);
    const list = (query: string, token = town.supervisor.token) =>
      t.http<{ items: ConversationDto[]; nextCursor: string | null }>('GET', `/api/v1/conversations?${query}`, { token });

    const overdue = await list('due=overdue');
    expect(overdue.status).toBe(200);
    const ids = overdue.body.items.map((c) => c.id);
    expect(ids.indexOf(late)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(late)).toBeLessThan(ids.indexOf(later));
    expect(ids).not.toContain(soon);
    expect((await list('due=soon')).body.items.map((c) => c.id)).toEqual(expect.arrayContaining([soon]));
    expect((await list('due=soon')).body.items.map((c) => c.id)).not.toContain(far);

    // Sorted by due date, paged by keyset.
    const page1 = await list('sort=due&limit=1');
    const page2 = await list(`sort=due&limit=1&cursor=${page1.body.nextCursor}`);
    const dues = [...page1.body.items, ...page2.body.items].map((c) => c.decisionDueAt ?? c.responseDueAt);
    expect(dues[0]! <= dues[1]!).toBe(true);

    const counts = await t.http('GET', '/api/v1/conversations/counts', { token: town.supervisor.token });
    expect(counts.body.overdue).toBeGreaterThanOrEqual(2);
    expect(counts.body.dueSoon).toBeGreaterThanOrEqual(1);
    const sql = await t.db.query(
      `SELECT count(*) FILTER (WHERE due_at < now())::int AS overdue FROM conversation
        WHERE organization_id = $1 AND status IN ('open', 'pending', 'snoozed')`,
      [town.org.id],
    );
    expect(counts.body.overdue).toBe(sql.rows[0].overdue);
    // Per service, for the board: these are État civil's.
    expect(counts.body.overdueByTeam[town.etatCivil.id]).toBeGreaterThanOrEqual(2);
    expect(Object.values(counts.body.overdueByTeam as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
      counts.body.overdue,
    );

    // Another service's agent sees none of them; nor does another town.
    expect((await list('due=overdue', town.agentSco.token)).body.items).toEqual([]);
    expect((await t.http('GET', '/api/v1/conversations/counts', { token: town.agentSco.token })).body.overdue).toBe(0);
    expect((await list('due=overdue', other.supervisor.token)).body.items).toEqual([]);
    expect((await list('due=late')).status).toBe(400);
  });

  it('counts working and opening days with Alsace-Moselle’s holidays where the organization keeps them (stored dates)', async () => {
    // The same request, received on Maundy Thursday 2 April 2026 at 10:00 in a town of the Gironde and in
    // Strasbourg. Good Friday (3 April) is a working day in the first, a public holiday in the second;
    // Easter Monday (6 April) is one in both.
    const [paris, strasbourg] = [await seedTown(t), await seedTown(t)];
    const settings = await t.http('PATCH', '/api/v1/organization/settings', {
      token: strasbourg.admin.token,
      body: { alsaceMoselle: true },
    });
    expect(settings.status).toBe(200);
    const dates = async (o: typeof paris) => {
      const { conversationId, set } = await smsOfType(
        o,
        { name: 'Signalement voirie', deadline: { amount: 10, unit: 'working_days' } },
        'Un nid-de-poule rue des Tanneurs',
        '2026-04-02T08:00:00Z',
      );
      const stored = await t.db.query(`SELECT decision_due_at, response_due_at FROM conversation WHERE id = $1`, [
        conversationId,
      ]);
      expect(stored.rows[0].decision_due_at.toISOString()).toBe(set.body.decisionDueAt);
      return { decisionDueAt: set.body.decisionDueAt, responseDueAt: set.body.responseDueAt };
    };
    // 10 working days after the day of receipt; an SMS is answered within 2 opening days (closing at 17:30 CEST).
    expect(await dates(paris)).toEqual({
      decisionDueAt: endOfCivilDay('2026-04-17').toISOString(), // Fri 3, Tue 7 … Fri 17
      responseDueAt: '2026-04-07T15:30:00.000Z', // Fri 3, Tue 7
    });
    expect(await dates(strasbourg)).toEqual({
      decisionDueAt: endOfCivilDay('2026-04-20').toISOString(), // Tue 7 … Fri 17, Mon 20
      responseDueAt: '2026-04-08T15:30:00.000Z', // Tue 7, Wed 8
    });
    // The first town turns Alsace-Moselle's holidays on: its file in progress is counted again (a job).
    const { rows: files } = await t.db.query(`SELECT id FROM conversation WHERE organization_id = $1`, [paris.org.id]);
    expect(files).toHaveLength(1);
    const turned = await t.http('PATCH', '/api/v1/organization/settings', {
      token: paris.admin.token,
      body: { alsaceMoselle: true },
    });
    expect(turned.status).toBe(200);
    await expectEventually(async () => {
      const c = await t.http<ConversationDto>('GET', `/api/v1/conversations/${files[0].id}`, { token: paris.supervisor.token });
      expect({ decisionDueAt: c.body.decisionDueAt, responseDueAt: c.body.responseDueAt }).toEqual({
        decisionDueAt: endOfCivilDay('2026-04-20').toISOString(),
        responseDueAt: '2026-04-08T15:30:00.000Z',
      });
    });
  });

  it('keeps a decision date on a day the town is closed and stores why, again when the démarche or the closing days change', async () => {
    // An SMS received on Wednesday 13 May 2026 at 10:00 (Ascension is Thursday 14), a démarche of 2 working days:
    // Monday 18, an open day.
    const o = await seedTown(t);
    const { conversationId, set, get } = await smsOfType(
      o,
      { name: 'Signalement propreté', deadline: { amount: 2, unit: 'working_days' } },
      'Des déchets rue Haute',
      '2026-05-13T08:00:00Z',
    );
    const twoWorkingDays = set.body.requestType!.id;
    const day = (date: string) => endOfCivilDay(date).toISOString();
    const stored = async () =>
      (await t.db.query(`SELECT decision_due_at, decision_due_non_working FROM conversation WHERE id = $1`, [conversationId]))
        .rows[0];
    expect([set.body.decisionDueAt, set.body.decisionDueNonWorkingDay]).toEqual([day('2026-05-18'), null]);
    const settings = (body: unknown) => t.http('PATCH', '/api/v1/organization/settings', { token: o.admin.token, body });

    // The town closes on Monday 18: the recompute job keeps the date (a court counts it) and says why.
    expect((await settings({ closures: [{ from: '2026-05-18', to: '2026-05-18', reason: 'Inventaire' }] })).status).toBe(200);
    await expectEventually(async () =>
      expect((await get()).body).toMatchObject({ decisionDueAt: day('2026-05-18'), decisionDueNonWorkingDay: 'closure' }),
    );
    expect(await stored()).toEqual({ decision_due_at: new Date(day('2026-05-18')), decision_due_non_working: 'closure' });

    // An agent changes the démarche: each date says its own reason, or none.
    const typed = async (name: string, deadline: { amount: number; unit: string }) => {
      const created = await create(o.supervisor.token, { teamId: o.etatCivil.id, decisionRegime: 'acceptance', name, deadline });
      expect(created.status).toBe(201);
      const res = await patch(conversationId, { requestTypeId: (created.body as RequestTypeDto).id }, o.supervisor.token);
      expect(res.status).toBe(200);
      return [res.body.decisionDueAt, res.body.decisionDueNonWorkingDay];
    };
    expect(await typed('Prêt de matériel', { amount: 1, unit: 'calendar_days' })).toEqual([day('2026-05-14'), 'public_holiday']);
    expect(await typed('Réservation de salle', { amount: 3, unit: 'calendar_days' })).toEqual([day('2026-05-16'), 'weekend']);
    // Fri 15, Mon 18 (closed, but a legal working day), Tue 19, Wed 20.
    expect(await typed('Occupation de trottoir', { amount: 4, unit: 'working_days' })).toEqual([day('2026-05-20'), null]);
    expect(await stored()).toEqual({ decision_due_at: new Date(day('2026-05-20')), decision_due_non_working: null });
    const back = await patch(conversationId, { requestTypeId: twoWorkingDays }, o.supervisor.token);
    expect([back.body.decisionDueAt, back.body.decisionDueNonWorkingDay]).toEqual([day('2026-05-18'), 'closure']);

    // The closing is called off: open again, the same date.
    expect((await settings({ closures: [] })).status).toBe(200);
    await expectEventually(async () =>
      expect((await get()).body).toMatchObject({ decisionDueAt: day('2026-05-18'), decisionDueNonWorkingDay: null }),
    );
    expect(await stored()).toEqual({ decision_due_at: new Date(day('2026-05-18')), decision_due_non_working: null });

    // No démarche, no date, no reason.
    await settings({ closures: [{ from: '2026-05-18', to: '2026-05-18', reason: 'Inventaire' }] });
    await expectEventually(async () => expect((await get()).body.decisionDueNonWorkingDay).toBe('closure'));
    const removed = await patch(conversationId, { requestTypeId: null }, o.supervisor.token);
    expect([removed.body.decisionDueAt, removed.body.decisionDueNonWorkingDay]).toEqual([null, null]);
    expect(await stored()).toEqual({ decision_due_at: null, decision_due_non_working: null });
  });

  it('counts the response target without the town’s closing days and in the service’s own hours and targets, again when they change', async () => {
    // An SMS received on Wednesday 13 May 2026 at 10:00 (Ascension is Thursday 14, Whit Monday 25 May), with a
    // démarche of 2 working days: its legal date is Monday 18 (Fri 15, Mon 18), whatever the town's closings.
    const o = await seedTown(t);
    const { conversationId, set, get } = await smsOfType(
      o,
      { name: 'Signalement éclairage public', deadline: { amount: 2, unit: 'working_days' } },
      'Le lampadaire de la rue des Écoles ne s’allume plus',
      '2026-05-13T08:00:00Z',
    );
    const decisionDueAt = endOfCivilDay('2026-05-18').toISOString();
    // 2 opening days for an SMS: Fri 15, Mon 18, at 17:30 CEST.
    expect({ decisionDueAt: set.body.decisionDueAt, responseDueAt: set.body.responseDueAt }).toEqual({
      decisionDueAt,
      responseDueAt: '2026-05-18T15:30:00.000Z',
    });
    const dueAfter = async (what: string, change: () => Promise<{ status: number }>, responseDueAt: string) => {
      expect([what, (await change()).status]).toEqual([what, 200]);
      await expectEventually(async () => {
        const c = (await get()).body;
        expect([what, c.decisionDueAt, c.responseDueAt]).toEqual([what, decisionDueAt, responseDueAt]);
      });
      const stored = await t.db.query(`SELECT response_due_at FROM conversation WHERE id = $1`, [conversationId]);
      expect(stored.rows[0].response_due_at.toISOString()).toBe(responseDueAt);
    };
    const settings = (body: unknown) => t.http('PATCH', '/api/v1/organization/settings', { token: o.admin.token, body });
    const team = (body: unknown, token = o.admin.token) => t.http('PATCH', `/api/v1/teams/${o.etatCivil.id}`, { token, body });
    const week = (day?: string, slots: { opens: string; closes: string }[] = []) =>
      Object.fromEntries(
        ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, d === day ? slots : []]),
      );

    // The town closes on Friday 15 (a « pont »): Mon 18, Tue 19. The legal date does not move.
    await dueAfter(
      'closed on Friday 15',
      () => settings({ closures: [{ from: '2026-05-15', to: '2026-05-15', reason: 'Pont de l’Ascension' }] }),
      '2026-05-19T15:30:00.000Z',
    );
    // The service answers SMS within 4 opening hours: 10:00–12:00, then 13:30–15:30 the same day.
    await dueAfter(
      'the service’s target',
      () => team({ responseTargets: { sms: { amount: 4, unit: 'opening_hours' } } }),
      '2026-05-13T13:30:00.000Z',
    );
    // Its own hours, Mondays 9:00–12:00: 3 hours on Monday 18, none on Whit Monday 25, the last one on 1 June, 9:00–10:00.
    await dueAfter(
      'the service’s hours',
      () => team({ openingHours: week('monday', [{ opens: '09:00', closes: '12:00' }]) }),
      '2026-06-01T08:00:00.000Z',
    );
    const listed = await t.http<{ id: string; openingHours: unknown; responseTargets: unknown }[]>(
      'GET',
      '/api/v1/teams/manage',
      {
        token: o.admin.token,
      },
    );
    expect(listed.body.find((x) => x.id === o.etatCivil.id)).toMatchObject({
      openingHours: week('monday', [{ opens: '09:00', closes: '12:00' }]),
      responseTargets: { sms: { amount: 4, unit: 'opening_hours' } },
    });
    // Back to the defaults (the town's hours, none set: the usual ones): the closing day counts again.
    await dueAfter('the defaults', () => team({ openingHours: null, responseTargets: {} }), '2026-05-19T15:30:00.000Z');
    // The town's own hours, Saturday mornings only: Sat 16, Sat 23, closing at 12:00.
    await dueAfter(
      'the town’s hours',
      () => settings({ openingHours: week('saturday', [{ opens: '09:00', closes: '12:00' }]) }),
      '2026-05-23T10:00:00.000Z',
    );

    // Bad settings are refused with a reason, and only admins change them.
    for (const bad of [
      { responseTargets: { fax: { amount: 2, unit: 'opening_days' } } },
      { responseTargets: { sms: { amount: 0, unit: 'opening_days' } } },
      { responseTargets: { sms: { amount: 2, unit: 'weeks' } } },
      { openingHours: week('monday', [{ opens: '12:00', closes: '09:00' }]) },
      { openingHours: { monday: [] } },
    ]) {
      const res = await team(bad);
      expect([JSON.stringify(bad), res.status]).toEqual([JSON.stringify(bad), 400]);
    }
    expect((await team({ responseTargets: {} }, o.supervisor.token)).status).toBe(403);
    // A closing of more than a year (the response targets would never come) is refused too.
    const long = await settings({ closures: [{ from: '2026-06-01', to: '2027-06-03', reason: 'Travaux' }] });
    expect([long.status, long.body.details]).toEqual([400, ['closures.0: une fermeture dure un an au plus']]);
  });
});
