import { Injectable } from '@nestjs/common';
import type { CannedReplyDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

const COLUMNS = `id, team_id AS "teamId", title, body, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`;

/** Canned replies (migration CannedReplies1764852000000). */
@Injectable()
export class CannedReplyRepository {
  constructor(private readonly db: Database) {}

  /**
   * The organization's replies: with `teamIds`, the organization-wide ones and those of these services;
   * `q` searched (accents and case ignored) in the title and the text. By title.
   */
  list(organizationId: string, f: { teamIds?: string[]; q?: string }): Promise<CannedReplyDto[]> {
    return this.db.query<CannedReplyDto>(
      `SELECT ${COLUMNS} FROM canned_reply
        WHERE organization_id = $1
          AND ($2::uuid[] IS NULL OR team_id IS NULL OR team_id = ANY($2::uuid[]))
          AND ($3::text IS NULL OR unaccent(lower(title || ' ' || body)) LIKE '%' || unaccent(lower($3)) || '%')
        ORDER BY lower(title), id
        LIMIT 500`,
      [organizationId, f.teamIds ?? null, f.q || null],
    );
  }

  async get(organizationId: string, id: string, m?: EntityManager): Promise<CannedReplyDto | null> {
    const [row] = await this.db.query<CannedReplyDto>(
      `SELECT ${COLUMNS} FROM canned_reply WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
      m,
    );
    return row ?? null;
  }

  async count(m: EntityManager, organizationId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM canned_reply WHERE organization_id = $1`,
      [organizationId],
      m,
    );
    return row!.n;
  }

  /** Whether the service is one of the organization's. */
  async teamExists(m: EntityManager, organizationId: string, teamId: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM team WHERE organization_id = $1 AND id = $2`, [organizationId, teamId], m);
    return rows.length > 0;
  }

  async insert(
    m: EntityManager,
    organizationId: string,
    r: { teamId: string | null; title: string; body: string },
  ): Promise<CannedReplyDto> {
    const [row] = await this.db.query<CannedReplyDto>(
      `INSERT INTO canned_reply (organization_id, team_id, title, body) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [organizationId, r.teamId, r.title, r.body],
      m,
    );
    return row!;
  }

  async update(
    m: EntityManager,
    organizationId: string,
    id: string,
    c: { teamId?: string | null; title?: string; body?: string },
  ): Promise<CannedReplyDto | null> {
    const [row] = await this.db.query<CannedReplyDto>(
      `UPDATE canned_reply
          SET team_id = CASE WHEN $3 THEN $4::uuid ELSE team_id END,
              title = coalesce($5, title), body = coalesce($6, body), updated_at = now()
        WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [organizationId, id, c.teamId !== undefined, c.teamId ?? null, c.title ?? null, c.body ?? null],
      m,
    );
    return row ?? null;
  }

  async delete(m: EntityManager, organizationId: string, id: string): Promise<boolean> {
    const rows = await this.db.query(
      `DELETE FROM canned_reply WHERE organization_id = $1 AND id = $2 RETURNING id`,
      [organizationId, id],
      m,
    );
    return rows.length > 0;
  }

  /** The names a reply's variables need besides the conversation's: its service's and the commune's. */
  async teamName(organizationId: string, teamId: string): Promise<string> {
    const [row] = await this.db.query<{ name: string }>(`SELECT name FROM team WHERE organization_id = $1 AND id = $2`, [
      organizationId,
      teamId,
    ]);
    return row?.name ?? '';
  }
}
