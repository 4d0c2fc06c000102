import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  frenchPublicHolidays,
  type OrganizationSettingsDto,
  type OrgMailDto,
  type OrgMailSettingsDto,
  type OrgMailSettingsInput,
  type UpdateOrganizationSettingsInput,
} from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database.service';
import { notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { OrganizationMail } from './organization-mail.service';
import { OrganizationRepository } from './organization.repository';

/** Identity, opening hours, closures, signature and legal footer; the organization's outgoing mail. */
@Injectable()
export class OrganizationSettingsService {
  constructor(
    private readonly db: Database,
    private readonly organizations: OrganizationRepository,
    private readonly mail: OrganizationMail,
    private readonly audit: AuditRepository,
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
      return changed;
    });
    return withHolidays(after, new Date());
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

  mails(organizationId: string): Promise<OrgMailDto[]> {
    return this.organizations.mails(organizationId);
  }
}

function withHolidays(s: Omit<OrganizationSettingsDto, 'holidays'>, today: Date): OrganizationSettingsDto {
  const year = today.getFullYear();
  const o = { alsaceMoselle: s.alsaceMoselle };
  return { ...s, holidays: [...frenchPublicHolidays(year, o), ...frenchPublicHolidays(year + 1, o)] };
}
