import { randomBytes } from 'node:crypto';
import type { InboundMessage, RoutingActions, RoutingConditions } from '@guichet/contracts';
import { IngestService } from '../src/modules/ingest/ingest.service';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { createChannel, createOrganization, createTeams } from './lib/fixtures';
import type { BenchResult } from './lib/report';
import { count, ms, perSecond, seconds, summarize } from './lib/stats';
import { nowMs, rounds, runPool, sleep } from './lib/timing';
import { Throughput } from './ingest';

export interface RoutingBenchOptions {
  /** Measured requests per side, after the warm-up. */
  messages: number;
  warmup: number;
  rounds: number;
  concurrency: number;
  /** Enabled routing rules in the town that routes. */
  rules: number;
  /** End-to-end throughput with the rules (and acknowledgements) on, as a share of each other side's. */
  target: number;
  deadlineMs: number;
}

export const ROUTING_DEFAULTS: RoutingBenchOptions = {
  messages: 1_500,
  warmup: 150,
  rounds: 5,
  concurrency: 8,
  rules: 50,
  target: 0.8,
  deadlineMs: 5 * 60_000,
};

const SERVICES = [
  'Accueil',
  'État civil',
  'Scolarité',
  'Services techniques',
  'Développement économique',
  'Vie culturelle et sportive',
  'Action sociale',
] as const;

/** What the rules look for, per service (accents and endings do not matter: guichet_fr). */
const THEMES: { service: number; words: string[] }[] = [
  { service: 1, words: ['acte de naissance', 'livret de famille', 'mariage', 'pacs'] },
  { service: 1, words: ['acte de décès', 'reconnaissance anticipée', 'changement de prénom'] },
  { service: 1, words: ['carte d’identité', 'passeport', 'recensement citoyen'] },
  { service: 2, words: ['inscription scolaire', 'école maternelle', 'dérogation'] },
  { service: 2, words: ['cantine', 'restauration scolaire', 'menu', 'allergie'] },
  { service: 2, words: ['périscolaire', 'garderie', 'centre de loisirs', 'mercredi'] },
  { service: 3, words: ['nid de poule', 'chaussée', 'trottoir abîmé'] },
  { service: 3, words: ['lampadaire', 'éclairage public', 'panne de lumière'] },
  { service: 3, words: ['dépôt sauvage', 'encombrants', 'poubelle', 'ordures'] },
  { service: 3, words: ['arbre tombé', 'élagage', 'espaces verts'] },
  { service: 3, words: ['fuite d’eau', 'égout', 'inondation'] },
  { service: 4, words: ['terrasse', 'occupation du domaine public', 'étalage'] },
  { service: 4, words: ['marché', 'commerçant ambulant', 'foodtruck'] },
  { service: 4, words: ['enseigne', 'licence de débit de boissons'] },
  { service: 5, words: ['réservation de salle', 'salle des fêtes', 'location de salle'] },
  { service: 5, words: ['gymnase', 'stade', 'créneau sportif'] },
  { service: 5, words: ['médiathèque', 'bibliothèque', 'exposition'] },
  { service: 5, words: ['association', 'subvention', 'forum des associations'] },
  { service: 6, words: ['aide facultative', 'secours', 'colis alimentaire'] },
  { service: 6, words: ['personne âgée', 'portage de repas', 'téléassistance'] },
  { service: 6, words: ['logement social', 'expulsion', 'hébergement d’urgence'] },
  { service: 6, words: ['canicule', 'registre des personnes vulnérables'] },
];

/**
 * `n` rules as an admin would write them, in order: themes of words per service (some only for a
 * channel kind, some adding a label or raising the priority), a few « citizen already known to
 * the service » rules, then variants of the themes to reach `n`.
 */
