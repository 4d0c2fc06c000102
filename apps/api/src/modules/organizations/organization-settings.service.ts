import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  frenchPublicHolidays,
  LOGO_MAX_BYTES,
  serviceOpeningHours,
  LOGO_TYPES,
  type AccessibilityStatement,
  type AccessibilityStatementDto,
  type OrganizationSettingsDto,
  type OrgMailDto,
  type OrgMailSettingsDto,
  type OrgMailSettingsInput,
  type UpdateOrganizationSettingsInput,
} from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { AppError, badRequest, notFound } from '../../common/errors';
import { uploadedFileType } from '../../common/file-type';
import { BlobStore } from '../blobs/blob-store';
import { OrphanBlobs } from '../blobs/orphan-blobs.service';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';
import { OrganizationMail } from './organization-mail.service';
import { OrganizationRepository } from './organization.repository';

/** An uploaded file as multer gives it. */
export interface LogoUpload {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** Identity and logo, opening hours, closures, signature and legal footer; the organization's outgoing mail. */
@Injectable()
export class OrganizationSettingsService {
  constructor(
    private readonly db: Database,
    private readonly organizations: OrganizationRepository,
    private readonly mail: OrganizationMail,
    private readonly audit: AuditRepository,
    private readonly blobs: BlobStore,
    private readonly orphans: OrphanBlobs,
    private readonly queue: JobQueue,
  ) {}

  async get(organizationId: string, today = new Date()): Promise<OrganizationSettingsDto> {
    const s = await this.organizations.settings(organizationId);
    if (!s) throw notFound('organisation');
    return withHolidays(s, today);
  }

  /** The organization's name (what its mails to agents are signed with), within the caller's transaction if any. */
  async name(organizationId: string, manager?: EntityManager): Promise<string> {
    const s = await this.organizations.settings(organizationId, manager);
    if (!s) throw notFound('organisation');
    return s.name;
  }

  async update(admin: AuthAgent, input: UpdateOrganizationSettingsInput): Promise<OrganizationSettingsDto> {
    const after = await this.db.tx(async (m) => {
      const before = (await this.organizations.settings(admin.organizationId, m, true))!;
      await this.organizations.updateSettings(m, admin.organizationId, input);
      const changed = (await this.organizations.settings(admin.organizationId, m))!;
      const keys = Object.keys(input) as (keyof UpdateOrganizationSettingsInput)[];
      await this.audit.record(
        {
          organizationId: admin.organizationId,
          agentId: admin.id,
          action: 'organization.updated',
          data: {
            before: Object.fromEntries(keys.map((k) => [k, before[k]])),
            after: Object.fromEntries(keys.map((k) => [k, changed[k]])),
          },
        },
        m,
      );
      // Other public holidays, closing days or opening hours: the due dates of the files in progress
      // are counted again (request-types works it, in batches).
      if (
        before.alsaceMoselle !== changed.alsaceMoselle ||
        !sameDays(before.closures, changed.closures) ||
        JSON.stringify(serviceOpeningHours(before.openingHours)) !== JSON.stringify(serviceOpeningHours(changed.openingHours))
      )
        await this.queue.sendInTx(m, QUEUES.dueDatesRecompute, { organizationId: admin.organizationId });
      return changed;
    });
    return withHolidays(after, new Date());
  }

