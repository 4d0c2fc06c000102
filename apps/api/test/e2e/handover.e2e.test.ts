import { randomUUID } from 'node:crypto';
import type { AgentNotificationDto, MessageDto } from '@guichet/contracts';
import { connectRecording, expectEventually, type RecordingClient } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Handing a file over (issue 21, item 3): agents give what is theirs or nobody's to a colleague of
 * the service or to another service with a note; an assignee who could not see the file is
 * refused unless the same request moves it to their service; the receiver is told live.
 */
describe('handing a conversation over', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const clients: RecordingClient[] = [];
  const connect = async (token: string) => {
    const c = await connectRecording(t.url, token);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await t.close();
  });

  async function newFile(): Promise<{ id: string; version: number }> {
    const { conversationId: id } = await t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: `${randomUUID().slice(0, 8)}@example.fr`, name: 'Citoyen Test' },
        subject: 'Demande',
        text: 'Bonjour',
      },
      { teamId: town.etatCivil.id },
    );
    const c = (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.supervisor.token })).body;
    return { id, version: c.version };
  }
  const patch = (token: string, id: string, body: object) => t.http('PATCH', `/api/v1/conversations/${id}`, { token, body });

  it('refuses an assignee who may not see the file, with a French reason, unless the request moves it to their service', async () => {
    const c = await newFile();
    for (const who of [town.supervisor, town.agentEC]) {
      const refused = await patch(who.token, c.id, { assigneeId: town.agentSco.id, version: c.version });
      expect(refused.status).toBe(422);
      expect(refused.body.message).toBe(
        'Paul Martin ne fait pas partie du service « État civil » et ne verrait pas cette conversation : ' +
          'choisissez un agent de ce service, ou transférez-la en même temps à un service de cet agent',
      );
    }
    const stored = (await t.db.query(`SELECT assignee_id, team_id, version FROM conversation WHERE id = $1`, [c.id])).rows[0];
    expect(stored).toEqual({ assignee_id: null, team_id: town.etatCivil.id, version: c.version });

    const moved = await patch(town.supervisor.token, c.id, {
      teamId: town.scolarite.id,
      assigneeId: town.agentSco.id,
      note: 'Inscription scolaire, pour Paul.',
      version: c.version,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ teamId: town.scolarite.id, assigneeId: town.agentSco.id });
    // A supervisor may always be given a file: they see every service.
    const toSupervisor = await patch(town.agentSco.token, c.id, { assigneeId: town.supervisor.id, version: moved.body.version });
    expect(toSupervisor.status).toBe(200);
  });

  it('lets an agent give their file to a colleague of the service, who is told live with the name of who gave it', async () => {
    const colleague = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id], name: 'Lina Colin' });
    const [giver, receiver] = await Promise.all([connect(town.agentEC.token), connect(colleague.token)]);
    const c = await newFile();
    const taken = await patch(town.agentEC.token, c.id, { assigneeId: town.agentEC.id, version: c.version });
    const given = await patch(town.agentEC.token, c.id, {
      assigneeId: colleague.id,
      note: 'Le citoyen rappelle demain, peux-tu suivre ?',
      version: taken.body.version,
    });
    expect(given.status).toBe(200);
    expect(given.body.assigneeId).toBe(colleague.id);
    await expectEventually(
      () =>
        expect(receiver.of<AgentNotificationDto>('agent.notified')).toEqual([
          expect.objectContaining({
            kind: 'assigned',
            byAgentId: town.agentEC.id,
            byAgentName: 'Marie Dupont',
            note: 'Le citoyen rappelle demain, peux-tu suivre ?',
            conversation: expect.objectContaining({ id: c.id, assigneeId: colleague.id }),
          }),
        ]),
      { timeoutMs: 3000 },
    );
    // The note is in the thread; the giver hears nothing about their own action.
    const thread = (await t.http('GET', `/api/v1/conversations/${c.id}/messages`, { token: colleague.token })).body.items;
    expect(thread.map((m: MessageDto) => [m.kind, m.body])).toContainEqual([
      'note',
      'Le citoyen rappelle demain, peux-tu suivre ?',
    ]);
    expect(giver.of('agent.notified')).toEqual([]);

    // The colleague's file is no longer the giver's to move.
    const back = await patch(town.agentEC.token, c.id, { assigneeId: town.agentEC.id, version: given.body.version });
    expect(back.status).toBe(403);
    const away = await patch(town.agentEC.token, c.id, { teamId: town.scolarite.id, version: given.body.version });
    expect(away.status).toBe(403);
    expect(away.body.message).toBe('seul un superviseur peut transférer une conversation prise par un collègue');

    // A supervisor takes it back: the colleague is told it was taken from them.
    const current = (await t.http('GET', `/api/v1/conversations/${c.id}`, { token: town.supervisor.token })).body;
    await patch(town.supervisor.token, c.id, { assigneeId: town.agentEC.id, version: current.version });
    await expectEventually(
      () =>
        expect(receiver.of<AgentNotificationDto>('agent.notified').map((n) => [n.kind, n.byAgentName])).toEqual([
          ['assigned', 'Marie Dupont'],
          ['unassigned', 'Sarah Superviseure'],
        ]),
      { timeoutMs: 3000 },
    );
    await expectEventually(
      () => expect(giver.of<AgentNotificationDto>('agent.notified').map((n) => n.kind)).toEqual(['assigned']),
      { timeoutMs: 3000 },
    );
  });

  it('refuses a change of service without a note, with a French reason, and changes nothing', async () => {
    const c = await newFile();
    for (const [who, body] of [
      [town.supervisor, { teamId: town.scolarite.id, version: c.version }],
      [town.agentEC, { teamId: town.scolarite.id, assigneeId: town.agentSco.id, priority: 'urgent', version: c.version }],
    ] as const) {
      const refused = await patch(who.token, c.id, body);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        message: 'une note de transmission est obligatoire pour changer le service de la conversation',
        details: ['note: écrivez une note pour le service qui reçoit la conversation'],
      });
    }
    // Blank is no note.
    const blank = await patch(town.supervisor.token, c.id, { teamId: town.scolarite.id, note: '   ', version: c.version });
    expect(blank.status).toBe(400);
    expect(blank.body.details).toEqual([expect.stringMatching(/^note: /)]);
    const stored = await t.db.query(
      `SELECT c.team_id, c.assignee_id, c.priority, c.version, (SELECT count(*)::int FROM message WHERE conversation_id = c.id AND kind = 'note') AS notes
         FROM conversation c WHERE c.id = $1`,
      [c.id],
    );
    expect(stored.rows[0]).toEqual({
      team_id: town.etatCivil.id,
      assignee_id: null,
      priority: 'normal',
      version: c.version,
      notes: 0,
    });
    // Naming the service the file is already in is no change of service: no note needed.
    const same = await patch(town.supervisor.token, c.id, { teamId: town.etatCivil.id, priority: 'high', version: c.version });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ teamId: town.etatCivil.id, priority: 'high' });
  });

  it('lets an agent transfer their file to another service with a note: it leaves them, and that service is told', async () => {
    const sco = await connect(town.agentSco.token);
    const c = await newFile();
    const taken = await patch(town.agentEC.token, c.id, { assigneeId: town.agentEC.id, version: c.version });
    const moved = await patch(town.agentEC.token, c.id, {
      teamId: town.scolarite.id,
      note: 'Question sur la cantine, pas sur l’état civil.',
      version: taken.body.version,
    });
    expect(moved.status).toBe(200);
    // Marie is not of Scolarité: the file goes to that service's queue, and out of her sight.
    expect(moved.body).toMatchObject({ teamId: town.scolarite.id, assigneeId: null });
    expect((await t.http('GET', `/api/v1/conversations/${c.id}`, { token: town.agentEC.token })).status).toBe(404);
    await expectEventually(
      () =>
        expect(sco.of<AgentNotificationDto>('agent.notified')).toContainEqual(
          expect.objectContaining({
            kind: 'transferred',
            byAgentName: 'Marie Dupont',
            note: 'Question sur la cantine, pas sur l’état civil.',
            conversation: expect.objectContaining({ id: c.id, teamId: town.scolarite.id }),
          }),
        ),
      { timeoutMs: 3000 },
    );
    const audit = (
      await t.db.query(`SELECT data FROM audit_event WHERE conversation_id = $1 AND action = 'conversation.updated'`, [c.id])
    ).rows.map((r: { data: object }) => r.data);
    expect(audit).toContainEqual({ teamId: town.scolarite.id, assigneeId: null });
  });

  it('refuses a note alone, or a note with no handover, with a French reason', async () => {
    const c = await newFile();
    const alone = await patch(town.agentEC.token, c.id, { note: 'coucou', version: c.version });
    expect(alone.status).toBe(400);
    const withStatus = await patch(town.agentEC.token, c.id, { note: 'coucou', status: 'pending', version: c.version });
    expect(withStatus.status).toBe(400);
    expect(JSON.stringify(withStatus.body)).toContain('une note de transmission accompagne une assignation ou un transfert');
  });
});
