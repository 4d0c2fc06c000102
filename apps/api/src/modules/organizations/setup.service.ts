import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import type { CreateAdminInput, CreatePlatformAdminInput, SetupInput } from '@guichet/contracts';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database';
import { badRequest, conflict, notFound } from '../../common/errors';
import { hashPassword } from '../../common/password';
import { safeEqual } from '../../common/safe-equal';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { AgentDirectory } from '../agents/agent-directory.service';
import { OrganizationRepository } from './organization.repository';

/** Capacity of an administrator's account (conversations at once), as for the demo's. */
export const ADMIN_CAPACITY = 20;

export const ALREADY_SET_UP =
  'Guichet est déjà configuré : une organisation existe. Pour ajouter un administrateur, utilisez « pnpm guichet create-admin --slug … --email … --password … ».';

/**
 * The one-time token that protects the first-run page: GUICHET_SETUP_TOKEN when set, otherwise
 * derived from the app secret, so every instance behind a load balancer prints and accepts the
 * same one. It is worth nothing once an organization exists.
 */
export function setupToken(config: Pick<AppConfig, 'appSecret'>, env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.GUICHET_SETUP_TOKEN || createHmac('sha256', config.appSecret).update('guichet:setup').digest('base64url').slice(0, 32)
  );
}

/**
 * First run (the town and its first administrator) and the recovery of a lost admin, for the
 * web page and for the CLI (`pnpm guichet setup | create-admin`, cli.ts), which builds this
 * service by hand on a DataSource of its own.
 */
@Injectable()
export class SetupService {
  constructor(
    private readonly db: Database,
    private readonly organizations: OrganizationRepository,
    private readonly directory: AgentDirectory,
    private readonly audit: AuditRepository,
  ) {}

  needed(): Promise<boolean> {
    return this.organizations.anyExists().then((exists) => !exists);
  }

  /** Creates the organization and its admin in one transaction; refused once any organization exists. */
  async setup(input: SetupInput): Promise<{ organization: { id: string; slug: string; name: string }; adminId: string }> {
    const passwordHash = await hashPassword(input.admin.password);
    return this.db.tx(async (m) => {
      if (await this.organizations.lockForFirstRun(m)) throw conflict(ALREADY_SET_UP);
      const organization = await this.organizations.insert(m, input.organization);
      const adminId = await this.insertAdmin(m, organization.id, input.admin, passwordHash);
      // Whoever installs Guichet runs the platform: they may create further towns later.
      await this.directory.setPlatformAdmin(m, adminId);
      await this.audit.record(
        {
          organizationId: organization.id,
          agentId: null,
          action: 'organization.created',
          data: {
            after: { ...input.organization },
            adminId,
            adminEmail: input.admin.email,
            platformAdmin: true,
            via: 'first_run',
          },
        },
        m,
      );
      return { organization, adminId };
    });
  }

  /** Adds an administrator to the organization `slug` (a lost admin recovered from the server). */
  async createAdmin(input: CreateAdminInput): Promise<{ organizationId: string; adminId: string }> {
    const passwordHash = await hashPassword(input.admin.password);
    return this.db.tx(async (m) => {
      const organization = await this.organizations.bySlug(input.slug, m);
      if (!organization) throw notFound(`organisation « ${input.slug} »`);
      const adminId = await this.insertAdmin(m, organization.id, input.admin, passwordHash);
      await this.audit.record(
        {
          organizationId: organization.id,
          agentId: null,
          action: 'agent.created',
          data: { agentId: adminId, after: { email: input.admin.email, role: 'admin' }, via: 'cli' },
        },
        m,
      );
      return { organizationId: organization.id, adminId };
    });
  }

  /**
   * Names a platform administrator in the organization `slug`: its admin with that address is
   * promoted, or a new admin is created there (which needs a password). Returns whether it was created.
   */
  async createPlatformAdmin(input: CreatePlatformAdminInput): Promise<{ adminId: string; created: boolean }> {
    return this.db.tx(async (m) => {
      const organization = await this.organizations.bySlug(input.slug, m);
      if (!organization) throw notFound(`organisation « ${input.slug} »`);
      let adminId = await this.directory.adminByEmail(m, organization.id, input.admin.email);
      const created = !adminId;
      if (!adminId) {
        if (!input.admin.password) {
          throw badRequest(
            `aucun administrateur actif de « ${input.slug} » n’a l’adresse ${input.admin.email} : donnez --password pour le créer`,
          );
        }
        adminId = await this.insertAdmin(m, organization.id, input.admin, await hashPassword(input.admin.password));
      }
      await this.directory.setPlatformAdmin(m, adminId);
      await this.audit.record(
        {
          organizationId: organization.id,
          agentId: null,
          action: 'agent.platform_admin_granted',
          data: { agentId: adminId, email: input.admin.email, created, via: 'cli' },
        },
        m,
      );
      return { adminId, created };
    });
  }

  private async insertAdmin(
    m: Parameters<Parameters<Database['tx']>[0]>[0],
    organizationId: string,
    admin: { name: string; email: string },
    passwordHash: string,
  ): Promise<string> {
    return this.directory.createAgent(m, {
      organizationId,
      email: admin.email,
      name: admin.name,
      role: 'admin',
      capacity: ADMIN_CAPACITY,
      passwordHash,
    });
  }
}

/**
 * Prints the first-run token in the server's log while the database holds no organization (only
 * says where it is when the operator set it with GUICHET_SETUP_TOKEN).
 */
@Injectable()
export class SetupAnnouncer implements OnApplicationBootstrap {
  constructor(
    private readonly setup: SetupService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.logLevel === 'silent' || !(await this.setup.needed())) return;
    // A token the operator chose (GUICHET_SETUP_TOKEN) is known to them: it is not copied into
    // the log, where whoever reads the logs (or their collector) would learn it too.
    const token = process.env.GUICHET_SETUP_TOKEN
      ? `le jeton d'installation défini par GUICHET_SETUP_TOKEN`
      : `ce jeton d'installation : ${setupToken(this.config)}`;
    console.log(
      `\nPremière installation : aucune organisation n'existe encore.\n` +
        `  Ouvrez ${this.config.publicUrl}/ et saisissez ${token}\n` +
        `  (ou, en ligne de commande : pnpm guichet setup --name … --slug … --admin-name … --admin-email … --admin-password …)`,
    );
  }
}

/** Whether `presented` is the setup token (constant time). */
export function setupTokenMatches(config: Pick<AppConfig, 'appSecret'>, presented: string | undefined): boolean {
  if (!presented) return false;
  return safeEqual(presented, setupToken(config));
}
