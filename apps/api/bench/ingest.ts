import { randomBytes } from 'node:crypto';
import type { InboundMessage } from '@guichet/contracts';
import { Client } from 'pg';
import { ensureDatabase } from '../src/database/embedded-postgres';
import { IngestService } from '../src/modules/ingest/ingest.service';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { createChannel, createOrganization, createTeams } from './lib/fixtures';
import { BatchSizes } from './lib/batch-sizes';
import { CpuMeter } from './lib/cpu';
import type { BenchResult } from './lib/report';
import { countStatements } from './lib/statement-count';
import { count, ms, perSecond, seconds, summarize } from './lib/stats';
import { nowMs, rounds, runPool, sleep } from './lib/timing';

export interface IngestBenchOptions {
  /** Measured messages, after the warm-up. */
  messages: number;
  warmup: number;
  /** Returning SMS citizens: each sends a first message before the warm-up, then comes back. */
  returningCitizens: number;
  rawInserts: number;
  /** Extra messages ingested afterwards, unmeasured, to count the SQL statements per ingest(). */
  statementProbe: number;
  /** The measured calls alternate between the app and the baseline in this many rounds. */
  rounds: number;
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
  rounds: 5,
  concurrency: 8,
  target: 0.25,
  deadlineMs: 10 * 60_000,
};

export const EMAIL_TEXT =
  'Bonjour, je souhaiterais obtenir une copie intégrale de mon acte de naissance pour un dossier de mariage. ' +
  'Je suis né à Banc-sur-Essai. Pouvez-vous me dire quelles pièces joindre et sous quel délai ? Merci, cordialement.';
export const SMS_TEXT = "Bonjour, c'est encore moi : le dossier est-il complet ? Je peux passer demain matin à l'accueil.";

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
export const phoneOf = (citizen: number) => `+3361${String(2_000_000 + citizen).padStart(7, '0')}`;

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

/** What Throughput and the raw inserter need from a bench's options. */
export type PoolOptions = Pick<IngestBenchOptions, 'concurrency' | 'deadlineMs'>;

/** Calls measured in chunks; elapsed time, latencies and CPU add up over the chunks. */
export class Throughput {
  readonly latencies: number[] = [];
  readonly cpu = new CpuMeter();
  elapsedMs = 0;
  operations = 0;

  constructor(
    private readonly o: PoolOptions,
    private readonly call: (i: number) => Promise<void> = () => Promise.reject(new Error('no call: use measureChunk()')),
  ) {}

  /** Unmeasured calls. */
  async warm(count: number, offset: number): Promise<void> {
    await runPool(count, this.o.concurrency, this.o.deadlineMs, (i) => this.call(offset + i));
  }

  async measure(count: number, offset: number): Promise<void> {
    await this.measureChunk(count, async () => {
      const latencies: number[] = [];
      const elapsedMs = await runPool(count, this.o.concurrency, this.o.deadlineMs, async (i) => {
        const start = nowMs();
        await this.call(offset + i);
        latencies.push(nowMs() - start);
      });
      return { latencies, elapsedMs };
    });
  }

  /** `count` operations timed by `run` itself (e.g. on a worker thread). */
  async measureChunk(count: number, run: () => Promise<{ latencies: number[]; elapsedMs: number }>): Promise<void> {
    this.cpu.start();
    const r = await run();
    this.cpu.stop();
    this.latencies.push(...r.latencies);
    this.elapsedMs += r.elapsedMs;
    this.operations += count;
  }

  get perSecond(): number {
    return (this.operations / this.elapsedMs) * 1000;
  }
}

/**
 * Baseline: autocommit single-row INSERTs into a plain table, one connection per caller, in
 * another database of the same server.
 */
export async function openRawInserter(
  env: BenchEnv,
  o: PoolOptions,
): Promise<{ insert(i: number): Promise<void>; close(): Promise<void> }> {
  await ensureDatabase(env.pg.url('postgres'), 'bench_raw');
  const clients = Array.from({ length: o.concurrency }, () => new Client({ connectionString: env.pg.url('bench_raw') }));
  const close = () => Promise.all(clients.map((c) => c.end().catch(() => undefined))).then(() => undefined);
  try {
    await Promise.all(clients.map((c) => c.connect()));
    await clients[0]!.query(`CREATE TABLE raw_message (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source text NOT NULL, body text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now())`);
  } catch (e) {
    await close();
    throw e;
  }
  // A free list of connections: each caller holds one for the duration of its INSERT, like a pool.
  const free = [...clients];
  const insert = async (i: number) => {
    const client = free.pop();
    if (!client) throw new Error('more callers than connections');
    try {
      await client.query(`INSERT INTO raw_message (source, body) VALUES ($1, $2)`, [`citoyen.${i}@exemple.fr`, EMAIL_TEXT]);
    } finally {
      free.push(client);
    }
  };
  return { insert, close };
}

