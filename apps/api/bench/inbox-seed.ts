import { REFERENCE_ALPHABET } from '@guichet/contracts';
import type { PoolClient } from 'pg';
import type { BenchEnv, Log } from './lib/env';
import { createAgents, createOrganization, createTeams } from './lib/fixtures';
import { count, seconds } from './lib/stats';
import { nowMs } from './lib/timing';

export interface InboxScale {
  conversations: number;
  /** A multiple of `conversations`: each gets between 1 and 2r-1 messages, r on average. */
  messages: number;
  contacts: number;
  agentsPerTeam: number;
}

export interface SeededTown {
  organizationId: string;
  teamIds: string[];
  /** `agentsPerTeam` agents of each team, in team order. */
  agentIds: string[];
  supervisorToken: string;
  /** A session of the first agent of the first team (a plain agent: searches with the visibility rule). */
  agentToken: string;
  /** The smallest and largest share of open conversations among the teams. */
  openShare: [number, number];
  steps: { step: string; ms: number }[];
  totalMs: number;
}

const TEAMS = ['État civil', 'Urbanisme', 'Scolarité', 'Voirie et propreté', 'Action sociale', 'Élections', 'Accueil'];
const CHANNEL_KINDS = ['email', 'sms', 'webform'];
const FIRST_NAMES = [
  'Marie',
  'Jean',
  'Camille',
  'Louis',
  'Léa',
  'Hugo',
  'Chloé',
  'Lucas',
  'Manon',
  'Nathan',
  'Inès',
  'Paul',
  'Sarah',
  'Jules',
  'Emma',
  'Gabriel',
  'Zoé',
  'Arthur',
  'Lina',
  'Raphaël',
];
const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefèvre',
  'Michel',
  'Garcia',
  'David',
  'Bertrand',
  'Roux',
  'Vincent',
  'Fournier',
  'Morel',
  'Girard',
  'André',
  'Lefebvre',
  'Mercier',
];
const SUBJECTS = [
  "Demande d'acte de naissance",
  'Inscription scolaire rentrée',
  'Nid-de-poule rue de la République',
  'Permis de construire : pièces manquantes',
  'Rendez-vous carte nationale d’identité',
  'Inscription sur les listes électorales',
  'Dépôt sauvage derrière le gymnase',
  'Aide au logement : suivi du dossier',
  'Réservation de la salle des fêtes',
  'Éclairage public en panne',
];
const BODIES = [
  "Bonjour, je souhaiterais obtenir une copie intégrale de mon acte de naissance. Merci d'avance.",
  'Bonjour, pouvez-vous me confirmer que le dossier est complet ? Je peux passer en mairie jeudi.',
  'Madame, Monsieur, je vous signale un nid-de-poule dangereux devant le numéro 12. Cordialement.',
  'Bonjour, votre demande a bien été enregistrée. Le service vous répondra sous cinq jours ouvrés.',
  'Merci pour votre réponse rapide, je vous envoie les justificatifs demandés dès ce soir.',
  "Bonjour, il manque l'attestation de domicile de moins de trois mois pour finaliser votre dossier.",
  'Bonjour, la salle est-elle disponible le samedi 14 ? Nous serions une cinquantaine de personnes.',
  "Le lampadaire à l'angle de la rue des Écoles ne fonctionne plus depuis lundi soir.",
];

/** `fn` timed and logged as one seeding step. */
async function step<T>(steps: SeededTown['steps'], log: Log, name: string, fn: () => Promise<T>): Promise<T> {
  const start = nowMs();
  const result = await fn();
  const ms = nowMs() - start;
  steps.push({ step: name, ms });
  log(`  seed: ${name} (${seconds(ms)})`);
  return result;
}

async function insertCount(c: PoolClient, sql: string, values: unknown[]): Promise<number> {
  const r = await c.query(sql, values);
  return r.rowCount ?? 0;
}

/** Scratch tables of the seeding (n -> contact id), dropped at the end. */
const SEED_SCHEMA = 'bench_seed';

