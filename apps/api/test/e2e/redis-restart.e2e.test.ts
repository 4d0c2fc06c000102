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
      // for a retry (the connection's own cluster request timing out, after 5 s, on an instance not
      // yet back: loaded, Redis's clients reconnect seconds apart): this client then connects again,
      // as the web app's does by itself (this one has reconnection off, to count its disconnects).
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

  it('closes a connecting socket for a retry when an instance does not answer, instead of dying of it', async () => {
    // A peer still subscribed but not answering (an instance restarting, Redis just back): the
    // cluster-wide fetchSockets of the connection hook (who is online) times out.
    const stalled = createClient({ url: `redis://127.0.0.1:${port}` });
    await stalled.connect();
    await stalled.subscribe('socket.io-request#/#', () => undefined);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const town = await seedTown(a);
    const onB = await connectRecording(b.url, town.agentEC.token);
    const reasons: string[] = [];
    onB.socket.on('disconnect', (reason) => reasons.push(reason));
    try {
      await expectEventually(() => expect(reasons).toEqual(['transport close']), { timeoutMs: 15_000 });
      expect(rejections).toEqual([]);
      expect((await b.http('GET', '/api/v1/health')).status).toBe(200);
    } finally {
      process.off('unhandledRejection', onRejection);
      onB.close();
      await stalled.quit();
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
