/**
 * Webhook garbage must not stall the server (issue 10, item 6): GET /api/v1/health p99 while
 * clients post 1 MB of unparseable JSON to every webhook route, beside health with no load,
 * measured in alternating rounds of the same run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fork, type ChildProcess } from 'node:child_process';
import { constants, setPriority } from 'node:os';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { createAgents, createOrganization, createTeams } from './lib/fixtures';
import { apiJson } from './lib/http';
import type { BenchResult } from './lib/report';
import { count, ms, summarize } from './lib/stats';
import { nowMs, rounds } from './lib/timing';
import type { AttackReport, StallWorkerCommand, StallWorkerInit, StallWorkerReply } from './lib/webhook-stall-worker';

export interface WebhookStallBenchOptions {
  /** Health requests measured on each side (with and without the garbage). */
  probes: number;
  warmup: number;
  /** Concurrent garbage senders, each going through every webhook target in turn. */
  clients: number;
  bodyBytes: number;
  rounds: number;
  p99TargetMs: number;
}

export const WEBHOOK_STALL_DEFAULTS: WebhookStallBenchOptions = {
  probes: 3_000,
  warmup: 200,
  clients: 20,
  bodyBytes: 1024 * 1024,
  rounds: 3,
  p99TargetMs: 50,
};

/** A child process running webhook-stall-worker.js, driven by commands that each get one reply. */
class StallWorker {
  private readonly child: ChildProcess;
  private waiting: ((m: StallWorkerReply) => void) | null = null;

  constructor(init: StallWorkerInit, o: { lowestPriority?: boolean } = {}) {
    this.child = fork(join(__dirname, 'lib', 'webhook-stall-worker.js'), [JSON.stringify(init)], { stdio: 'inherit' });
    if (o.lowestPriority) setPriority(this.child.pid!, constants.priority.PRIORITY_LOW);
    this.child.on('message', (m: StallWorkerReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(m);
    });
    this.child.on('exit', (code, signal) => this.waiting?.({ kind: 'error', error: `worker exited (${signal ?? code})` }));
  }

  async ask(cmd: StallWorkerCommand): Promise<StallWorkerReply> {
    const m = await new Promise<StallWorkerReply>((resolve) => {
      this.waiting = resolve;
      this.child.send(cmd);
    });
    if (m.kind === 'error') throw new Error(m.error);
    return m;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await exited;
  }
}

