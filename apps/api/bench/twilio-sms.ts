/**
 * Inbound SMS webhooks (issue 4): signed Twilio webhooks over loopback HTTP from concurrent
 * senders, each acknowledged once stored, beside raw single-row INSERT commits in the same run.
 */
import { ChannelService } from '../src/modules/channels/channel.service';
import { IngestService } from '../src/modules/ingest/ingest.service';
import { openRawInserter, Throughput } from './ingest';
import { BatchSizes } from './lib/batch-sizes';
import { CpuMeter } from './lib/cpu';
import { withBenchEnv, type Log } from './lib/env';
import { createOrganization, createTeams } from './lib/fixtures';
import type { BenchResult } from './lib/report';
import { count, ms, perSecond, seconds, summarize } from './lib/stats';
import { rounds, runPool } from './lib/timing';
import { createSmsChannelOverApi, phoneOf } from './lib/twilio-webhooks';
import { WebhookLoad } from './lib/webhook-load';

export interface TwilioSmsBenchOptions {
  messages: number;
  warmup: number;
  /** Returning citizens: each sends a first SMS before the warm-up, then comes back (3 in 10 measured messages). */
  returningCitizens: number;
  rawInserts: number;
  /** Unmeasured direct IngestService.ingest() calls afterwards, for the CPU cost of the ingest alone. */
  directProbe: number;
  /** Concurrent senders (HTTP requests in flight), and connections of the raw baseline. */
  concurrency: number;
  rounds: number;
  /** Throughput ratio to raw INSERT commits, and p99 acknowledgement time. */
  target: number;
  p99TargetMs: number;
  deadlineMs: number;
}

export const TWILIO_SMS_DEFAULTS: TwilioSmsBenchOptions = {
  messages: 5_000,
  warmup: 500,
  returningCitizens: 300,
  rawInserts: 20_000,
  directProbe: 1_000,
  concurrency: 50,
  rounds: 5,
  target: 0.25,
  p99TargetMs: 100,
  deadlineMs: 10 * 60_000,
};

const TEXT = "Bonjour, c'est encore moi : le dossier est-il complet ? Je peux passer demain matin à l'accueil.";

