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
  supervisorToken: string;
  steps: { step: string; ms: number }[];
  totalMs: number;
}

const TEAMS = ['État civil', 'Urbanisme', 'Scolarité', 'Voirie et propreté', 'Action sociale', 'Élections', 'Accueil'];
const CHANNEL_KINDS = ['email', 'sms', 'webform'];
const FIRST_NAMES = ['Marie', 'Jean', 'Camille', 'Louis', 'Léa', 'Hugo', 'Chloé', 'Lucas', 'Manon', 'Nathan', 'Inès', 'Paul', 'Sarah', 'Jules', 'Emma', 'Gabriel', 'Zoé', 'Arthur', 'Lina', 'Raphaël'];
const LAST_NAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Lefebvre', 'Mercier'];
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

/** References are unique: n -> (7919 n + 104729) mod 30^6 is a bijection, written in base 30. */
const REFERENCE_DIGIT = (weight: number) => `substr('${REFERENCE_ALPHABET}', (p / ${weight} % 30)::int + 1, 1)`;
if (REFERENCE_ALPHABET.length !== 30) throw new Error('the reference alphabet changed: update inbox-seed.ts');

/**
 * Conversation n's attributes derive from h = a 63-bit hash of n, bit ranges of it for each
 * choice: team n % 7, 10 % open (1 ‰ granularity per team), 40 % assigned, a recent
 * last_message_at for the files in progress and a 3-year spread for the closed ones.
 */
