import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { MessageDto } from '@guichet/contracts';
import { connectRecording, expectEventually } from '@guichet/testing';
import { createClient } from 'redis';
import { freePort } from '../../src/database/embedded-postgres';
import { RealtimePublisher } from '../../src/modules/realtime/realtime.publisher';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** A redis-server of this test's own (never the machine's, which others use), restartable on its port. */
async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return proc;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server not listening on ${port}`);
}

const stopRedis = (proc: ChildProcess | undefined) =>
  new Promise<void>((resolve) => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });

describe('a Redis restart under two API instances', () => {
  let port: number;
  let redis: ChildProcess | undefined;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    const redisUrl = `redis://127.0.0.1:${port}`;
    a = await startTestApp({ redisUrl });
    b = await startTestApp({ redisUrl, databaseUrl: a.config.databaseUrl, encryptionKey: a.config.encryptionKey });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await stopRedis(redis);
  });

  it('keeps both instances up, makes their sockets reconnect (to catch up), and fans out again afterwards', async () => {
    const town = await seedTown(a);
    const onB = await connectRecording(b.url, town.agentEC.token);
    const reasons: string[] = [];
    onB.socket.on('disconnect', (reason) => reasons.push(reason));
    try {
      await stopRedis(redis);
      redis = await startRedis(port);
      // Events published while Redis was away are lost to the other instance: its sockets are
      // closed once it is back, as a transport drop (the client reconnects by itself and refetches).
      await expectEventually(() => expect(reasons).toEqual(['transport close']), { timeoutMs: 15_000 });
      onB.socket.connect();
      await expectEventually(() => expect(onB.socket.connected).toBe(true), { timeoutMs: 5_000 });
      // "Afterwards": once the cluster answers again, i.e. instance A sees B's agent online through
      // Redis (a cluster request and its answer). Until then a connecting socket may still be closed
      // for a retry (its session's check failing on an instance not yet back): this client then
      // connects again, as the web app's does by itself (this one has reconnection off, to count its
      // disconnects).
      const publisherA = a.app.get(RealtimePublisher);
      await expectEventually(
        async () => {
          if (!onB.socket.connected) onB.socket.connect();
          const online = await publisherA.onlineAgents(town.agentEC.organizationId);
          expect({ online: online.includes(town.agentEC.id), connected: onB.socket.connected, reasons }).toMatchObject({
            online: true,
            connected: true,
          });
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      expect(onB.socket.connected).toBe(true);

      const r = await a.ingest.ingest(
        {
          channelId: town.webform.id,
          externalId: randomUUID(),
          from: { kind: 'email', value: 'apres-redis@example.fr' },
          text: 'Bonjour après le redémarrage de Redis',
        },
        { teamId: town.etatCivil.id },
      );
      await expectEventually(
        () => expect(onB.of<MessageDto>('message.created').map((m) => m.conversationId)).toEqual([r.conversationId]),
        { timeoutMs: 5_000 },
      );
      expect((await a.http('GET', '/api/v1/health')).status).toBe(200);
      expect((await b.http('GET', '/api/v1/health')).status).toBe(200);
    } finally {
      onB.close();
    }
  });

  it('keeps a connecting socket when an instance does not answer, and tells the supervisors once it does', async () => {
    const town = await seedTown(a);
    const sup = await connectRecording(a.url, town.supervisor.token);
    await expectEventually(() =>
      expect(sup.of<{ agentIds: string[] }>('agents.online').at(-1)?.agentIds).toContain(town.supervisor.id),
    );
    // A peer still subscribed but not answering (an instance restarting, Redis just back): every
    // cluster-wide fetchSockets, such as « who is online », times out (5 s).
    const stalled = createClient({ url: `redis://127.0.0.1:${port}` });
    await stalled.connect();
    await stalled.subscribe('socket.io-request#/#', () => undefined);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    let onB: Awaited<ReturnType<typeof connectRecording>> | undefined;
    try {
      onB = await connectRecording(b.url, town.agentEC.token);
      const reasons: string[] = [];
      onB.socket.on('disconnect', (reason) => reasons.push(reason));
      // Two of the online list's cluster requests time out meanwhile: the socket stays, nothing dies.
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      expect({ connected: onB.socket.connected, reasons, rejections }).toEqual({ connected: true, reasons: [], rejections: [] });
      expect(sup.of<{ agentIds: string[] }>('agents.online').at(-1)?.agentIds).not.toContain(town.agentEC.id);
      expect((await b.http('GET', '/api/v1/health')).status).toBe(200);
      // The peer answers again (here: leaves): the retried broadcast reaches the supervisor.
      await stalled.quit();
      await expectEventually(
        () => expect(sup.of<{ agentIds: string[] }>('agents.online').at(-1)?.agentIds).toContain(town.agentEC.id),
        { timeoutMs: 20_000 },
      );
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      onB?.close();
      sup.close();
      if (stalled.isOpen) await stalled.quit();
    }
  });

  it('keeps an instance up when Redis dies with broadcasts in flight', async () => {
    const town = await seedTown(a);
    const r = await a.ingest.ingest(
      { channelId: town.webform.id, externalId: randomUUID(), from: { kind: 'email', value: 'vol@example.fr' }, text: 'Bonjour' },
      { teamId: town.etatCivil.id },
    );
    const c = await a.http('GET', `/api/v1/conversations/${r.conversationId}`, { token: town.supervisor.token });
    expect(c.status).toBe(200);
    const publisher = a.app.get(RealtimePublisher);
    // Thousands of publishes written to Redis as it is killed: those in flight fail.
    for (let i = 0; i < 5_000; i++) publisher.conversation('conversation.updated', town.org.id, c.body);
    redis?.kill('SIGKILL');
    await stopRedis(redis);
    await new Promise((resolve) => setTimeout(resolve, 500));
    redis = await startRedis(port);
    expect((await a.http('GET', '/api/v1/health')).status).toBe(200);
  });
});
