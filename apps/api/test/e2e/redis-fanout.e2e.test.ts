import { randomUUID } from 'node:crypto';
import type { MessageDto } from '@guichet/contracts';
import { connectRecording, expectEventually } from '@guichet/testing';
import { createClient } from 'redis';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** Two API processes' worth of app instances on one database, joined by the machine's Redis. */
describe('fan-out across API instances through Redis', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    // A missing Redis is a failure here, never a silent skip.
    const probe = createClient({ url: redisUrl });
    await probe.connect();
    await probe.quit();
    a = await startTestApp({ redisUrl });
    b = await startTestApp({ redisUrl, databaseUrl: a.config.databaseUrl, encryptionKey: a.config.encryptionKey });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('an event produced on instance A reaches an agent connected to instance B', async () => {
    const town = await seedTown(a);
    const other = await seedTown(a);
    const onB = await connectRecording(b.url, town.agentEC.token);
    const foreignOnB = await connectRecording(b.url, other.agentEC.token);
    try {
      const r = await a.ingest.ingest(
        {
          channelId: town.webform.id,
          externalId: randomUUID(),
          from: { kind: 'email', value: 'redis@example.fr' },
          text: 'Bonjour de A',
        },
        { teamId: town.etatCivil.id },
      );
      await expectEventually(
        () => {
          expect(onB.of<MessageDto>('message.created').map((m) => m.conversationId)).toEqual([r.conversationId]);
        },
        { timeoutMs: 2000 },
      );
      expect(foreignOnB.events).toEqual([]);
    } finally {
      onB.close();
      foreignOnB.close();
    }
  });

  it('logging out on instance A closes that session’s socket connected to instance B', async () => {
    const town = await seedTown(a);
    const login = await a.http('POST', '/api/v1/auth/login', {
      body: { email: town.agentEC.email, password: 'mot-de-passe-test' },
    });
    const onB = await connectRecording(b.url, login.body.token);
    const otherSessionOnB = await connectRecording(b.url, town.agentEC.token);
    const reasons: string[] = [];
    onB.socket.on('disconnect', (reason) => reasons.push(reason));
    try {
      expect((await a.http('POST', '/api/v1/auth/logout', { token: login.body.token })).status).toBe(204);
      await expectEventually(() => expect(reasons).toEqual(['io server disconnect']), { timeoutMs: 3000 });
      expect(otherSessionOnB.socket.connected).toBe(true);
    } finally {
      onB.close();
      otherSessionOnB.close();
    }
  });

  it('a transfer made on instance A takes the conversation out of the former service’s socket on instance B', async () => {
    const town = await seedTown(a);
    const r = await a.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: 'transfert@example.fr' },
        text: 'Bonjour',
      },
      { teamId: town.etatCivil.id },
    );
    const ecOnB = await connectRecording(b.url, town.agentEC.token);
    const supOnB = await connectRecording(b.url, town.supervisor.token);
    const notes = (c: typeof ecOnB) =>
      c
        .of<MessageDto>('message.created')
        .filter((m) => m.kind === 'note')
        .map((m) => m.body);
    try {
      expect(await ecOnB.socket.timeout(2000).emitWithAck('conversation.join', r.conversationId)).toEqual({ ok: true });
      expect(await supOnB.socket.timeout(2000).emitWithAck('conversation.join', r.conversationId)).toEqual({ ok: true });
      const c = await a.http('GET', `/api/v1/conversations/${r.conversationId}`, { token: town.supervisor.token });
      const moved = await a.http('PATCH', `/api/v1/conversations/${r.conversationId}`, {
        token: town.supervisor.token,
        body: { teamId: town.scolarite.id, note: 'Pour la Scolarité.', version: c.body.version },
      });
      expect(moved.status).toBe(200);
      const note = await a.http('POST', `/api/v1/conversations/${r.conversationId}/messages`, {
        token: town.supervisor.token,
        body: { kind: 'note', body: 'note interne après le transfert', version: moved.body.version },
      });
      expect(note.status).toBe(201);
      // Instance B writes one broadcast to all its sockets at once: once the supervisor has it, the agent would too.
      await expectEventually(() => expect(notes(supOnB)).toEqual(['Pour la Scolarité.', 'note interne après le transfert']), {
        timeoutMs: 2000,
      });
      await ecOnB.socket.timeout(2000).emitWithAck('conversation.leave', randomUUID());
      // The handover note is written as the file leaves; nothing written after the transfer reaches the former service.
      expect(notes(ecOnB).filter((n) => n !== 'Pour la Scolarité.')).toEqual([]);
    } finally {
      ecOnB.close();
      supOnB.close();
    }
  });
});