const CONVERSATIONS_SQL = `
INSERT INTO conversation (organization_id, reference, contact_id, team_id, assignee_id, status, priority, subject,
                          snippet, last_channel_kind, unread, callback_needed, snoozed_until, created_at,
                          last_message_at, last_inbound_at, first_response_at, resolved_at, version)
SELECT $1, g.reference, sc.id, ($2::uuid[])[1 + g.team_k], g.assignee_id, g.status, g.priority, g.subject,
       left(($9::text[])[1 + (g.h >> 44) % cardinality($9::text[])], 160),
       ($10::text[])[1 + (g.h >> 48) % cardinality($10::text[])],
       g.status = 'open' AND (g.h >> 52) % 3 = 0, (g.h >> 54) % 50 = 0,
       CASE WHEN g.status = 'snoozed' THEN now() + interval '3 days' END,
       g.last_message_at - g.age, g.last_message_at, g.last_message_at,
       CASE WHEN g.messages > 1 THEN g.last_message_at - g.age / 2 END,
       CASE WHEN g.status IN ('resolved', 'closed') THEN g.last_message_at END,
       1 + g.messages
  FROM (
    SELECT s.*,
           CASE WHEN s.status IN ('open', 'pending', 'snoozed')
                THEN now() - make_interval(secs => (s.h >> 10) % (45 * 86400))
                ELSE now() - interval '45 days' - make_interval(secs => 1050 * 86400 * (($4 - s.n)::float8 / $4))
           END AS last_message_at,
           make_interval(secs => (s.h >> 24) % (20 * 86400)) AS age,
           CASE WHEN (s.h >> 35) % 10 < 4 THEN ($3::uuid[])[1 + s.team_k * $5 + (s.h >> 32) % $5] END AS assignee_id,
           CASE WHEN s.n < $7 THEN $6 + (s.n % (2 * $8 + 1)) - $8 ELSE $6 END AS messages
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
                  FROM generate_series(0::bigint, $4 - 1) AS n) x
      ) s
  ) g
  JOIN seed_contact sc ON sc.n = g.contact_n`;

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
 WHERE c.organization_id = $1`;

const SEEDED_TABLES = ['contact', 'contact_identity', 'conversation', 'message'];

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
    await timed(`CREATE INDEX × ${before.length} (${before.map((ix) => ix.name).join(', ')})`, async () => {
      for (const ix of before) await c.query(ix.def);
    });
  }
  const after = await plainIndexes(c, tables);
  if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error('the rebuilt indexes differ from the migration\'s');
}

export async function seedInbox(env: BenchEnv, scale: InboxScale, log: Log): Promise<SeededTown> {
  const ratio = scale.messages / scale.conversations;
  if (!Number.isInteger(ratio) || ratio < 1) throw new Error('messages must be a whole multiple of conversations');
  const spread = Math.min(4, ratio - 1);
  const fullCycles = Math.floor(scale.conversations / (2 * spread + 1)) * (2 * spread + 1);
  const steps: SeededTown['steps'] = [];
  const start = nowMs();
  const c = await env.db.connect();
  try {
    await c.query(`SET synchronous_commit = off`);
    await c.query(`SET maintenance_work_mem = '1GB'`);
    await c.query(`SET work_mem = '256MB'`);

    const organizationId = await createOrganization(c);
    const teamIds = await createTeams(c, organizationId, TEAMS);
    const agentIds: string[] = [];
    for (const teamId of teamIds) {
      const agents = await createAgents(c, { organizationId, role: 'agent', teamIds: [teamId], count: scale.agentsPerTeam });
      agentIds.push(...agents.map((a) => a.id));
    }
    const [supervisor] = await createAgents(c, { organizationId, role: 'supervisor', teamIds: [], count: 1 });
    await c.query(
      `INSERT INTO channel (organization_id, team_id, kind, name)
       SELECT $1, t, k, 'Canal ' || k FROM unnest($2::uuid[]) t CROSS JOIN unnest($3::text[]) k`,
      [organizationId, teamIds, CHANNEL_KINDS],
    );

    let identities = 0;
    let conversations = 0;
    let messages = 0;
    const load = async () => {
      await step(steps, log, `${count(scale.contacts)} contacts`, async () => {
        await c.query(`CREATE TEMP TABLE seed_contact AS SELECT n, gen_random_uuid() AS id FROM generate_series(0::bigint, $1 - 1) AS n`, [
          scale.contacts,
        ]);
        await c.query(`ANALYZE seed_contact`);
        await insertCount(
          c,
          `INSERT INTO contact (id, organization_id, name, created_at, updated_at)
           SELECT s.id, $1,
                  CASE WHEN s.n % 10 <> 9 THEN ($2::text[])[1 + s.n % cardinality($2::text[])] || ' ' ||
                                               ($3::text[])[1 + (s.n / cardinality($2::text[])) % cardinality($3::text[])] END,
                  t.at, t.at
             FROM seed_contact s
             CROSS JOIN LATERAL (SELECT now() - make_interval(secs => 1100 * 86400 * (($4 - s.n)::float8 / $4)) AS at) t`,
          [organizationId, FIRST_NAMES, LAST_NAMES, scale.contacts],
        );
      });
      identities = await step(steps, log, 'contact identities (70 % e-mail, 50 % phone)', () =>
        insertCount(
          c,
          `INSERT INTO contact_identity (organization_id, contact_id, kind, value)
           SELECT $1::uuid, id, 'email', 'citoyen.' || n || '@exemple.fr' FROM seed_contact WHERE n % 10 < 7
           UNION ALL
           SELECT $1::uuid, id, 'phone', '+336' || lpad((10000000 + n)::text, 8, '0') FROM seed_contact WHERE n % 10 >= 5`,
          [organizationId],
        ),
      );
      conversations = await step(steps, log, `${count(scale.conversations)} conversations`, () =>
        insertCount(c, CONVERSATIONS_SQL, [
          organizationId,
          teamIds,
          agentIds,
          scale.conversations,
          scale.agentsPerTeam,
          ratio,
          fullCycles,
          spread,
          SUBJECTS,
          CHANNEL_KINDS,
          scale.contacts,
        ]),
      );
      messages = await step(steps, log, `${count(scale.messages)} messages`, () =>
        insertCount(c, MESSAGES_SQL, [organizationId, BODIES]),
      );
    };
    if (process.env.BENCH_SEED_KEEP_INDEXES) await load();
    else await withIndexesRebuilt(c, SEEDED_TABLES, load, (name, work) => step(steps, log, name, work));
    if (conversations !== scale.conversations || messages !== scale.messages) {
      throw new Error(`seeded ${conversations} conversations and ${messages} messages`);
    }
    await step(steps, log, 'VACUUM (ANALYZE) of the seeded tables', async () => {
      for (const t of SEEDED_TABLES) await c.query(`VACUUM (ANALYZE) ${t}`);
    });
    await step(steps, log, 'CHECKPOINT', () => c.query('CHECKPOINT'));
    log(`  seed: ${count(identities)} identities; total ${seconds(nowMs() - start)}`);
    return { organizationId, teamIds, supervisorToken: supervisor!.token, steps, totalMs: nowMs() - start };
  } finally {
    await c.query(`DROP TABLE IF EXISTS seed_contact`).catch(() => undefined);
    c.release();
  }
}
