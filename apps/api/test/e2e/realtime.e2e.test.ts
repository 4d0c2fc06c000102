import { randomUUID } from 'node:crypto';
import type { ConversationDto, MessageDto, PresenceDto } from '@guichet/contracts';
import { connectRecording, expectEventually, type RecordingClient } from '@guichet/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { Database } from '../../src/common/database';
import { RealtimePublisher } from '../../src/modules/realtime/realtime.publisher';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** What a socket heard about conversations (the supervisors' online-agents list aside). */
const conversationEvents = (c: RecordingClient) => c.events.filter((e) => e.event !== 'agents.online');

describe('real time over socket.io', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;
  const clients: RecordingClient[] = [];
  const connect = async (token: string) => {
    const c = await connectRecording(t.url, token);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    other = await seedTown(t);
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await t.close();
  });

  it('refuses the handshake without a valid session (connect_error, never connected)', async () => {
    await expect(connectRecording(t.url, undefined)).rejects.toThrow(/unauthorized/);
    await expect(connectRecording(t.url, 'jeton-forge')).rejects.toThrow(/unauthorized/);
  });

  it('delivers a citizen request to the agents of that service and the supervisors, within a second, and to nobody else', async () => {
    const ec = await connect(town.agentEC.token);
    const sco = await connect(town.agentSco.token);
    const sup = await connect(town.supervisor.token);
    const foreignSup = await connect(other.supervisor.token);
    const foreignAgent = await connect(other.agentEC.token);

    const res = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: { teamId: town.etatCivil.id, name: 'Jeanne', email: 'jeanne@example.fr', subject: 'Acte de décès', body: 'Bonjour' },
    });
    expect(res.status).toBe(201);
    for (const c of [ec, sup]) {
      await expectEventually(
        () => {
          const [conv] = c.of<ConversationDto>('conversation.created');
          expect(conv).toMatchObject({ reference: res.body.reference, teamId: town.etatCivil.id, contact: { name: 'Jeanne' } });
          const [msg] = c.of<MessageDto>('message.created');
          expect(msg).toMatchObject({ conversationId: conv!.id, direction: 'inbound', body: 'Bonjour', channelKind: 'webform' });
        },
        { timeoutMs: 10_000 },
      );
    }
    // How fast it arrives is measured by `pnpm bench` (realtime fan-out), not asserted here.
    // The same DTO as the REST API, once its events have arrived: the due dates are set just after
    // creation (request types, issue 13) and pushed as a conversation.updated.
    const rest = await t.http('GET', `/api/v1/conversations?limit=1`, { token: town.agentEC.token });
    const pushed = () =>
      ec.events
        .filter((e) => e.event === 'conversation.created' || e.event === 'conversation.updated')
        .map((e) => e.payload as ConversationDto)
        .filter((c) => c.id === rest.body.items[0].id)
        .at(-1);
    await expectEventually(() => expect(pushed()).toEqual(rest.body.items[0]));
    // Opening it marks it read once, pushed to the others; opening it again changes nothing.
    await t.http('GET', `/api/v1/conversations/${rest.body.items[0].id}`, { token: town.agentEC.token });
    await t.http('GET', `/api/v1/conversations/${rest.body.items[0].id}`, { token: town.agentEC.token });
    // (The first update is the due dates set at creation, still unread; then the one read.)
    await expectEventually(() =>
      expect(sup.of<ConversationDto>('conversation.updated').map((c) => c.unread)).toEqual([true, false]),
    );
    await sleep(200);
    for (const c of [sco, foreignSup, foreignAgent]) expect(conversationEvents(c)).toEqual([]);
  });

  it('joins a conversation room only where the agent may read, and reports presence and typing', async () => {
    const r = await t.ingest.ingest(
      { channelId: town.webform.id, externalId: randomUUID(), from: { kind: 'email', value: 'presence@example.fr' }, text: 'x' },
      { teamId: town.etatCivil.id },
    );
    const ec = await connect(town.agentEC.token);
    const sco = await connect(town.agentSco.token);
    const foreign = await connect(other.admin.token);
    const join = (c: RecordingClient, id: string) =>
      c.socket.timeout(2000).emitWithAck('conversation.join', id) as Promise<{ ok: boolean; error?: string }>;
    expect(await join(sco, r.conversationId)).toEqual({ ok: false, error: 'conversation introuvable' });
    expect(await join(foreign, r.conversationId)).toEqual({ ok: false, error: 'conversation introuvable' });
    expect(await join(ec, 'pas-un-uuid')).toEqual({ ok: false, error: 'identifiant invalide' });
    expect(await join(ec, r.conversationId)).toEqual({ ok: true });
    const sup = await connect(town.supervisor.token);
    expect(await join(sup, r.conversationId)).toEqual({ ok: true });
    ec.socket.emit('presence.typing', { conversationId: r.conversationId, typing: true });
    await expectEventually(() => {
      const last = sup.of<PresenceDto>('presence.updated').at(-1);
      expect(last?.viewers).toEqual(
        expect.arrayContaining([
          { agentId: town.agentEC.id, name: 'Marie Dupont', typing: true },
          { agentId: town.supervisor.id, name: 'Sarah Superviseure', typing: false },
        ]),
      );
    });
    ec.close();
    await expectEventually(() => {
      expect(sup.of<PresenceDto>('presence.updated').at(-1)?.viewers).toEqual([
        { agentId: town.supervisor.id, name: 'Sarah Superviseure', typing: false },
      ]);
    });
    expect(sco.of('presence.updated')).toEqual([]);
  });

  it('tells the service who looks at which conversation, for its list, and nobody else', async () => {
    const r = await t.ingest.ingest(
      { channelId: town.webform.id, externalId: randomUUID(), from: { kind: 'email', value: 'liste@example.fr' }, text: 'x' },
      { teamId: town.etatCivil.id },
    );
    const colleague = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id], name: 'Luc Collègue' });
    const listing = await connect(colleague.token);
    const sco = await connect(town.agentSco.token);
    const ec = await connect(town.agentEC.token);
    expect(await ec.socket.timeout(2000).emitWithAck('conversation.join', r.conversationId)).toEqual({ ok: true });
    await expectEventually(() => {
      expect(listing.of<PresenceDto>('presence.updated').at(-1)).toEqual({
        conversationId: r.conversationId,
        viewers: [{ agentId: town.agentEC.id, name: 'Marie Dupont', typing: false }],
      });
    });
    expect(sco.of('presence.updated')).toEqual([]);
  });

  it('lists the agents online and tells the supervisors when it changes', async () => {
    const sup = await connect(town.supervisor.token);
    const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.scolarite.id] });
    const online = async () =>
      (await t.http('GET', '/api/v1/agents/online', { token: town.agentEC.token })).body.agentIds as string[];
    expect(await online()).not.toContain(agent.id);
    const c = await connect(agent.token);
    await expectEventually(() => expect(sup.of<{ agentIds: string[] }>('agents.online').at(-1)?.agentIds).toContain(agent.id));
    expect(await online()).toContain(agent.id);
    expect((await t.http('GET', '/api/v1/agents/online', { token: other.admin.token })).body.agentIds).not.toContain(agent.id);
    c.close();
    await expectEventually(() =>
      expect(sup.of<{ agentIds: string[] }>('agents.online').at(-1)?.agentIds).not.toContain(agent.id),
    );
  });

  it('sends no event for a transaction that rolled back, nor for a refused stale reply', async () => {
    const r = await t.ingest.ingest(
      { channelId: town.webform.id, externalId: randomUUID(), from: { kind: 'email', value: 'rollback@example.fr' }, text: 'x' },
      { teamId: town.etatCivil.id },
    );
    // Its due dates are set from the job queue (a durable listener) and told as an update: once
    // they are, nothing more is on its way for this conversation.
    await expectEventually(async () =>
      expect(
        (await t.db.query(`SELECT response_due_at FROM conversation WHERE id = $1`, [r.conversationId])).rows[0].response_due_at,
      ).not.toBeNull(),
    );
    await sleep(100);
    const publisher = t.app.get(RealtimePublisher);
    const conversation = (await t.http('GET', `/api/v1/conversations/${r.conversationId}`, { token: town.supervisor.token }))
      .body;
    // The citizen writes again: the version the supervisor saw is now stale.
    await t.ingest.ingest({
      channelId: town.webform.id,
      externalId: randomUUID(),
      from: { kind: 'email', value: 'rollback@example.fr' },
      text: 'encore moi',
      thread: { conversationId: r.conversationId },
    });
    const sup = await connect(town.supervisor.token);
    await expect(
      t.app.get(Database).tx(async (m, afterCommit) => {
        await m.query(`UPDATE conversation SET priority = 'urgent' WHERE id = $1`, [r.conversationId]);
        afterCommit(() => publisher.conversation('conversation.updated', town.org.id, conversation));
        throw new Error('échec au milieu de la transaction');
      }),
    ).rejects.toThrow('échec');
    const stale = await t.http('POST', `/api/v1/conversations/${r.conversationId}/messages`, {
      token: town.supervisor.token,
      body: { kind: 'reply', body: 'Bonjour', version: conversation.version },
    });
    expect(stale.status).toBe(409);
    await sleep(200);
    expect(conversationEvents(sup)).toEqual([]);
    expect((await t.db.query(`SELECT priority FROM conversation WHERE id = $1`, [r.conversationId])).rows[0].priority).toBe(
      'normal',
    );
  });

  it('pushes the outbound status change of a reply (queued -> sent: published on the tracking page, not « distribué ») live', async () => {
    const r = await t.ingest.ingest(
      { channelId: town.webform.id, externalId: randomUUID(), from: { kind: 'email', value: 'statut@example.fr' }, text: 'x' },
      { teamId: town.etatCivil.id },
    );
    const ec = await connect(town.agentEC.token);
    const c = (await t.http('GET', `/api/v1/conversations/${r.conversationId}`, { token: town.agentEC.token })).body;
    const reply = await t.http('POST', `/api/v1/conversations/${r.conversationId}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body: 'Votre acte est prêt.', version: c.version },
    });
    await expectEventually(() => {
      expect(ec.of<MessageDto>('message.created').map((m) => [m.id, m.status])).toContainEqual([reply.body.id, 'queued']);
      expect(ec.of<MessageDto>('message.updated').map((m) => [m.id, m.status])).toContainEqual([reply.body.id, 'sent']);
    });
  });

  it('marks a reply on a channel not built yet as failed with the reason, pushed live', async () => {
    const r = await t.ingest.ingest({
      channelId: town.sms.id,
      externalId: randomUUID(),
      from: { kind: 'phone', value: '0612121212' },
      text: 'x',
    });
    const ec = await connect(town.agentEC.token);
    const c = (await t.http('GET', `/api/v1/conversations/${r.conversationId}`, { token: town.agentEC.token })).body;
    const reply = await t.http('POST', `/api/v1/conversations/${r.conversationId}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body: 'Bonjour', version: c.version },
    });
    expect(reply.body.channelId).toBe(town.sms.id);
    await expectEventually(() => {
      // The worker's claim (« Envoi en cours ») first, then the refusal.
      const updated = ec.of<MessageDto>('message.updated').filter((m) => m.id === reply.body.id);
      expect(updated.map((m) => m.status)).toEqual(expect.arrayContaining(['sending', 'failed']));
      expect(updated.find((m) => m.status === 'failed')).toMatchObject({ error: expect.stringMatching(/SMS/) });
    });
  });
});
