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
});
