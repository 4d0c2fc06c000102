import { Injectable } from '@nestjs/common';
import type { IdentityDto, IdentityKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database.service';

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
   * The contact holding an identity, created with it when new. Takes the identity lock (held
   * until the caller's transaction ends), so concurrent first messages make one contact; a
   * name is filled in once, when the contact has none yet.
   */
  async resolve(manager: EntityManager, organizationId: string, kind: IdentityKind, value: string, name: string | null): Promise<string> {
    await this.lockIdentity(manager, organizationId, kind, value);
    const name_ = name?.trim().slice(0, 200) || null;
    const found = await this.byIdentity(manager, organizationId, kind, value);
    if (found) {
      if (name_ && !found.name) await this.setNameIfEmpty(manager, found.id, name_);
      return found.id;
    }
    return this.createWithIdentity(manager, organizationId, name_, kind, value);
  }

  /** The contact holding an identity, with its name (to fill it in once, when still unknown). */
  async byIdentity(manager: EntityManager, organizationId: string, kind: IdentityKind, value: string): Promise<{ id: string; name: string | null } | null> {
    const [row] = await manager.query(
      `SELECT c.id, c.name FROM contact_identity i JOIN contact c ON c.id = i.contact_id
        WHERE i.organization_id = $1 AND i.kind = $2 AND i.value = $3`,
      [organizationId, kind, value],
    );
    return row ?? null;
  }

  /** A new contact with its first identity, in one statement (the caller holds the identity lock). */
  async createWithIdentity(manager: EntityManager, organizationId: string, name: string | null, kind: IdentityKind, value: string): Promise<string> {
    const [row] = await manager.query(
      `WITH c AS (INSERT INTO contact (organization_id, name) VALUES ($1, $2) RETURNING id)
       INSERT INTO contact_identity (organization_id, contact_id, kind, value) SELECT $1, id, $3, $4 FROM c RETURNING contact_id`,
      [organizationId, name, kind, value],
    );
    return row.contact_id;
  }

  /** Adds the identity unless it exists; answers the contact that holds it. */
  async addIdentity(
    manager: EntityManager | undefined,
    organizationId: string,
    contactId: string,
    kind: IdentityKind,
    value: string,
  ): Promise<string> {
    const [row] = await this.db.query<{ contact_id: string }>(
      `WITH ins AS (
         INSERT INTO contact_identity (organization_id, contact_id, kind, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id, kind, value) DO NOTHING RETURNING contact_id)
       SELECT contact_id FROM ins
       UNION ALL SELECT contact_id FROM contact_identity WHERE organization_id = $1 AND kind = $3 AND value = $4
       LIMIT 1`,
      [organizationId, contactId, kind, value],
      manager,
    );
    return row!.contact_id;
  }

  async setNameIfEmpty(manager: EntityManager, contactId: string, name: string): Promise<void> {
    await manager.query(`UPDATE contact SET name = $2, updated_at = now() WHERE id = $1 AND name IS NULL`, [contactId, name]);
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

  async removeIdentity(organizationId: string, contactId: string, identityId: string): Promise<boolean> {
    const rows = await this.db.query(
      `DELETE FROM contact_identity WHERE organization_id = $1 AND contact_id = $2 AND id = $3 RETURNING id`,
      [organizationId, contactId, identityId],
    );
    return rows.length > 0;
  }

  /** When this identity's provider profile (Meta Graph name and picture) was looked up, or null: looked up once. */
  async profileFetchedAt(organizationId: string, kind: IdentityKind, value: string): Promise<{ contactId: string; fetchedAt: Date | null } | null> {
    const [row] = await this.db.query<{ contact_id: string; profile_fetched_at: Date | null }>(
      `SELECT contact_id, profile_fetched_at FROM contact_identity WHERE organization_id = $1 AND kind = $2 AND value = $3`,
      [organizationId, kind, value],
    );
    return row ? { contactId: row.contact_id, fetchedAt: row.profile_fetched_at } : null;
  }

  /**
   * Caches a provider profile on the contact: the name only when the file has none (an agent's
   * correction wins), the picture URL, and the lookup time on the identity.
   */
  async cacheProfile(
    organizationId: string,
    kind: IdentityKind,
    value: string,
    profile: { name: string | null; avatarUrl: string | null },
  ): Promise<string | null> {
    const [row] = await this.db.query<{ contact_id: string }>(
      `WITH i AS (
         UPDATE contact_identity SET profile_fetched_at = now()
          WHERE organization_id = $1 AND kind = $2 AND value = $3 RETURNING contact_id)
       , u AS (
         UPDATE contact c SET name = coalesce(c.name, $4), avatar_url = coalesce($5, c.avatar_url), updated_at = now()
           FROM i WHERE c.id = i.contact_id RETURNING c.id)
       SELECT id AS contact_id FROM u`,
      [organizationId, kind, value, profile.name, profile.avatarUrl],
    );
    return row?.contact_id ?? null;
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