/** References are unique: n -> (7919 n + 104729) mod 30^6 is a bijection, written in base 30. */
const REFERENCE_DIGIT = (weight: number) => `substr('${REFERENCE_ALPHABET}', (p / ${weight} % 30)::int + 1, 1)`;
if (REFERENCE_ALPHABET.length !== 30) throw new Error('the reference alphabet changed: update inbox-seed.ts');

/**
 * Conversation n (one range of n per connection): its attributes come from h, a 63-bit hash
 * of n, a different bit range for each choice. Team n % 7; status 10 % open, 3 % pending,
 * 1 % snoozed, 26 % resolved, 60 % closed; 40 % assigned to one of the team's agents; files
 * in progress active in the last 45 days, the others spread over the 3 years before; the name
 * given in the file is the citizen's (as when a citizen signs their messages); n's
 * message count varies from r - 4 to r + 4 around r = messages / conversations. 70 % carry a
 * decision date (a démarche's): two months after the file opened once it is done; for files in
 * progress, 3 % of them overdue (by up to 10 days), 5 % due within 48 hours, the others later
 * (up to 60 days): the « en retard » and « sous 48 h » views.
 */
const CONVERSATIONS_SQL = `
INSERT INTO conversation (organization_id, reference, contact_id, team_id, assignee_id, status, priority, subject,
                          snippet, last_channel_kind, unread, callback_needed, snoozed_until, created_at,
                          last_message_at, last_inbound_at, first_response_at, resolved_at, version, citizen_name,
                          decision_regime, decision_due_at)
SELECT $1, g.reference, sc.id, ($2::uuid[])[1 + g.team_k], g.assignee_id, g.status, g.priority, g.subject,
       left(($9::text[])[1 + (g.h >> 44) % cardinality($9::text[])], 160),
       ($10::text[])[1 + (g.h >> 48) % cardinality($10::text[])],
       g.status = 'open' AND (g.h >> 52) % 3 = 0, (g.h >> 54) % 50 = 0,
       CASE WHEN g.status = 'snoozed' THEN now() + interval '3 days' END,
       g.last_message_at - g.age, g.last_message_at, g.last_message_at,
       CASE WHEN g.messages > 1 THEN g.last_message_at - g.age / 2 END,
       CASE WHEN g.status IN ('resolved', 'closed') THEN g.last_message_at END,
       1 + g.messages, k.name,
       CASE WHEN g.dated THEN (ARRAY['acceptance', 'rejection', 'none'])[1 + (g.h >> 58) % 3] END,
       CASE WHEN NOT g.dated THEN NULL
            WHEN g.status NOT IN ('open', 'pending', 'snoozed') THEN g.last_message_at - g.age + interval '2 months'
            WHEN (g.h >> 20) % 100 < 3 THEN now() - make_interval(secs => (g.h >> 4) % (10 * 86400))
            WHEN (g.h >> 20) % 100 < 8 THEN now() + make_interval(secs => (g.h >> 4) % (48 * 3600))
            ELSE now() + interval '48 hours' + make_interval(secs => (g.h >> 4) % (58 * 86400))
       END
  FROM (
    SELECT s.*,
           CASE WHEN s.status IN ('open', 'pending', 'snoozed')
                THEN now() - make_interval(secs => (s.h >> 10) % (45 * 86400))
                ELSE now() - interval '45 days' - make_interval(secs => 1050 * 86400 * (($4 - s.n)::float8 / $4))
           END AS last_message_at,
           make_interval(secs => (s.h >> 24) % (20 * 86400)) AS age,
           CASE WHEN (s.h >> 35) % 10 < 4 THEN ($3::uuid[])[1 + s.team_k * $5 + (s.h >> 32) % $5] END AS assignee_id,
           CASE WHEN s.n < $7 THEN $6 + (s.n % (2 * $8 + 1)) - $8 ELSE $6 END AS messages,
           (s.h >> 56) % 10 < 7 AS dated
      FROM (
        SELECT n, h, n % 7 AS team_k,
               CASE WHEN h % 1000 < 100 THEN 'open' WHEN h % 1000 < 130 THEN 'pending' WHEN h % 1000 < 140 THEN 'snoozed'
                    WHEN h % 1000 < 400 THEN 'resolved' ELSE 'closed' END AS status,
               CASE (h >> 40) % 20 WHEN 0 THEN 'high' WHEN 1 THEN 'urgent' WHEN 2 THEN 'low' WHEN 3 THEN 'low' ELSE 'normal' END AS priority,
               ($9::text[])[1 + (h >> 36) % cardinality($9::text[])] AS subject,
               'GU-' || ${[30 ** 5, 30 ** 4, 30 ** 3, 30 ** 2, 30, 1].map(REFERENCE_DIGIT).join(' || ')}
                 AS reference,
               n * 7919 % $11 AS contact_n
          FROM (SELECT n, hashint8extended(n, 7) & 9223372036854775807 AS h, (n * 7919 + 104729) % ${30 ** 6} AS p
                  FROM generate_series($12::bigint, $13 - 1) AS n) x
      ) s
  ) g
  JOIN ${SEED_SCHEMA}.contact_ids sc ON sc.n = g.contact_n
  JOIN contact k ON k.id = sc.id`;

