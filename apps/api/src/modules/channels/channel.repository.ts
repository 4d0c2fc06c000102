import { Injectable } from '@nestjs/common';
import type { ChannelKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { pgJson } from '../../common/pg-text';

export interface ChannelRow {
  id: string;
  organization_id: string;
  team_id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
  secrets: string | null;
  created_at: Date;
}

const COLUMNS = 'id, organization_id, team_id, kind, name, enabled, config, secrets, created_at';

@Injectable()
export class ChannelRepository {
  constructor(private readonly db: Database) {}

  list(organizationId: string): Promise<ChannelRow[]> {
    return this.db.query<ChannelRow>(`SELECT ${COLUMNS} FROM channel WHERE organization_id = $1 ORDER BY kind, name`, [
      organizationId,
    ]);
  }

  /**
   * `organization_archived`: the platform archived the channel's town (its channels are stopped).
   * `lock`: the row locked until the caller's transaction ends (a change read, merged and written in turn).
   */
  async find(
    organizationId: string | null,
    id: string,
    manager?: EntityManager,
    lock = false,
  ): Promise<(ChannelRow & { organization_archived: boolean }) | null> {
    const [row] = await this.db.query<ChannelRow & { organization_archived: boolean }>(
      `SELECT ${COLUMNS}, (SELECT o.archived_at IS NOT NULL FROM organization o WHERE o.id = channel.organization_id) AS organization_archived
         FROM channel WHERE id = $1 AND ($2::uuid IS NULL OR organization_id = $2)${lock ? ' FOR UPDATE OF channel' : ''}`,
      [id, organizationId],
      manager,
    );
    return row ?? null;
  }

  /** The kinds of the organization's connected (enabled) channels. */
  async enabledKinds(organizationId: string): Promise<ChannelKind[]> {
    const rows = await this.db.query<{ kind: ChannelKind }>(
      `SELECT DISTINCT kind FROM channel WHERE organization_id = $1 AND enabled ORDER BY kind`,
      [organizationId],
    );
    return rows.map((r) => r.kind);
  }

  async firstOfKind(organizationId: string, kind: ChannelKind, manager?: EntityManager): Promise<ChannelRow | null> {
    const [row] = await this.db.query<ChannelRow>(
      `SELECT ${COLUMNS} FROM channel WHERE organization_id = $1 AND kind = $2 AND enabled ORDER BY created_at LIMIT 1`,
      [organizationId, kind],
      manager,
    );
    return row ?? null;
  }

  async insert(
    manager: EntityManager,
    v: {
      id: string;
      organizationId: string;
      teamId: string;
      kind: ChannelKind;
      name: string;
      config: object;
      secrets: string | null;
      /** Default true; a channel pointing at no real server yet (the demo's) starts disabled. */
      enabled?: boolean;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO channel (id, organization_id, team_id, kind, name, config, secrets, enabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [v.id, v.organizationId, v.teamId, v.kind, v.name, pgJson(v.config), v.secrets, v.enabled ?? true],
    );
  }

  async update(
    manager: EntityManager,
    id: string,
    v: { teamId: string; name: string; enabled: boolean; config: object; secrets: string | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE channel SET team_id = $2, name = $3, enabled = $4, config = $5, secrets = $6, updated_at = now() WHERE id = $1`,
      [id, v.teamId, v.name, v.enabled, pgJson(v.config), v.secrets],
    );
  }
}
