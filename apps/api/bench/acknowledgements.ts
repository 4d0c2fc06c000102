import { randomBytes } from 'node:crypto';
import type { InboundMessage } from '@guichet/contracts';
import { IngestService } from '../src/modules/ingest/ingest.service';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { createChannel, createOrganization, createTeams } from './lib/fixtures';
import type { BenchResult } from './lib/report';
import { count, ms, perSecond, seconds, summarize } from './lib/stats';
import { rounds, sleep } from './lib/timing';
import { Throughput } from './ingest';

export interface AcknowledgementsBenchOptions {
  /** Measured requests per side, after the warm-up. */
  messages: number;
  warmup: number;
  rounds: number;
  concurrency: number;
  /** Throughput with acknowledgements on, as a share of the same run's with them off. */
  target: number;
  deadlineMs: number;
}

export const ACKNOWLEDGEMENTS_DEFAULTS: AcknowledgementsBenchOptions = {
  messages: 4_000,
  warmup: 400,
  rounds: 5,
  concurrency: 8,
  target: 0.8,
  deadlineMs: 5 * 60_000,
};

/** A town whose web form takes requests; its acknowledgements on or off (organization setting). */
async function createTown(env: BenchEnv, acknowledgements: boolean): Promise<{ organizationId: string; channelId: string }> {
  const organizationId = await createOrganization(env.db);
  await env.db.query(
    `UPDATE organization SET acknowledgements = $2, address = '1 place de la Mairie', phone = '01 23 45 67 89' WHERE id = $1`,
    [organizationId, JSON.stringify({ enabled: acknowledgements })],
  );
  const [teamId] = await createTeams(env.db, organizationId, ['État civil']);
  return { organizationId, channelId: await createChannel(env.db, organizationId, teamId!, 'webform') };
}

const request = (channelId: string, tag: string, i: number): InboundMessage => ({
  channelId,
  externalId: `webform:${tag}.${i}`,
  sender: 'typed',
  from: { kind: 'email', value: `citoyen.${tag}.${i}@exemple.fr`, name: `Citoyen ${i}` },
  subject: "Demande d'acte de naissance",
  text: 'Bonjour, je souhaiterais obtenir une copie intégrale de mon acte de naissance. Merci.',
});

/**
 * Ingest throughput of new requests (each a new citizen, a new conversation) into a town that
 * acknowledges them and into one that does not, alternated in rounds in the same run: the
 * acknowledgement (a durable job per request: a registration rendered, a message stored and
 * queued, sent on the form's channel) competes with the ingest for the same CPU and database.
 * Both towns write the outbox rows (the listener exists); only the job's work differs.
 */
export async function benchAcknowledgements(o: AcknowledgementsBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(
    log,
    async (env) => {
      const on = await createTown(env, true);
      const off = await createTown(env, false);
      const ingest = env.app.app.get(IngestService);
      const tag = randomBytes(3).toString('hex');
      const side = (town: { channelId: string }, name: string) =>
        new Throughput(o, async (i) => {
          const r = await ingest.ingest(request(town.channelId, `${tag}.${name}`, i));
          if (!r.created || !r.newConversation) throw new Error(`request ${i} did not open a conversation`);
        });
      const withAcks = side(on, 'on');
      const without = side(off, 'off');
      log(
        `acknowledgements: ${o.warmup} warm-up + ${o.messages} requests per side, ${o.concurrency} callers, ${o.rounds} rounds`,
      );
      await withAcks.warm(o.warmup, 0);
      await without.warm(o.warmup, 0);
      const chunks = rounds(o.messages, o.rounds);
      for (let r = 0; r < o.rounds; r++) {
        await without.measure(chunks[r]!.count, o.warmup + chunks[r]!.from);
        await withAcks.measure(chunks[r]!.count, o.warmup + chunks[r]!.from);
      }
      // Every request of the town that acknowledges gets its one acknowledgement; the other's none.
      const total = o.warmup + o.messages;
      const started = Date.now();
      const acks = async () =>
        (
          await env.db.query<{ kind: string; organization_id: string; n: number }>(
            `SELECT kind, organization_id, count(*)::int AS n FROM acknowledgement GROUP BY 1, 2`,
          )
        ).rows;
      let rows = await acks();
      const sent = () => rows.find((r) => r.organization_id === on.organizationId && r.kind === 'registration')?.n ?? 0;
      while (sent() < total && Date.now() - started < o.deadlineMs) {
        await sleep(500);
        rows = await acks();
      }
      const drainMs = Date.now() - started;
      const skipped = rows.find((r) => r.organization_id === off.organizationId && r.kind === 'skipped')?.n ?? 0;
      if (sent() !== total) throw new Error(`${sent()} acknowledgements for ${total} requests`);
      const ackMessages = (
        await env.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM message m JOIN conversation c ON c.id = m.conversation_id
          WHERE c.organization_id = $1 AND m.direction = 'outbound' AND m.meta->>'acknowledgement' IS NOT NULL`,
          [on.organizationId],
        )
      ).rows[0]!.n;

      const ratio = withAcks.perSecond / without.perSecond;
      const a = summarize(withAcks.latencies);
      const b = summarize(without.latencies);
      return {
        id: 'acknowledgements',
        title: `Ingest throughput with acknowledgements on and off (${o.concurrency} concurrent callers)`,
        columns: ['acknowledgements on', 'acknowledgements off'],
        rows: [
          { metric: 'requests measured', values: [count(withAcks.operations), count(without.operations)] },
          { metric: 'elapsed', values: [seconds(withAcks.elapsedMs), seconds(without.elapsedMs)] },
          { metric: 'throughput', values: [perSecond(withAcks.perSecond), perSecond(without.perSecond)] },
          { metric: 'latency per call p50', values: [ms(a.p50), ms(b.p50)] },
          { metric: 'latency per call p99', values: [ms(a.p99), ms(b.p99)] },
          {
            metric: 'machine CPU busy (all cores)',
            values: [withAcks, without].map((t) => `${t.cpu.machineBusyPercent.toFixed(0)} %`),
          },
        ],
        target: `with acknowledgements ≥ ${(o.target * 100).toFixed(0)} % of the throughput without`,
        measured: `${(ratio * 100).toFixed(1)} % (${perSecond(withAcks.perSecond)} vs ${perSecond(without.perSecond)})`,
        pass: ratio >= o.target,
        notes: [
          `new requests by the web form (a new citizen and conversation each), the two towns alternated in ${o.rounds} rounds after ${o.warmup} warm-up calls each`,
          `checked after: ${count(sent())} registrations for ${count(total)} requests in the town that acknowledges (${count(ackMessages)} acknowledgement messages), ${count(skipped)} decisions not to send in the other; the last acknowledgement was recorded ${seconds(drainMs)} after the last measured call`,
          'acknowledgements are durable jobs run after the ingest commits: part of their work may fall after the measured rounds (the drain time above)',
        ],
        server: env.server,
      };
      // The acknowledgements are jobs: this bench's app runs them.
    },
    { runJobs: true },
  );
}