function rulesFor(
  n: number,
  teamIds: string[],
  labelIds: string[],
): { conditions: RoutingConditions; actions: RoutingActions }[] {
  const out: { conditions: RoutingConditions; actions: RoutingActions }[] = [];
  for (let i = 0; out.length < n; i++) {
    const theme = THEMES[i % THEMES.length]!;
    const teamId = teamIds[theme.service]!;
    const round = Math.floor(i / THEMES.length);
    if (round === 0) {
      out.push({
        conditions: { words: theme.words },
        actions: { teamId, ...(i % 4 === 0 ? { labelIds: [labelIds[i % labelIds.length]!] } : {}) },
      });
    } else if (round === 1 && i % 3 === 0) {
      out.push({ conditions: { knownToTeamId: teamId, words: theme.words.slice(0, 2) }, actions: { teamId, priority: 'high' } });
    } else {
      out.push({
        conditions: { channelKinds: ['sms', 'whatsapp'], words: theme.words.map((w) => `${w} urgent`) },
        actions: { teamId, priority: 'urgent' },
      });
    }
  }
  return out;
}

/**
 * The requests: a third match an early rule, a third a late one (the last theme), a third no
 * rule (they stay at the reception desk). All rules are evaluated for every request anyway.
 */
const BODIES = [
  'Bonjour, je souhaiterais obtenir une copie intégrale de mon acte de naissance pour un dossier de mariage. Merci.',
  'Bonjour, la mairie tient-elle un registre des personnes vulnérables pour la canicule ? Ma mère vit seule.',
  'Bonjour, à quelle heure la mairie est-elle ouverte le samedi matin ? Je voudrais passer déposer un courrier.',
];

interface Town {
  name: string;
  organizationId: string;
  channelId: string;
}

async function createTown(env: BenchEnv, name: string, o: { rules: number; acknowledgements: boolean }): Promise<Town> {
  const organizationId = await createOrganization(env.db);
  await env.db.query(
    `UPDATE organization SET acknowledgements = $2, address = '1 place de la Mairie', phone = '01 23 45 67 89' WHERE id = $1`,
    [organizationId, JSON.stringify({ enabled: o.acknowledgements })],
  );
  const teamIds = await createTeams(env.db, organizationId, SERVICES);
  const { rows: labels } = await env.db.query<{ id: string }>(
    `INSERT INTO label (organization_id, name, color)
     SELECT $1, name, '#1f4e79' FROM unnest(ARRAY['Urgent', 'Élu', 'Presse', 'Récurrent']) AS name RETURNING id`,
    [organizationId],
  );
  const rules = rulesFor(
    o.rules,
    teamIds,
    labels.map((l) => l.id),
  );
  if (rules.length)
    await env.db.query(
      `INSERT INTO routing_rule (organization_id, name, position, conditions, actions)
       SELECT $1, 'Règle ' || i, i, c, a FROM unnest($2::jsonb[], $3::jsonb[]) WITH ORDINALITY AS t(c, a, i)`,
      [organizationId, rules.map((r) => JSON.stringify(r.conditions)), rules.map((r) => JSON.stringify(r.actions))],
    );
  return { name, organizationId, channelId: await createChannel(env.db, organizationId, teamIds[0]!, 'webform') };
}

const request = (town: Town, tag: string, i: number): InboundMessage => ({
  channelId: town.channelId,
  externalId: `webform:${tag}.${town.name}.${i}`,
  sender: 'typed',
  from: { kind: 'email', value: `citoyen.${tag}.${town.name}.${i}@exemple.fr`, name: `Citoyen ${i}` },
  subject: 'Demande',
  text: BODIES[i % BODIES.length]!,
});

/**
 * The town's requests routed (a routing mark), acknowledged (or the decision not to) and the
 * acknowledgements sent: its jobs done.
 */
async function settled(env: BenchEnv, town: Town): Promise<{ routed: number; acknowledged: number; queued: number }> {
  const { rows } = await env.db.query<{ routed: number; acknowledged: number; queued: number }>(
    `SELECT (SELECT count(*)::int FROM conversation_routing r JOIN conversation c ON c.id = r.conversation_id
              WHERE c.organization_id = $1) AS routed,
            (SELECT count(*)::int FROM acknowledgement WHERE organization_id = $1 AND kind IN ('registration', 'skipped')) AS acknowledged,
            (SELECT count(*)::int FROM message WHERE organization_id = $1 AND direction = 'outbound' AND status IN ('queued', 'sending')) AS queued`,
    [town.organizationId],
  );
  return rows[0]!;
}

