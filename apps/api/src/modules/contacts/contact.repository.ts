import { Injectable } from '@nestjs/common';
import type { IdentityDto, IdentityKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

export interface ContactRow {
  id: string;
  organization_id: string;
  name: string | null;
  created_at: Date;
}

@Injectable()
export class ContactRepository {
  constructor(private readonly db: Database) {}

  /**
   * Serializes concurrent work on one identity value inside the caller's transaction, so
   * two first messages from the same new citizen never create two contacts.
   */
  async lockIdentity(manager: EntityManager, organizationId: string, kind: IdentityKind, value: string): Promise<void> {
    // The same function guichet_ingest() locks with: one key for every path.
    await manager.query(`SELECT guichet_lock_identity($1, $2, $3)`, [organizationId, kind, value]);
  }

  async contactIdByIdentity(
    manager: EntityManager | undefined,
    organizationId: string,
    kind: IdentityKind,
    value: string,
  ): Promise<string | null> {
    const [row] = await this.db.query<{ contact_id: string }>(
      `SELECT contact_id FROM contact_identity WHERE organization_id = $1 AND kind = $2 AND value = $3`,
      [organizationId, kind, value],
      manager,
    );
    return row?.contact_id ?? null;
  }

  /**
   * The contact holding an identity, created with it (and the name) when new. Takes the identity
   * lock (held until the caller's transaction ends), so concurrent first messages make one
   * contact. An existing contact is never given the name: it was typed by someone (an agent
   * writing first) who may not know this citizen, and stays on the caller's conversation.
   */
  async resolve(
    manager: EntityManager,
    organizationId: string,
    kind: IdentityKind,
    value: string,
    name: string | null,
  ): Promise<string> {
    await this.lockIdentity(manager, organizationId, kind, value);
    const found = await this.contactIdByIdentity(manager, organizationId, kind, value);
    if (found) return found;
    return this.createWithIdentity(manager, organizationId, name?.trim().slice(0, 200) || null, kind, value);
  }

  /** A new contact with no identity yet (a letter's sender: the caller adds the typed ones). */
  async createNamed(manager: EntityManager, organizationId: string, name: string | null): Promise<string> {
    const [row] = await manager.query(`INSERT INTO contact (organization_id, name) VALUES ($1, $2) RETURNING id`, [
      organizationId,
      name,
    ]);
    return row.id;
  }

  /** A new contact with its first identity, in one statement (the caller holds the identity lock). */
  async createWithIdentity(
    manager: EntityManager,
    organizationId: string,
    name: string | null,
    kind: IdentityKind,
    value: string,
  ): Promise<string> {
    const [row] = await manager.query(
      `WITH c AS (INSERT INTO contact (organization_id, name) VALUES ($1, $2) RETURNING id)
       INSERT INTO contact_identity (organization_id, contact_id, kind, value) SELECT $1, id, $3, $4 FROM c RETURNING contact_id`,
      [organizationId, name, kind, value],
    );
    return row.contact_id;
  }

  /** Adds the identity unless it exists; answers it and the contact that holds it. */
  async addIdentity(
    manager: EntityManager | undefined,
    organizationId: string,
    contactId: string,
    kind: IdentityKind,
    value: string,
  ): Promise<{ identityId: string; contactId: string }> {
    const [row] = await this.db.query<{ id: string; contact_id: string }>(
      `WITH ins AS (
         INSERT INTO contact_identity (organization_id, contact_id, kind, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id, kind, value) DO NOTHING RETURNING id, contact_id)
       SELECT id, contact_id FROM ins
       UNION ALL SELECT id, contact_id FROM contact_identity WHERE organization_id = $1 AND kind = $3 AND value = $4
       LIMIT 1`,
      [organizationId, contactId, kind, value],
      manager,
    );
    return { identityId: row!.id, contactId: row!.contact_id };
  }

  async find(organizationId: string, id: string): Promise<ContactRow | null> {
    const [row] = await this.db.query<ContactRow>(
      `SELECT id, organization_id, name, created_at FROM contact WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    );
    return row ?? null;
  }

  identities(contactId: string, manager?: EntityManager): Promise<IdentityDto[]> {
    return this.db.query<IdentityDto>(
      `SELECT id, kind, value FROM contact_identity WHERE contact_id = $1 ORDER BY kind, created_at`,
      [contactId],
      manager,
    );
  }

  /** The contact's identities held by these conversations (what an agent who may read only them sees). */
  identitiesHeldBy(contactId: string, conversationIds: string[]): Promise<IdentityDto[]> {
    return this.db.query<IdentityDto>(
      `SELECT i.id, i.kind, i.value FROM contact_identity i
        WHERE i.contact_id = $1 AND EXISTS (SELECT 1 FROM conversation c WHERE c.id = ANY($2::uuid[]) AND i.id = ANY(c.identity_ids))
        ORDER BY i.kind, i.created_at`,
      [contactId, conversationIds],
    );
  }

  async removeIdentity(organizationId: string, contactId: string, identityId: string): Promise<boolean> {
    const rows = await this.db.query(
      `DELETE FROM contact_identity WHERE organization_id = $1 AND contact_id = $2 AND id = $3 RETURNING id`,
      [organizationId, contactId, identityId],
    );
    return rows.length > 0;
  }

  /** When this identity's provider profile (Meta Graph name and picture) was looked up, or null: looked up once. */
  async profileFetchedAt(
    organizationId: string,
    kind: IdentityKind,
    value: string,
  ): Promise<{ contactId: string; fetchedAt: Date | null } | null> {
    const [row] = await this.db.query<{ contact_id: string; profile_fetched_at: Date | null }>(
      `SELECT contact_id, profile_fetched_at FROM contact_identity WHERE organization_id = $1 AND kind = $2 AND value = $3`,
      [organizationId, kind, value],
    );
    return row ? { contactId: row.contact_id, fetchedAt: row.profile_fetched_at } : null;
  }

  /**
   * Caches a provider profile on the contact, in the caller's transaction: the name only when the
   * file has none (an agent's correction wins), the picture URL, and the lookup time on the
   * identity. Answers the contact and the identity, or null when nobody holds it.
   */
  async cacheProfile(
    manager: EntityManager,
    organizationId: string,
    kind: IdentityKind,
    value: string,
    profile: { name: string | null; avatarUrl: string | null },
  ): Promise<{ contactId: string; identityId: string } | null> {
    const [row] = await this.db.query<{ contact_id: string; identity_id: string }>(
      `WITH i AS (
         UPDATE contact_identity SET profile_fetched_at = now()
          WHERE organization_id = $1 AND kind = $2 AND value = $3 RETURNING id, contact_id)
       , u AS (
         UPDATE contact c SET name = coalesce(c.name, $4), avatar_url = coalesce($5, c.avatar_url), updated_at = now()
           FROM i WHERE c.id = i.contact_id RETURNING c.id, i.id AS identity_id)
       SELECT id AS contact_id, identity_id FROM u`,
      [organizationId, kind, value, profile.name, profile.avatarUrl],
      manager,
    );
    return row ? { contactId: row.contact_id, identityId: row.identity_id } : null;
  }

  /**
   * Opt-out (STOP) and opt-in (START) of one identity: sending on that channel is refused while
   * `opted_out_at` is set. Answers the contact holding the identity, or null.
   */
  async setOptedOut(organizationId: string, kind: IdentityKind, value: string, optedOut: boolean): Promise<string | null> {
    const [row] = await this.db.query<{ contact_id: string }>(
      `UPDATE contact_identity SET opted_out_at = CASE WHEN $4 THEN coalesce(opted_out_at, now()) ELSE NULL END
        WHERE organization_id = $1 AND kind = $2 AND value = $3 RETURNING contact_id`,
      [organizationId, kind, value, optedOut],
    );
    return row?.contact_id ?? null;
  }
}
