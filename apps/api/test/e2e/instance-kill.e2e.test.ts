import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import type { ConversationDto, MessageDto } from '@guichet/contracts';
import { connectRecording, expectEventually, TcpPath } from '@guichet/testing';
import { createClient } from 'redis';
import { freePort } from '../../src/database/embedded-postgres';
import { COMPILED_API, seedTown, startCompiledInstance, startTestApp, type CompiledInstance, type TestApp } from '../harness';

/** A redis-server of this test's own (never the machine's, which others use). */
async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await waitFor(async () => {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (!up) throw new Error(`redis-server not listening on ${port}`);
  }, 10_000);
  return proc;
}

const waitFor = <T>(fn: () => Promise<T>, timeoutMs: number) => expectEventually(fn, { timeoutMs, intervalMs: 50 });

/** Each live instance stays subscribed to `guichet-instance#<its id>` (realtime/redis-io.adapter.ts). */
const INSTANCE = 'guichet-instance#';
/** Each instance's last heartbeat, by Redis's clock; an instance beats as it begins each look for its peers. */
const HEARTBEATS = 'guichet-instance-heartbeats';

const exited = (p: ChildProcess) =>
  new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));

/** Instance A: the compiled API in a process of its own, on B's database, its Redis through `path`. */
const startInstance = (b: TestApp, path: TcpPath) =>
  startCompiledInstance(b, { REDIS_URL: `redis://127.0.0.1:${path.port}`, RUN_JOBS: '0' });

