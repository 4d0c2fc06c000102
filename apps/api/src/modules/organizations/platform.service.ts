import { Injectable } from '@nestjs/common';
import type { CreateOrganizationInput, PlatformAdminDto, PlatformOrganizationDto } from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { AppError, conflict, notFound, uniqueViolation } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { AccountService } from '../agents/account.service';
import { AuthService } from '../auth/auth.service';
import { ChannelService } from '../channels/channel.service';
import { OrganizationRepository } from './organization.repository';
import { ADMIN_CAPACITY } from './setup.service';

/**
 * A platform hosting several towns (a communauté de communes, a syndicat informatique): its
 * administrator lists the towns and creates further ones with their first administrator, who is
 * invited by e-mail. Each town's admins stay confined to their town as before. The platform
 * administrator reads no town's citizens or conversations (RGPD: each town is the controller of
 * its own files, the platform only its processor): only what running the platform needs.
 */
@Injectable()
export class PlatformService {
  constructor(
    private readonly db: Database,
    private readonly organizations: OrganizationRepository,
    private readonly accounts: AccountService,
    private readonly audit: AuditRepository,
    private readonly auth: AuthService,
    private readonly channels: ChannelService,
  ) {}

  list(): Promise<PlatformOrganizationDto[]> {
    return this.organizations.platformList();
  }

  /**
   * The town, its first administrator and the invitation mail in one transaction: a taken
   * identifier or address, or a refused mail, leaves nothing behind.
   */
  async create(by: AuthAgent, input: CreateOrganizationInput): Promise<PlatformOrganizationDto> {
    return this.db.tx(async (m) => {
      let organization: { id: string; slug: string; name: string };
      try {
        organization = await this.organizations.insert(m, input.organization);
      } catch (e) {
        if (uniqueViolation(e) === 'organization_slug_key') {
          throw conflict(`l’identifiant « ${input.organization.slug} » est déjà celui d’une autre organisation`);
        }
        throw e;
      }
      const adminId = await this.accounts.inviteFirstAdmin(m, by, organization.id, { ...input.admin, capacity: ADMIN_CAPACITY });
      const data = { after: { ...input.organization }, adminId, adminEmail: input.admin.email, via: 'platform' };
      await this.audit.record({ organizationId: organization.id, agentId: by.id, action: 'organization.created', data }, m);
      await this.audit.record(
        {
          organizationId: by.organizationId,
          agentId: by.id,
          action: 'platform.organization_created',
          data: { organizationId: organization.id, ...data },
        },
        m,
      );
      return (await this.organizations.platformList(organization.id, m))[0]!;
    });
  }

  /**
   * Archives a town: nothing is deleted; its agents' sessions end at once (REST 401, sockets
   * closed) and they can no longer sign in; its citizen pages say the service is closed. The
   * platform administrator's own organization is never archived (they would lock themselves out).
   */
  archive(by: AuthAgent, id: string): Promise<PlatformOrganizationDto> {
    if (id === by.organizationId)
      throw conflict('vous ne pouvez pas archiver l’organisation de votre propre compte de plateforme');
    return this.setArchived(by, id, true);
  }

  /** Puts an archived town back into service (its agents sign in again, its pages reopen). */
  unarchive(by: AuthAgent, id: string): Promise<PlatformOrganizationDto> {
    return this.setArchived(by, id, false);
  }

  private setArchived(by: AuthAgent, id: string, archived: boolean): Promise<PlatformOrganizationDto> {
    return this.db.tx(async (m, afterCommit) => {
      const [town] = await this.organizations.platformList(id, m);
      if (!town) throw notFound('organisation');
      if (!(await this.organizations.setArchived(m, id, archived ? new Date() : null, by.id)))
        throw conflict(archived ? `« ${town.name} » est déjà archivée` : `« ${town.name} » n’est pas archivée`);
      let sessionsEnded = 0;
      if (archived)
        for (const agentId of await this.organizations.activeAgentIds(m, id))
          sessionsEnded += await this.auth.endSessions(m, afterCommit, agentId);
      // Its channels stop (mailboxes released, webhooks acknowledged, nothing stored) or start again.
      afterCommit(() => this.channels.organizationChanged(id));
      const action = archived ? 'organization.archived' : 'organization.unarchived';
      const data = { organizationId: id, name: town.name, slug: town.slug, ...(archived ? { sessionsEnded } : {}) };
      await this.audit.record({ organizationId: id, agentId: by.id, action, data }, m);
      if (by.organizationId !== id)
        await this.audit.record({ organizationId: by.organizationId, agentId: by.id, action, data }, m);
      return (await this.organizations.platformList(id, m))[0]!;
    });
  }

  /** The platform's administrators. */
  admins(): Promise<PlatformAdminDto[]> {
    return this.organizations.platformAdmins();
  }

  /** Grants the role to the active agent with this address (the screen knows addresses, not ids). */
  async grantByEmail(by: AuthAgent, email: string): Promise<PlatformAdminDto[]> {
    const agent = await this.organizations.activeAgentByEmail(email);
    if (!agent)
      throw new AppError(
        'not_found',
        `aucun agent actif n’a l’adresse ${email} : invitez-le d’abord dans sa commune (Administration → Agents), puis nommez-le ici`,
      );
    return this.setAdmin(by, agent.id, true);
  }

  /**
   * Grants (`on`) or revokes the platform-admin role of an active agent of any town. The platform
   * always keeps one: its admins' rows are locked first, so two revocations at once wait in turn.
   * An agent of an archived town cannot be granted it (they cannot sign in).
   */
  setAdmin(by: AuthAgent, agentId: string, on: boolean): Promise<PlatformAdminDto[]> {
    return this.db.tx(async (m) => {
      if (on && (await this.organizations.agentTownArchived(m, agentId)))
        throw conflict('la commune de cet agent est archivée : il ne peut pas se connecter, remettez-la en service d’abord');
      const admins = await this.organizations.lockPlatformAdmins(m);
      if (!on && admins.includes(agentId) && admins.length === 1)
        throw conflict('c’est le dernier administrateur de la plateforme : nommez-en un autre d’abord');
      const changed = await this.organizations.setPlatformAdmin(m, agentId, on);
      if (!changed) throw notFound('agent');
      if (changed.was !== on) {
        const action = on ? 'agent.platform_admin_granted' : 'agent.platform_admin_revoked';
        const data = { agentId, organizationId: changed.organization_id, via: 'platform' };
        await this.audit.record({ organizationId: by.organizationId, agentId: by.id, action, data }, m);
        if (changed.organization_id !== by.organizationId)
          await this.audit.record({ organizationId: changed.organization_id, agentId: by.id, action, data }, m);
      }
      return this.organizations.platformAdmins(m);
    });
  }
}
