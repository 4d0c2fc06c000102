import type { ConversationDto, OrganizationSettingsDto } from '@guichet/contracts';
import { citizenSms, seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Issue 13: a request an agent transfers to another service (with its note) is told to the citizen
 * when the organization wants it: on the request's channel, signed (L111-2), not an answer.
 */
describe('a transfer to another service, told to the citizen', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  const sms = (text: string) => citizenSms(t, town.sms.id, text);
  const move = async (id: string, teamId: string) => {
    const token = town.supervisor.token;
    const { version } = (await t.http<ConversationDto>('GET', `/api/v1/conversations/${id}`, { token })).body;
    return t.http<ConversationDto>('PATCH', `/api/v1/conversations/${id}`, {
      token,
      body: { teamId, note: 'Ceci relève de votre service.', version },
    });
  };
  const notices = async (id: string) =>
    (
      await t.db.query(
        `SELECT m.channel_id, m.body, m.author_agent_id, m.kind FROM message m
          WHERE m.conversation_id = $1 AND m.direction = 'outbound' AND m.meta->>'transferNotice' = 'true'
          ORDER BY m.created_at, m.id`,
        [id],
      )
    ).rows as { channel_id: string; body: string; author_agent_id: string | null; kind: string }[];

  it('says nothing unless the organization wants it, then tells each transfer on the request’s channel', async () => {
    const quiet = await sms('Bonjour, je voudrais inscrire ma fille à la cantine');
    expect((await move(quiet, town.scolarite.id)).status).toBe(200);
    expect(await notices(quiet)).toEqual([]);

    // Replies signed (L111-2), as the town's acknowledgement settings say.
    await t.db.query(`UPDATE organization SET sign_replies = true WHERE id = $1`, [town.org.id]);
    const on = await t.http<OrganizationSettingsDto>('PATCH', '/api/v1/organization/settings', {
      token: town.admin.token,
      body: { transferNotice: true },
    });
    expect([on.status, on.body.transferNotice]).toEqual([200, true]);
    const bad = await t.http('PATCH', '/api/v1/organization/settings', {
      token: town.admin.token,
      body: { transferNotice: 'oui' },
    });
    expect(bad.status).toBe(400);

    const told = await sms('Bonjour, ma fille entre au CP en septembre');
    const moved = await move(told, town.scolarite.id);
    expect(moved.status).toBe(200);
    const { rows } = await t.db.query(`SELECT reference, first_response_at FROM conversation WHERE id = $1`, [told]);
    const [notice] = await notices(told);
    expect(notice).toMatchObject({ channel_id: town.sms.id, author_agent_id: null, kind: 'message' });
    expect(notice!.body).toContain(
      `Votre demande ${rows[0].reference} a été transmise au service « Scolarité », qui la traitera`,
    );
    // L111-2: the agent who transferred it signs it.
    expect(notice!.body).toContain('Sarah Superviseure');
    // It is no answer: the service's response target still runs.
    expect(rows[0].first_response_at).toBeNull();
    expect(
      (await t.http<ConversationDto>('GET', `/api/v1/conversations/${told}`, { token: town.supervisor.token })).body,
    ).toMatchObject({ teamId: town.scolarite.id, firstResponseAt: null });

    // Back to État civil: told again; a closed file is not.
    expect((await move(told, town.etatCivil.id)).status).toBe(200);
    expect((await notices(told)).map((n) => /au service « ([^»]+) »/.exec(n.body)![1])).toEqual(['Scolarité', 'État civil']);
    await t.db.query(`UPDATE conversation SET status = 'resolved', resolved_at = now() WHERE id = $1`, [told]);
    expect((await move(told, town.scolarite.id)).status).toBe(200);
    expect(await notices(told)).toHaveLength(2);
  });
});