describe('an instance killed (SIGKILL) beside another', () => {
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let path: TcpPath;
  let b: TestApp;
  let a: CompiledInstance | undefined;
  let town: Awaited<ReturnType<typeof seedTown>>;
  /** The test's own connection to Redis (never through `path`). */
  let probe: ReturnType<typeof createClient>;
  /** B's id on the instance channels. */
  let bId: string;

  const instanceIds = async () => (await probe.pubSubChannels(`${INSTANCE}*`)).map((c) => c.slice(INSTANCE.length));
  /** B's heartbeat once it is later than `score`: B has begun a look for its peers since then. */
  const bBeatAfter = (score: number) =>
    waitFor(async () => {
      const beat = await probe.zScore(HEARTBEATS, bId);
      expect(beat).toBeGreaterThan(score);
      return beat!;
    }, 10_000);
  /**
   * B has finished a look for its peers begun after `score` (its looks never overlap: it beats
   * again only once the previous one is over, having closed its agents' connections if it was to).
   */
  const bLookedSince = async (score: number) => bBeatAfter(await bBeatAfter(score));
  const bLastBeat = async () => (await probe.zScore(HEARTBEATS, bId))!;

  /** Both instances are on Redis, and B has finished a look for its peers that saw A (it looks every second). */
  const bothOnRedis = async () => {
    const aId = await waitFor(async () => {
      const others = (await instanceIds()).filter((id) => id !== bId);
      expect(others).toHaveLength(1);
      return others[0]!;
    }, 10_000);
    // A beats right after subscribing: a look of B's begun after that beat counts A among the living.
    const aBeat = await waitFor(async () => {
      const beat = await probe.zScore(HEARTBEATS, aId);
      expect(beat).not.toBeNull();
      return beat!;
    }, 10_000);
    await bLookedSince(aBeat);
  };

  /** Instance A started, an agent of B's connected with its disconnections recorded, both seen on Redis. */
  const startAandWatchB = async () => {
    const started = await startInstance(b, path);
    a = started;
    const onB = await connectRecording(b.url, town.agentEC.token);
    const reasons: { reason: string; at: number }[] = [];
    onB.socket.on('disconnect', (reason) => reasons.push({ reason, at: Date.now() }));
    await bothOnRedis();
    return { A: started, onB, reasons };
  };

  beforeAll(async () => {
    if (!existsSync(COMPILED_API))
      throw new Error(`compiled API not found (${COMPILED_API}): run tsc -b apps/api first (pnpm test does)`);
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    path = await TcpPath.open(redisPort);
    b = await startTestApp({ redisUrl: `redis://127.0.0.1:${redisPort}` });
    town = await seedTown(b);
    probe = createClient({ url: `redis://127.0.0.1:${redisPort}` });
    await probe.connect();
    [bId] = await instanceIds();
    expect(bId).toBeDefined();
  });
  afterEach(async () => {
    await a?.kill();
    a = undefined;
  });
  afterAll(async () => {
    await probe?.quit();
    await b?.close();
    await path?.close();
    redis?.kill('SIGTERM');
    if (redis) await exited(redis);
  });

  it("makes the survivor's agents reload what the killed instance stored but never told", async () => {
    const { A, onB, reasons } = await startAandWatchB();
    try {
      // A stores a citizen's request and answers it, but its event is still on its way to Redis
      // when it dies: the moment a SIGKILL under load lands in.
      path.held = true;
      const res = await fetch(`${A.url}/api/v1/public/organizations/${town.org.slug}/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          teamId: town.etatCivil.id,
          name: 'Léa Martin',
          email: 'lea.martin@example.fr',
          subject: 'Acte de naissance',
          body: 'Bonjour, je voudrais une copie intégrale de mon acte de naissance.',
        }),
      });
      expect(res.status).toBe(201);
      const { reference } = (await res.json()) as { reference: string };
      const { rows } = await b.db.query<{ id: string; at: Date }>(
        `SELECT c.id, m.created_at AS at FROM conversation c JOIN message m ON m.conversation_id = c.id WHERE c.reference = $1`,
        [reference],
      );
      const stored = rows[0]!;
      A.proc.kill('SIGKILL');
      await exited(A.proc);

      // Every agent of the survivor either hears of the message or is made to reload (its
      // connection closed: the web client reconnects and reads its lists again).
      const told = () => onB.of<MessageDto>('message.created').some((m) => m.conversationId === stored.id);
      await expectEventually(() => expect(told() || reasons.some((r) => r.reason === 'transport close')).toBe(true), {
        timeoutMs: 10_000,
      });
      if (!told()) {
        // The reload after the reconnect shows it.
        onB.socket.connect();
        await expectEventually(() => expect(onB.socket.connected).toBe(true), { timeoutMs: 5_000 });
        const list = await b.http<{ items: ConversationDto[] }>('GET', `/api/v1/conversations?teamId=${town.etatCivil.id}`, {
          token: town.agentEC.token,
        });
        expect(list.body.items.map((c) => c.id)).toContain(stored.id);
      }
      expect((await b.http('GET', '/api/v1/health')).status).toBe(200);
    } finally {
      path.held = false;
      onB.close();
    }
  });

  it("makes the survivor's agents reload when the other instance falls silent with its connections open", async () => {
    // A machine lost (power, network) closes no TCP connection: Redis keeps its subscriptions
    // until its keepalive notices (300 s by default). Its heartbeats stop at once.
    const { onB, reasons } = await startAandWatchB();
    try {
      path.held = true;
      const silentSince = Date.now();
      await expectEventually(() => expect(reasons.map((r) => r.reason)).toContain('transport close'), { timeoutMs: 20_000 });
      // Told by the silence, not by a vanished subscription: A's channel is still there.
      expect(await instanceIds()).toHaveLength(2);
      expect(reasons[0]!.at - silentSince).toBeGreaterThanOrEqual(9_000);
    } finally {
      path.held = false;
      onB.close();
    }
  });

  it('leaves the survivor’s agents connected when the other instance stops on purpose', async () => {
    a = await startInstance(b, path);
    const onB = await connectRecording(b.url, town.agentEC.token);
    const reasons: string[] = [];
    onB.socket.on('disconnect', (reason) => reasons.push(reason));
    try {
      await bothOnRedis();
      a.proc.kill('SIGTERM');
      await exited(a.proc);
      // B looks for vanished instances every second: once a whole look begun after A left is over
      // (and B begins the next a second later), nobody was disconnected.
      await bLookedSince(await bLastBeat());
      expect(reasons).toEqual([]);
      expect(onB.socket.connected).toBe(true);
    } finally {
      onB.close();
    }
  });
});
