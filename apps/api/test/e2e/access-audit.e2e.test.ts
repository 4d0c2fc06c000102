import { randomUUID } from 'node:crypto';
import { expectEventually } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * The RGPD access audit: besides opening a file, reading its messages, downloading one of its
 * attachments and searching the inbox are recorded with who, when and what.
 */
describe('access audit', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  const auditOf = async (action: string, agentId: string) =>
    (
      await t.db.query(
        `SELECT conversation_id, contact_id, data FROM audit_event WHERE action = $1 AND agent_id = $2 ORDER BY id`,
        [action, agentId],
      )
    ).rows;

  const citizenWrites = (
    o: { subject?: string; attachments?: { fileName: string; contentType: string; content: Buffer }[] } = {},
  ) =>
    t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: `${randomUUID().slice(0, 8)}@example.fr`, name: 'Honorine Vasseur' },
        subject: o.subject ?? 'Demande',
        text: 'Bonjour',
        attachments: o.attachments,
      },
      { teamId: town.etatCivil.id },
    );

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('records who read a conversation’s messages, and nothing for a refused read', async () => {
    const reader = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
    const outsider = await t.newAgent({ organizationId: town.org.id, teamIds: [town.scolarite.id] });
    const r = await citizenWrites();
    expect((await t.http('GET', `/api/v1/conversations/${r.conversationId}/messages`, { token: reader.token })).status).toBe(200);
    expect((await t.http('GET', `/api/v1/conversations/${r.conversationId}/messages`, { token: outsider.token })).status).toBe(
      404,
    );
    await expectEventually(async () =>
      expect(await auditOf('conversation.messages_read', reader.id)).toEqual([
        { conversation_id: r.conversationId, contact_id: r.contactId, data: null },
      ]),
    );
    expect(await auditOf('conversation.messages_read', outsider.id)).toEqual([]);
  });

  it('records each opening of a file in the statement that reads it: one record per file shown, none for a file refused', async () => {
    const reader = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
    const outsider = await t.newAgent({ organizationId: town.org.id, teamIds: [town.scolarite.id] });
    const assignee = await t.newAgent({ organizationId: town.org.id, teamIds: [town.scolarite.id] });
    const elsewhere = await t.newOrganization();
    const stranger = await t.newAgent({ organizationId: elsewhere.id, role: 'admin' });
    const r = await citizenWrites();
    // Assigned to an agent of another service: they read it as its service does.
    await t.db.query(`UPDATE conversation SET assignee_id = $2 WHERE id = $1`, [r.conversationId, assignee.id]);
    const open = (token: string) => t.http('GET', `/api/v1/conversations/${r.conversationId}`, { token });
    for (const a of [reader, assignee, town.supervisor]) expect((await open(a.token)).status).toBe(200);
    for (const a of [outsider, stranger]) expect((await open(a.token)).status).toBe(404);
    const { rows } = await t.db.query(
      `SELECT agent_id, contact_id, team_ids FROM audit_event WHERE action = 'conversation.viewed' AND conversation_id = $1 ORDER BY id`,
      [r.conversationId],
    );
    // Each with the citizen and the file's service at that moment (what the viewer filters by).
    expect(rows).toEqual(
      [reader, assignee, town.supervisor].map((a) => ({
        agent_id: a.id,
        contact_id: r.contactId,
        team_ids: [town.etatCivil.id],
      })),
    );

    // The record cannot be written: the file is not shown (nor its messages), and nothing is recorded.
    await t.db.query(`
      CREATE FUNCTION test_refuse_view_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action IN ('conversation.viewed', 'conversation.messages_read') THEN RAISE EXCEPTION 'audit indisponible'; END IF;
        RETURN NEW;
      END $$`);
    await t.db.query(
      `CREATE TRIGGER test_refuse_view_audit BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION test_refuse_view_audit()`,
    );
    try {
      const refused = await open(reader.token);
      expect(refused.status).toBe(500);
      expect(JSON.stringify(refused.body)).not.toContain(r.conversationId);
      const messages = await t.http('GET', `/api/v1/conversations/${r.conversationId}/messages`, { token: reader.token });
      expect(messages.status).toBe(500);
      expect(JSON.stringify(messages.body)).not.toContain('Bonjour');
    } finally {
      await t.db.query(`DROP TRIGGER test_refuse_view_audit ON audit_event`);
      await t.db.query(`DROP FUNCTION test_refuse_view_audit()`);
    }
    expect(await auditOf('conversation.viewed', reader.id)).toHaveLength(1);
    expect(await auditOf('conversation.messages_read', reader.id)).toEqual([]);
  });

  it('opening a file with its latest messages is one request and one record; an older page is recorded as it is read', async () => {
    const reader = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
    const outsider = await t.newAgent({ organizationId: town.org.id, teamIds: [town.scolarite.id] });
    const r = await citizenWrites({ subject: 'Acte de mariage' });
    // Five messages at least: the latest three come with the file, the others on the next pages
    // (each page in the order they were written).
    for (let i = 1; i <= 4; i++)
      await t.ingest.ingest({
        channelId: town.webform.id,
        externalId: randomUUID(),
        sender: 'tracking-link',
        text: `Relance ${i}`,
        thread: { conversationId: r.conversationId },
      });
    await t.settled();
    const { rows: thread } = await t.db.query(
      `SELECT id FROM message WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC`,
      [r.conversationId],
    );
    expect(thread.length).toBeGreaterThanOrEqual(5);
    const opened = await t.http('GET', `/api/v1/conversations/${r.conversationId}/opened?limit=3`, { token: reader.token });
    expect(opened.status).toBe(200);
    expect(opened.body.conversation).toMatchObject({ id: r.conversationId, subject: 'Acte de mariage', unread: false });
    expect(opened.body.messages.items.map((m: { id: string }) => m.id)).toEqual(
      thread
        .slice(0, 3)
        .map((m) => m.id)
        .reverse(),
    );
    expect(opened.body.messages.nextCursor).toEqual(expect.any(String));
    const recorded = async () =>
      (
        await t.db.query(
          `SELECT action, contact_id, team_ids, data FROM audit_event WHERE agent_id = $1 AND conversation_id = $2 ORDER BY id`,
          [reader.id, r.conversationId],
        )
      ).rows;
    expect(await recorded()).toEqual([
      { action: 'conversation.viewed', contact_id: r.contactId, team_ids: [town.etatCivil.id], data: { latestMessages: 3 } },
    ]);
    const older = await t.http(
      'GET',
      `/api/v1/conversations/${r.conversationId}/messages?limit=3&cursor=${encodeURIComponent(opened.body.messages.nextCursor)}`,
      { token: reader.token },
    );
    expect(older.body.items.map((m: { id: string }) => m.id)).toEqual(
      thread
        .slice(3, 6)
        .map((m) => m.id)
        .reverse(),
    );
    expect((await recorded()).map((e) => e.action)).toEqual(['conversation.viewed', 'conversation.messages_read']);
    // Refused: nothing shown, nothing recorded.
    const refused = await t.http('GET', `/api/v1/conversations/${r.conversationId}/opened`, { token: outsider.token });
    expect(refused.status).toBe(404);
    expect(JSON.stringify(refused.body)).not.toContain('Relance');
    expect(await auditOf('conversation.viewed', outsider.id)).toEqual([]);
  });

  it('records who downloaded which attachment, and nothing for a refused download', async () => {
    const reader = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
    const outsider = await t.newAgent({ organizationId: town.org.id, teamIds: [town.scolarite.id] });
    const r = await citizenWrites({
      attachments: [{ fileName: 'avis-imposition.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4') }],
    });
    const page = (await t.http('GET', `/api/v1/conversations/${r.conversationId}/messages`, { token: reader.token })).body;
    const [att] = page.items[0].attachments;
    expect((await t.http('GET', `/api/v1/attachments/${att.id}`, { token: reader.token })).status).toBe(200);
    expect((await t.http('GET', `/api/v1/attachments/${att.id}`, { token: outsider.token })).status).toBe(404);
    await expectEventually(async () =>
      expect(await auditOf('attachment.downloaded', reader.id)).toEqual([
        { conversation_id: r.conversationId, contact_id: r.contactId, data: { attachmentId: att.id } },
      ]),
    );
    expect(await auditOf('attachment.downloaded', outsider.id)).toEqual([]);
  });

  it('records who searched for what, with the text searched; a plain list is not a search', async () => {
    const searcher = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
    await citizenWrites({ subject: 'Carte d’identité Vasseur' });
    expect(
      (await t.http('GET', `/api/v1/conversations?q=${encodeURIComponent('Honorine Vasseur')}`, { token: searcher.token }))
        .status,
    ).toBe(200);
    expect((await t.http('GET', '/api/v1/conversations?status=open', { token: searcher.token })).status).toBe(200);
    await expectEventually(async () =>
      expect(await auditOf('conversations.searched', searcher.id)).toEqual([
        { conversation_id: null, contact_id: null, data: { q: 'Honorine Vasseur' } },
      ]),
    );
  });

  it('records from where: the request’s IP address and the agent’s session, shown by the viewer and in the CSV export', async () => {
    const reader = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
    const {
      rows: [{ public_id: readerSession }],
    } = await t.db.query(`SELECT public_id FROM agent_session WHERE agent_id = $1`, [reader.id]);
    const {
      rows: [{ public_id: supervisorSession }],
    } = await t.db.query(`SELECT public_id FROM agent_session WHERE agent_id = $1`, [town.supervisor.id]);
    const r = await citizenWrites();
    // Behind the town's reverse proxy (loopback, trusted by default): the address it forwards.
    const viewed = await t.http('GET', `/api/v1/conversations/${r.conversationId}`, {
      token: reader.token,
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(viewed.status).toBe(200);
    // A change (not group-committed), from an IPv6 address.
    const held = await t.http('PUT', `/api/v1/conversations/${r.conversationId}/legal-hold`, {
      token: town.supervisor.token,
      body: { reason: 'Recours gracieux' },
      headers: { 'x-forwarded-for': '2001:db8::5' },
    });
    expect(held.status).toBe(200);
    // Something that is no address is no origin, and no failure either.
    expect(
      (
        await t.http('GET', `/api/v1/conversations/${r.conversationId}/messages`, {
          token: reader.token,
          headers: { 'x-forwarded-for': 'pas-une-adresse' },
        })
      ).status,
    ).toBe(200);
    const origins = async () =>
      (
        await t.db.query(`SELECT action, host(ip) AS ip, session_id FROM audit_event WHERE conversation_id = $1 ORDER BY id`, [
          r.conversationId,
        ])
      ).rows;
    await expectEventually(async () =>
      expect(await origins()).toEqual([
        { action: 'conversation.viewed', ip: '203.0.113.7', session_id: readerSession },
        { action: 'conversation.legal_hold_set', ip: '2001:db8::5', session_id: supervisorSession },
        { action: 'conversation.messages_read', ip: null, session_id: readerSession },
      ]),
    );

    const page = await t.http('GET', `/api/v1/audit?conversationId=${r.conversationId}`, { token: town.admin.token });
    expect(page.status).toBe(200);
    expect(
      page.body.items.map((e: { action: string; ip: string | null; sessionId: string | null }) => [e.action, e.ip, e.sessionId]),
    ).toEqual([
      ['conversation.messages_read', null, readerSession],
      ['conversation.legal_hold_set', '2001:db8::5', supervisorSession],
      ['conversation.viewed', '203.0.113.7', readerSession],
    ]);
    const res = await fetch(`${t.url}/api/v1/audit/export?conversationId=${r.conversationId}`, {
      headers: { authorization: `Bearer ${town.admin.token}` },
    });
    const lines = Buffer.from(await res.arrayBuffer())
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean);
    expect(lines[0]!.endsWith(';Détails;Adresse IP;Session')).toBe(true);
    const row = (action: string) => lines.find((l) => l.includes(`;${action};`)) ?? '';
    expect(row('conversation.viewed').endsWith(`;203.0.113.7;${readerSession}`)).toBe(true);
    expect(row('conversation.legal_hold_set').endsWith(`;2001:db8::5;${supervisorSession}`)).toBe(true);
    expect(row('conversation.messages_read').endsWith(`;;${readerSession}`)).toBe(true);
    // The export itself, from the test's own connection (no proxy in front): its socket's address.
    const {
      rows: [{ public_id: adminSession }],
    } = await t.db.query(`SELECT public_id FROM agent_session WHERE agent_id = $1`, [town.admin.id]);
    expect(row('audit.exported')).toMatch(new RegExp(`;(::ffff:)?127\\.0\\.0\\.1;${adminSession}$`));
  });
});
