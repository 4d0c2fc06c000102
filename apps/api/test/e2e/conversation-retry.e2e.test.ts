import { expectEventually } from '@guichet/testing';
import { randomUUID } from 'node:crypto';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** The retry button of the inbox: a failed reply goes back to the outbound queue, nothing else does. */
describe('retrying a failed reply', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  async function repliedConversation(): Promise<{ id: string; messageId: string }> {
    const { conversationId: id } = await t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: `${randomUUID().slice(0, 8)}@example.fr`, name: 'Citoyenne Test' },
        subject: 'Attestation',
        text: 'Bonjour',
      },
      { teamId: town.etatCivil.id },
    );
    const seen = (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body;
    const reply = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body: 'Votre attestation est prête.', version: seen.version },
    });
    expect(reply.status).toBe(201);
    // A reply on the web form is published on the tracking page: « sent », never « distribué »
    // (only a provider's report says that, issue 21 item 5).
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT status FROM message WHERE id = $1`, [reply.body.id]);
      expect(rows[0].status).toBe('sent');
    });
    return { id, messageId: reply.body.id };
  }

  it('re-queues a failed reply, clears its error and sends it', async () => {
    const { id, messageId } = await repliedConversation();
    // A permanent failure as the outbound worker records it.
    await t.db.query(`UPDATE message SET status = 'failed', error = 'adresse refusée par le serveur' WHERE id = $1`, [messageId]);
    const versionBefore = (await t.db.query(`SELECT version FROM conversation WHERE id = $1`, [id])).rows[0].version;

    const retried = await t.http('POST', `/api/v1/conversations/${id}/messages/${messageId}/retry`, {
      token: town.agentEC.token,
    });
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ id: messageId, status: 'queued', error: null });
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT status, error FROM message WHERE id = $1`, [messageId]);
      expect(rows[0]).toEqual({ status: 'sent', error: null });
    });
    // No one's draft becomes stale for a retry.
    expect((await t.db.query(`SELECT version FROM conversation WHERE id = $1`, [id])).rows[0].version).toBe(versionBefore);
    const { rows: audit } = await t.db.query(
      `SELECT data FROM audit_event WHERE conversation_id = $1 AND action = 'conversation.replied' AND data IS NOT NULL`,
      [id],
    );
    expect(audit.map((r: { data: unknown }) => r.data)).toEqual([{ retriedMessageId: messageId }]);
  });

  it('refuses what is not a failed reply, and conversations the agent cannot read, changing nothing', async () => {
    const { id, messageId } = await repliedConversation();
    const delivered = await t.http('POST', `/api/v1/conversations/${id}/messages/${messageId}/retry`, {
      token: town.agentEC.token,
    });
    expect(delivered.status).toBe(400);
    expect(delivered.body.message).toBe("seule une réponse dont l'envoi a échoué peut être renvoyée");

    const seen = (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body;
    const note = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'note', body: 'Note', version: seen.version },
    });
    expect(
      (await t.http('POST', `/api/v1/conversations/${id}/messages/${note.body.id}/retry`, { token: town.agentEC.token })).status,
    ).toBe(400);

    await t.db.query(`UPDATE message SET status = 'failed', error = 'refusé' WHERE id = $1`, [messageId]);
    const outsider = await t.http('POST', `/api/v1/conversations/${id}/messages/${messageId}/retry`, {
      token: town.agentSco.token,
    });
    expect(outsider.status).toBe(404);
    // A message of another conversation cannot be retried through this one.
    const other = await repliedConversation();
    expect(
      (await t.http('POST', `/api/v1/conversations/${other.id}/messages/${messageId}/retry`, { token: town.agentEC.token }))
        .status,
    ).toBe(400);
    expect(
      (await t.http('POST', `/api/v1/conversations/${id}/messages/pas-un-uuid/retry`, { token: town.agentEC.token })).status,
    ).toBe(400);
    const { rows } = await t.db.query(`SELECT status, error FROM message WHERE id = $1`, [messageId]);
    expect(rows[0]).toEqual({ status: 'failed', error: 'refusé' });
  });
});
