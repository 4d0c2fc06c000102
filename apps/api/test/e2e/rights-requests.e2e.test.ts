import { randomUUID } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { countedOf, type ConversationCountedDto, type ConversationDto } from '@guichet/contracts';
import { connectRecording, expectEventually } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Rights requests (RGPD art. 12, 15–21; issue 16) on real PostgreSQL: a conversation type of its
 * own due one month after receipt, extended once by two months with the citizen told by a reply;
 * the export sent as a reply; the citizen's name rectified everywhere, audited.
 */
describe('rights requests', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  const write = (email: string, subject: string, name = 'Armand Roussel') =>
    t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: email, name },
        subject,
        text: 'Je souhaite obtenir toutes mes données.',
      },
      { teamId: town.etatCivil.id },
    );

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('is due one month after receipt (Paris months); a change of kind keeps the dates; audited', async () => {
    const r = await write(`${randomUUID().slice(0, 8)}@exemple.fr`, 'Mes données');
    // Time travel: received on 31 January at 10:00, Paris time.
    await t.db.query(`UPDATE conversation SET created_at = '2026-01-31T10:00:00+01:00' WHERE id = $1`, [r.conversationId]);
    const set = await t.http('PUT', `/api/v1/conversations/${r.conversationId}/rights-request`, {
      token: town.agentEC.token,
      body: { kind: 'access' },
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      conversationId: r.conversationId,
      kind: 'access',
      receivedAt: '2026-01-31T09:00:00.000Z',
      dueAt: '2026-02-28T09:00:00.000Z',
      extendedAt: null,
      extensionReason: null,
    });
    const again = await t.http('PUT', `/api/v1/conversations/${r.conversationId}/rights-request`, {
      token: town.agentEC.token,
      body: { kind: 'rectification' },
    });
    expect(again.body).toMatchObject({ kind: 'rectification', dueAt: '2026-02-28T09:00:00.000Z' });
    const privacy = await t.http('GET', `/api/v1/conversations/${r.conversationId}/privacy`, { token: town.agentEC.token });
    expect(privacy.body).toEqual({
      rightsRequest: again.body,
      legalHold: null,
      anonymized: false,
      restrictions: [],
      frozen: false,
    });
    const { rows } = await t.db.query(
      `SELECT data FROM audit_event WHERE conversation_id = $1 AND action = 'conversation.rights_request_set' ORDER BY id`,
      [r.conversationId],
    );
    expect(rows.map((x) => [x.data.kind, x.data.previousKind])).toEqual([
      ['access', null],
      ['rectification', 'access'],
    ]);
    // Bad input, another service's agent, removal.
    const bad = await t.http('PUT', `/api/v1/conversations/${r.conversationId}/rights-request`, {
      token: town.agentEC.token,
      body: { kind: 'portabilite' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('type de demande');
    expect(
      (
        await t.http('PUT', `/api/v1/conversations/${r.conversationId}/rights-request`, {
          token: town.agentSco.token,
          body: { kind: 'access' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await t.http('DELETE', `/api/v1/conversations/${r.conversationId}/rights-request`, { token: town.agentEC.token })).status,
    ).toBe(204);
    expect(
      (await t.http('GET', `/api/v1/conversations/${r.conversationId}/privacy`, { token: town.agentEC.token })).body
        .rightsRequest,
    ).toBeNull();
    expect(
      (await t.http('DELETE', `/api/v1/conversations/${r.conversationId}/rights-request`, { token: town.agentEC.token })).status,
    ).toBe(404);
  });

  it('a supervisor extends it once by two months; the citizen is told by a reply saying why and until when', async () => {
    const r = await write(`${randomUUID().slice(0, 8)}@exemple.fr`, 'Effacement');
    await t.db.query(`UPDATE conversation SET created_at = '2026-01-31T10:00:00+01:00' WHERE id = $1`, [r.conversationId]);
    await t.http('PUT', `/api/v1/conversations/${r.conversationId}/rights-request`, {
      token: town.agentEC.token,
      body: { kind: 'erasure' },
    });
    const path = `/api/v1/conversations/${r.conversationId}/rights-request/extend`;
    expect((await t.http('POST', path, { token: town.agentEC.token, body: { reason: 'x' } })).status).toBe(403);
    expect((await t.http('POST', path, { token: town.supervisor.token, body: { reason: '  ' } })).status).toBe(400);
    const extended = await t.http('POST', path, {
      token: town.supervisor.token,
      body: { reason: 'Archives à consulter aux Archives départementales' },
    });
    expect(extended.status).toBe(200);
    expect(extended.body).toMatchObject({
      kind: 'erasure',
      dueAt: '2026-04-30T08:00:00.000Z',
      extensionReason: 'Archives à consulter aux Archives départementales',
    });
    const messages = await t.http('GET', `/api/v1/conversations/${r.conversationId}/messages`, { token: town.supervisor.token });
    const told = (messages.body.items as { direction: string; kind: string; body: string }[]).filter(
      (m) => m.direction === 'outbound',
    );
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toContain('droit à l’effacement');
    expect(told[0]!.body).toContain('reçue le 31 janvier 2026');
    expect(told[0]!.body).toContain('prolongé de deux mois');
    expect(told[0]!.body).toContain('au plus tard le 30 avril 2026');
    expect(told[0]!.body).toContain('Motif : Archives à consulter aux Archives départementales');
    const twice = await t.http('POST', path, { token: town.supervisor.token, body: { reason: 'encore' } });
    expect(twice.status).toBe(409);
    expect(twice.body.message).toContain('qu’une fois');
    const { rows } = await t.db.query(
      `SELECT agent_id FROM audit_event WHERE conversation_id = $1 AND action = 'conversation.rights_request_extended'`,
      [r.conversationId],
    );
    expect(rows).toEqual([{ agent_id: town.supervisor.id }]);
    // Not a rights request: nothing to extend.
    const plain = await write(`${randomUUID().slice(0, 8)}@exemple.fr`, 'Autre');
    expect(
      (
        await t.http('POST', `/api/v1/conversations/${plain.conversationId}/rights-request/extend`, {
          token: town.supervisor.token,
          body: { reason: 'x' },
        })
      ).status,
    ).toBe(404);
  });

  it('sends the citizen’s export (ZIP with a readable HTML page and the JSON) as a reply in the conversation', async () => {
    const r = await write(`${randomUUID().slice(0, 8)}@exemple.fr`, 'Accès à mes données', 'Yvette Carpentier');
    const path = `/api/v1/conversations/${r.conversationId}/send-export`;
    expect((await t.http('POST', path, { token: town.agentEC.token })).status).toBe(403);
    const sent = await t.http('POST', path, { token: town.supervisor.token });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ direction: 'outbound', kind: 'message' });
    expect(sent.body.body).toContain('index.html');
    const [attachment] = sent.body.attachments as { id: string; fileName: string; contentType: string }[];
    expect(attachment).toMatchObject({ contentType: 'application/zip', fileName: expect.stringMatching(/^donnees-.*\.zip$/) });
    const res = await fetch(`${t.url}/api/v1/attachments/${attachment!.id}`, {
      headers: { authorization: `Bearer ${town.supervisor.token}` },
    });
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const html = strFromU8(files['index.html']!);
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Yvette Carpentier');
    expect(html).toContain('Accès à mes données');
    expect(JSON.parse(strFromU8(files['donnees.json']!)).citoyen.nom).toBe('Yvette Carpentier');
    const { rows } = await t.db.query(
      `SELECT action FROM audit_event WHERE contact_id = $1 AND action IN ('contact.exported', 'contact.export_sent') ORDER BY id`,
      [r.contactId],
    );
    expect(rows.map((x) => x.action)).toEqual(['contact.exported', 'contact.export_sent']);
  });

  it('rectifies the citizen’s name on the file and every conversation, audited; agents cannot', async () => {
    const email = `${randomUUID().slice(0, 8)}@exemple.fr`;
    const a = await write(email, 'Premier', 'Jean Dupond');
    const b = await write(email, 'Second', 'Jean Dupond');
    const path = `/api/v1/contacts/${a.contactId}`;
    expect((await t.http('PATCH', path, { token: town.agentEC.token, body: { name: 'Jean Dupont' } })).status).toBe(403);
    const empty = await t.http('PATCH', path, { token: town.supervisor.token, body: { name: ' ' } });
    expect([empty.status, JSON.stringify(empty.body).includes('nom obligatoire')]).toEqual([400, true]);
    // A screen hears each renamed file with the state it had: nothing the counters read moved, so
    // a screen that never loaded these files does not ask GET /counts again.
    const heard: { conversation: ConversationDto; before?: ConversationCountedDto }[] = [];
    const screen = await connectRecording(t.url, town.supervisor.token);
    screen.socket.on('conversation.updated', (conversation, before) => heard.push({ conversation, before }));
    const done = await t.http('PATCH', path, { token: town.supervisor.token, body: { name: 'Jean Dupont' } });
    expect(done.body).toEqual({ id: a.contactId, name: 'Jean Dupont' });
    try {
      const renamed = () => heard.filter((h) => h.conversation.contact.name === 'Jean Dupont');
      await expectEventually(() =>
        expect(
          renamed()
            .map((h) => h.conversation.id)
            .sort(),
        ).toEqual([a.conversationId, b.conversationId].sort()),
      );
      for (const { conversation, before } of renamed())
        expect(before).toEqual({ ...countedOf(conversation), version: conversation.version - 1 });
    } finally {
      screen.close();
    }
    expect((await t.http('GET', path, { token: town.supervisor.token })).body.name).toBe('Jean Dupont');
    for (const id of [a.conversationId, b.conversationId])
      expect((await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body.contact.name).toBe(
        'Jean Dupont',
      );
    const { rows } = await t.db.query(
      `SELECT agent_id, data FROM audit_event WHERE contact_id = $1 AND action = 'contact.rectified'`,
      [a.contactId],
    );
    expect(rows).toEqual([{ agent_id: town.supervisor.id, data: { field: 'name', conversations: expect.any(Number) } }]);
    expect(
      (await t.http('PATCH', `/api/v1/contacts/${randomUUID()}`, { token: town.supervisor.token, body: { name: 'X' } })).status,
    ).toBe(404);
  });

  it('shows the legal hold a supervisor set, with its reason and who set it', async () => {
    const r = await write(`${randomUUID().slice(0, 8)}@exemple.fr`, 'Contentieux');
    await t.http('PUT', `/api/v1/conversations/${r.conversationId}/legal-hold`, {
      token: town.supervisor.token,
      body: { reason: 'Recours au tribunal administratif' },
    });
    const privacy = await t.http('GET', `/api/v1/conversations/${r.conversationId}/privacy`, { token: town.agentEC.token });
    expect(privacy.body.legalHold).toMatchObject({
      reason: 'Recours au tribunal administratif',
      by: { id: town.supervisor.id },
    });
  });
});
