import { Injectable } from '@nestjs/common';
import type { CreateAdministrationInput, ExternalAdministrationDto, UpdateAdministrationInput } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

const COLUMNS = `id, kind, name, email, address, phone, website`;

/** The directory of external administrations of each town (migration ExternalAdministrations1765074000000). */
@Injectable()
export class AdministrationRepository {
  constructor(private readonly db: Database) {}

  list(organizationId: string, m?: EntityManager): Promise<ExternalAdministrationDto[]> {
    return this.db.query<ExternalAdministrationDto>(
      `SELECT ${COLUMNS} FROM external_administration WHERE organization_id = $1 ORDER BY lower(name), id`,
      [organizationId],
      m,
    );
  }

  async find(m: EntityManager, organizationId: string, id: string): Promise<ExternalAdministrationDto | null> {
    const [row] = await this.db.query<ExternalAdministrationDto>(
      `SELECT ${COLUMNS} FROM external_administration WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
      m,
    );
    return row ?? null;
  }

  /** The new entry, or null when the town already has one of that name. */
  async insert(
    m: EntityManager,
    organizationId: string,
    a: CreateAdministrationInput,
  ): Promise<ExternalAdministrationDto | null> {
    const [row] = await this.db.query<ExternalAdministrationDto>(
      `INSERT INTO external_administration (organization_id, kind, name, email, address, phone, website)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (organization_id, lower(name)) DO NOTHING RETURNING ${COLUMNS}`,
      [organizationId, a.kind, a.name, a.email, a.address ?? null, a.phone ?? null, a.website ?? null],
      m,
    );
    return row ?? null;
  }

  /** The entry as changed and as it was; null if not found; 'duplicate' when the name is another's. */
  async update(
    m: EntityManager,
    organizationId: string,
    id: string,
    c: UpdateAdministrationInput,
  ): Promise<{ before: ExternalAdministrationDto; after: ExternalAdministrationDto } | null | 'duplicate'> {
    const before = await this.db.query<ExternalAdministrationDto>(
      `SELECT ${COLUMNS} FROM external_administration WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [organizationId, id],
      m,
    );
    if (!before[0]) return null;
    if (c.name !== undefined) {
      const [taken] = await this.db.query(
        `SELECT 1 FROM external_administration WHERE organization_id = $1 AND lower(name) = lower($2) AND id <> $3`,
        [organizationId, c.name, id],
        m,
      );
      if (taken) return 'duplicate';
    }
    // A nullable field given as null (or empty) is cleared; one left out is kept.
    const [after] = await this.db.query<ExternalAdministrationDto>(
      `UPDATE external_administration SET
         kind = coalesce($3, kind), name = coalesce($4, name), email = coalesce($5, email),
         address = CASE WHEN $6 THEN $7 ELSE address END,
         phone = CASE WHEN $8 THEN $9 ELSE phone END,
         website = CASE WHEN $10 THEN $11 ELSE website END,
         updated_at = now()
        WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [
        organizationId,
        id,
        c.kind ?? null,
        c.name ?? null,
        c.email ?? null,
        c.address !== undefined,
        c.address ?? null,
        c.phone !== undefined,
        c.phone ?? null,
        c.website !== undefined,
        c.website ?? null,
      ],
      m,
    );
    return { before: before[0], after: after! };
  }

  /** The entry removed (the transfers made to it keep its name and e-mail); null if not found. */
  async delete(m: EntityManager, organizationId: string, id: string): Promise<ExternalAdministrationDto | null> {
    const [row] = await this.db.query<ExternalAdministrationDto>(
      `DELETE FROM external_administration WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [organizationId, id],
      m,
    );
    return row ?? null;
  }
}
