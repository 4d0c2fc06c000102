import { Inject, Injectable } from '@nestjs/common';
import {
  passwordProblem,
  type AgentAdminDto,
  type CreateAgentInput,
  type DeadlineDigestDto,
  type SetPasswordWithTokenInput,
  type UpdateProfileInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { badRequest, notFound } from '../../common/errors';
import { hashPassword } from '../../common/password';
import { RateLimiter } from '../../common/rate-limiter';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { AuthService } from '../auth/auth.service';
import { OrganizationMail } from '../organizations/organization-mail.service';
import { OrganizationSettingsService } from '../organizations/organization-settings.service';
import { AccountRepository, type AccountTokenPurpose } from './account.repository';
import { AgentDirectory } from './agent-directory.service';
import { DirectoryRepository } from './directory.repository';

export const INVITATION_HOURS = 72;
export const RESET_HOURS = 2;

/**
 * Accounts: an admin invites an agent (the account and the mail with its 72-hour link together,
 * or neither), agents choose their password from such a link or a reset link, and change their
 * own name.
 */
@Injectable()
export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly directory: DirectoryRepository,
    private readonly agents: AgentDirectory,
    private readonly accounts: AccountRepository,
    private readonly organizations: OrganizationSettingsService,
    private readonly mail: OrganizationMail,
    private readonly audit: AuditRepository,
    private readonly auth: AuthService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The agent is created and the invitation sent in one transaction: a refused mail leaves no account. */
  async invite(admin: AuthAgent, input: CreateAgentInput): Promise<AgentAdminDto> {
    const organizationId = admin.organizationId;
    return this.db.tx(async (m) => {
      const id = await this.agents.createAgent(m, { organizationId, ...input, passwordHash: null });
      if (!(await this.directory.setAgentTeams(m, organizationId, id, [...new Set(input.teamIds)]))) {
        throw badRequest('service inconnu', ['teamIds: un des services n’existe pas dans votre organisation']);
      }
      const agent = (await this.directory.managedAgent(m, organizationId, id))!;
      await this.sendLink(m, admin, { id, name: input.name, email: input.email }, 'invitation');
      await this.audit.record(
        {
          organizationId,
          agentId: admin.id,
          action: 'agent.created',
          data: {
            agentId: id,
            after: { name: agent.name, email: agent.email, role: agent.role, teamIds: agent.teamIds, capacity: agent.capacity },
          },
        },
        m,
      );
      return { ...agent, invited: true };
    });
  }

  /**
   * The first administrator of a town the platform administrator creates, in the caller's
   * transaction: the account and its 72-hour invitation together. The mail leaves through the
   * platform's own outgoing mail (the new town has none set up yet) and is listed among its mails.
   */
  async inviteFirstAdmin(
    m: EntityManager,
    by: AuthAgent,
    organizationId: string,
    admin: { name: string; email: string; capacity: number },
  ): Promise<string> {
    const id = await this.agents.createAgent(m, { organizationId, ...admin, role: 'admin', passwordHash: null });
    await this.sendLink(m, by, { id, name: admin.name, email: admin.email, organizationId }, 'invitation', by.organizationId);
    return id;
  }

  /** An admin sends an agent a new link: an invitation while they have no password, a reset link otherwise. */
  async sendPasswordLink(admin: AuthAgent, agentId: string): Promise<void> {
    const agents = await this.directory.managedAgents(admin.organizationId);
    const agent = agents.find((a) => a.id === agentId);
    if (!agent) throw notFound('agent');
    if (!agent.active) throw badRequest('ce compte est désactivé : réactivez-le d’abord');
    await this.db.tx((m) => this.sendLink(m, admin, agent, agent.invited ? 'invitation' : 'reset'));
  }

  /**
   * Anyone asks for a reset link for an address; the answer is the same whether an account
   * exists or not (no account enumeration), and a refused mail is not reported to the asker.
   */
  async requestReset(email: string, ip: string): Promise<void> {
    await this.limiter.hit(`reset:${ip}`, 10, 3600, 'trop de demandes : réessayez dans une heure');
    await this.limiter.hit(`reset:${email}`, 3, 3600, 'trop de demandes pour cette adresse : réessayez dans une heure');
    const account = await this.accounts.activeAccountByEmail(email);
    if (!account) return;
    await this.db
      .tx((m) =>
        this.sendLink(m, null, { id: account.id, name: account.name, email, organizationId: account.organizationId }, 'reset'),
      )
      .catch(() => undefined);
  }

  /** Chooses the password from a link (once); every session of the account ends. */
  async setPassword(input: SetPasswordWithTokenInput): Promise<{ email: string }> {
    const hash = await hashPassword(input.password);
    return this.db.tx(async (m, afterCommit) => {
      const link = await this.accounts.consumeToken(m, input.token);
      if (!link) throw badRequest('ce lien n’est plus valable (déjà utilisé ou expiré) : demandez-en un nouveau');
      const problem = passwordProblem(input.password, link.email);
      if (problem) throw badRequest('requête invalide', [`password: ${problem}`]);
      await this.directory.setPasswordHash(m, link.agentId, hash);
      const sessionsEnded = await this.auth.endSessions(m, afterCommit, link.agentId);
      await this.audit.record(
        {
          organizationId: link.organizationId,
          agentId: link.agentId,
          action: 'agent.password_set',
          data: { agentId: link.agentId, via: link.purpose, sessionsEnded },
        },
        m,
      );
      return { email: link.email };
    });
  }

  async updateProfile(agent: AuthAgent, input: UpdateProfileInput): Promise<void> {
    await this.db.tx(async (m) => {
      await this.directory.renameAgent(m, agent.id, input.name);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'agent.renamed',
          data: { agentId: agent.id, before: { name: agent.name }, after: { name: input.name } },
        },
        m,
      );
    });
  }

  /** A supervisor's deadlines digest: whether they receive it, and at what time. */
  deadlineDigest(agent: AuthAgent): Promise<DeadlineDigestDto> {
    return this.accounts.deadlineDigest(agent.id);
  }

  async setDeadlineDigest(agent: AuthAgent, input: DeadlineDigestDto): Promise<DeadlineDigestDto> {
    return this.db.tx(async (m) => {
      const before = await this.accounts.deadlineDigest(agent.id, m, true);
      await this.accounts.setDeadlineDigest(m, agent.id, input);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'agent.digest_updated',
          data: { agentId: agent.id, before, after: input },
        },
        m,
      );
      return { enabled: input.enabled, time: input.time };
    });
  }

  private async sendLink(
    m: EntityManager,
    admin: AuthAgent | null,
    agent: { id: string; name: string; email: string; organizationId?: string },
    purpose: AccountTokenPurpose,
    /** The organization whose outgoing mail sends it: the agent's own unless the platform's. */
    mailVia?: string,
  ): Promise<void> {
    const organizationId = agent.organizationId ?? admin!.organizationId;
    const hours = purpose === 'invitation' ? INVITATION_HOURS : RESET_HOURS;
    const token = await this.accounts.issueToken(m, agent.id, purpose, hours);
    const organization = await this.organizations.name(organizationId, m);
    const link = `${this.config.publicUrl}/#/mot-de-passe?jeton=${token}`;
    const text =
      purpose === 'invitation'
        ? `Bonjour ${agent.name},\n\n${admin?.name ?? 'Un administrateur'} vous invite à rejoindre Guichet, la boîte de réception ` +
          `citoyenne de ${organization}.\n\nChoisissez votre mot de passe avec ce lien, valable ${hours} heures :\n${link}\n\n` +
          `Votre identifiant est votre adresse e-mail : ${agent.email}\n`
        : `Bonjour ${agent.name},\n\nPour choisir un nouveau mot de passe Guichet (${organization}), suivez ce lien, ` +
          `valable ${hours} heures :\n${link}\n\nSi vous n’avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.\n`;
    const subject =
      purpose === 'invitation' ? `Invitation à Guichet — ${organization}` : `Nouveau mot de passe Guichet — ${organization}`;
    await this.mail.send(m, mailVia ?? organizationId, { to: agent.email, subject, text });
    await this.audit.record(
      {
        organizationId,
        agentId: admin?.id ?? null,
        action: purpose === 'invitation' ? 'agent.invitation_sent' : 'agent.password_reset_sent',
        data: { agentId: agent.id, to: agent.email, validHours: hours },
      },
      m,
    );
  }
}