async function drain(env: BenchEnv, town: Town, total: number, deadlineMs: number): Promise<void> {
  const start = nowMs();
  for (;;) {
    const s = await settled(env, town);
    if (s.routed >= total && s.acknowledged >= total && !s.queued) return;
    if (nowMs() - start > deadlineMs)
      throw new Error(
        `${town.name}: ${s.routed} routed, ${s.acknowledged} acknowledged of ${total}, ${s.queued} to send after ${deadlineMs} ms`,
      );
    await sleep(20);
  }
}

/**
 * New requests by the web form (a new citizen and conversation each) into three towns, in the
 * same run, alternated in rounds: one with `rules` routing rules and acknowledgements on, one with
 * acknowledgements on and no rule, one with neither (the ingest as it was before issue 13). Routing
 * and acknowledgements are durable jobs after the ingest commits, so a round of a town is timed
 * from its first ingest() call until its last request is routed and acknowledged: the rules'
 * work is inside the measurement, not left to drain into the next town's round. The ingest() calls
 * alone are timed too (the jobs run meanwhile in the same process).
 */
export async function benchRouting(o: RoutingBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(
    log,
    async (env) => {
      const tag = randomBytes(3).toString('hex');
      const towns = [
        await createTown(env, 'rules', { rules: o.rules, acknowledgements: true }),
        await createTown(env, 'acks', { rules: 0, acknowledgements: true }),
        await createTown(env, 'plain', { rules: 0, acknowledgements: false }),
      ];
      const ingest = env.app.app.get(IngestService);
      const sides = towns.map((town) => {
        const call = async (i: number) => {
          const r = await ingest.ingest(request(town, tag, i));
          if (!r.created || !r.newConversation) throw new Error(`${town.name}: request ${i} did not open a conversation`);
        };
        return { town, call, endToEnd: new Throughput(o, call), ingestOnly: { elapsedMs: 0, latencies: [] as number[] } };
      });
      log(
        `routing: ${o.warmup} warm-up + ${o.messages} requests per town (${o.rules} rules / none / none and no acknowledgements), ${o.concurrency} callers, ${o.rounds} rounds`,
      );
      for (const s of sides) {
        await runPool(o.warmup, o.concurrency, o.deadlineMs, s.call);
        await drain(env, s.town, o.warmup, o.deadlineMs);
      }
      const chunks = rounds(o.messages, o.rounds);
      for (let r = 0; r < o.rounds; r++) {
        // A rotating order: no town always follows the same one.
        for (let k = 0; k < sides.length; k++) {
          const s = sides[(r + k) % sides.length]!;
          const { from, count: n } = chunks[r]!;
          await s.endToEnd.measureChunk(n, async () => {
            const latencies: number[] = [];
            const start = nowMs();
            const ingestMs = await runPool(n, o.concurrency, o.deadlineMs, async (i) => {
              const t = nowMs();
              await s.call(o.warmup + from + i);
              latencies.push(nowMs() - t);
            });
            await drain(env, s.town, o.warmup + from + n, o.deadlineMs);
            s.ingestOnly.elapsedMs += ingestMs;
            s.ingestOnly.latencies.push(...latencies);
            return { latencies, elapsedMs: nowMs() - start };
          });
        }
      }

      // What the rules did: every request routed once, by the rule its text asks for.
      const total = o.warmup + o.messages;
      const { rows: outcome } = await env.db.query<{ rule: string | null; team: string; n: number }>(
        `SELECT rr.name AS rule, t.name AS team, count(*)::int AS n
           FROM conversation c JOIN conversation_routing r ON r.conversation_id = c.id
           LEFT JOIN routing_rule rr ON rr.id = r.rule_id JOIN team t ON t.id = c.team_id
          WHERE c.organization_id = $1 GROUP BY 1, 2 ORDER BY 3 DESC`,
        [towns[0]!.organizationId],
      );
      const routed = outcome.reduce((a, x) => a + x.n, 0);
      if (routed !== total) throw new Error(`${routed} requests routed of ${total}`);
      const byRule = outcome.filter((x) => x.rule !== null);
      if (byRule.length !== 2 || byRule.some((x) => Math.abs(x.n - total / 3) > 1))
        throw new Error(`the rules did not route as expected: ${JSON.stringify(outcome)}`);

      const [rules, acks, plain] = sides;
      const e2e = sides.map((s) => s.endToEnd.perSecond);
      const vsAcks = e2e[0]! / e2e[1]!;
      const vsPlain = e2e[0]! / e2e[2]!;
      const calls = sides.map((s) => summarize(s.ingestOnly.latencies));
      const ingestRate = sides.map((s) => (s.ingestOnly.latencies.length / s.ingestOnly.elapsedMs) * 1000);
      const callsVsPlain = ingestRate[0]! / ingestRate[2]!;
      return {
        id: 'routing',
        title: `Ingest with ${o.rules} routing rules, routed and acknowledged (${o.concurrency} concurrent callers)`,
        columns: [`${o.rules} rules + acknowledgements`, 'no rule + acknowledgements', 'no rule, no acknowledgement'],
        rows: [
          { metric: 'requests measured', values: sides.map((s) => count(s.endToEnd.operations)) },
          { metric: 'elapsed, ingest to last job', values: sides.map((s) => seconds(s.endToEnd.elapsedMs)) },
          { metric: 'throughput, routed and acknowledged', values: e2e.map(perSecond) },
          { metric: 'throughput of the ingest() calls alone', values: ingestRate.map(perSecond) },
          { metric: 'ingest() p50', values: calls.map((c) => ms(c.p50)) },
          { metric: 'ingest() p99', values: calls.map((c) => ms(c.p99)) },
          {
            metric: 'database server CPU per request',
            values: sides.map((s) => ms(s.endToEnd.cpu.databaseMs / s.endToEnd.operations)),
          },
          {
            metric: 'bench process CPU per request (app + jobs)',
            values: sides.map((s) => ms(s.endToEnd.cpu.processMs / s.endToEnd.operations)),
          },
        ],
        target: `routed and acknowledged with ${o.rules} rules ≥ ${(o.target * 100).toFixed(0)} % of the same with no rule; ingest() calls with rules and acknowledgements ≥ ${(o.target * 100).toFixed(0)} % of those with neither (issue 13)`,
        measured: `${(vsAcks * 100).toFixed(1)} % (${perSecond(e2e[0]!)} vs ${perSecond(e2e[1]!)} routed and acknowledged); ingest() calls ${(callsVsPlain * 100).toFixed(1)} % (${perSecond(ingestRate[0]!)} vs ${perSecond(ingestRate[2]!)}); not a target: routed and acknowledged vs neither ${(vsPlain * 100).toFixed(1)} % (${perSecond(e2e[2]!)}), the acknowledgements' own cost`,
        pass: vsAcks >= o.target && callsVsPlain >= o.target,
        notes: [
          `new requests by the web form (a new citizen and conversation each) into three towns of 7 services, alternated in ${o.rounds} rounds in rotating order after ${o.warmup} warm-up requests each; a town's round is timed from its first ingest() call until its last request is routed and its acknowledgement decided and sent (routing and acknowledgement are durable jobs after the ingest's commit; this bench's app runs them)`,
          `the ${o.rules} rules: words or phrases of ${THEMES.length} themes (one service each, some adding a label), then « already known to the service » and SMS-only variants; every enabled rule is evaluated for every request (one SQL statement, guichet_fr text search); a third of the requests match rule 1, a third rule ${THEMES.length} (the last theme), a third none`,
          `checked after: ${count(routed)} of ${count(total)} requests routed once in the town with rules — ${outcome.map((x) => `${x.rule ?? 'no rule'} → ${x.team} ${count(x.n)}`).join(', ')}`,
          `the two towns with acknowledgements store and send one per request (${count(rules!.endToEnd.operations + acks!.endToEnd.operations)} measured); the third decides not to (a « skipped » row, no message): the ingest as before issue 13 plus its listeners' outbox rows (${count(plain!.endToEnd.operations)} measured)`,
        ],
        server: env.server,
      };
    },
    // Routing and acknowledgements are jobs: this bench's app runs them.
    { runJobs: true },
  );
}
