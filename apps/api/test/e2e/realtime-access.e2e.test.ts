import { randomUUID } from 'node:crypto';
import type { ConversationDto, MessageDto } from '@guichet/contracts';
import { connectRecording, expectEventually, type RecordingClient } from '@guichet/testing';
import { seedTown, startTestApp, type TestAgent, type TestApp } from '../harness';

type Client = RecordingClient & { reasons: string[] };

/**
 * Room membership follows access at every moment: whoever may no longer read a conversation stops
 * hearing about it at once, and a session that ends takes its sockets with it.
 */
describe('real time follows access, not the first join', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const clients: Client[] = [];

  const connect = async (token: string): Promise<Client> => {
    const c = Object.assign(await connectRecording(t.url, token), { reasons: [] as string[] });
    c.socket.on('disconnect', (reason) => c.reasons.push(reason));
    clients.push(c);
    return c;
  };
  const join = (c: Client, id: string) =>
    c.socket.timeout(2000).emitWithAck('conversation.join', id) as Promise<{ ok: boolean; error?: string }>;
  /** The server answers this socket after everything it sent it before: a fence for "nothing more came". */
  const fence = (c: Client) => c.socket.timeout(2000).emitWithAck('conversation.leave', randomUUID());
  const seen = (c: Client, id: string) =>
    c
      .of<MessageDto>('message.created')
      .filter((m) => m.conversationId === id)
      .map((m) => m.body);
  const created = (c: Client) => c.of<ConversationDto>('conversation.created').map((x) => x.id);
  const newFile = async (teamId: string) =>
    (
      await t.ingest.ingest(
        {
          channelId: town.webform.id,
          externalId: randomUUID(),
          from: { kind: 'email', value: `${randomUUID()}@example.fr` },
          text: 'Bonjour',
        },
        { teamId },
      )
    ).conversationId;
  const note = async (token: string, id: string, body: string) => {
    const c = await t.http('GET', `/api/v1/conversations/${id}`, { token });
    const res = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token,
      body: { kind: 'note', body, version: c.body.version },
    });
    expect(res.status).toBe(201);
  };
  const patchConversation = async (token: string, id: string, changes: Record<string, unknown>) => {
    const c = await t.http('GET', `/api/v1/conversations/${id}`, { token });
    const res = await t.http('PATCH', `/api/v1/conversations/${id}`, { token, body: { ...changes, version: c.body.version } });
    expect(res.status).toBe(200);
  };
  const patchAgent = async (id: string, changes: Record<string, unknown>) => {
    const res = await t.http('PATCH', `/api/v1/agents/${id}`, { token: town.admin.token, body: changes });
    expect(res.status).toBe(200);
  };
  const login = async (a: TestAgent, password = 'mot-de-passe-test') => {
    const res = await t.http('POST', '/api/v1/auth/login', { body: { email: a.email, password } });
    expect(res.status).toBe(200);
    return res.body.token as string;
  };
  const disconnectedByServer = (c: Client, timeoutMs = 5000) =>
    expectEventually(() => expect(c.reasons).toEqual(['io server disconnect']), { timeoutMs });

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await t.close();
  });

  describe('a conversation that moves away leaves the rooms of those who may no longer see it', () => {
    it('a transfer to another service takes it out of the former service’s sockets, not the supervisor’s', async () => {
      const ecAgent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      const scoAgent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.scolarite.id] });
      const id = await newFile(town.etatCivil.id);
      const ec = await connect(ecAgent.token);
      const sco = await connect(scoAgent.token);
      const sup = await connect(town.supervisor.token);
      expect(await join(ec, id)).toEqual({ ok: true });
      expect(await join(sup, id)).toEqual({ ok: true });
      await note(town.supervisor.token, id, 'avant le transfert');
      await expectEventually(() => expect(seen(ec, id)).toEqual(['avant le transfert']));

      await patchConversation(town.supervisor.token, id, { teamId: town.scolarite.id, note: 'Pour la Scolarité.' });
      expect((await t.http('GET', `/api/v1/conversations/${id}`, { token: ecAgent.token })).status).toBe(404);
      await note(town.supervisor.token, id, 'note interne après le transfert');
      await expectEventually(() => {
        // The receiving service reads the handover note, then what is written after.
        expect(seen(sco, id)).toEqual(['Pour la Scolarité.', 'note interne après le transfert']);
        expect(seen(sup, id)).toEqual(['avant le transfert', 'Pour la Scolarité.', 'note interne après le transfert']);
      });
      await fence(ec);
      // The handover note is written as the file leaves; nothing written after the transfer reaches the former service.
      expect(seen(ec, id).filter((n) => n !== 'Pour la Scolarité.')).toEqual(['avant le transfert']);
      expect(await join(ec, id)).toEqual({ ok: false, error: 'conversation introuvable' });
    });

    it('a file cannot be given to an agent whose services do not hold it, so that agent’s sockets never get it', async () => {
      // Issue 21: assigning an État civil file to a Scolarité agent is refused unless the same
      // request moves it to their service; a transfer unassigns a holder who cannot see the new
      // service (domain-events.e2e counts that second assignment event).
      const id = await newFile(town.etatCivil.id);
      const other = await t.newAgent({ organizationId: town.org.id, teamIds: [town.scolarite.id] });
      const sup = await connect(town.supervisor.token);
      const a = await connect(other.token);
      const c = await t.http('GET', `/api/v1/conversations/${id}`, { token: town.supervisor.token });
      const refused = await t.http('PATCH', `/api/v1/conversations/${id}`, {
        token: town.supervisor.token,
        body: { assigneeId: other.id, version: c.body.version },
      });
      expect(refused.status).toBe(422);
      expect(await join(a, id)).toEqual({ ok: false, error: 'conversation introuvable' });
      await note(town.supervisor.token, id, 'après le refus');
      await expectEventually(() => expect(seen(sup, id)).toContain('après le refus'));
      await fence(a);
      expect(seen(a, id)).toEqual([]);
    });

    it('removing an agent from a service takes its conversations and its room away; adding one gives them without reconnecting', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      const id = await newFile(town.etatCivil.id);
      const c = await connect(agent.token);
      const sup = await connect(town.supervisor.token);
      expect(await join(c, id)).toEqual({ ok: true });

      await patchAgent(agent.id, { teamIds: [town.scolarite.id] });
      expect((await t.http('GET', `/api/v1/conversations/${id}`, { token: agent.token })).status).toBe(404);
      await note(town.supervisor.token, id, 'après le retrait du service');
      const later = await newFile(town.etatCivil.id);
      const sco = await newFile(town.scolarite.id);
      await expectEventually(() => {
        expect(seen(sup, id)).toEqual(['après le retrait du service']);
        expect(created(c)).toContain(sco);
      });
      await fence(c);
      expect(seen(c, id)).toEqual([]);
      expect(created(c)).not.toContain(later);
      expect(await join(c, id)).toEqual({ ok: false, error: 'conversation introuvable' });

      await patchAgent(agent.id, { teamIds: [town.scolarite.id, town.etatCivil.id] });
      const back = await newFile(town.etatCivil.id);
      await expectEventually(() => expect(created(c)).toContain(back));
      expect(await join(c, id)).toEqual({ ok: true });
    });

    it('a supervisor who becomes an agent loses the organization’s room and the other services’ conversations', async () => {
      const boss = await t.newAgent({ organizationId: town.org.id, role: 'supervisor' });
      const id = await newFile(town.etatCivil.id);
      const c = await connect(boss.token);
      const sup = await connect(town.supervisor.token);
      expect(await join(c, id)).toEqual({ ok: true });

      expect((await t.http('GET', '/api/v1/agents/manage', { token: boss.token })).status).toBe(200);
      await patchAgent(boss.id, { role: 'agent', teamIds: [town.scolarite.id] });
      // The screens are told of the new access (they read who they are again), and the same
      // session's REST calls follow it at once: no new login.
      await expectEventually(() =>
        expect(c.of('agent.access_changed')).toEqual([{ role: 'agent', teamIds: [town.scolarite.id] }]),
      );
      expect(sup.of('agent.access_changed')).toEqual([]);
      expect((await t.http('GET', '/api/v1/agents/manage', { token: boss.token })).status).toBe(403);
      await note(town.supervisor.token, id, 'après le changement de rôle');
      const ec = await newFile(town.etatCivil.id);
      const sco = await newFile(town.scolarite.id);
      await expectEventually(() => {
        expect(seen(sup, id)).toEqual(['après le changement de rôle']);
        expect(created(c)).toContain(sco);
      });
      await fence(c);
      expect(seen(c, id)).toEqual([]);
      expect(created(c)).not.toContain(ec);
      expect(await join(c, id)).toEqual({ ok: false, error: 'conversation introuvable' });
    });
  });

  describe('a session that ends closes its sockets at once', () => {
    it('logging out closes that session’s sockets and only them', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      const [one, two] = [await login(agent), await login(agent)];
      const id = await newFile(town.etatCivil.id);
      const a = await connect(one);
      const a2 = await connect(one);
      const b = await connect(two);
      for (const c of [a, a2, b]) expect(await join(c, id)).toEqual({ ok: true });

      expect((await t.http('POST', '/api/v1/auth/logout', { token: one })).status).toBe(204);
      await disconnectedByServer(a);
      await disconnectedByServer(a2);
      await note(town.supervisor.token, id, 'note après la déconnexion');
      await expectEventually(() => expect(seen(b, id)).toEqual(['note après la déconnexion']));
      expect(seen(a, id)).toEqual([]);
      expect(b.reasons).toEqual([]);
    });

    it('changing one’s password closes the sockets of the other sessions, not this one', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      const [current, other] = [await login(agent), await login(agent)];
      const id = await newFile(town.etatCivil.id);
      const mine = await connect(current);
      const elsewhere = await connect(other);
      for (const c of [mine, elsewhere]) expect(await join(c, id)).toEqual({ ok: true });

      const res = await t.http('POST', '/api/v1/auth/password', {
        token: current,
        body: { currentPassword: 'mot-de-passe-test', newPassword: 'un nouveau mot de passe' },
      });
      expect(res.status).toBe(204);
      await disconnectedByServer(elsewhere);
      await note(town.supervisor.token, id, 'note après le changement de mot de passe');
      await expectEventually(() => expect(seen(mine, id)).toEqual(['note après le changement de mot de passe']));
      expect(seen(elsewhere, id)).toEqual([]);
      expect(mine.reasons).toEqual([]);
    });

    it('deactivating an agent closes every socket of every session', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      const id = await newFile(town.etatCivil.id);
      const a = await connect(agent.token);
      const b = await connect(await login(agent));
      for (const c of [a, b]) expect(await join(c, id)).toEqual({ ok: true });

      await patchAgent(agent.id, { active: false });
      await disconnectedByServer(a);
      await disconnectedByServer(b);
      await expect(connectRecording(t.url, agent.token)).rejects.toThrow(/unauthorized/);
    });

    it('a socket does not outlive its session: it closes when the session expires', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      await t.db.query(`UPDATE agent_session SET expires_at = now() + interval '2 seconds' WHERE agent_id = $1`, [agent.id]);
      const c = await connect(agent.token);
      await disconnectedByServer(c, 8000);
      expect((await t.http('GET', '/api/v1/auth/me', { token: agent.token })).status).toBe(401);
    });

    it('every join checks the session again: an ended session cannot join and its socket closes', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      const id = await newFile(town.etatCivil.id);
      const c = await connect(agent.token);
      // The session ends without passing through the API (e.g. removed by an operator).
      await t.db.query(`DELETE FROM agent_session WHERE agent_id = $1`, [agent.id]);
      const answer = await join(c, id).catch(() => null);
      expect(answer).not.toEqual({ ok: true });
      await disconnectedByServer(c);
      expect(seen(c, id)).toEqual([]);
    });
  });
});
