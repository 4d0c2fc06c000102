/**
 * Inbound SMS webhooks (issue 4): signed Twilio webhooks over HTTP from concurrent senders,
 * acknowledged once stored, beside raw single-row INSERT commits in the same run.
 *
 * Not yet wired into run.ts (BenchId): `benchTwilioSms(TWILIO_SMS_DEFAULTS, log)` returns a
 * BenchResult-shaped value; standalone: `node dist/bench-build/bench/twilio-sms.js [scale]`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { twilioSignature } from '@guichet/channels';
import { Client } from 'pg';
import { ensureDatabase } from '../src/database/embedded-postgres';
import { IngestService } from '../src/modules/ingest/ingest.service';
import { encryptSecrets } from '../src/modules/channels/channel-secrets';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { createOrganization, createTeams } from './lib/fixtures';
import { cpuMark, cpuSince, type CpuUse } from './lib/cpu';
import type { BenchResult } from './lib/report';
import { count, ms, perSecond, seconds, summarize } from './lib/stats';
import { nowMs, runPool } from './lib/timing';

export interface TwilioSmsBenchOptions {
  messages: number;
  warmup: number;
  returningCitizens: number;
  rawInserts: number;
  /** Concurrent senders (HTTP requests in flight), and connections for the raw baseline. */
  concurrency: number;
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
  concurrency: 50,
  target: 0.25,
  p99TargetMs: 100,
  deadlineMs: 10 * 60_000,
};

const ACCOUNT = 'AC' + '0'.repeat(32);
const TOKEN = 'bench-auth-token-0001';
const TEXT = "Bonjour, c'est encore moi : le dossier est-il complet ? Je peux passer demain matin à l'accueil.";
const phoneOf = (n: number) => `+3361${String(2_000_000 + n).padStart(7, '0')}`;

async function createSmsChannel(env: BenchEnv, organizationId: string, teamId: string): Promise<string> {
  const id = randomUUID();
  await env.db.query(`INSERT INTO channel (id, organization_id, team_id, kind, name, config, secrets) VALUES ($1, $2, $3, 'sms', 'SMS', $4, $5)`, [
    id,
    organizationId,
    teamId,
    JSON.stringify({ accountSid: ACCOUNT, phoneNumber: '+33700000001' }),
    encryptSecrets(env.config.encryptionKey, id, { authToken: TOKEN }),
  ]);
  return id;
}

interface Rate {
  perSecond: number;
  elapsedMs: number;
  latencies: number[];
  cpu: CpuUse;
}

async function measure(o: TwilioSmsBenchOptions, warmup: number, total: number, call: (i: number) => Promise<void>): Promise<Rate> {
  await runPool(warmup, o.concurrency, o.deadlineMs, call);
  const latencies: number[] = [];
  const mark = cpuMark();
  const elapsedMs = await runPool(total, o.concurrency, o.deadlineMs, async (i) => {
    const start = nowMs();
    await call(warmup + i);
    latencies.push(nowMs() - start);
  });
  return { perSecond: (total / elapsedMs) * 1000, elapsedMs, latencies, cpu: cpuSince(mark) };
}

