import { Injectable } from '@nestjs/common';
import type { Closure } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

export type DeadlineStage = 'soon' | 'overdue';

export interface ClaimedWarning {
  conversation_id: string;
  stage: DeadlineStage;
  due_at: Date;
  team_id: string;
  assignee_id: string | null;
}

/** One file of a supervisor's digest. */
export interface DigestRow {
  team_id: string;
  team_name: string;
  reference: string;
  subject: string | null;
  due_at: Date;
  assignee_name: string | null;
}

/** In progress, with a due date: the rows of the partial due indexes (migration 1764770000000). */
const IN_PROGRESS = `c.due_at IS NOT NULL AND c.status IN ('open', 'pending', 'snoozed')`;
const SOON = `interval '48 hours'`;

/** What the deadline warnings read and record (deadline_warning, deadline_digest). */
@Injectable()
export class DeadlineWarningRepository {
  constructor(private readonly db: Database) {}

  /**
   * Every organization, with whether it keeps Alsace-Moselle's public holidays and its closing
   * days (the digest skips holidays and closing days).
   */
  organizationIds(): Promise<{ id: string; alsace_moselle: boolean; closures: Closure[] }[]> {
    return this.db.query(`SELECT id, alsace_moselle, closures FROM organization ORDER BY id`);
  }

  /**
   * The organization's files whose due date comes within 48 hours or has passed and whose
   * current stage was not warned of yet for that due date, earliest first, at most `limit`:
   * recorded as warned in the caller's transaction and returned. A file first seen overdue is
   * warned of once, as overdue.
   */
  claim(m: EntityManager, organizationId: string, limit: number): Promise<ClaimedWarning[]> {
    return this.db.query<ClaimedWarning>(
      `WITH due AS (
         SELECT c.id, c.due_at, c.team_id, c.assignee_id,
                CASE WHEN c.due_at < now() THEN 'overdue' ELSE 'soon' END AS stage
           FROM conversation c
          WHERE c.organization_id = $1 AND ${IN_PROGRESS} AND c.due_at < now() + ${SOON}
          ORDER BY c.due_at, c.id
       ), todo AS (
         SELECT d.* FROM due d
          WHERE NOT EXISTS (SELECT 1 FROM deadline_warning w
                             WHERE w.conversation_id = d.id AND w.due_at = d.due_at AND w.stage = d.stage)
          ORDER BY d.due_at, d.id
          LIMIT $2
       ), warned AS (
         INSERT INTO deadline_warning (conversation_id, stage, due_at)
         SELECT id, stage, due_at FROM todo
         ON CONFLICT DO NOTHING
         RETURNING conversation_id, stage, due_at
       )
       SELECT w.conversation_id, w.stage, w.due_at, t.team_id, t.assignee_id
         FROM warned w JOIN todo t ON t.id = w.conversation_id
        ORDER BY w.due_at, w.conversation_id`,
      [organizationId, limit],
      m,
    );
  }

  /**
   * Active supervisors of each of these services, by service: its members, and the supervisors
   * who belong to no service (they follow them all, as in `supervisors`).
   */
  async supervisorsOf(organizationId: string, teamIds: string[], m?: EntityManager): Promise<Map<string, string[]>> {
    const rows = await this.db.query<{ team_id: string; agent_id: string }>(
      `SELECT t.id AS team_id, a.id AS agent_id
         FROM agent a CROSS JOIN unnest($2::uuid[]) AS t(id)
        WHERE a.organization_id = $1 AND a.active AND a.role = 'supervisor'
          AND (EXISTS (SELECT 1 FROM agent_team at WHERE at.agent_id = a.id AND at.team_id = t.id)
               OR NOT EXISTS (SELECT 1 FROM agent_team at WHERE at.agent_id = a.id))
        ORDER BY t.id, a.id`,
      [organizationId, teamIds],
      m,
    );
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.team_id, [...(out.get(r.team_id) ?? []), r.agent_id]);
    return out;
  }

  /**
   * Active supervisors whose digest of `day` is due by `time` (Paris, HH:MM): they receive it, at
   * that time or earlier, and it was not looked at yet that day; with their e-mail, the time they
   * chose and the services they follow (their own, or all the organization's when they belong to none).
   */
  supervisors(
    organizationId: string,
    day: string,
    time: string,
  ): Promise<{ id: string; email: string; name: string; digest_time: string; team_ids: string[] }[]> {
    return this.db.query(
      `SELECT a.id, a.email, a.name, a.digest_time,
              coalesce(nullif(array_agg(at.team_id) FILTER (WHERE at.team_id IS NOT NULL), '{}'),
                       ARRAY(SELECT t.id FROM team t WHERE t.organization_id = $1)) AS team_ids
         FROM agent a LEFT JOIN agent_team at ON at.agent_id = a.id
        WHERE a.organization_id = $1 AND a.active AND a.role = 'supervisor' AND a.digest_enabled AND a.digest_time <= $3
          AND NOT EXISTS (SELECT 1 FROM deadline_digest d WHERE d.agent_id = a.id AND d.day = $2::date)
        GROUP BY a.id ORDER BY a.id`,
      [organizationId, day, time],
    );
  }

  /** The services' files overdue or due within 48 hours, earliest first, at most `limit`. */
  dueFiles(organizationId: string, teamIds: string[], limit: number): Promise<DigestRow[]> {
    return this.db.query<DigestRow>(
      `SELECT c.team_id, t.name AS team_name, c.reference, c.subject, c.due_at, a.name AS assignee_name
         FROM conversation c
         JOIN team t ON t.id = c.team_id
         LEFT JOIN agent a ON a.id = c.assignee_id
        WHERE c.organization_id = $1 AND c.team_id = ANY($2::uuid[]) AND ${IN_PROGRESS} AND c.due_at < now() + ${SOON}
        ORDER BY c.due_at, c.id
        LIMIT $3`,
      [organizationId, teamIds, limit],
    );
  }

  /** How many files of each service are overdue or due soon (the digest's totals). */
  dueCounts(organizationId: string, teamIds: string[]): Promise<{ team_id: string; overdue: number; soon: number }[]> {
    return this.db.query(
      `SELECT c.team_id, count(*) FILTER (WHERE c.due_at < now())::int AS overdue,
              count(*) FILTER (WHERE c.due_at >= now())::int AS soon
         FROM conversation c
        WHERE c.organization_id = $1 AND c.team_id = ANY($2::uuid[]) AND ${IN_PROGRESS} AND c.due_at < now() + ${SOON}
        GROUP BY c.team_id`,
      [organizationId, teamIds],
    );
  }

  /**
   * Marks the day's digest as done for the agent (`files` 0: nothing to list, no mail); false when
   * it already was (a job run twice, or by two instances).
   */
  async markDigest(m: EntityManager, agentId: string, day: string, files: number): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO deadline_digest (agent_id, day, files) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING agent_id`,
      [agentId, day, files],
      m,
    );
    return rows.length > 0;
  }
}