const CONTACTS_SQL = `
INSERT INTO contact (id, organization_id, name, created_at, updated_at)
SELECT s.id, $1,
       CASE WHEN s.n % 10 <> 9 THEN ($2::text[])[1 + s.n % cardinality($2::text[])] || ' ' ||
                                    ($3::text[])[1 + (s.n / cardinality($2::text[])) % cardinality($3::text[])] END,
       t.at, t.at
  FROM ${SEED_SCHEMA}.contact_ids s
 CROSS JOIN LATERAL (SELECT now() - make_interval(secs => 1100 * 86400 * (($4 - s.n)::float8 / $4)) AS at) t`;

const IDENTITIES_SQL = `
INSERT INTO contact_identity (organization_id, contact_id, kind, value)
SELECT $1::uuid, id, 'email', 'citoyen.' || n || '@exemple.fr' FROM ${SEED_SCHEMA}.contact_ids WHERE n % 10 < 7
UNION ALL
SELECT $1::uuid, id, 'phone', '+336' || lpad((10000000 + n)::text, 8, '0') FROM ${SEED_SCHEMA}.contact_ids WHERE n % 10 >= 5`;

const MESSAGES_SQL = `
INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, author_agent_id, body, status,
                     external_id, created_at)
SELECT c.organization_id, c.id, d.direction, 'message', ch.id, CASE WHEN d.direction = 'outbound' THEN c.assignee_id END,
       ($2::text[])[1 + (get_byte(uuid_send(c.id), 0) + j) % cardinality($2::text[])],
       CASE WHEN d.direction = 'inbound' THEN 'received' ELSE 'sent' END,
       CASE WHEN d.direction = 'inbound' THEN c.reference || '.' || j || '@mail.exemple.fr' END,
       c.created_at + (c.last_message_at - c.created_at) * ((j - 1)::float8 / greatest(c.version - 2, 1))
  FROM conversation c
  JOIN channel ch ON ch.team_id = c.team_id AND ch.kind = c.last_channel_kind
  CROSS JOIN LATERAL generate_series(1, c.version - 1) AS j
  CROSS JOIN LATERAL (SELECT CASE WHEN j % 2 = 1 THEN 'inbound' ELSE 'outbound' END AS direction) d
 WHERE c.organization_id = $1 AND get_byte(uuid_send(c.id), 15) % $3 = $4`;

const SEEDED_TABLES = ['contact', 'contact_identity', 'conversation', 'message'];
/** Connections loading conversations and messages at once (the machine has 2 cores). */
const SEED_PARALLEL = 2;

