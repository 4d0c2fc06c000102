import { randomBytes } from 'node:crypto';
import type { InboundMessage } from '@guichet/contracts';
import { Client } from 'pg';
import { ensureDatabase } from '../src/database/embedded-postgres';
import { IngestService } from '../src/modules/ingest/ingest.service';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { createChannel, createOrganization, createTeams } from './lib/fixtures';
import { cpuMark, cpuSince, type CpuUse } from './lib/cpu';
import type { BenchResult } from './lib/report';
import { countStatements } from './lib/statement-count';
import { count, ms, perSecond, seconds, summarize } from './lib/stats';
import { nowMs, runPool } from './lib/timing';

export interface IngestBenchOptions {
  /** Measured messages, after the warm-up. */
  messages: number;
  warmup: number;
  /** Returning SMS citizens: each sends one message during the warm-up, then comes back. */
  returningCitizens: number;
  rawInserts: number;
  /** Extra messages ingested afterwards, unmeasured, to count the SQL statements per ingest(). */
  statementProbe: number;
  concurrency: number;
  target: number;
  deadlineMs: number;
}

export const INGEST_DEFAULTS: IngestBenchOptions = {
  messages: 5_000,
  warmup: 500,
  returningCitizens: 300,
  rawInserts: 20_000,
  statementProbe: 100,
  concurrency: 8,
  target: 0.25,
  deadlineMs: 10 * 60_000,
};

const EMAIL_TEXT =
  "Bonjour, je souhaiterais obtenir une copie intégrale de mon acte de naissance pour un dossier de mariage. " +
  'Je suis né à Banc-sur-Essai. Pouvez-vous me dire quelles pièces joindre et sous quel délai ? Merci, cordialement.';
const SMS_TEXT = "Bonjour, c'est encore moi : le dossier est-il complet ? Je peux passer demain matin à l'accueil.";

interface Town {
  organizationId: string;
  emailChannelId: string;
  smsChannelId: string;
}

async function createTown(env: BenchEnv): Promise<Town> {
  const organizationId = await createOrganization(env.db);
  const [teamId] = await createTeams(env.db, organizationId, ['État civil']);
  return {
    organizationId,
    emailChannelId: await createChannel(env.db, organizationId, teamId!, 'email'),
    smsChannelId: await createChannel(env.db, organizationId, teamId!, 'sms'),
  };
}

/** Valid French mobile numbers, one per returning citizen. */
const phoneOf = (citizen: number) => `+3361${String(2_000_000 + citizen).padStart(7, '0')}`;

const isNewCitizen = (i: number) => i % 10 >= 3;

/**
 * The mix: 7 messages in 10 from a new citizen by e-mail (new contact, new conversation),
 * 3 in 10 by SMS from a returning citizen, threaded into their latest open conversation.
 */
function mixedMessage(town: Town, tag: string, returningCitizens: number, i: number): InboundMessage {
  if (!isNewCitizen(i)) return smsMessage(town, tag, (i * 7919) % returningCitizens, `m${i}`);
  return {
    channelId: town.emailChannelId,
    externalId: `<${tag}.${i}@mail.exemple.fr>`,
    from: { kind: 'email', value: `citoyen.${tag}.${i}@exemple.fr`, name: `Citoyen ${i}` },
    subject: "Demande d'acte de naissance",
    text: EMAIL_TEXT,
  };
}

function smsMessage(town: Town, tag: string, citizen: number, id: string): InboundMessage {
  return {
    channelId: town.smsChannelId,
    externalId: `SM${tag}${id}`,
    from: { kind: 'phone', value: phoneOf(citizen) },
    text: SMS_TEXT,
    thread: { latestOpen: true },
  };
}

interface Rate {
  perSecond: number;
  elapsedMs: number;
  latencies: number[];
  cpu: CpuUse;
}

