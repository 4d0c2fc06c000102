import { randomUUID } from 'node:crypto';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** Admins change an agent's role, services, capacity and active flag; agents change their own password. */
describe('agents: administration and own password', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;

  const audits = async (action: string, agentId: string) =>
    (
      await t.db.query(
        `SELECT agent_id, data, created_at FROM audit_event WHERE action = $1 AND data->>'agentId' = $2 ORDER BY id`,
        [action, agentId],
      )
    ).rows;
  const login = (email: string, password: string) => t.http('POST', '/api/v1/auth/login', { body: { email, password } });

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    other = await seedTown(t);
  });
  afterAll(() => t.close());

  it('an admin changes an agent’s role, services and capacity, audited with who, when, before and after', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id], name: 'Léa Agent' });
    const res = await t.http('PATCH', `/api/v1/agents/${agent.id}`, {
      token: town.admin.token,
      body: { role: 'supervisor', teamIds: [town.scolarite.id, town.etatCivil.id], capacity: 4 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: agent.id,
      name: 'Léa Agent',
      email: agent.email,
      role: 'supervisor',
      capacity: 4,
      teamIds: [town.etatCivil.id, town.scolarite.id].sort(),
      active: true,
    });
    const me = await t.http('GET', '/api/v1/auth/me', { token: agent.token });
    expect(me.body).toMatchObject({ role: 'supervisor', capacity: 4 });
    const [audit] = await audits('agent.updated', agent.id);
    expect(audit).toMatchObject({
      agent_id: town.admin.id,
      data: {
        agentId: agent.id,
        before: { role: 'agent', teamIds: [town.etatCivil.id], capacity: 10, active: true },
        after: { role: 'supervisor', teamIds: [town.etatCivil.id, town.scolarite.id].sort(), capacity: 4, active: true },
      },
    });
    expect(audit.created_at).toBeInstanceOf(Date);
  });

  it('only an admin of the same organization changes an agent, and bad input gets a reason in French', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
    const patch = (token: string, body: unknown, id = agent.id) => t.http('PATCH', `/api/v1/agents/${id}`, { token, body });
    expect((await patch(town.agentEC.token, { capacity: 3 })).status).toBe(403);
    expect((await patch(town.supervisor.token, { capacity: 3 })).status).toBe(403);
    expect(await patch(other.admin.token, { capacity: 3 })).toMatchObject({
      status: 404,
      body: { message: 'agent introuvable' },
    });
    expect(await patch(town.admin.token, { capacity: 3 }, randomUUID())).toMatchObject({
      status: 404,
      body: { message: 'agent introuvable' },
    });
    const foreignTeam = await patch(town.admin.token, { teamIds: [other.etatCivil.id] });
    expect(foreignTeam).toMatchObject({ status: 400, body: { message: 'service inconnu' } });
    const badRole = await patch(town.admin.token, { role: 'maire' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.details.join()).toMatch(/^role: /);
    expect(await patch(town.admin.token, {})).toMatchObject({ status: 400, body: { details: ['aucun changement demandé'] } });
    expect(await patch(town.admin.token, { active: false }, town.admin.id)).toMatchObject({
      status: 403,
      body: { message: 'vous ne pouvez pas désactiver votre propre compte : un autre administrateur doit le faire' },
    });
    expect(await patch(town.admin.token, { role: 'agent' }, town.admin.id)).toMatchObject({
      status: 400,
      body: { message: 'vous êtes le dernier administrateur actif : nommez-en un autre avant de quitter ce rôle' },
    });
    expect(await audits('agent.updated', agent.id)).toEqual([]);
  });

  it('an admin sets roles from the agents screen; the last active admin can neither step down nor be deactivated', async () => {
    const own = await seedTown(t);
    const patch = (token: string, id: string, body: unknown) => t.http('PATCH', `/api/v1/agents/${id}`, { token, body });
    // A second admin named from the list: then either may step down, the town keeps one.
    const second = await t.newAgent({ organizationId: own.org.id, name: 'Bérénice Seconde' });
    expect(await patch(own.admin.token, second.id, { role: 'admin' })).toMatchObject({ status: 200, body: { role: 'admin' } });
    expect(await patch(own.admin.token, own.admin.id, { role: 'supervisor' })).toMatchObject({
      status: 200,
      body: { role: 'supervisor' },
    });
    // Access follows at once: the former admin reads the administration but changes nothing.
    expect((await patch(own.admin.token, own.agentEC.id, { capacity: 2 })).status).toBe(403);
    expect(await patch(second.token, second.id, { role: 'agent' })).toMatchObject({
      status: 400,
      body: { message: 'vous êtes le dernier administrateur actif : nommez-en un autre avant de quitter ce rôle' },
    });
    // The last admin cannot be deactivated by anyone; and no admin deactivates their own account,
    // even with another admin left (another admin does it).
    expect((await patch(second.token, second.id, { active: false })).status).toBe(403);
    const [row] = (await t.db.query(`SELECT role, active FROM agent WHERE id = $1`, [second.id])).rows;
    expect(row).toEqual({ role: 'admin', active: true });
    const third = await t.newAgent({ organizationId: own.org.id, role: 'admin', name: 'Tom Troisième' });
    expect(await patch(third.token, third.id, { active: false })).toMatchObject({
      status: 403,
      body: { message: 'vous ne pouvez pas désactiver votre propre compte : un autre administrateur doit le faire' },
    });
    expect((await t.db.query(`SELECT active FROM agent WHERE id = $1`, [third.id])).rows).toEqual([{ active: true }]);

    // Two admins demoting themselves at the same moment: one wins, the town keeps its other admin.
    const results = await Promise.all([
      patch(second.token, second.id, { role: 'agent' }),
      patch(third.token, third.id, { role: 'supervisor' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM agent WHERE organization_id = $1 AND role = 'admin' AND active`,
      [own.org.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('deactivating an agent ends their sessions at once and releases their open conversations to their service', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
    const second = await login(agent.email, 'mot-de-passe-test');
    const open = await t.ingest.ingest(
      { channelId: town.webform.id, externalId: randomUUID(), from: { kind: 'email', value: 'ouvert@example.fr' }, text: 'x' },
      { teamId: town.etatCivil.id },
    );
    const resolved = await t.ingest.ingest(
      { channelId: town.webform.id, externalId: randomUUID(), from: { kind: 'email', value: 'clos@example.fr' }, text: 'x' },
      { teamId: town.etatCivil.id },
    );
    await t.db.query(`UPDATE conversation SET assignee_id = $1 WHERE id = ANY($2::uuid[])`, [
      agent.id,
      [open.conversationId, resolved.conversationId],
    ]);
    await t.db.query(`UPDATE conversation SET status = 'resolved' WHERE id = $1`, [resolved.conversationId]);

    const res = await t.http('PATCH', `/api/v1/agents/${agent.id}`, { token: town.admin.token, body: { active: false } });
    expect(res).toMatchObject({ status: 200, body: { id: agent.id, active: false } });
    for (const token of [agent.token, second.body.token]) {
      expect(await t.http('GET', '/api/v1/conversations', { token })).toMatchObject({
        status: 401,
        body: { message: 'session absente ou expirée : reconnectez-vous' },
      });
    }
    expect((await login(agent.email, 'mot-de-passe-test')).status).toBe(401);
    const rows = (
      await t.db.query(`SELECT id, assignee_id FROM conversation WHERE id = ANY($1::uuid[])`, [
        [open.conversationId, resolved.conversationId],
      ])
    ).rows;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.assignee_id]))).toEqual({
      [open.conversationId]: null,
      [resolved.conversationId]: agent.id,
    });
    expect((await audits('agent.updated', agent.id))[0].data).toMatchObject({
      before: { active: true },
      after: { active: false },
    });
    const released = (
      await t.db.query(`SELECT agent_id, data FROM audit_event WHERE action = 'conversation.updated' AND conversation_id = $1`, [
        open.conversationId,
      ])
    ).rows;
    expect(released).toEqual([{ agent_id: town.admin.id, data: { assigneeId: null, reason: 'agent_deactivated' } }]);
    // The directory no longer offers them; an admin can give the account back.
    expect(
      (await t.http('GET', '/api/v1/agents', { token: town.agentEC.token })).body.map((a: { id: string }) => a.id),
    ).not.toContain(agent.id);
    expect(
      await t.http('PATCH', `/api/v1/agents/${agent.id}`, { token: town.admin.token, body: { active: true } }),
    ).toMatchObject({
      status: 200,
      body: { active: true },
    });
    expect((await login(agent.email, 'mot-de-passe-test')).status).toBe(200);
    expect((await t.http('GET', '/api/v1/conversations', { token: agent.token })).status).toBe(401);
  });

  it('an agent changes their own password: the other sessions end, this one stays; mistakes are explained in French', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
    const other = (await login(agent.email, 'mot-de-passe-test')).body.token as string;
    const change = (body: unknown) => t.http('POST', '/api/v1/auth/password', { token: agent.token, body });
    expect(await change({ currentPassword: 'pas le bon', newPassword: 'un nouveau mot de passe' })).toMatchObject({
      status: 400,
      body: { message: 'mot de passe actuel incorrect' },
    });
    const short = await change({ currentPassword: 'mot-de-passe-test', newPassword: 'court' });
    expect(short).toMatchObject({
      status: 400,
      body: { details: ['newPassword: le nouveau mot de passe doit contenir au moins 10 caractères'] },
    });
    expect(await change({ currentPassword: 'mot-de-passe-test', newPassword: 'mot-de-passe-test' })).toMatchObject({
      status: 400,
      body: { message: 'le nouveau mot de passe doit être différent de l’actuel' },
    });
    // The same policy as invitations and resets: common passwords and the account's address are refused.
    expect(await change({ currentPassword: 'mot-de-passe-test', newPassword: 'motdepasse123' })).toMatchObject({
      status: 400,
      body: { message: 'ce mot de passe est trop courant : choisissez-en un autre' },
    });
    expect(await change({ currentPassword: 'mot-de-passe-test', newPassword: agent.email })).toMatchObject({
      status: 400,
      body: { message: 'le mot de passe ne doit pas être votre adresse e-mail' },
    });
    expect((await t.http('GET', '/api/v1/auth/me', { token: other })).status).toBe(200);

    expect((await change({ currentPassword: 'mot-de-passe-test', newPassword: 'un nouveau mot de passe' })).status).toBe(204);
    expect((await t.http('GET', '/api/v1/auth/me', { token: agent.token })).status).toBe(200);
    expect((await t.http('GET', '/api/v1/auth/me', { token: other })).status).toBe(401);
    expect((await login(agent.email, 'mot-de-passe-test')).status).toBe(401);
    expect((await login(agent.email, 'un nouveau mot de passe')).status).toBe(200);
    const audit = (
      await t.db.query(`SELECT agent_id, data FROM audit_event WHERE action = 'agent.password_changed' AND agent_id = $1`, [
        agent.id,
      ])
    ).rows;
    expect(audit).toEqual([{ agent_id: agent.id, data: { agentId: agent.id, sessionsEnded: 1 } }]);
  });

  it('documents both routes in the OpenAPI document', async () => {
    const doc = (await t.http('GET', '/api/docs/openapi.json')).body;
    expect(doc.paths['/api/v1/agents/{id}'].patch.tags).toEqual(['annuaire']);
    expect(doc.paths['/api/v1/agents/{id}'].patch.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/auth/password'].post.tags).toEqual(['authentification']);
    expect(doc.paths['/api/v1/auth/password'].post.requestBody).toBeDefined();
  });
});
