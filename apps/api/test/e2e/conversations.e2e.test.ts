import { randomUUID } from 'node:crypto';
import { seedTown, startTestApp, type TestApp } from '../harness';

describe('agent conversation API', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;

  /** A citizen message in a service, through the real ingest service (web form channel). */
  async function citizenWrites(o: { town?: typeof town; teamId?: string; email?: string; subject?: string; text?: string }) {
    const tw = o.town ?? town;
    return t.ingest.ingest(
      {
        channelId: tw.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: o.email ?? `${randomUUID().slice(0, 8)}@example.fr`, name: 'Citoyen Test' },
        subject: o.subject ?? 'Demande',
        text: o.text ?? 'Bonjour',
      },
      { teamId: o.teamId ?? tw.etatCivil.id },
    );
  }

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    other = await seedTown(t);
  });
  afterAll(() => t.close());

  describe('access matrix', () => {
    let ec: string;
    let sco: string;
    let foreign: string;
    beforeAll(async () => {
      ec = (await citizenWrites({ teamId: town.etatCivil.id, subject: 'Acte de mariage' })).conversationId;
      sco = (await citizenWrites({ teamId: town.scolarite.id, subject: 'Cantine' })).conversationId;
      foreign = (await citizenWrites({ town: other, teamId: other.etatCivil.id, subject: 'Ailleurs' })).conversationId;
    });

    const ids = async (token: string) =>
      ((await t.http('GET', '/api/v1/conversations?limit=100', { token })).body.items as { id: string }[]).map((c) => c.id);

    it('an agent sees the conversations of their services only; others are 404', async () => {
      const seen = await ids(town.agentEC.token);
      expect(seen).toContain(ec);
      expect(seen).not.toContain(sco);
      expect(seen).not.toContain(foreign);
      expect((await t.http('GET', `/api/v1/conversations/${ec}`, { token: town.agentEC.token })).status).toBe(200);
      expect((await t.http('GET', `/api/v1/conversations/${sco}`, { token: town.agentEC.token })).status).toBe(404);
      expect((await t.http('GET', `/api/v1/conversations/${sco}/messages`, { token: town.agentEC.token })).status).toBe(404);
      expect((await t.http('GET', `/api/v1/conversations/${foreign}`, { token: town.agentEC.token })).status).toBe(404);
    });

    it('supervisors and admins see the whole organization, never another one', async () => {
      for (const who of [town.supervisor, town.admin]) {
        const seen = await ids(who.token);
        expect(seen).toEqual(expect.arrayContaining([ec, sco]));
        expect(seen).not.toContain(foreign);
        expect((await t.http('GET', `/api/v1/conversations/${foreign}`, { token: who.token })).status).toBe(404);
      }
    });

    it('an agent assigned another service’s file can read it (assigned before the service rule, or kept after a move)', async () => {
      await t.db.query(`UPDATE conversation SET assignee_id = $2 WHERE id = $1`, [sco, town.agentEC.id]);
      expect((await t.http('GET', `/api/v1/conversations/${sco}`, { token: town.agentEC.token })).status).toBe(200);
    });

    it('teams, agents and channels are those of the agent’s organization; channels are for admins', async () => {
      const teams = (await t.http('GET', '/api/v1/teams', { token: town.agentEC.token })).body;
      expect(teams.map((x: { id: string }) => x.id).sort()).toEqual([town.etatCivil.id, town.scolarite.id].sort());
      const agents = (await t.http('GET', '/api/v1/agents', { token: town.agentEC.token })).body;
      expect(agents).toHaveLength(4);
      expect((await t.http('GET', '/api/v1/channels', { token: town.agentEC.token })).status).toBe(403);
      expect((await t.http('GET', '/api/v1/channels', { token: town.supervisor.token })).status).toBe(403);
      expect((await t.http('GET', '/api/v1/channels', { token: town.admin.token })).body).toHaveLength(3);
      expect((await t.http('GET', `/api/v1/channels/${other.webform.id}`, { token: town.admin.token })).status).toBe(404);
    });

    it('audits who opened which file', async () => {
      await t.http('GET', `/api/v1/conversations/${ec}`, { token: town.agentEC.token });
      const { rows } = await t.db.query(
        `SELECT action, agent_id FROM audit_event WHERE conversation_id = $1 AND action = 'conversation.viewed'`,
        [ec],
      );
      expect(rows).toContainEqual({ action: 'conversation.viewed', agent_id: town.agentEC.id });
    });
  });

  describe('lists', () => {
    it('pages newest first with a keyset cursor, without losing or repeating rows on equal timestamps', async () => {
      const team = await t.newTeam(town.org.id, 'Vie sportive');
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id] });
      const created = [];
      for (let i = 0; i < 23; i++) created.push((await citizenWrites({ teamId: team.id })).conversationId);
      // Ties: ten conversations share the exact same activity time.
      await t.db.query(`UPDATE conversation SET last_message_at = '2026-11-20T10:00:00.123456Z' WHERE id = ANY($1::uuid[])`, [
        created.slice(5, 15),
      ]);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = `/api/v1/conversations?teamId=${team.id}&limit=4${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await t.http('GET', q, { token: agent.token });
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(pages).toBe(6);
      expect(new Set(seen).size).toBe(23);
      expect(seen.sort()).toEqual([...created].sort());
      const { rows } = await t.db.query(`SELECT id FROM conversation WHERE team_id = $1 ORDER BY last_message_at DESC, id DESC`, [
        team.id,
      ]);
      const ordered = [];
      cursor = null;
      do {
        const q: string = `/api/v1/conversations?teamId=${team.id}&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await t.http('GET', q, { token: agent.token });
        ordered.push(...res.body.items.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(ordered).toEqual(rows.map((r) => r.id));
    });

    it('filters by status, assignee and channel, and refuses bad filters with 400', async () => {
      const team = await t.newTeam(town.org.id, 'Action sociale');
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id] });
      const a = (await citizenWrites({ teamId: team.id })).conversationId;
      const b = (await citizenWrites({ teamId: team.id })).conversationId;
      const conv = (await t.http('GET', `/api/v1/conversations/${a}`, { token: agent.token })).body;
      await t.http('PATCH', `/api/v1/conversations/${a}`, {
        token: agent.token,
        body: { assigneeId: agent.id, status: 'pending', version: conv.version },
      });
      const list = async (q: string) =>
        (
          (await t.http('GET', `/api/v1/conversations?teamId=${team.id}&${q}`, { token: agent.token })).body.items as {
            id: string;
          }[]
        ).map((c) => c.id);
      expect(await list('assignee=me')).toEqual([a]);
      expect(await list('assignee=none')).toEqual([b]);
      expect(await list('status=pending')).toEqual([a]);
      expect(await list('status=open')).toEqual([b]);
      expect((await list('channel=webform')).sort()).toEqual([a, b].sort());
      expect(await list('channel=sms')).toEqual([]);
      for (const bad of ['status=archived', 'limit=1000', 'assignee=quelqu-un', 'cursor=nimportequoi', 'teamId=12']) {
        const res = await t.http('GET', `/api/v1/conversations?${bad}`, { token: agent.token });
        expect(res.status).toBe(400);
        expect(res.body.message).toBeTruthy();
      }
    });

    it('counts the views over what the agent may see', async () => {
      const team = await t.newTeam(town.org.id, 'Vie culturelle');
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id] });
      const a = (await citizenWrites({ teamId: team.id })).conversationId;
      await citizenWrites({ teamId: team.id });
      await citizenWrites({ teamId: town.scolarite.id });
      const c = (await t.http('GET', `/api/v1/conversations/${a}`, { token: agent.token })).body;
      await t.http('PATCH', `/api/v1/conversations/${a}`, {
        token: agent.token,
        body: { assigneeId: agent.id, version: c.version },
      });
      const counts = (await t.http('GET', '/api/v1/conversations/counts', { token: agent.token })).body;
      expect(counts).toEqual({
        mine: 1,
        unassigned: 1,
        callbackNeeded: 0,
        byStatus: { open: 2, pending: 0, snoozed: 0 },
        byTeam: { [team.id]: 2 },
        // Their response targets are days away (within 48 h or not depending on the day the test runs).
        overdue: 0,
        dueSoon: expect.any(Number),
        overdueByTeam: {},
      });
      const all = (await t.http('GET', '/api/v1/conversations/counts', { token: town.supervisor.token })).body;
      expect(all.byTeam[team.id]).toBe(2);
      expect(all.byTeam[town.scolarite.id]).toBeGreaterThanOrEqual(1);
    });

    it('searches in French, accent-insensitive, over subjects, bodies, citizen names and identities', async () => {
      const team = await t.newTeam(town.org.id, 'Scolarité bis');
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id] });
      const school = (await citizenWrites({ teamId: team.id, subject: 'Inscription à l’école' })).conversationId;
      const body = (await citizenWrites({ teamId: team.id, text: 'Les éclairages publics de la rue sont éteints' }))
        .conversationId;
      const byMail = (await citizenWrites({ teamId: team.id, email: 'jose.garcia@exemple.fr' })).conversationId;
      const q = async (term: string) =>
        (
          (await t.http('GET', `/api/v1/conversations?teamId=${team.id}&q=${encodeURIComponent(term)}`, { token: agent.token }))
            .body.items as { id: string }[]
        ).map((c) => c.id);
      expect(await q('ecole')).toEqual([school]);
      expect(await q('ÉCOLES')).toEqual([school]);
      expect(await q('eclairage')).toEqual([body]);
      expect(await q('Jose.Garcia@exemple.fr')).toEqual([byMail]);
      expect(await q('piscine')).toEqual([]);
    });
  });

  describe('replies, notes and the stale-version guard', () => {
    it('a reply with the version the agent saw is stored and queued; a stale one is 409 with the current state', async () => {
      const { conversationId: id } = await citizenWrites({ subject: 'Acte de naissance' });
      const seen = (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body;
      // The citizen writes again while the agent is typing.
      await t.ingest.ingest({
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: {
          kind: 'email',
          value: (await t.db.query(`SELECT value FROM contact_identity WHERE contact_id = $1`, [seen.contact.id])).rows[0].value,
        },
        text: 'Pardon, c’est pour ma fille',
        thread: { conversationId: id },
      });
      const before = await t.count('message');
      const stale = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
        token: town.agentEC.token,
        body: { kind: 'reply', body: 'Bonjour', version: seen.version },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.current).toMatchObject({ id, version: seen.version + 1, snippet: 'Pardon, c’est pour ma fille' });
      expect(await t.count('message')).toBe(before);

      const ok = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
        token: town.agentEC.token,
        body: { kind: 'reply', body: 'Bonjour, c’est noté.', version: stale.body.current.version },
      });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({
        conversationId: id,
        direction: 'outbound',
        kind: 'message',
        channelId: town.webform.id,
        status: 'queued',
      });
      const after = (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body;
      expect(after.firstResponseAt).not.toBeNull();
      expect(after.version).toBe(stale.body.current.version + 1);
    });

    it('refuses a reply on a channel the citizen cannot be reached on, and bad bodies', async () => {
      const { conversationId: id } = await citizenWrites({});
      const c = (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body;
      const sms = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
        token: town.agentEC.token,
        body: { kind: 'reply', body: 'Bonjour', channelId: town.sms.id, version: c.version },
      });
      expect(sms.status).toBe(400);
      expect(sms.body.message).toMatch(/pas d'identité phone/);
      const foreignChannel = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
        token: town.agentEC.token,
        body: { kind: 'reply', body: 'Bonjour', channelId: other.email.id, version: c.version },
      });
      expect(foreignChannel.status).toBe(400);
      for (const body of [
        { kind: 'reply', body: '   ', version: c.version },
        { kind: 'fax', body: 'x', version: c.version },
        { kind: 'note', body: 'x' },
      ]) {
        expect((await t.http('POST', `/api/v1/conversations/${id}/messages`, { token: town.agentEC.token, body })).status).toBe(
          400,
        );
      }
      expect(
        (await t.http('POST', `/api/v1/conversations/nimportequoi/messages`, { token: town.agentEC.token, body: {} })).status,
      ).toBe(400);
    });

    it('lists messages oldest first within a page, paging back in time', async () => {
      const { conversationId: id } = await citizenWrites({});
      let version = (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body.version;
      for (let i = 1; i <= 5; i++) {
        const r = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
          token: town.agentEC.token,
          body: { kind: 'note', body: `note ${i}`, version },
        });
        expect(r.status).toBe(201);
        version++;
      }
      const p1 = (await t.http('GET', `/api/v1/conversations/${id}/messages?limit=4`, { token: town.agentEC.token })).body;
      expect(p1.items.map((m: { body: string }) => m.body)).toEqual(['note 2', 'note 3', 'note 4', 'note 5']);
      const p2 = (
        await t.http('GET', `/api/v1/conversations/${id}/messages?limit=4&cursor=${p1.nextCursor}`, { token: town.agentEC.token })
      ).body;
      expect(p2.items.map((m: { body: string }) => m.body)).toEqual(['Bonjour', 'note 1']);
      expect(p2.nextCursor).toBeNull();
    });
  });

  describe('assignment and status changes', () => {
    it('agents take, release and resolve; they cannot take a colleague’s file or move it to another service', async () => {
      const { conversationId: id } = await citizenWrites({});
      const colleague = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      const get = async () => (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body;
      const patch = (token: string, body: object) => t.http('PATCH', `/api/v1/conversations/${id}`, { token, body });

      let c = await get();
      const take = await patch(town.agentEC.token, { assigneeId: town.agentEC.id, version: c.version });
      expect(take.status).toBe(200);
      expect(take.body.assigneeId).toBe(town.agentEC.id);
      expect((await patch(colleague.token, { assigneeId: colleague.id, version: take.body.version })).status).toBe(403);
      expect((await patch(colleague.token, { teamId: town.scolarite.id, version: take.body.version })).status).toBe(403);
      const stale = await patch(town.agentEC.token, { status: 'resolved', version: take.body.version - 1 });
      expect(stale.status).toBe(409);
      const resolved = await patch(town.agentEC.token, { status: 'resolved', version: take.body.version });
      expect(resolved.body.status).toBe('resolved');
      const release = await patch(town.agentEC.token, { assigneeId: null, version: resolved.body.version });
      expect(release.body.assigneeId).toBeNull();
      c = await get();
      expect((await patch(town.agentEC.token, { status: 'snoozed', version: c.version })).status).toBe(400);
      const until = new Date(Date.now() + 86_400_000).toISOString();
      const snoozed = await patch(town.agentEC.token, { status: 'snoozed', snoozedUntil: until, version: c.version });
      expect(snoozed.body).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    });

    it('supervisors reassign to an agent and to another service', async () => {
      const { conversationId: id } = await citizenWrites({});
      const c = (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.supervisor.token })).body;
      const res = await t.http('PATCH', `/api/v1/conversations/${id}`, {
        token: town.supervisor.token,
        body: {
          teamId: town.scolarite.id,
          assigneeId: town.agentSco.id,
          priority: 'urgent',
          note: 'Inscription à traiter.',
          version: c.version,
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ teamId: town.scolarite.id, assigneeId: town.agentSco.id, priority: 'urgent' });
      expect((await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).status).toBe(404);
      const foreignAgent = await t.http('PATCH', `/api/v1/conversations/${id}`, {
        token: town.supervisor.token,
        body: { assigneeId: other.agentEC.id, version: res.body.version },
      });
      expect(foreignAgent.status).toBe(400);
    });
  });

  describe('citizen file', () => {
    it('shows identities and the other conversations; identities can be added and removed', async () => {
      const first = await citizenWrites({ email: 'famille.nguyen@example.fr', subject: 'Première' });
      await citizenWrites({ email: 'famille.nguyen@example.fr', subject: 'Deuxième' });
      const token = town.agentEC.token;
      const file = (await t.http('GET', `/api/v1/contacts/${first.contactId}`, { token })).body;
      expect(file.identities).toEqual([{ id: expect.any(String), kind: 'email', value: 'famille.nguyen@example.fr' }]);
      expect(file.conversations.map((c: { subject: string }) => c.subject)).toEqual(['Deuxième', 'Première']);

      const added = await t.http('POST', `/api/v1/contacts/${first.contactId}/identities`, {
        token,
        body: { kind: 'phone', value: '07 81 22 36 44' },
      });
      expect(added.status).toBe(201);
      expect(added.body.map((i: { value: string }) => i.value)).toContain('+33781223644');
      expect(
        (await t.http('POST', `/api/v1/contacts/${first.contactId}/identities`, { token, body: { kind: 'phone', value: '12' } }))
          .status,
      ).toBe(400);

      const stranger = await citizenWrites({ email: 'autre.personne@example.fr' });
      const taken = await t.http('POST', `/api/v1/contacts/${first.contactId}/identities`, {
        token,
        body: { kind: 'email', value: 'autre.personne@example.fr' },
      });
      expect(taken.status).toBe(409);
      expect((await t.http('GET', `/api/v1/contacts/${stranger.contactId}`, { token })).body.identities).toHaveLength(1);

      const phone = added.body.find((i: { kind: string }) => i.kind === 'phone');
      const removed = await t.http('DELETE', `/api/v1/contacts/${first.contactId}/identities/${phone.id}`, { token });
      expect(removed.body).toHaveLength(1);
      const again = await t.http('DELETE', `/api/v1/contacts/${first.contactId}/identities/${phone.id}`, { token });
      expect(again.status).toBe(404);
      expect((await t.http('GET', `/api/v1/contacts/${first.contactId}`, { token: town.agentSco.token })).status).toBe(404);
      expect((await t.http('GET', `/api/v1/contacts/${first.contactId}`, { token: other.admin.token })).status).toBe(404);
    });
  });
});