async function rawInsertRate(env: BenchEnv, o: TwilioSmsBenchOptions): Promise<Rate> {
  await ensureDatabase(env.pg.url('postgres'), 'bench_raw_sms');
  const clients = Array.from({ length: o.concurrency }, () => new Client({ connectionString: env.pg.url('bench_raw_sms') }));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    await clients[0]!.query(`CREATE TABLE IF NOT EXISTS raw_sms (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source text NOT NULL, body text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now())`);
    const free = [...clients];
    return await measure(o, Math.min(o.warmup, o.rawInserts), o.rawInserts, async (i) => {
      const client = free.pop()!;
      try {
        await client.query(`INSERT INTO raw_sms (source, body) VALUES ($1, $2)`, [phoneOf(i), TEXT]);
      } finally {
        free.push(client);
      }
    });
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

export async function benchTwilioSms(o: TwilioSmsBenchOptions, log: Log): Promise<Omit<BenchResult, 'id'> & { id: 'twilio-sms' }> {
  return withBenchEnv(log, async (env) => {
    const organizationId = await createOrganization(env.db);
    const [teamId] = await createTeams(env.db, organizationId, ['État civil']);
    const channelId = await createSmsChannel(env, organizationId, teamId!);
    const path = `/webhooks/twilio/${channelId}/sms`;
    const publicUrl = env.config.publicUrl + path;
    const tag = randomBytes(3).toString('hex');
    const send = async (from: string, sid: string) => {
      const params = { MessageSid: sid, AccountSid: ACCOUNT, From: from, To: '+33700000001', Body: TEXT, NumMedia: '0' };
      const res = await fetch(env.app.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, publicUrl, params) },
        body: new URLSearchParams(params).toString(),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    };
    const sid = (i: number | string) => `SM${tag}${String(i).padStart(26, '0')}`;
    // Returning citizens first open their conversation; 3 in 10 measured messages come from them.
    await runPool(o.returningCitizens, o.concurrency, o.deadlineMs, (c) => send(phoneOf(c), sid(`f${c}`)));
    const senderOf = (i: number) => (i % 10 < 3 ? phoneOf((i * 7919) % o.returningCitizens) : phoneOf(o.returningCitizens + i));
    log(`twilio-sms: ${o.warmup} warm-up + ${o.messages} measured webhooks, ${o.concurrency} concurrent senders`);
    const project = await measure(o, o.warmup, o.messages, (i) => send(senderOf(i), sid(i)));
    const { rows } = await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM message WHERE channel_id = $1`, [channelId]);
    const expected = o.returningCitizens + o.warmup + o.messages;
    const stored = expected;
    if (rows[0]!.n !== expected) throw new Error(`${rows[0]!.n} messages stored, expected ${expected}`);
    // The same messages straight into IngestService (no HTTP, no signature): the webhook's own cost.
    const ingest = env.app.app.get(IngestService);
    const direct = await measure(o, o.warmup, o.messages, async (i) => {
      const r = await ingest.ingest({
        channelId,
        externalId: sid(`d${i}`),
        from: { kind: 'phone', value: i % 10 < 3 ? phoneOf((i * 7919) % o.returningCitizens) : phoneOf(o.returningCitizens + o.warmup + o.messages + i) },
        text: TEXT,
        thread: { latestOpen: true },
      });
      if (!r.created) throw new Error(`direct message ${i} was a duplicate`);
    });
    log(`raw baseline: ${o.rawInserts} INSERT commits, ${o.concurrency} connections`);
    const raw = await rawInsertRate(env, o);
    const ratio = project.perSecond / raw.perSecond;
    const p = summarize(project.latencies);
    const b = summarize(raw.latencies);
    const d = summarize(direct.latencies);
    return {
      id: 'twilio-sms',
      title: `Inbound SMS webhooks (${o.concurrency} concurrent senders)`,
      columns: ['POST /webhooks/twilio/:id/sms (signed)', 'IngestService.ingest() direct', 'raw single-row INSERT commit'],
      rows: [
        { metric: 'operations measured', values: [count(o.messages), count(o.messages), count(o.rawInserts)] },
        { metric: 'elapsed', values: [seconds(project.elapsedMs), seconds(direct.elapsedMs), seconds(raw.elapsedMs)] },
        { metric: 'throughput', values: [perSecond(project.perSecond), perSecond(direct.perSecond), perSecond(raw.perSecond)] },
        { metric: 'acknowledgement p50', values: [ms(p.p50), ms(d.p50), ms(b.p50)] },
        { metric: 'acknowledgement p99', values: [ms(p.p99), ms(d.p99), ms(b.p99)] },
        { metric: 'machine CPU busy (all cores)', values: [project.cpu, direct.cpu, raw.cpu].map((c) => `${c.machineBusyPercent.toFixed(0)} %`) },
      ],
      target: `≥ ${(o.target * 100).toFixed(0)} % of raw INSERT commits/s and p99 ≤ ${o.p99TargetMs} ms`,
      measured: `${(ratio * 100).toFixed(1)} % (${perSecond(project.perSecond)} vs ${perSecond(raw.perSecond)}), p99 ${ms(p.p99)}`,
      pass: ratio >= o.target && p.p99 <= o.p99TargetMs,
      notes: [
        `each webhook: signature check (HMAC-SHA1), channel lookup with secret decryption, ingest in one transaction, empty TwiML; 70 % new citizens, 30 % returning (${o.returningCitizens}) threaded into their open conversation`,
        `checked after the webhook run: ${count(stored)} messages stored, one per MessageSid`,
        'raw baseline: autocommit INSERT into a table with a bigint identity key, in another database of the same server, same number of connections',
      ],
      server: env.server,
    };
  });
}

if (require.main === module) {
  const scale = Number(process.argv[2] ?? 1);
  const d = TWILIO_SMS_DEFAULTS;
  const s = (v: number, min: number) => Math.max(min, Math.round(v * scale));
  const started = nowMs();
  benchTwilioSms({ ...d, messages: s(d.messages, 200), warmup: s(d.warmup, 50), returningCitizens: s(d.returningCitizens, 30), rawInserts: s(d.rawInserts, 800) }, (m) =>
    console.log(`[${seconds(nowMs() - started).padStart(7)}] ${m}`),
  )
    .then((r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
