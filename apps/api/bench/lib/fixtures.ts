import { randomBytes, randomUUID } from 'node:crypto';
import type { AgentRole, ChannelKind } from '@guichet/contracts';
import { tokenHash } from '../../src/modules/auth/auth.repository';
import type { Sql } from './env';

/** Rows inserted with SQL, like apps/api/test/harness.ts does, but in bulk. */

/** The municipal services of a town hall, as the benches create them. */
export const MUNICIPAL_SERVICES = [
  'État civil',
  'Scolarité',
  'Action sociale',
  'Services techniques',
  'Développement économique',
  'Vie culturelle',
  'Vie sportive',
] as const;

const suffix = () => randomBytes(4).toString('hex');

export async function createOrganization(db: Sql, name = 'Ville de Banc-sur-Essai'): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`INSERT INTO organization (slug, name) VALUES ($1, $2) RETURNING id`, [
    `bench-${suffix()}`,
    name,
  ]);
  return rows[0]!.id;
}

/** One team per name, in the order given. */
export async function createTeams(db: Sql, organizationId: string, names: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO team (organization_id, slug, name)
     SELECT $1, 'service-' || i || '-' || $3, name FROM unnest($2::text[]) WITH ORDINALITY AS t(name, i)
     ORDER BY i RETURNING id`,
    [organizationId, names, suffix()],
  );
  return rows.map((r) => r.id);
}

export async function createChannel(db: Sql, organizationId: string, teamId: string, kind: ChannelKind): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO channel (id, organization_id, team_id, kind, name) VALUES ($1, $2, $3, $4, $5)`, [
    id,
    organizationId,
    teamId,
    kind,
    `Canal ${kind}`,
  ]);
  return id;
}

export interface BenchAgent {
  id: string;
  token: string;
}

/**
 * `count` active agents with a session each (bearer token valid for 12 hours). Their password
 * hash is not a scrypt string: nobody can log in as them, only use the session.
 */
export async function createAgents(
  db: Sql,
  o: { organizationId: string; role: AgentRole; teamIds: readonly string[]; count: number },
): Promise<BenchAgent[]> {
  const agents = Array.from({ length: o.count }, () => ({ id: randomUUID(), token: randomBytes(32).toString('base64url') }));
  const ids = agents.map((a) => a.id);
  const tag = suffix();
  await db.query(
    `INSERT INTO agent (id, organization_id, email, name, role, password_hash)
     SELECT id, $2, 'bench-' || $3 || '-' || i || '@bench.guichet.test', 'Agent ' || i, $4, '!'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, i)`,
    [ids, o.organizationId, tag, o.role],
  );
  await db.query(
    `INSERT INTO agent_team (agent_id, team_id) SELECT a, t FROM unnest($1::uuid[]) a CROSS JOIN unnest($2::uuid[]) t`,
    [ids, o.teamIds],
  );
  await db.query(
    `INSERT INTO agent_session (token_hash, agent_id, expires_at)
     SELECT h, a, now() + interval '12 hours' FROM unnest($1::bytea[], $2::uuid[]) AS t(h, a)`,
    [agents.map((a) => tokenHash(a.token)), ids],
  );
  return agents;
}