/** One channel of each webhook kind, created by an admin over the API (secrets encrypted at rest). */
async function createWebhookChannels(env: BenchEnv): Promise<Record<'sms' | 'voice' | 'messenger' | 'pbx', string>> {
  const organizationId = await createOrganization(env.db);
  const [teamId] = await createTeams(env.db, organizationId, ['État civil']);
  const [admin] = await createAgents(env.db, { organizationId, role: 'admin', teamIds: [teamId!], count: 1 });
  const secret = () => randomBytes(16).toString('hex');
  const create = async (kind: string, config: object) => {
    const res = await apiJson<{ id?: string }>(env.app.url, 'POST', '/channels', admin!.token, {
      kind,
      name: `Canal ${kind}`,
      teamId,
      config,
    });
    if (res.status !== 201 || !res.body.id)
      throw new Error(`POST /api/v1/channels (${kind}) answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  const twilio = { accountSid: 'AC' + '0'.repeat(32), authToken: secret() };
  return {
    sms: await create('sms', { ...twilio, phoneNumber: '+33700000001' }),
    voice: await create('voice', { ...twilio, phoneNumber: '+33140000001' }),
    messenger: await create('messenger', {
      pageId: '1001',
      pageAccessToken: secret(),
      appSecret: secret(),
      verifyToken: secret(),
      graphApiBaseUrl: 'http://127.0.0.1:9',
    }),
    pbx: await create('pbx', { vendor: '3CX', sharedSecret: secret() }),
  };
}

/** Every webhook route, for a real channel (refused on its signature or size) and for an unknown one. */
function webhookTargets(c: Awaited<ReturnType<typeof createWebhookChannels>>): string[] {
  const routes = (sms: string, voice: string, meta: string, pbx: string) => [
    `/webhooks/twilio/${sms}/sms`,
    `/webhooks/twilio/${sms}/status`,
    `/webhooks/twilio/${voice}/voice`,
    `/webhooks/twilio/${voice}/voice-status`,
    `/webhooks/meta/${meta}`,
    `/webhooks/calls/${pbx}`,
  ];
  const unknown = randomUUID();
  return [...routes(c.sms, c.voice, c.messenger, c.pbx), ...routes(unknown, unknown, unknown, unknown)];
}

const describeStatuses = (s: Record<string, number>) =>
  Object.entries(s)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status} ×${count(n)}`)
    .join(', ');

export async function benchWebhookStall(o: WebhookStallBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(log, async (env) => {
    const channels = await createWebhookChannels(env);
    const targets = webhookTargets(channels);
    const probe = new StallWorker({ mode: 'probe', baseUrl: env.app.url });
    // The garbage senders get what CPU is left: on a real server they are on other machines.
    const attack = new StallWorker(
      { mode: 'attack', baseUrl: env.app.url, targets, clients: o.clients, bodyBytes: o.bodyBytes },
      { lowestPriority: true },
    );
    const baseline: number[] = [];
    const loaded: number[] = [];
    const reports: AttackReport[] = [];
    // The app runs on this thread: how late its event loop ran timers (the worst round's figures;
    // the monitor runs throughout and is reset at each phase, since re-enabling it would count
    // the time it was off as a delay) and how busy the thread was, on each side.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    const appThread = { quiet: { p99: 0, max: 0, cpuMs: 0, wallMs: 0 }, loaded: { p99: 0, max: 0, cpuMs: 0, wallMs: 0 } };
    const phase = async <T>(side: keyof typeof appThread, run: () => Promise<T>): Promise<T> => {
      loop.reset();
      const cpu = process.threadCpuUsage();
      const start = nowMs();
      const out = await run();
      const used = process.threadCpuUsage(cpu);
      const d = appThread[side];
      d.wallMs += nowMs() - start;
      d.cpuMs += (used.user + used.system) / 1000;
      d.p99 = Math.max(d.p99, loop.percentile(99) / 1e6);
      d.max = Math.max(d.max, loop.max / 1e6);
      return out;
    };
    loop.enable();
    try {
      log(
        `webhook-stall: ${o.warmup} warm-up, then ${o.probes} health requests with and ${o.probes} without ${o.clients} clients posting ${count(o.bodyBytes)} bytes of garbage to ${targets.length} webhook targets, ${o.rounds} alternating rounds`,
      );
      await probe.ask({ cmd: 'probe', count: o.warmup });
      for (const round of rounds(o.probes, o.rounds)) {
        const quiet = await phase('quiet', () => probe.ask({ cmd: 'probe', count: round.count }));
        if (quiet.kind === 'probed') baseline.push(...quiet.latencies);
        await attack.ask({ cmd: 'start' });
        const busy = await phase('loaded', () => probe.ask({ cmd: 'probe', count: round.count }));
        if (busy.kind === 'probed') loaded.push(...busy.latencies);
        const stopped = await attack.ask({ cmd: 'stop' });
        if (stopped.kind === 'stopped') reports.push(stopped.report);
      }
    } finally {
      loop.disable();
      await attack.close();
      await probe.close();
    }

    const statuses: Record<string, number> = {};
    const byTarget: Record<string, Record<string, number>> = {};
    let bytes = 0;
    let elapsedMs = 0;
    for (const r of reports) {
      for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
      for (const [path, st] of Object.entries(r.byTarget))
        for (const [s, n] of Object.entries(st)) (byTarget[path] ??= {})[s] = (byTarget[path]![s] ?? 0) + n;
      bytes += r.bytesSent;
      elapsedMs += r.elapsedMs;
    }
    const answered = Object.entries(statuses)
      .filter(([s]) => s !== 'reset')
      .reduce((n, [, v]) => n + v, 0);
    const refused = ['403', '404', '413'].reduce((n, s) => n + (statuses[s] ?? 0), 0);
    const { rows } = await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM message`);
    const stored = rows[0]!.n;
    const b = summarize(baseline);
    const l = summarize(loaded);
    const shortPath = (p: string) =>
      p.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, (id) => (Object.values(channels).includes(id) ? ':channel' : ':unknown'));
    return {
      id: 'webhook-stall',
      title: `Health while ${o.clients} clients post ${Math.round(o.bodyBytes / 1024 / 1024)} MB of garbage to every webhook route`,
      columns: ['GET /api/v1/health under webhook garbage', 'GET /api/v1/health, no load (baseline)'],
      rows: [
        { metric: 'requests measured', values: [count(l.n), count(b.n)] },
        { metric: 'p50', values: [ms(l.p50), ms(b.p50)] },
        { metric: 'p99', values: [ms(l.p99), ms(b.p99)] },
        { metric: 'max', values: [ms(l.max), ms(b.max)] },
        { metric: 'app event-loop delay p99 (worst round)', values: [appThread.loaded, appThread.quiet].map((d) => ms(d.p99)) },
        { metric: 'app event-loop delay max', values: [appThread.loaded, appThread.quiet].map((d) => ms(d.max)) },
        {
          metric: 'app thread CPU busy',
          values: [appThread.loaded, appThread.quiet].map((d) => `${((100 * d.cpuMs) / d.wallMs).toFixed(0)} %`),
        },
      ],
      target: `health p99 < ${o.p99TargetMs} ms under the garbage; every garbage request refused (403, 404 or 413) and nothing stored`,
      measured: `p99 ${ms(l.p99)} (baseline ${ms(b.p99)}); ${count(refused)} of ${count(answered)} answered garbage requests refused; ${stored} messages stored`,
      pass: l.p99 < o.p99TargetMs && answered > 0 && refused === answered && stored === 0,
      notes: [
        `garbage: ${count(o.bodyBytes)} bytes of '[' (deep nesting that never closes: the slowest JSON to parse, invalid in the end) as application/json with made-up signature headers, one request per connection, to ${targets.length} targets: the 6 webhook routes (Twilio sms, status, voice, voice-status; Meta; switchboard) for a real channel of the right kind and for an unknown channel id`,
        `garbage answers over ${(elapsedMs / 1000).toFixed(1)} s of attack: ${describeStatuses(statuses)} (reset: the sender's socket failed writing the rest of a body the app had stopped reading, before it read the answer); ${(bytes / 1024 / 1024).toFixed(0)} MiB sent, ${(bytes / 1024 / 1024 / (elapsedMs / 1000)).toFixed(0)} MiB/s`,
        `by target: ${Object.entries(byTarget)
          .map(([p, s]) => `${shortPath(p)} ${describeStatuses(s)}`)
          .sort()
          .join('; ')}`,
        "app event-loop delay: perf_hooks.monitorEventLoopDelay (5 ms resolution) on the app's thread during each side's requests, worst round; a webhook body parsed before its checks would show here as a stall of seconds; app thread CPU busy: process.threadCpuUsage() of that thread over the same time",
        `health: sequential GET on one kept-alive loopback connection from a child process (so that a stalled app loop shows in the time stamps); the garbage senders in another child process at the lowest CPU priority (nice 19: on a real server they are elsewhere, while the kernel's loopback work for their bytes still falls on this machine); ${o.warmup} warm-up requests, then ${o.rounds} rounds alternating ${count(Math.round(o.probes / o.rounds))} quiet and ${count(Math.round(o.probes / o.rounds))} loaded requests`,
      ],
      server: env.server,
    };
  });
}