async function expectCounts(
  env: BenchEnv,
  town: Town,
  expected: Record<'contact' | 'conversation' | 'message', number>,
): Promise<string> {
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

/**
 * The conversation table's UPDATE statistics once they include `expected` updates (backends
 * report them when idle, within seconds): how many were HOT (no index entries written).
 */
async function conversationUpdates(env: BenchEnv, expected: number): Promise<string> {
  const read = async () =>
    (
      await env.db.query<{ upd: string; hot: string; indexes: number; with_lma: number }>(
        `SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot,
                (SELECT count(*)::int FROM pg_index WHERE indrelid = 'conversation'::regclass) AS indexes,
                (SELECT count(*)::int FROM pg_index i WHERE indrelid = 'conversation'::regclass
                   AND pg_get_indexdef(i.indexrelid) LIKE '%last_message_at%') AS with_lma
           FROM pg_stat_user_tables WHERE relid = 'conversation'::regclass`,
      )
    ).rows[0]!;
  let row = await read();
  for (let i = 0; i < 60 && Number(row.upd) < expected; i++) {
    await sleep(500);
    row = await read();
  }
  const upd = Number(row.upd);
  const hot = Number(row.hot);
  return (
    `conversation UPDATEs ${count(upd)}, ${count(hot)} of them HOT: a returning citizen's message moves last_message_at, which ` +
    `${row.with_lma} of the table's ${row.indexes} indexes contain, so the new row version gets an entry in all ${row.indexes}`
  );
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
    const raw = await openRawInserter(env, o);
    const project = new Throughput(o, ingestOne);
    const baseline = new Throughput(o, raw.insert);
    const batches = new BatchSizes(env);
    try {
      log(
        `ingest: ${o.warmup} warm-up + ${o.messages} measured messages vs ${o.rawInserts} raw INSERT commits, ${o.concurrency} callers, ${o.rounds} alternating rounds`,
      );
      await project.warm(o.warmup, 0);
      await baseline.warm(o.warmup, 0);
      const projectRounds = rounds(o.messages, o.rounds);
      const rawRounds = rounds(o.rawInserts, o.rounds);
      for (let r = 0; r < o.rounds; r++) {
        await batches.start();
        await project.measure(projectRounds[r]!.count, o.warmup + projectRounds[r]!.from);
        await batches.stop();
        await baseline.measure(rawRounds[r]!.count, o.warmup + rawRounds[r]!.from);
      }
    } finally {
      await raw.close();
    }

    const measured = o.warmup + o.messages;
    const statements = await countStatements(() => project.warm(o.statementProbe, measured));
    const total = measured + o.statementProbe;
    const emails = Array.from({ length: total }, (_, i) => i).filter(isNewCitizen).length;
    if (newConversations !== emails) throw new Error(`${newConversations} new conversations for ${emails} new citizens`);
    const check = await expectCounts(env, town, {
      contact: o.returningCitizens + emails,
      conversation: o.returningCitizens + emails,
      message: o.returningCitizens + total,
    });
    const updates = await conversationUpdates(env, o.returningCitizens + total);

    const ratio = project.perSecond / baseline.perSecond;
    const p = summarize(project.latencies);
    const b = summarize(baseline.latencies);
    return {
      id: 'ingest',
      title: `Ingest throughput (${o.concurrency} concurrent callers)`,
      columns: ['IngestService.ingest()', 'raw single-row INSERT commit'],
      rows: [
        { metric: 'operations measured', values: [count(project.operations), count(baseline.operations)] },
        { metric: 'elapsed', values: [seconds(project.elapsedMs), seconds(baseline.elapsedMs)] },
        { metric: 'throughput', values: [perSecond(project.perSecond), perSecond(baseline.perSecond)] },
        { metric: 'latency per call p50', values: [ms(p.p50), ms(b.p50)] },
        { metric: 'latency per call p99', values: [ms(p.p99), ms(b.p99)] },
        {
          metric: 'machine CPU busy (all cores)',
          values: [project, baseline].map((t) => `${t.cpu.machineBusyPercent.toFixed(0)} %`),
        },
        { metric: 'bench process CPU per operation', values: [project, baseline].map((t) => ms(t.cpu.processMs / t.operations)) },
        {
          metric: 'database server CPU per operation',
          values: [project, baseline].map((t) => ms(t.cpu.databaseMs / t.operations)),
        },
      ],
      target: `ingest ≥ ${(o.target * 100).toFixed(0)} % of raw INSERT commits/s`,
      measured: `${(ratio * 100).toFixed(1)} % (${perSecond(project.perSecond)} vs ${perSecond(baseline.perSecond)})`,
      pass: ratio >= o.target,
      notes: [
        `mix: 70 % new citizens by e-mail (new contact + conversation), 30 % returning SMS citizens (${o.returningCitizens}) threaded with latestOpen; ${o.warmup} warm-up calls on each side first, then ${o.rounds} rounds alternating the two sides so that both see the same machine load`,
        check,
        updates,
        `${(statements.total / o.statementProbe).toFixed(2)} SQL statements per ingest() (counted on ${o.statementProbe} more messages of the same mix): ${statements.byKind
          .map(([kind, n]) => `${kind} ×${(n / o.statementProbe).toFixed(2)}`)
          .join(
            ', ',
          )}; one guichet_ingest() call commits each group of concurrent messages (group commit, 2 groups in flight), ${(o.statementProbe / (statements.byKind.find(([kind]) => kind.includes('guichet_ingest'))?.[1] ?? Infinity)).toFixed(1)} messages per transaction on average here`,
        batches.describe(`the measured rounds (${o.concurrency} callers, each waiting for its answer before the next message)`),
        'raw baseline: autocommit INSERT of (source, body) into a table with a bigint identity key, in another database of the same server, 8 pg connections',
      ],
      server: env.server,
    };
  });
}
