import { Injectable } from '@nestjs/common';
import {
  organizationLogoPath,
  type AccessibilityStatement,
  type OrganizationSettingsDto,
  type OrgMailDto,
  type PlatformAdminDto,
  type PlatformOrganizationDto,
  type UpdateOrganizationSettingsInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { byFrenchName } from '../../common/french-order';
import { NO_PASSWORD } from '../../common/password';
import { pgJson } from '../../common/pg-text';

type StoredSettings = Omit<OrganizationSettingsDto, 'holidays'>;

const SETTINGS_SELECT = `SELECT id, slug, name, address, phone, email, website, logo_url AS "logoUrl", siret,
  opening_hours AS "openingHours", closures, alsace_moselle AS "alsaceMoselle", signature, legal_footer AS "legalFooter",
  form_reply_notice AS "formReplyNotice", transfer_notice AS "transferNotice", open_data AS "openData", logo_sha256
  FROM organization`;

/** Column of each settings field (all text but the jsonb and boolean ones). */
const COLUMNS: Record<keyof UpdateOrganizationSettingsInput, string> = {
  name: 'name',
  address: 'address',
  phone: 'phone',
  email: 'email',
  website: 'website',
  logoUrl: 'logo_url',
  siret: 'siret',
  openingHours: 'opening_hours',
  closures: 'closures',
  alsaceMoselle: 'alsace_moselle',
  signature: 'signature',
  legalFooter: 'legal_footer',
  formReplyNotice: 'form_reply_notice',
  transferNotice: 'transfer_notice',
  openData: 'open_data',
};
const JSON_FIELDS = new Set(['openingHours', 'closures']);

export interface StoredMailSettings {
  settings: Record<string, unknown> & { mode: 'log' | 'smtp' };
  secret: string | null;
}

/** Organizations: first run, identity and settings, their own outgoing mail. */
@Injectable()
export class OrganizationRepository {
  constructor(private readonly db: Database) {}

  async anyExists(manager?: EntityManager): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM organization LIMIT 1`, [], manager);
    return rows.length > 0;
  }

  /**
   * Within a transaction: holds off every other first run (and organization creation) until it
   * ends, then says whether an organization exists.
   */
  async lockForFirstRun(manager: EntityManager): Promise<boolean> {
    await this.db.query(`LOCK TABLE organization IN SHARE ROW EXCLUSIVE MODE`, [], manager);
    return this.anyExists(manager);
  }

  async insert(
    manager: EntityManager,
    o: { slug: string; name: string; address?: string; phone?: string; email?: string; siret?: string },
  ): Promise<{ id: string; slug: string; name: string }> {
    const [row] = await this.db.query<{ id: string; slug: string; name: string }>(
      // A new organization acknowledges requests (CRPA L112-3) and signs replies (L111-2).
      `INSERT INTO organization (slug, name, address, phone, email, siret, acknowledgements, sign_replies)
       VALUES ($1, $2, $3, $4, $5, $6, '{"enabled": true}', true) RETURNING id, slug, name`,
      [o.slug, o.name, o.address ?? '', o.phone ?? '', o.email ?? '', o.siret ?? ''],
      manager,
    );
    return row!;
  }

  /**
   * The platform's towns (all of them, or `id`): identity, active agents, active administrators
   * with whether they accepted their invitation. Nothing about citizens or conversations.
   */
  async platformList(id?: string, manager?: EntityManager): Promise<PlatformOrganizationDto[]> {
    const rows = await this.db.query<PlatformOrganizationDto>(
      `SELECT o.id, o.name, o.slug, o.created_at AS "createdAt", o.archived_at AS "archivedAt",
              (SELECT count(*)::int FROM agent a WHERE a.organization_id = o.id AND a.active) AS "activeAgents",
              coalesce((SELECT json_agg(json_build_object('name', a.name, 'email', a.email, 'invited', a.password_hash = $1)
                                        ORDER BY a.name, a.email)
                          FROM agent a WHERE a.organization_id = o.id AND a.role = 'admin' AND a.active), '[]') AS admins
         FROM organization o
        WHERE $2::uuid IS NULL OR o.id = $2`,
      [NO_PASSWORD, id ?? null],
      manager,
    );
    return byFrenchName(rows);
  }

  /**
   * Archives (`at`) or unarchives (null) a town; false when it does not exist or is already so.
   * Its rows stay as they are: only the sign-in and the citizen pages read the mark.
   */
  async setArchived(m: EntityManager, id: string, at: Date | null, by: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE organization SET archived_at = $2, archived_by = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE $3::uuid END
        WHERE id = $1 AND (archived_at IS NULL) = ($2::timestamptz IS NOT NULL) RETURNING id`,
      [id, at, by],
      m,
    );
    return rows.length > 0;
  }

  /** The platform's administrators (active accounts), by name. */
  async platformAdmins(m?: EntityManager): Promise<PlatformAdminDto[]> {
    const rows = await this.db.query<PlatformAdminDto>(
      `SELECT a.id, a.name, a.email, json_build_object('id', o.id, 'name', o.name) AS organization
         FROM agent a JOIN organization o ON o.id = a.organization_id
        WHERE a.platform_admin AND a.active ORDER BY a.name, a.email`,
      [],
      m,
    );
    return rows;
  }

  /** The active platform administrators' ids, their rows locked in id order (two revocations wait in turn). */
  async lockPlatformAdmins(m: EntityManager): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM agent WHERE platform_admin AND active ORDER BY id FOR UPDATE`,
      [],
      m,
    );
    return rows.map((r) => r.id);
  }

  /** Grants or revokes the platform role; the agent (active) as it was, or null when there is none. */
  async setPlatformAdmin(
    m: EntityManager,
    agentId: string,
    on: boolean,
  ): Promise<{ organization_id: string; was: boolean } | null> {
    const [row] = await this.db.query<{ organization_id: string; was: boolean }>(
      `UPDATE agent a SET platform_admin = $2 FROM (SELECT id, platform_admin FROM agent WHERE id = $1 AND active FOR UPDATE) old
        WHERE a.id = old.id RETURNING a.organization_id, old.platform_admin AS was`,
      [agentId, on],
      m,
    );
    return row ?? null;
  }

  /** The active agent with this address (unique on the installation), or null. */
  async activeAgentByEmail(email: string): Promise<{ id: string } | null> {
    const [row] = await this.db.query<{ id: string }>(`SELECT id FROM agent WHERE email = $1 AND active`, [email]);
    return row ?? null;
  }

  /** Whether the agent's town is archived (false for no such agent: the grant answers 404 then). */
  async agentTownArchived(m: EntityManager, agentId: string): Promise<boolean> {
    const [row] = await this.db.query<{ archived: boolean }>(
      `SELECT o.archived_at IS NOT NULL AS archived FROM agent a JOIN organization o ON o.id = a.organization_id WHERE a.id = $1`,
      [agentId],
      m,
    );
    return row?.archived ?? false;
  }

  /** The active agents of a town (their sessions end when it is archived). */
  async activeAgentIds(m: EntityManager, id: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(`SELECT id FROM agent WHERE organization_id = $1 AND active`, [id], m);
    return rows.map((r) => r.id);
  }

  async bySlug(slug: string, manager?: EntityManager): Promise<{ id: string; slug: string; name: string } | null> {
    const [row] = await this.db.query<{ id: string; slug: string; name: string }>(
      `SELECT id, slug, name FROM organization WHERE slug = $1`,
      [slug],
      manager,
    );
    return row ?? null;
  }

  async settings(organizationId: string, manager?: EntityManager, lock = false): Promise<StoredSettings | null> {
    const [row] = await this.db.query<Omit<StoredSettings, 'logo'> & { logo_sha256: string | null }>(
      `${SETTINGS_SELECT} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [organizationId],
      manager,
    );
    if (!row) return null;
    const { logo_sha256, ...settings } = row;
    return { ...settings, logo: logo_sha256 ? organizationLogoPath(row.slug, logo_sha256) : null };
  }

  /** Replaces the organization's logo (null: none); returns the previous one's hash. */
  async setLogo(
    manager: EntityManager,
    organizationId: string,
    logo: { sha256: string; type: string } | null,
  ): Promise<string | null> {
    const [row] = await this.db.query<{ previous: string | null }>(
      `UPDATE organization o SET logo_sha256 = $2, logo_type = $3 FROM (SELECT logo_sha256 AS previous FROM organization WHERE id = $1) p
        WHERE o.id = $1 RETURNING p.previous`,
      [organizationId, logo?.sha256 ?? null, logo?.type ?? null],
      manager,
    );
    return row?.previous ?? null;
  }

  async updateSettings(manager: EntityManager, organizationId: string, input: UpdateOrganizationSettingsInput): Promise<void> {
    const entries = Object.entries(input).filter(([, v]) => v !== undefined) as [keyof typeof COLUMNS, unknown][];
    if (!entries.length) return;
    const sets = entries.map(([k], i) => `${COLUMNS[k]} = $${i + 2}${JSON_FIELDS.has(k) ? '::jsonb' : ''}`);
    await this.db.query(
      `UPDATE organization SET ${sets.join(', ')} WHERE id = $1`,
      [organizationId, ...entries.map(([k, v]) => (JSON_FIELDS.has(k) ? pgJson(v) : v))],
      manager,
    );
  }

  async mailSettings(organizationId: string, manager?: EntityManager, lock = false): Promise<StoredMailSettings | null> {
    const [row] = await this.db.query<{ mail_settings: StoredMailSettings['settings']; mail_secret: string | null }>(
      `SELECT mail_settings, mail_secret FROM organization WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [organizationId],
      manager,
    );
    return row ? { settings: row.mail_settings, secret: row.mail_secret } : null;
  }

  async setMailSettings(manager: EntityManager, organizationId: string, s: StoredMailSettings): Promise<void> {
    await this.db.query(
      `UPDATE organization SET mail_settings = $2::jsonb, mail_secret = $3 WHERE id = $1`,
      [organizationId, pgJson(s.settings), s.secret],
      manager,
    );
  }

  /** The accessibility statement as an admin last saved it (checked then), null when none was. */
  async accessibilityStatement(
    organizationId: string,
    manager?: EntityManager,
    lock = false,
  ): Promise<AccessibilityStatement | null> {
    const [row] = await this.db.query<{ accessibility_statement: AccessibilityStatement | null }>(
      `SELECT accessibility_statement FROM organization WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [organizationId],
      manager,
    );
    return row?.accessibility_statement ?? null;
  }

  async setAccessibilityStatement(manager: EntityManager, organizationId: string, s: AccessibilityStatement): Promise<void> {
    await this.db.query(
      `UPDATE organization SET accessibility_statement = $2::jsonb WHERE id = $1`,
      [organizationId, pgJson(s)],
      manager,
    );
  }

  async recordMail(
    manager: EntityManager | undefined,
    m: { organizationId: string; to: string; subject: string; body: string | null; status: 'logged' | 'sent' },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO organization_mail (organization_id, to_address, subject, body, status) VALUES ($1, $2, $3, $4, $5)`,
      [m.organizationId, m.to, m.subject, m.body, m.status],
      manager,
    );
  }

  mails(organizationId: string, limit = 100): Promise<OrgMailDto[]> {
    return this.db.query<OrgMailDto>(
      `SELECT id, to_address AS "to", subject, body AS text, status, created_at AS "createdAt"
         FROM organization_mail WHERE organization_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [organizationId, limit],
    );
  }
}