interface IndexDef {
  name: string;
  def: string;
}

/** Indexes of `tables` that back no constraint (primary keys, unique and foreign keys stay). */
async function plainIndexes(c: PoolClient, tables: string[]): Promise<IndexDef[]> {
  const { rows } = await c.query<IndexDef>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
      WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      ORDER BY 1`,
    [tables],
  );
  return rows;
}

/**
 * Bulk loading is faster without the secondary indexes: they are dropped, `fn` runs, and they
 * are created again from their exact definitions (pg_get_indexdef), checked afterwards.
 */
async function withIndexesRebuilt(
  c: PoolClient,
  tables: string[],
  fn: () => Promise<void>,
  timed: (name: string, work: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const before = await plainIndexes(c, tables);
  for (const ix of before) await c.query(`DROP INDEX ${ix.name}`);
  try {
    await fn();
  } finally {
    await timed(`CREATE INDEX × ${before.length} (secondary indexes, rebuilt)`, async () => {
      for (const ix of before) await c.query(ix.def);
    });
  }
  const after = await plainIndexes(c, tables);
  if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error("the rebuilt indexes differ from the migration's");
}

/** Session settings for bulk loading: none changes what is stored. */
async function bulkSession(c: PoolClient): Promise<void> {
  await c.query(`SET synchronous_commit = off`);
  await c.query(`SET maintenance_work_mem = '1GB'`);
  await c.query(`SET work_mem = '256MB'`);
}

/** Runs `work(part, client)` for each part on its own bulk-loading connection, in parallel. */
async function inParallel(env: BenchEnv, parts: number, work: (part: number, c: PoolClient) => Promise<number>): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: parts }, async (_, part) => {
      const c = await env.db.connect();
      try {
        await bulkSession(c);
        return await work(part, c);
      } finally {
        c.release();
      }
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Fewer checkpoints (and full-page writes) while loading; the default comes back before measuring. */
async function withLargeWal(c: PoolClient, fn: () => Promise<void>): Promise<void> {
  await c.query(`ALTER SYSTEM SET max_wal_size = '8GB'`);
  await c.query(`SELECT pg_reload_conf()`);
  try {
    await fn();
  } finally {
    await c.query(`ALTER SYSTEM RESET max_wal_size`);
    await c.query(`SELECT pg_reload_conf()`);
  }
}

async function createTown(c: PoolClient, scale: InboxScale) {
  const organizationId = await createOrganization(c);
  const teamIds = await createTeams(c, organizationId, TEAMS);
  const agentIds: string[] = [];
  let agentToken = '';
  for (const teamId of teamIds) {
    const agents = await createAgents(c, { organizationId, role: 'agent', teamIds: [teamId], count: scale.agentsPerTeam });
    agentIds.push(...agents.map((a) => a.id));
    agentToken ||= agents[0]!.token;
  }
  const [supervisor] = await createAgents(c, { organizationId, role: 'supervisor', teamIds: [], count: 1 });
  await c.query(
    `INSERT INTO channel (organization_id, team_id, kind, name)
     SELECT $1, t, k, 'Canal ' || k FROM unnest($2::uuid[]) t CROSS JOIN unnest($3::text[]) k`,
    [organizationId, teamIds, CHANNEL_KINDS],
  );
  return { organizationId, teamIds, agentIds, supervisorToken: supervisor!.token, agentToken };
}

/**
 * Seeds one organization at `scale` with one INSERT … SELECT per table (conversations and
 * messages split over `SEED_PARALLEL` connections), then VACUUM (ANALYZE) and CHECKPOINT.
 */
export async function seedInbox(env: BenchEnv, scale: InboxScale, log: Log): Promise<SeededTown> {
  const ratio = scale.messages / scale.conversations;
  if (!Number.isInteger(ratio) || ratio < 1) throw new Error('messages must be a whole multiple of conversations');
  const spread = Math.min(4, ratio - 1);
  const fullCycles = Math.floor(scale.conversations / (2 * spread + 1)) * (2 * spread + 1);
  const steps: SeededTown['steps'] = [];
  const timed = <T>(name: string, fn: () => Promise<T>) => step(steps, log, name, fn);
  const start = nowMs();
  const c = await env.db.connect();
  try {
    await bulkSession(c);
    const town = await createTown(c, scale);
    const counts = { identities: 0, conversations: 0, messages: 0 };
    const load = async () => {
      await timed(`${count(scale.contacts)} contacts`, async () => {
        await c.query(`CREATE SCHEMA ${SEED_SCHEMA}`);
        await c.query(
          `CREATE UNLOGGED TABLE ${SEED_SCHEMA}.contact_ids AS SELECT n, gen_random_uuid() AS id FROM generate_series(0::bigint, $1 - 1) AS n`,
          [scale.contacts],
        );
        await c.query(`ANALYZE ${SEED_SCHEMA}.contact_ids`);
        await c.query(CONTACTS_SQL, [town.organizationId, FIRST_NAMES, LAST_NAMES, scale.contacts]);
      });
      counts.identities = await timed('contact identities (70 % e-mail, 50 % phone)', () =>
        insertCount(c, IDENTITIES_SQL, [town.organizationId]),
      );
      counts.conversations = await timed(`${count(scale.conversations)} conversations`, () =>
        inParallel(env, SEED_PARALLEL, (part, pc) =>
          insertCount(pc, CONVERSATIONS_SQL, [
            town.organizationId,
            town.teamIds,
            town.agentIds,
            scale.conversations,
            scale.agentsPerTeam,
            ratio,
            fullCycles,
            spread,
            SUBJECTS,
            CHANNEL_KINDS,
            scale.contacts,
            Math.floor((part * scale.conversations) / SEED_PARALLEL),
            Math.floor(((part + 1) * scale.conversations) / SEED_PARALLEL),
          ]),
        ),
      );
      counts.messages = await timed(`${count(scale.messages)} messages`, () =>
        inParallel(env, SEED_PARALLEL, (part, pc) =>
          insertCount(pc, MESSAGES_SQL, [town.organizationId, BODIES, SEED_PARALLEL, part]),
        ),
      );
      // The message trigger wrote each conversation's search words (a second version of every
      // row): the table is rewritten compact, as a town's table grown over years would be.
      await timed('VACUUM FULL conversation (rewritten once by the message trigger)', () => c.query('VACUUM FULL conversation'));
    };
    await withLargeWal(c, () => withIndexesRebuilt(c, SEEDED_TABLES, load, timed));
    if (counts.conversations !== scale.conversations || counts.messages !== scale.messages) {
      throw new Error(`seeded ${counts.conversations} conversations and ${counts.messages} messages`);
    }
    await timed('VACUUM (ANALYZE) of the seeded tables', async () => {
      for (const t of SEEDED_TABLES) await c.query(`VACUUM (ANALYZE) ${t}`);
    });
    await timed('CHECKPOINT', () => c.query('CHECKPOINT'));
    const totalMs = nowMs() - start;
    log(`  seed: ${count(counts.identities)} identities; total ${seconds(totalMs)}`);
    const { rows } = await c.query<{ min: number; max: number }>(
      `SELECT min(share)::float8 AS min, max(share)::float8 AS max
         FROM (SELECT avg((status = 'open')::int) AS share FROM conversation WHERE organization_id = $1 GROUP BY team_id) t`,
      [town.organizationId],
    );
    const { organizationId, teamIds, agentIds, supervisorToken, agentToken } = town;
    return {
      organizationId,
      teamIds,
      agentIds,
      supervisorToken,
      agentToken,
      openShare: [rows[0]!.min, rows[0]!.max],
      steps,
      totalMs,
    };
  } finally {
    await c.query(`DROP SCHEMA IF EXISTS ${SEED_SCHEMA} CASCADE`).catch(() => undefined);
    c.release();
  }
}
