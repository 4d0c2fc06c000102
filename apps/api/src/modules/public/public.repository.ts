import { Injectable } from '@nestjs/common';
import { Database } from '../../common/database.service';

/** What the citizen pages read of a town hall: its name and its services (teams). */
@Injectable()
export class PublicRepository {
  constructor(private readonly db: Database) {}

  async organizationBySlug(slug: string): Promise<{ id: string; name: string; slug: string } | undefined> {
    const [org] = await this.db.query<{ id: string; name: string; slug: string }>(
      `SELECT id, name, slug FROM organization WHERE slug = $1`,
      [slug],
    );
    return org;
  }

  teams(organizationId: string): Promise<{ id: string; name: string }[]> {
    return this.db.query<{ id: string; name: string }>(
      `SELECT id, name FROM team WHERE organization_id = $1 AND archived_at IS NULL ORDER BY name`,
      [organizationId],
    );
  }

  /** A service that may receive new requests: this town's, not archived. */
  async teamExists(organizationId: string, teamId: string): Promise<boolean> {
    const [team] = await this.db.query(`SELECT id FROM team WHERE organization_id = $1 AND id = $2 AND archived_at IS NULL`, [
      organizationId,
      teamId,
    ]);
    return Boolean(team);
  }

  async teamName(teamId: string): Promise<string | undefined> {
    const [team] = await this.db.query<{ name: string }>(`SELECT name FROM team WHERE id = $1`, [teamId]);
    return team?.name;
  }
}