  /**
   * The organization's logo from an admin's upload: PNG, JPEG or WebP whose bytes are what they
   * claim (an SVG may carry scripts and is refused), 512 KiB at most. The bytes go to the blob
   * store before the row names them; a failed change leaves no file behind.
   */
  async setLogo(admin: AuthAgent, file: LogoUpload | undefined): Promise<OrganizationSettingsDto> {
    if (!file) throw badRequest('logo : choisissez une image (champ « logo »)');
    const { type, contradicts } = uploadedFileType(file.originalname, file.mimetype, file.buffer);
    if (!(LOGO_TYPES as readonly string[]).includes(type) || contradicts) {
      throw badRequest('logo : une image PNG, JPEG ou WebP est attendue (le fichier envoyé n’en est pas une)');
    }
    if (file.size > LOGO_MAX_BYTES) {
      throw new AppError('payload_too_large', `logo : ${LOGO_MAX_BYTES / 1024} Ko au maximum (réduisez l’image)`);
    }
    const stored = await this.blobs.put(file.buffer);
    const put = [{ sha256: stored.sha256, created: stored.created, content: file.buffer }];
    try {
      await this.changeLogo(admin, { sha256: stored.sha256, type, size: file.size });
    } catch (e) {
      await this.orphans.discard(put).catch(() => undefined);
      throw e;
    }
    await this.orphans.ensure(put);
    return this.get(admin.organizationId);
  }

  /** No logo any more (the file goes with the nightly sweep once nothing names it). */
  async removeLogo(admin: AuthAgent): Promise<OrganizationSettingsDto> {
    await this.changeLogo(admin, null);
    return this.get(admin.organizationId);
  }

  private async changeLogo(admin: AuthAgent, logo: { sha256: string; type: string; size: number } | null): Promise<void> {
    await this.db.tx(async (m) => {
      const previous = await this.organizations.setLogo(m, admin.organizationId, logo);
      await this.audit.record(
        {
          organizationId: admin.organizationId,
          agentId: admin.id,
          action: 'organization.logo_updated',
          data: { before: previous ? { sha256: previous } : null, after: logo },
        },
        m,
      );
    });
  }

  mailSettings(organizationId: string): Promise<OrgMailSettingsDto> {
    return this.mail.settings(organizationId);
  }

  /** The password is write-only: the audit records whether one is set, never its value. */
  async updateMailSettings(admin: AuthAgent, input: OrgMailSettingsInput): Promise<OrgMailSettingsDto> {
    return this.db.tx(async (m) => {
      const { stored, before, after } = await this.mail.prepare(m, admin.organizationId, input);
      await this.organizations.setMailSettings(m, admin.organizationId, stored);
      await this.audit.record(
        {
          organizationId: admin.organizationId,
          agentId: admin.id,
          action: 'organization.mail_updated',
          data: { before, after },
        },
        m,
      );
      return after;
    });
  }

  async accessibilityStatement(organizationId: string): Promise<AccessibilityStatementDto> {
    return { statement: await this.organizations.accessibilityStatement(organizationId) };
  }

  /** The whole statement replaces the previous one, audited with both. */
  async updateAccessibilityStatement(admin: AuthAgent, statement: AccessibilityStatement): Promise<AccessibilityStatementDto> {
    return this.db.tx(async (m) => {
      const before = await this.organizations.accessibilityStatement(admin.organizationId, m, true);
      await this.organizations.setAccessibilityStatement(m, admin.organizationId, statement);
      await this.audit.record(
        {
          organizationId: admin.organizationId,
          agentId: admin.id,
          action: 'organization.accessibility_updated',
          data: { before, after: statement },
        },
        m,
      );
      return { statement };
    });
  }

  mails(organizationId: string): Promise<OrgMailDto[]> {
    return this.organizations.mails(organizationId);
  }
}

/** The same closing days (their reasons aside: a reworded reason moves no due date). */
function sameDays(a: { from: string; to: string }[], b: { from: string; to: string }[]): boolean {
  const days = (l: { from: string; to: string }[]) => JSON.stringify(l.map((c) => [c.from, c.to]).sort());
  return days(a) === days(b);
}

function withHolidays(s: Omit<OrganizationSettingsDto, 'holidays'>, today: Date): OrganizationSettingsDto {
  const year = today.getFullYear();
  const o = { alsaceMoselle: s.alsaceMoselle };
  return { ...s, holidays: [...frenchPublicHolidays(year, o), ...frenchPublicHolidays(year + 1, o)] };
}