/** Runs `call(i)` `total` times on `concurrency` callers; the first `warmup` calls are not measured. */
async function measureRate(
  o: IngestBenchOptions,
  warmup: number,
  total: number,
  call: (i: number) => Promise<void>,
): Promise<Rate> {
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

/** Baseline: autocommit single-row INSERTs into a plain table, one connection per caller. */
async function rawInsertRate(env: BenchEnv, o: IngestBenchOptions): Promise<Rate> {
  await ensureDatabase(env.pg.url('postgres'), 'bench_raw');
  const clients = Array.from({ length: o.concurrency }, () => new Client({ connectionString: env.pg.url('bench_raw') }));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    await clients[0]!.query(`CREATE TABLE raw_message (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source text NOT NULL, body text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now())`);
    // A free list of connections: each caller holds one for the duration of its INSERT, like a pool.
    const free = [...clients];
    return await measureRate(o, Math.min(o.warmup, o.rawInserts), o.rawInserts, async (i) => {
      const client = free.pop();
      if (!client) throw new Error('more callers than connections');
      try {
        await client.query(`INSERT INTO raw_message (source, body) VALUES ($1, $2)`, [`citoyen.${i}@exemple.fr`, EMAIL_TEXT]);
      } finally {
        free.push(client);
      }
    });
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

async function expectCounts(env: BenchEnv, town: Town, expected: Record<'contact' | 'conversation' | 'message', number>): Promise<string> {
  const { rows } = await env.db.query<{ contact: number; conversation: number; message: number }>(
    `SELECT (SELECT count(*)::int FROM contact WHERE organization_id = $1) AS contact,
            (SELECT count(*)::int FROM conversation WHERE organization_id = $1) AS conversation,
            (SELECT count(*)::int FROM message WHERE organization_id = $1) AS message`,
    [town.organizationId],
  );
  const got = rows[0]!;
  const wrong = (Object.keys(expected) as (keyof typeof expected)[]).filter((k) => got[k] !== expected[k]);
  if (wrong.length) throw new Error(`ingest produced ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
  return `checked after the run: ${count(got.contact)} contacts, ${count(got.conversation)} conversations, ${count(got.message)} messages (threading as expected)`;
}

export async function benchIngest(o: IngestBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(log, async (env) => {
    const town = await createTown(env);
    const ingest = env.app.app.get(IngestService);
    const tag = randomBytes(3).toString('hex');

    // Every returning citizen's first SMS opens the conversation later messages thread into.
    await runPool(o.returningCitizens, o.concurrency, o.deadlineMs, async (c) => {
      await ingest.ingest(smsMessage(town, tag, c, `first${c}`));
    });
    let newConversations = 0;
    const ingestOne = async (i: number) => {
      const r = await ingest.ingest(mixedMessage(town, tag, o.returningCitizens, i));
      if (!r.created) throw new Error(`message ${i} was treated as a duplicate`);
      if (r.newConversation) newConversations++;
    };
    log(`ingest: ${o.warmup} warm-up + ${o.messages} measured messages, ${o.concurrency} callers`);
    const project = await measureRate(o, o.warmup, o.messages, ingestOne);
    const measured = o.warmup + o.messages;
    const statements = await countStatements(async () => {
      await runPool(o.statementProbe, o.concurrency, o.deadlineMs, (i) => ingestOne(measured + i));
    });
    const total = measured + o.statementProbe;
    const emails = Array.from({ length: total }, (_, i) => i).filter(isNewCitizen).length;
    if (newConversations !== emails) throw new Error(`${newConversations} new conversations for ${emails} new citizens`);
    const check = await expectCounts(env, town, {
      contact: o.returningCitizens + emails,
      conversation: o.returningCitizens + emails,
      message: o.returningCitizens + total,
    });

    log(`raw baseline: ${o.rawInserts} INSERT commits, ${o.concurrency} connections`);
    const raw = await rawInsertRate(env, o);
    const ratio = project.perSecond / raw.perSecond;
    const p = summarize(project.latencies);
    const b = summarize(raw.latencies);
    return {
      id: 'ingest',
      title: `Ingest throughput (${o.concurrency} concurrent callers)`,
      projectLabel: 'IngestService.ingest()',
      baselineLabel: 'raw single-row INSERT commit',
      rows: [
        { metric: 'operations measured', project: count(o.messages), baseline: count(o.rawInserts) },
        { metric: 'elapsed', project: seconds(project.elapsedMs), baseline: seconds(raw.elapsedMs) },
        { metric: 'throughput', project: perSecond(project.perSecond), baseline: perSecond(raw.perSecond) },
        { metric: 'latency per call p50', project: ms(p.p50), baseline: ms(b.p50) },
        { metric: 'latency per call p99', project: ms(p.p99), baseline: ms(b.p99) },
        {
          metric: 'machine CPU busy (all cores)',
          project: `${project.cpu.machineBusyPercent.toFixed(0)} %`,
          baseline: `${raw.cpu.machineBusyPercent.toFixed(0)} %`,
        },
        {
          metric: 'bench process CPU per operation',
          project: ms(project.cpu.processMs / o.messages),
          baseline: ms(raw.cpu.processMs / o.rawInserts),
        },
      ],
      target: `ingest ≥ ${(o.target * 100).toFixed(0)} % of raw INSERT commits/s`,
      measured: `${(ratio * 100).toFixed(1)} % (${perSecond(project.perSecond)} vs ${perSecond(raw.perSecond)})`,
      pass: ratio >= o.target,
      notes: [
        `mix: 70 % new citizens by e-mail (new contact + conversation), 30 % returning SMS citizens (${o.returningCitizens}) threaded with latestOpen; ${o.warmup} warm-up messages first`,
        check,
        `${(statements.total / o.statementProbe).toFixed(1)} SQL statements per ingest() (counted on ${o.statementProbe} more messages of the same mix): ${statements.byKind
          .map(([kind, n]) => `${kind} ×${(n / o.statementProbe).toFixed(2)}`)
          .join(', ')}`,
        'raw baseline: autocommit INSERT of (source, body) into a table with a bigint identity key, in another database of the same server',
      ],
      server: env.server,
    };
  });
}
