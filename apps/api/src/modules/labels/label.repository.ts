import { Injectable } from '@nestjs/common';
import type { LabelDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

/** Labels of the organizations and the conversations that carry them (migration Labels1764820000000). */
@Injectable()
export class LabelRepository {
  constructor(private readonly db: Database) {}

  list(organizationId: string, m?: EntityManager): Promise<LabelDto[]> {
    return this.db.query<LabelDto>(
      `SELECT id, name, color FROM label WHERE organization_id = $1 ORDER BY lower(name), id`,
      [organizationId],
      m,
    );
  }

  /** The labels among `ids` that belong to the organization. */
  async existing(m: EntityManager | undefined, organizationId: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM label WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [organizationId, ids],
      m,
    );
    return rows.map((r) => r.id);
  }

  /** The new label, or null when the organization already has one of that name. */
  async insert(m: EntityManager, organizationId: string, name: string, color: string): Promise<LabelDto | null> {
    const [row] = await this.db.query<LabelDto>(
      `INSERT INTO label (organization_id, name, color) VALUES ($1, $2, $3)
       ON CONFLICT (organization_id, lower(name)) DO NOTHING RETURNING id, name, color`,
      [organizationId, name, color],
      m,
    );
    return row ?? null;
  }

  /** The label as changed; null if not found; 'duplicate' when the name is another's. */
  async update(
    m: EntityManager,
    organizationId: string,
    id: string,
    c: { name?: string; color?: string },
  ): Promise<LabelDto | null | 'duplicate'> {
    if (c.name !== undefined) {
      const [taken] = await this.db.query(
        `SELECT 1 FROM label WHERE organization_id = $1 AND lower(name) = lower($2) AND id <> $3`,
        [organizationId, c.name, id],
        m,
      );
      if (taken) return 'duplicate';
    }
    const [row] = await this.db.query<LabelDto>(
      `UPDATE label SET name = coalesce($3, name), color = coalesce($4, color)
        WHERE organization_id = $1 AND id = $2 RETURNING id, name, color`,
      [organizationId, id, c.name ?? null, c.color ?? null],
      m,
    );
    return row ?? null;
  }

  /** Removes the label from the organization and the files that carried it (their ids). */
  async delete(m: EntityManager, organizationId: string, id: string): Promise<string[] | null> {
    const carriers = await this.db.query<{ conversation_id: string }>(
      `SELECT cl.conversation_id FROM conversation_label cl JOIN label l ON l.id = cl.label_id
        WHERE l.organization_id = $1 AND l.id = $2`,
      [organizationId, id],
      m,
    );
    const deleted = await this.db.query(
      `DELETE FROM label WHERE organization_id = $1 AND id = $2 RETURNING id`,
      [organizationId, id],
      m,
    );
    return deleted.length ? carriers.map((r) => r.conversation_id) : null;
  }

  /** The label ids a conversation carries. */
  async ofConversation(m: EntityManager, conversationId: string): Promise<string[]> {
    const rows = await this.db.query<{ label_id: string }>(
      `SELECT label_id FROM conversation_label WHERE conversation_id = $1`,
      [conversationId],
      m,
    );
    return rows.map((r) => r.label_id);
  }

  async add(m: EntityManager, conversationId: string, labelIds: string[]): Promise<void> {
    if (!labelIds.length) return;
    await this.db.query(
      `INSERT INTO conversation_label (conversation_id, label_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [conversationId, labelIds],
      m,
    );
  }

  async remove(m: EntityManager, conversationId: string, labelIds: string[]): Promise<void> {
    if (!labelIds.length) return;
    await this.db.query(
      `DELETE FROM conversation_label WHERE conversation_id = $1 AND label_id = ANY($2::uuid[])`,
      [conversationId, labelIds],
      m,
    );
  }
}
