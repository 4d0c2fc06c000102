import { Injectable } from '@nestjs/common';
import {
  organizationLogoPath,
  type AccessibilityStatement,
  publicOpeningHours,
  type OpeningHours,
  type PublicTeamDto,
  type ServiceOpeningHours,
} from '@guichet/contracts';
import { byFrenchName } from '../../common/french-order';
import { Database } from '../../common/database';
import { conformityColumns, type ConformityColumns } from './conformity-columns';

export interface PublicOrganizationContact {
  id: string;
  name: string;
  slug: string;
  address: string;
  phone: string;
  email: string;
  website: string;
  /** The town's logo address, when it has one (shown beside its name). */
  logo?: string;
  /** Its RGAA accessibility statement, null until an admin sets it. */
  accessibility: AccessibilityStatement | null;
}

/** What the citizen pages read of a town hall: its name and its services (teams). */
@Injectable()
export class PublicRepository {
  constructor(private readonly db: Database) {}

  /**
   * `archived`: the platform archived the town (its citizen pages say the service is closed); with
   * what its footer's conformity level rests on.
   */
  async organizationBySlug(
    slug: string,
  ): Promise<({ id: string; name: string; slug: string; archived: boolean; logo?: string } & ConformityColumns) | undefined> {
    const [org] = await this.db.query<
      { id: string; name: string; slug: string; archived: boolean; logo_sha256: string | null } & ConformityColumns
    >(
      `SELECT id, name, slug, archived_at IS NOT NULL AS archived, logo_sha256, ${conformityColumns('o')}
         FROM organization o WHERE slug = $1`,
      [slug],
    );
    if (!org) return undefined;
    const { logo_sha256, ...rest } = org;
    return logo_sha256 ? { ...rest, logo: organizationLogoPath(org.slug, logo_sha256) } : rest;
  }

  /** The town's logo (its blob and checked type), if it has one. */
  async logo(slug: string): Promise<{ sha256: string; type: string } | undefined> {
    const [row] = await this.db.query<{ sha256: string; type: string }>(
      `SELECT logo_sha256 AS sha256, logo_type AS type FROM organization WHERE slug = $1 AND logo_sha256 IS NOT NULL`,
      [slug],
    );
    return row;
  }

  /**
   * The services in French order (« État civil » is not pushed after the « V »s), with what citizens
   * read of them: what they do, how to reach them, when they open (their own hours, else the town's).
   */
  async teams(organizationId: string): Promise<Omit<PublicTeamDto, 'requestTypes'>[]> {
    const rows = await this.db.query<{
      id: string;
      name: string;
      description: string | null;
      contact: Record<string, unknown> | null;
      opening_hours: ServiceOpeningHours | null;
      organization_hours: OpeningHours | null;
    }>(
      `SELECT t.id, t.name, t.description, t.contact, t.opening_hours, o.opening_hours AS organization_hours
         FROM team t JOIN organization o ON o.id = t.organization_id
        WHERE t.organization_id = $1 AND t.archived_at IS NULL`,
      [organizationId],
    );
    return byFrenchName(
      rows.map((r) => ({
        id: r.id,
        name: r.name,
        description: r.description?.trim() || null,
        openingHours: publicOpeningHours(r.opening_hours, r.organization_hours),
        contact: Object.fromEntries(
          (['email', 'phone', 'address'] as const).flatMap((k) => {
            const v = r.contact?.[k];
            return typeof v === 'string' && v.trim() ? [[k, v.trim()]] : [];
          }),
        ),
      })),
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

  /** Whether the platform archived this town. */
  async archived(organizationId: string): Promise<boolean> {
    const [row] = await this.db.query<{ archived: boolean }>(
      `SELECT archived_at IS NOT NULL AS archived FROM organization WHERE id = $1`,
      [organizationId],
    );
    return row?.archived ?? false;
  }

  /** What the accessibility and personal-data pages say of the town hall (how to reach it). */
  async organizationContact(slug: string): Promise<PublicOrganizationContact | undefined> {
    const [org] = await this.db.query<PublicOrganizationContact & { logo_sha256: string | null }>(
      `SELECT id, name, slug, address, phone, email, website, logo_sha256, accessibility_statement AS accessibility
         FROM organization WHERE slug = $1`,
      [slug],
    );
    if (!org) return undefined;
    const { logo_sha256, ...rest } = org;
    return logo_sha256 ? { ...rest, logo: organizationLogoPath(org.slug, logo_sha256) } : rest;
  }

  /**
   * A service's name and opening hours (its own, else the town's), and its town's name (the
   * organization the citizen wrote to, with its logo's address and what its footer's conformity
   * level rests on).
   */
  async teamName(teamId: string): Promise<
    | ({
        name: string;
        organization: string;
        organizationSlug: string;
        organizationLogo?: string;
        openingHours: OpeningHours | null;
      } & ConformityColumns)
    | undefined
  > {
    const [team] = await this.db.query<
      {
        name: string;
        organization: string;
        organizationSlug: string;
        logo_sha256: string | null;
        opening_hours: ServiceOpeningHours | null;
        organization_hours: OpeningHours | null;
      } & ConformityColumns
    >(
      `SELECT t.name, o.name AS organization, o.slug AS "organizationSlug", o.logo_sha256,
              t.opening_hours, o.opening_hours AS organization_hours, ${conformityColumns('o')}
         FROM team t JOIN organization o ON o.id = t.organization_id WHERE t.id = $1`,
      [teamId],
    );
    if (!team) return undefined;
    const { logo_sha256, opening_hours, organization_hours, ...rest } = team;
    const found = { ...rest, openingHours: publicOpeningHours(opening_hours, organization_hours) };
    return logo_sha256 ? { ...found, organizationLogo: organizationLogoPath(team.organizationSlug, logo_sha256) } : found;
  }

  /** A stored file with the conversation it belongs to and whether its message is public (not a note). */
  async attachment(
    id: string,
  ): Promise<{ file_name: string; content_type: string; sha256: string; conversation_id: string; public: boolean } | undefined> {
    const [row] = await this.db.query<{
      file_name: string;
      content_type: string;
      sha256: string;
      conversation_id: string;
      public: boolean;
    }>(
      `SELECT a.file_name, a.content_type, a.sha256, m.conversation_id, (m.kind = 'message' AND (m.direction = 'inbound' OR m.status <> 'failed')) AS public
         FROM attachment a JOIN message m ON m.id = a.message_id WHERE a.id = $1`,
      [id],
    );
    return row;
  }
}
