import { addCalendarDays, civilDateAt, type ConversationDto, type RequestTypeDto } from '@guichet/contracts';
import { citizenSms, seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Issue 15 with issue 13's letters (courrier papier): a letter registered at the town hall through
 * the letter form is a request of the `letter` channel in every report: counted in the volumes per
 * channel, and in the Services Publics+ engagement 5 figures per channel (answered within the
 * target announced for a letter, ten opening days; resolved within the démarche's legal deadline),
 * beside the other channels' own targets.
 */
describe('reports count letters registered at the town hall, per channel of arrival', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let terrasse: RequestTypeDto;
  const today = () => civilDateAt(new Date());

  const register = async (receivedOn: string, subject: string, requestTypeId?: string): Promise<ConversationDto> => {
    const form = new FormData();
    const fields: Record<string, string> = {
      receivedOn,
      name: 'Jeanne Courrier',
      address: '12 rue des Lilas\n99000 Démo',
      teamId: town.etatCivil.id,
      subject,
      summary: `${subject} : demande écrite reçue par la poste.`,
      ...(requestTypeId ? { requestTypeId } : {}),
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('scan', new Blob([Buffer.from('%PDF-1.4\n% courrier scanné\n')], { type: 'application/pdf' }), 'courrier.pdf');
    const res = await t.http<ConversationDto>('POST', '/api/v1/letters', { token: town.agentEC.token, form });
    expect(res.status).toBe(201);
    return res.body;
  };
  const current = async (id: string) =>
    (await t.http<ConversationDto>('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body;
  const reply = async (id: string): Promise<string> => {
    const res = await t.http<{ id: string }>('POST', `/api/v1/conversations/${id}/messages`, {
      token: town.agentEC.token,
      body: {
        kind: 'reply',
        body: 'Madame,\n\nvotre demande est traitée.\n\nBien cordialement,',
        version: (await current(id)).version,
      },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  /** A printed answer posted: it answers the citizen from now. */
  const post = async (id: string, messageId: string) =>
    expect(
      (await t.http('POST', `/api/v1/conversations/${id}/messages/${messageId}/posted`, { token: town.agentEC.token })).status,
    ).toBe(200);
  const report = (kind: string) =>
    t.http('GET', `/api/v1/reports/${kind}?from=${addCalendarDays(today(), -40)}&to=${today()}`, { token: town.admin.token });

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    await t.newChannel({ organizationId: town.org.id, teamId: town.etatCivil.id, kind: 'letter' });
    const created = await t.http<RequestTypeDto>('POST', '/api/v1/request-types', {
      token: town.admin.token,
      body: {
        teamId: town.etatCivil.id,
        name: 'Autorisation de terrasse',
        decisionRegime: 'rejection',
        deadline: { amount: 2, unit: 'months' },
      },
    });
    expect(created.status).toBe(201);
    terrasse = created.body;
  });
  afterAll(() => t.close());

  it('counts letters in the volumes and in the share answered within their two weeks, beside SMS', async () => {
    // A letter that came 30 days ago (its ten opening days are long past: answered late, resolved within its
    // démarche's two months), a letter that came today (answered on time), an SMS (two opening days: on time),
    // a letter answered on paper before its target but posted after it (late: the citizen had nothing before),
    // and a letter answered on paper but never posted (nobody answered: in no first-response figure).
    const old = await register(addCalendarDays(today(), -30), 'Terrasse du Café de la Poste', terrasse.id);
    const fresh = await register(today(), 'Bruit de la salle des fêtes');
    const postedLate = await register(today(), 'Cantine scolaire');
    const unposted = await register(addCalendarDays(today(), -2), 'Lampadaire éteint');
    const sms = await citizenSms(t, town.sms.id, 'Bonjour, le passeport de mon fils est-il prêt ?');
    await t.settled(); // due dates set by their listeners
    for (const id of [old.id, fresh.id, postedLate.id, unposted.id]) expect((await current(id)).responseDueAt).not.toBeNull();
    expect(new Date((await current(old.id)).responseDueAt!).getTime()).toBeLessThan(Date.now());
    const [oldReply, freshReply] = [await reply(old.id), await reply(fresh.id)];
    const lateReply = await reply(postedLate.id);
    await reply(unposted.id);
    await reply(sms);
    await post(old.id, oldReply);
    await post(fresh.id, freshReply);
    // Its target passes between the writing and the posting.
    await t.db.query(`UPDATE conversation SET response_due_at = clock_timestamp() WHERE id = $1`, [postedLate.id]);
    await post(postedLate.id, lateReply);
    await t.settled(); // the reports' fold
    expect((await current(unposted.id)).firstResponseAt).toBeNull();
    const late = await current(postedLate.id);
    expect(Date.parse(late.firstResponseAt!)).toBeGreaterThan(Date.parse(late.responseDueAt!));
    const resolved = await t.http('PATCH', `/api/v1/conversations/${old.id}`, {
      token: town.agentEC.token,
      body: { status: 'resolved', version: (await current(old.id)).version },
    });
    expect(resolved.status).toBe(200);
    await t.settled(); // the reports' fold

    const volumes = await report('volumes');
    expect(volumes.status).toBe(200);
    expect(volumes.body.byChannel).toEqual([
      { channelKind: 'letter', created: 4, reopened: 0, resolved: 1 },
      { channelKind: 'sms', created: 1, reopened: 0, resolved: 0 },
    ]);
    const times = await report('response-times');
    expect(times.body.byChannel).toEqual([
      {
        channelKind: 'letter',
        firstResponse: { withTarget: 3, onTime: 1, onTimeShare: 0.333 },
        legalDeadline: { resolved: 1, onTime: 1, onTimeShare: 1 },
      },
      {
        channelKind: 'sms',
        firstResponse: { withTarget: 1, onTime: 1, onTimeShare: 1 },
        legalDeadline: { resolved: 0, onTime: 0, onTimeShare: null },
      },
    ]);
    // The whole town: 2 of 4 answered on time; one file with a legal date, resolved by it.
    expect(times.body.firstResponse).toMatchObject({ withTarget: 4, onTime: 2 });
    expect(times.body.legalDeadline).toEqual({ resolved: 1, onTime: 1, onTimeShare: 1 });
    // Narrowed to letters, every figure is theirs.
    const letters = await t.http(
      'GET',
      `/api/v1/reports/response-times?from=${addCalendarDays(today(), -40)}&to=${today()}&channel=letter`,
      { token: town.admin.token },
    );
    expect(letters.body.firstResponse).toMatchObject({ count: 3, withTarget: 3, onTime: 1, onTimeShare: 0.333 });
    expect(letters.body.byChannel.map((r: { channelKind: string }) => r.channelKind)).toEqual(['letter']);
  });
});