export async function benchTwilioSms(o: TwilioSmsBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(log, async (env) => {
    const organizationId = await createOrganization(env.db);
    const [teamId] = await createTeams(env.db, organizationId, ['État civil']);
    const channel = await createSmsChannelOverApi(env, organizationId, teamId!);
    const load = new WebhookLoad(env, channel, o.concurrency, o.deadlineMs);
    const raw = await openRawInserter(env, o);
    // 3 in 10 from a returning citizen (threaded into their open conversation), 7 in 10 from a new one.
    const senderOf = (i: number) => (i % 10 < 3 ? phoneOf((i * 7919) % o.returningCitizens) : phoneOf(o.returningCitizens + i));
    const webhooks = (from: number, count: number) =>
      Array.from({ length: count }, (_, k) => ({
        from: senderOf(from + k),
        sid: `SM${String(from + k).padStart(32, '0')}`,
        body: TEXT,
      }));
    const project = new Throughput(o);
    const baseline = new Throughput(o, raw.insert);
    const direct = new CpuMeter();
    const batches = new BatchSizes(env);
    try {
      await load.run(
        Array.from({ length: o.returningCitizens }, (_, c) => ({
          from: phoneOf(c),
          sid: `SMfirst${String(c).padStart(27, '0')}`,
          body: TEXT,
        })),
        o.concurrency,
      );
      log(
        `sms-webhooks: ${o.warmup} warm-up + ${o.messages} signed webhooks vs ${o.rawInserts} raw INSERT commits, ${o.concurrency} concurrent senders, ${o.rounds} alternating rounds`,
      );
      await load.run(webhooks(0, o.warmup), o.concurrency);
      await baseline.warm(o.warmup, 0);
      const projectRounds = rounds(o.messages, o.rounds);
      const rawRounds = rounds(o.rawInserts, o.rounds);
      for (let r = 0; r < projectRounds.length; r++) {
        const { from, count } = projectRounds[r]!;
        await batches.start();
        await project.measureChunk(count, () => load.run(webhooks(o.warmup + from, count), o.concurrency));
        await batches.stop();
        await baseline.measure(rawRounds[r]!.count, o.warmup + rawRounds[r]!.from);
      }
    } finally {
      await load.close();
      await raw.close();
    }

    const expected = o.returningCitizens + o.warmup + o.messages;
    const stored = async () =>
      (await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM message WHERE channel_id = $1`, [channel.id])).rows[0]!
        .n;
    const afterWebhooks = await stored();
    if (afterWebhooks !== expected) throw new Error(`${afterWebhooks} messages stored, expected ${expected}`);

    // The same mix straight into IngestService (no HTTP, no signature, no secret decryption): the ingest's own CPU.
    const ingest = env.app.app.get(IngestService);
    direct.start();
    const directMs = await runPool(o.directProbe, o.concurrency, o.deadlineMs, async (k) => {
      const i = o.warmup + o.messages + k;
      const r = await ingest.ingest({
        channelId: channel.id,
        externalId: `direct-${i}`,
        from: { kind: 'phone', value: senderOf(i) },
        text: TEXT,
        thread: { latestOpen: true },
      });
      if (!r.created) throw new Error(`direct message ${i} was a duplicate`);
    });
    direct.stop();
    // What a webhook does before the ingest when its channel is not cached: ChannelService.resolve().
    const channels = env.app.app.get(ChannelService);
    const resolve = new CpuMeter();
    resolve.start();
    await runPool(o.directProbe, o.concurrency, o.deadlineMs, async () => {
      if (!(await channels.resolve(null, channel.id))) throw new Error('channel not resolved');
    });
    resolve.stop();

    const ratio = project.perSecond / baseline.perSecond;
    const p = summarize(project.latencies);
    const b = summarize(baseline.latencies);
    const webhookCpu = project.cpu.processMs / project.operations;
    const ingestCpu = direct.processMs / o.directProbe;
    const resolveCpu = resolve.processMs / o.directProbe;
    return {
      id: 'sms-webhooks',
      title: `Inbound SMS webhooks (${o.concurrency} concurrent senders)`,
      columns: ['POST /webhooks/twilio/:id/sms (signed)', 'raw single-row INSERT commit'],
      rows: [
        { metric: 'operations measured', values: [count(project.operations), count(baseline.operations)] },
        { metric: 'elapsed', values: [seconds(project.elapsedMs), seconds(baseline.elapsedMs)] },
        { metric: 'throughput', values: [perSecond(project.perSecond), perSecond(baseline.perSecond)] },
        { metric: 'acknowledgement p50', values: [ms(p.p50), ms(b.p50)] },
        { metric: 'acknowledgement p99', values: [ms(p.p99), ms(b.p99)] },
        {
          metric: 'machine CPU busy (all cores)',
          values: [project, baseline].map((t) => `${t.cpu.machineBusyPercent.toFixed(0)} %`),
        },
        { metric: 'bench process CPU per operation', values: [ms(webhookCpu), ms(baseline.cpu.processMs / baseline.operations)] },
        {
          metric: 'database server CPU per operation',
          values: [project, baseline].map((t) => ms(t.cpu.databaseMs / t.operations)),
        },
      ],
      target: `≥ ${(o.target * 100).toFixed(0)} % of raw INSERT commits/s and p99 ≤ ${o.p99TargetMs} ms`,
      measured: `${(ratio * 100).toFixed(1)} % (${perSecond(project.perSecond)} vs ${perSecond(baseline.perSecond)}), p99 ${ms(p.p99)}`,
      pass: ratio >= o.target && p.p99 <= o.p99TargetMs,
      notes: [
        `each webhook: HMAC-SHA1 signature check over the public URL, channel lookup with secret decryption, one ingest transaction, empty TwiML; 70 % new citizens, 30 % returning (${o.returningCitizens}) threaded into their open conversation; channel created by an admin over POST /api/v1/channels`,
        `${o.warmup} warm-up calls on each side, then ${o.rounds} rounds alternating webhooks and raw INSERTs; checked after the run: ${count(afterWebhooks)} messages stored, one per MessageSid`,
        `CPU: the app runs on the process's main thread and the bench's HTTP senders (Twilio's signing included) on a worker thread of the same process, since Twilio's requests come from elsewhere; a webhook costs ${ms(webhookCpu)} of process CPU (both threads), of which IngestService.ingest() alone (${count(o.directProbe)} direct calls of the same mix, ${perSecond((o.directProbe / directMs) * 1000)}) costs ${ms(ingestCpu)} and ChannelService.resolve() (a query; webhooks keep a found channel 5 s, and secrets are decrypted once per sealed value) ${ms(resolveCpu)}; the rest is HTTP on both ends, form parsing, the HMAC and TwiML`,
        batches.describe('the measured webhooks'),
        `raw baseline: autocommit INSERT of (source, body) into a table with a bigint identity key, in another database of the same server, ${o.concurrency} pg connections`,
      ],
      server: env.server,
    };
  });
}
