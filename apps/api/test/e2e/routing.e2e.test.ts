import { randomUUID } from 'node:crypto';
import type { ConversationDto, LabelDto, RoutingDryRunDto, RoutingRuleDto } from '@guichet/contracts';
import { connectRecording, expectEventually, type RecordingClient } from '@guichet/testing';
import { Database } from '../../src/common/database';
import { RoutingService } from '../../src/modules/routing/routing.service';
import { citizenSms, seedTown, startTestApp, type TestApp } from '../harness';

/** Issue 13: routing rules on every new conversation, the dry run, automatic assignment by round-robin. */
describe('routing rules and automatic assignment', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let enfance: LabelDto;
  let ecoles: RoutingRuleDto;

  const get = (id: string) => t.http<ConversationDto>('GET', `/api/v1/conversations/${id}`, { token: town.supervisor.token });
  const sms = (text: string) => citizenSms(t, town.sms.id, text);
  /** An admin turns on a service's automatic assignment, or an agent's leave. */
  const turnOn = async (setting: 'auto-assign' | 'leave', id: string) =>
    expect(
      (await t.http('PUT', `/api/v1/routing-rules/${setting}/${id}`, { token: town.admin.token, body: { enabled: true } }))
        .status,
    ).toBe(204);
  const routed = async (id: string) => {
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT 1 FROM conversation_routing WHERE conversation_id = $1`, [id]);
      expect(rows).toHaveLength(1);
    });
    return (await get(id)).body;
  };

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    enfance = (await t.http<LabelDto>('POST', '/api/v1/labels', { token: town.admin.token, body: { name: 'Enfance' } })).body;
    const res = await t.http<RoutingRuleDto>('POST', '/api/v1/routing-rules', {
      token: town.admin.token,
      body: {
        name: 'Écoles vers la Scolarité',
        conditions: { channelKinds: ['sms', 'email'], words: ['école', 'cantine scolaire'] },
        actions: { teamId: town.scolarite.id, priority: 'high', labelIds: [enfance.id] },
      },
    });
    expect(res.status).toBe(201);
    ecoles = res.body;
  });
  afterAll(() => t.close());

  it('only admins edit rules; a rule naming what is not the organization’s is refused with a reason', async () => {
    expect((await t.http('GET', '/api/v1/routing-rules', { token: town.supervisor.token })).status).toBe(403);
    expect((await t.http('GET', '/api/v1/routing-rules', { token: town.agentEC.token })).status).toBe(403);
    const bad = await t.http('POST', '/api/v1/routing-rules', {
      token: town.admin.token,
      body: { name: 'Mauvaise', actions: { teamId: randomUUID() } },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('service inconnu');
    const empty = await t.http('POST', '/api/v1/routing-rules', { token: town.admin.token, body: { name: 'Vide', actions: {} } });
    expect(empty.status).toBe(400);
    expect(ecoles.position).toBe(1);
  });

  it('a citizen’s new conversation that matches is moved, prioritized and labelled; words ignore accents and endings', async () => {
    const id = await sms('Bonjour, mon fils entre à l’ECOLE en septembre, que faut-il fournir ?');
    const c = await routed(id);
    expect(c.teamId).toBe(town.scolarite.id);
    expect(c.priority).toBe('high');
    expect(c.labels.map((l) => l.id)).toEqual([enfance.id]);
    const { rows } = await t.db.query(`SELECT rule_id FROM conversation_routing WHERE conversation_id = $1`, [id]);
    expect(rows[0].rule_id).toBe(ecoles.id);
  });

  it('a conversation that matches no rule stays where it came, routed once', async () => {
    const id = await sms('Je voudrais une copie de mon acte de naissance');
    const c = await routed(id);
    expect(c.teamId).toBe(town.etatCivil.id);
    expect(c.priority).toBe('normal');
    expect(c.labels).toEqual([]);
  });

  it('the dry run tells which rule a pasted message would take, and why the others do not', async () => {
    const yes = await t.http<RoutingDryRunDto>('POST', '/api/v1/routing-rules/dry-run', {
      token: town.admin.token,
      body: { channelKind: 'email', subject: 'Cantines scolaires', body: 'Le menu de la semaine ?' },
    });
    expect(yes.status).toBe(200);
    expect(yes.body.matched?.id).toBe(ecoles.id);
    const no = await t.http<RoutingDryRunDto>('POST', '/api/v1/routing-rules/dry-run', {
      token: town.admin.token,
      body: { channelKind: 'webform', body: 'Une question sur l’école' },
    });
    expect(no.body.matched).toBeNull();
    expect(no.body.rules).toEqual([{ id: ecoles.id, name: ecoles.name, failed: ['channelKinds'] }]);
  });

  it('rules are reordered, and the first that matches wins', async () => {
    const catchAll = (
      await t.http<RoutingRuleDto>('POST', '/api/v1/routing-rules', {
        token: town.admin.token,
        body: { name: 'Tout le reste urgent', actions: { priority: 'urgent' } },
      })
    ).body;
    expect(catchAll.position).toBe(2);
    const order = await t.http<RoutingRuleDto[]>('PUT', '/api/v1/routing-rules/order', {
      token: town.admin.token,
      body: { ids: [catchAll.id, ecoles.id] },
    });
    expect(order.body.map((r) => r.id)).toEqual([catchAll.id, ecoles.id]);
    const c = await routed(await sms('Une question sur la cantine scolaire'));
    expect(c.teamId).toBe(town.etatCivil.id);
    expect(c.priority).toBe('urgent');
    expect((await t.http('DELETE', `/api/v1/routing-rules/${catchAll.id}`, { token: town.admin.token })).status).toBe(204);
    expect((await t.http<RoutingRuleDto[]>('GET', '/api/v1/routing-rules', { token: town.admin.token })).body).toEqual([
      { ...ecoles, position: 1 },
    ]);
  });

  it('round-robin among online agents under capacity, never two at once beyond capacity; on leave or offline: the queue', async () => {
    const team = await t.newTeam(town.org.id, 'Urbanisme');
    const a = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id], name: 'Alice' });
    const b = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id], name: 'Bruno' });
    const offline = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id], name: 'Hors ligne' });
    const away = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id], name: 'En congé' });
    await t.db.query(`UPDATE agent SET capacity = 2 WHERE id = ANY($1)`, [[a.id, b.id, offline.id, away.id]]);
    await turnOn('leave', away.id);
    const sockets: RecordingClient[] = [];
    for (const x of [a, b, away]) sockets.push(await connectRecording(t.url, x.token));
    try {
      // Six files of the service, unassigned, then routed all at once.
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await sms(`Permis de construire numéro ${i}`));
      for (const id of ids) await routed(id);
      await t.db.query(`UPDATE conversation SET team_id = $1, assignee_id = NULL WHERE id = ANY($2)`, [team.id, ids]);
      await t.db.query(`DELETE FROM conversation_routing WHERE conversation_id = ANY($1)`, [ids]);
      await turnOn('auto-assign', team.id);
      const routing = t.app.get(RoutingService);
      const db = t.app.get(Database);
      await Promise.all(ids.map((id) => db.tx((m, afterCommit) => routing.routeIn(m, afterCommit, town.org.id, id))));
      const { rows } = await t.db.query(
        `SELECT assignee_id, count(*)::int AS n FROM conversation WHERE id = ANY($1) GROUP BY assignee_id`,
        [ids],
      );
      const byAgent = Object.fromEntries(
        rows.map((r: { assignee_id: string | null; n: number }) => [r.assignee_id ?? 'queue', r.n]),
      );
      expect(byAgent).toEqual({ [a.id]: 2, [b.id]: 2, queue: 2 });
    } finally {
      for (const s of sockets) s.close();
    }
  });
  it('two routings of files for two auto-assigning services in opposite orders take their locks in one order (no deadlock)', async () => {
    const x = await t.newTeam(town.org.id, 'Voirie');
    const y = await t.newTeam(town.org.id, 'Espaces verts');
    const ax = await t.newAgent({ organizationId: town.org.id, teamIds: [x.id], name: 'Xavier' });
    const ay = await t.newAgent({ organizationId: town.org.id, teamIds: [y.id], name: 'Yasmine' });
    const sockets = [await connectRecording(t.url, ax.token), await connectRecording(t.url, ay.token)];
    try {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await sms(`Lampadaire en panne, poteau ${i}`));
      for (const id of ids) await routed(id);
      const [x1, y1, y2, x2] = ids as [string, string, string, string];
      await t.db.query(`UPDATE conversation SET team_id = $1, assignee_id = NULL WHERE id = ANY($2)`, [x.id, [x1, x2]]);
      await t.db.query(`UPDATE conversation SET team_id = $1, assignee_id = NULL WHERE id = ANY($2)`, [y.id, [y1, y2]]);
      await t.db.query(`DELETE FROM conversation_routing WHERE conversation_id = ANY($1)`, [ids]);
      await turnOn('auto-assign', x.id);
      await turnOn('auto-assign', y.id);
      const routing = t.app.get(RoutingService);
      const db = t.app.get(Database);
      // Each transaction routes its first file, waits for the other to have routed its own (1.5 s at
      // most: longer than PostgreSQL's deadlock_timeout), then routes its second. With each service's
      // lock taken when a file got there, Voirie then Espaces verts against the reverse was a cycle.
      let firstsDone = 0;
      const bothFirsts = () =>
        new Promise<void>((resolve) => {
          const started = Date.now();
          const poll = () => (firstsDone >= 2 || Date.now() - started > 1500 ? resolve() : setTimeout(poll, 20));
          poll();
        });
      const route = (first: string, second: string) =>
        db.tx(async (m, afterCommit) => {
          await routing.routeIn(m, afterCommit, town.org.id, first);
          firstsDone++;
          await bothFirsts();
          await routing.routeIn(m, afterCommit, town.org.id, second);
        });
      await Promise.all([route(x1, y1), route(y2, x2)]);
      const { rows } = await t.db.query(`SELECT id, assignee_id FROM conversation WHERE id = ANY($1)`, [ids]);
      expect(Object.fromEntries(rows.map((r: { id: string; assignee_id: string }) => [r.id, r.assignee_id]))).toEqual({
        [x1]: ax.id,
        [x2]: ax.id,
        [y1]: ay.id,
        [y2]: ay.id,
      });
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('a returning citizen’s answer to a closed file goes back to its holder when available, who is remembered either way', async () => {
    const team = await t.newTeam(town.org.id, 'Cimetières');
    const mail = await t.newChannel({ organizationId: town.org.id, teamId: team.id, kind: 'email' });
    const a = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id], name: 'Anne' });
    const b = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id], name: 'Benoît' });
    const sockets = [await connectRecording(t.url, a.token), await connectRecording(t.url, b.token)];
    const citizen = `famille.${randomUUID().slice(0, 8)}@example.fr`;
    const write = async (subject: string) =>
      (
        await t.ingest.ingest({
          channelId: mail.id,
          externalId: `<${randomUUID()}@example.fr>`,
          from: { kind: 'email', value: citizen },
          subject,
          text: 'Bonjour',
        })
      ).conversationId;
    const remembered = async (id: string) =>
      (await t.db.query(`SELECT agent_id FROM routing_resolved WHERE conversation_id = $1`, [id])).rows.map((r) => r.agent_id);
    try {
      await turnOn('auto-assign', team.id);
      // The first file, held by Benoît, closed.
      const first = await routed(await write('Concession'));
      await t.db.query(`UPDATE conversation SET assignee_id = $2, status = 'closed' WHERE id = $1`, [first.id, b.id]);
      // Round-robin would give the next file to the agent after the last picked: Benoît gets it back anyway.
      await t.db.query(`UPDATE routing_team SET last_agent_id = $2 WHERE team_id = $1`, [team.id, b.id]);
      const back = await routed(await write(`Re: [${first.reference}] Concession`));
      expect(back.possiblyRelatedToId).toBe(first.id);
      expect(back.assigneeId).toBe(b.id);
      expect(await remembered(back.id)).toEqual([b.id]);

      // Benoît on leave: the round-robin's choice, but he is still remembered as the previous holder.
      await t.db.query(`UPDATE conversation SET status = 'closed' WHERE id = $1`, [back.id]);
      await turnOn('leave', b.id);
      const again = await routed(await write(`Re: [${back.reference}] Concession`));
      expect(again.possiblyRelatedToId).toBe(back.id);
      expect(again.assigneeId).toBe(a.id);
      expect(await remembered(again.id)).toEqual([b.id]);

      // Another citizen quoting the reference is no returning citizen: nothing remembered, nothing given.
      await t.db.query(`UPDATE conversation SET status = 'closed', assignee_id = $2 WHERE id = $1`, [again.id, a.id]);
      const stranger = (
        await t.ingest.ingest({
          channelId: mail.id,
          externalId: `<${randomUUID()}@example.fr>`,
          from: { kind: 'email', value: `autre.${randomUUID().slice(0, 8)}@example.fr` },
          subject: `Re: [${again.reference}] Concession`,
          text: 'Bonjour',
        })
      ).conversationId;
      await routed(stranger);
      expect(await remembered(stranger)).toEqual([]);
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('the démarche a citizen chose on the web form wins over a rule’s, with its service; without one, the rule sets both', async () => {
    const admin = town.admin.token;
    const type = async (teamId: string, name: string) => {
      const res = await t.http<{ id: string }>('POST', '/api/v1/request-types', {
        token: admin,
        body: { teamId, name, decisionRegime: 'none' },
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    const acte = await type(town.etatCivil.id, 'Copie d’acte de naissance');
    const inscription = await type(town.scolarite.id, 'Inscription scolaire');
    // A rule that would send every web request about a « dossier » to Scolarité as an inscription, urgent and labelled.
    const rule = await t.http<RoutingRuleDto>('POST', '/api/v1/routing-rules', {
      token: admin,
      body: {
        name: 'Dossiers vers la scolarité',
        position: 1,
        conditions: { channelKinds: ['webform'], words: ['dossier'] },
        actions: { teamId: town.scolarite.id, requestTypeId: inscription, priority: 'high', labelIds: [enfance.id] },
      },
    });
    expect(rule.status).toBe(201);
    const form = async (n: number, requestTypeId?: string) => {
      const res = await t.http<{ reference: string }>('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
        body: {
          teamId: town.etatCivil.id,
          name: 'Hugo Formulaire',
          email: `hugo.formulaire.${n}@example.fr`,
          subject: 'Mon dossier',
          body: 'Bonjour, où en est mon dossier ?',
          ...(requestTypeId ? { requestTypeId } : {}),
        },
        headers: { 'x-forwarded-for': `10.13.0.${n}` },
      });
      expect(res.status).toBe(201);
      const { rows } = await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [res.body.reference]);
      return rows[0].id as string;
    };
    try {
      // The citizen chose « Copie d’acte » of État civil: kept, with its service; the rule's priority and label apply.
      const chosen = await routed(await form(1, acte));
      await t.settled();
      expect((await get(chosen.id)).body).toMatchObject({
        teamId: town.etatCivil.id,
        requestType: { id: acte },
        priority: 'high',
        labels: [expect.objectContaining({ id: enfance.id })],
      });
      // No démarche chosen: the rule's service and démarche.
      const none = await routed(await form(2));
      await t.settled();
      expect((await get(none.id)).body).toMatchObject({
        teamId: town.scolarite.id,
        requestType: { id: inscription },
        priority: 'high',
      });
    } finally {
      await t.http('DELETE', `/api/v1/routing-rules/${rule.body.id}`, { token: admin });
    }
  });

  it('the dry run says what the rule will do, action by action, as routing does it: the citizen’s démarche wins with its service, an agent of another service and a removed label do not apply', async () => {
    const admin = town.admin.token;
    const type = async (teamId: string, name: string) =>
      (
        await t.http<{ id: string }>('POST', '/api/v1/request-types', {
          token: admin,
          body: { teamId, name, decisionRegime: 'none' },
        })
      ).body.id;
    const livret = await type(town.etatCivil.id, 'Duplicata de livret de famille');
    const derogation = await type(town.scolarite.id, 'Dérogation de secteur scolaire');
    const temporary = (await t.http<LabelDto>('POST', '/api/v1/labels', { token: admin, body: { name: 'Provisoire' } })).body;
    const rule = async (name: string, words: string[], actions: Record<string, unknown>) => {
      const res = await t.http<RoutingRuleDto>('POST', '/api/v1/routing-rules', {
        token: admin,
        body: { name, position: 1, conditions: { channelKinds: ['webform'], words }, actions },
      });
      expect(res.status).toBe(201);
      return res.body;
    };
    const moving = await rule('Livrets vers la scolarité', ['livret'], {
      teamId: town.scolarite.id,
      requestTypeId: derogation,
      priority: 'urgent',
      labelIds: [enfance.id, temporary.id],
    });
    const assigning = await rule('Pour Marie Dupont', ['passeport'], { assigneeId: town.agentEC.id, priority: 'low' });
    // The label removed since: the rule still names it, routing leaves it out.
    expect((await t.http('DELETE', `/api/v1/labels/${temporary.id}`, { token: admin })).status).toBe(204);
    const dry = async (body: Record<string, unknown>) => {
      const res = await t.http<RoutingDryRunDto>('POST', '/api/v1/routing-rules/dry-run', {
        token: admin,
        body: { channelId: town.webform.id, ...body },
      });
      expect(res.status).toBe(200);
      return res.body;
    };
    const form = async (n: number, subject: string, teamId: string, requestTypeId?: string) => {
      const res = await t.http<{ reference: string }>('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
        body: {
          teamId,
          name: 'Lina Essai',
          email: `lina.essai.${n}@example.fr`,
          subject,
          body: 'Bonjour, merci de me répondre.',
          ...(requestTypeId ? { requestTypeId } : {}),
        },
        headers: { 'x-forwarded-for': `10.13.1.${n}` },
      });
      expect(res.status).toBe(201);
      const { rows } = await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [res.body.reference]);
      await routed(rows[0].id);
      await t.settled();
      return (await get(rows[0].id)).body;
    };
    try {
      // The citizen chose « Livret de famille » (État civil): the rule's service and démarche do not apply.
      const chosen = await dry({ subject: 'Mon livret', requestTypeId: livret });
      expect(chosen.matched?.id).toBe(moving.id);
      expect(chosen.outcome).toEqual({
        teamId: town.etatCivil.id,
        moved: false,
        requestTypeId: null,
        priority: 'urgent',
        assigneeId: null,
        labelIds: [enfance.id],
        skipped: [
          { action: 'teamId', reason: 'citizenChoice' },
          { action: 'requestTypeId', reason: 'citizenChoice' },
          { action: 'labelIds', reason: 'unavailable' },
        ],
      });
      // … and routing does exactly that.
      expect(await form(1, 'Mon livret', town.etatCivil.id, livret)).toMatchObject({
        teamId: town.etatCivil.id,
        requestType: { id: livret },
        priority: 'urgent',
        labels: [expect.objectContaining({ id: enfance.id })],
      });
      // Without a démarche: moved, with the rule's démarche.
      const none = await dry({ subject: 'Mon livret' });
      expect(none.outcome).toMatchObject({ teamId: town.scolarite.id, moved: true, requestTypeId: derogation });
      expect(none.outcome?.skipped).toEqual([{ action: 'labelIds', reason: 'unavailable' }]);
      expect(await form(2, 'Mon livret', town.etatCivil.id)).toMatchObject({
        teamId: town.scolarite.id,
        requestType: { id: derogation },
        priority: 'urgent',
      });
      // A request the citizen sent to Scolarité: Marie Dupont (État civil) is not assigned; the priority applies.
      const elsewhere = await dry({ subject: 'Passeport de mon fils', teamId: town.scolarite.id });
      expect(elsewhere.matched?.id).toBe(assigning.id);
      expect(elsewhere.outcome).toEqual({
        teamId: town.scolarite.id,
        moved: false,
        requestTypeId: null,
        priority: 'low',
        assigneeId: null,
        labelIds: [],
        skipped: [{ action: 'assigneeId', reason: 'otherService' }],
      });
      const sent = await form(3, 'Passeport de mon fils', town.scolarite.id);
      expect(sent).toMatchObject({ teamId: town.scolarite.id, priority: 'low' });
      expect(sent.assigneeId).not.toBe(town.agentEC.id);
      // In État civil she is.
      expect((await dry({ subject: 'Passeport' })).outcome).toMatchObject({ assigneeId: town.agentEC.id, skipped: [] });
      // A démarche of another service than the one chosen is refused, as the form refuses it.
      const bad = await t.http('POST', '/api/v1/routing-rules/dry-run', {
        token: admin,
        body: { teamId: town.scolarite.id, requestTypeId: livret, body: 'livret' },
      });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('autre service');
    } finally {
      for (const r of [moving, assigning]) await t.http('DELETE', `/api/v1/routing-rules/${r.id}`, { token: admin });
    }
  });
});
