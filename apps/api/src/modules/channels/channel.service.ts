import { Inject, Injectable } from '@nestjs/common';
import {
  CHANNEL_CAPABILITIES,
  CHANNEL_CONFIG_SCHEMAS,
  describeIssues,
  type ChannelDto,
  type ChannelKind,
  type CreateChannelInput,
  type UpdateChannelInput,
} from '@guichet/contracts';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { badRequest, notFound } from '../../common/errors';
import { isUuid } from '../../common/uuid';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { AgentDirectory } from '../agents/agent-directory.service';
import { decryptSecrets, encryptSecrets, mergeSecrets, splitSecrets } from './channel-secrets';
import type { EntityManager } from 'typeorm';
import { ChannelRepository, type ChannelRow } from './channel.repository';
import { channelWebhooks } from './channel-webhooks';

const CHANNEL_CACHE_MS = 5_000;

/** A channel as the audit log keeps it: its settings without the secrets, only which secrets are saved. */
function audited(
  fields: { kind: ChannelKind; name: string; teamId: string; enabled: boolean },
  publicConfig: Record<string, unknown>,
  secrets: Record<string, unknown>,
) {
  return { ...fields, config: publicConfig, secretsSet: Object.keys(secrets).sort() };
}

export interface ResolvedChannel {
  id: string;
  organizationId: string;
  teamId: string;
  kind: ChannelKind;
  name: string;
  /** Enabled by the town's admin, and the town not archived by the platform. */
  enabled: boolean;
  /**
   * The platform archived the channel's town: its channels are stopped (mailboxes no longer
   * watched, webhooks acknowledged and nothing stored; the provider keeps its own copy).
   */
  organizationArchived: boolean;
  /** Full config, secrets decrypted: for adapters only, never for an API answer. */
  config: Record<string, unknown>;
}

@Injectable()
export class ChannelService {
  constructor(
    private readonly db: Database,
    private readonly channels: ChannelRepository,
    private readonly directory: AgentDirectory,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  toDto(row: ChannelRow): ChannelDto {
    const secrets = decryptSecrets(this.config.encryptionKey, row.id, row.secrets);
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      teamId: row.team_id,
      enabled: row.enabled,
      config: row.config,
      secretsSet: Object.keys(secrets).sort(),
      capabilities: CHANNEL_CAPABILITIES[row.kind],
      webhooks: channelWebhooks(this.config.publicUrl, row.kind, row.id),
      createdAt: row.created_at.toISOString(),
    };
  }

  /** A channel's row, in the caller's transaction when given (published to other features). */
  find(organizationId: string | null, id: string, manager?: EntityManager): Promise<ChannelRow | null> {
    return this.channels.find(organizationId, id, manager);
  }

  /** The kinds of the organization's connected channels (what an agent may write first on). */
  enabledKinds(organizationId: string): Promise<ChannelKind[]> {
    return this.channels.enabledKinds(organizationId);
  }

  /** The organization's oldest enabled channel of this kind (the web form's, for instance). */
  /** `m`: read on the caller's transaction (a caller holding locks takes no second connection). */
  firstOfKind(organizationId: string, kind: ChannelKind, m?: EntityManager): Promise<ChannelRow | null> {
    return this.channels.firstOfKind(organizationId, kind, m);
  }

  async list(agent: AuthAgent): Promise<ChannelDto[]> {
    return (await this.channels.list(agent.organizationId)).map((r) => this.toDto(r));
  }

  async get(agent: AuthAgent, id: string): Promise<ChannelDto> {
    const row = await this.channels.find(agent.organizationId, id);
    if (!row) throw notFound('canal');
    return this.toDto(row);
  }

  /** With secrets, for adapters and webhooks. `organizationId` null: webhooks know only the id. */
  async resolve(organizationId: string | null, id: string): Promise<ResolvedChannel | null> {
    const row = await this.channels.find(organizationId, id);
    if (!row) return null;
    return {
      id: row.id,
      organizationId: row.organization_id,
      teamId: row.team_id,
      kind: row.kind,
      name: row.name,
      enabled: row.enabled && !row.organization_archived,
      organizationArchived: row.organization_archived,
      config: mergeSecrets(row.config, this.decrypt(row.id, row.secrets)),
    };
  }

  private readonly listeners: ((kind: ChannelKind) => void)[] = [];

  /** Called once a channel is created or changed through this instance's API (mailbox watchers restart at once). */
  onChanged(listener: (kind: ChannelKind) => void): void {
    this.listeners.push(listener);
  }

  private changed(kind: ChannelKind): void {
    for (const listener of this.listeners) listener(kind);
  }

  /**
   * `resolve()` for the hot paths (webhooks, the ingest), which meet one channel many times a
   * second: a channel found is kept 5 seconds. A change made through this instance's API applies
   * at once; one made elsewhere within 5 seconds.
   */
  async resolveCached(id: string): Promise<ResolvedChannel | null> {
    const hit = this.cachedChannels.get(id);
    if (hit && hit.until > Date.now()) return hit.channel;
    const channel = await this.resolve(null, id);
    if (channel) {
      if (this.cachedChannels.size >= 1000) this.cachedChannels.clear();
      this.cachedChannels.set(id, { channel, until: Date.now() + CHANNEL_CACHE_MS });
    }
    return channel;
  }

  /**
   * The platform archived or unarchived a town: its channels stop or start again at once on this
   * instance (cached lookups forgotten, mailbox watchers reconciled); on others within 5 seconds.
   */
  organizationChanged(organizationId: string): void {
    for (const [id, hit] of this.cachedChannels)
      if (hit.channel.organizationId === organizationId) this.cachedChannels.delete(id);
    this.changed('email');
  }

  /** The channel a webhook's path names (`resolveCached`), or null when the path holds no uuid. */
  webhookChannel(channelId: string): Promise<ResolvedChannel | null> {
    return isUuid(channelId) ? this.resolveCached(channelId.toLowerCase()) : Promise.resolve(null);
  }

  private readonly cachedChannels = new Map<string, { channel: ResolvedChannel; until: number }>();

  /**
   * Secrets are decrypted once per sealed value (webhooks resolve their channel on every call).
   * The key is the ciphertext itself, whose IV is new on every write: a changed secret is never
   * answered from the cache, whatever changed it.
   */
  private readonly decrypted = new Map<string, Record<string, unknown>>();

  private decrypt(channelId: string, sealed: string | null): Record<string, unknown> {
    if (!sealed) return {};
    const key = `${channelId}:${sealed}`;
    let secrets = this.decrypted.get(key);
    if (!secrets) {
      secrets = decryptSecrets(this.config.encryptionKey, channelId, sealed);
      if (this.decrypted.size >= 1000) this.decrypted.clear();
      this.decrypted.set(key, secrets);
    }
    return secrets;
  }

  private validate(kind: ChannelKind, config: Record<string, unknown>): Record<string, unknown> {
    const result = CHANNEL_CONFIG_SCHEMAS[kind].safeParse(config);
    if (!result.success) throw badRequest(`configuration du canal ${kind} invalide`, describeIssues(result.error));
    return result.data as Record<string, unknown>;
  }

  private async checkTeam(agent: AuthAgent, teamId: string): Promise<void> {
    if (!(await this.directory.team(agent.organizationId, teamId))) throw badRequest('service inconnu', [`teamId: ${teamId}`]);
  }

  async create(agent: AuthAgent, input: CreateChannelInput): Promise<ChannelDto> {
    await this.checkTeam(agent, input.teamId);
    const config = this.validate(input.kind, input.config);
    const { publicConfig, secrets } = splitSecrets(input.kind, config);
    const id = randomUUID();
    await this.db.tx(async (m) => {
      await this.channels.insert(m, {
        id,
        organizationId: agent.organizationId,
        teamId: input.teamId,
        kind: input.kind,
        name: input.name,
        config: publicConfig,
        secrets: Object.keys(secrets).length ? encryptSecrets(this.config.encryptionKey, id, secrets) : null,
      });
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'channel.created',
          data: {
            channelId: id,
            after: audited({ kind: input.kind, name: input.name, teamId: input.teamId, enabled: true }, publicConfig, secrets),
          },
        },
        m,
      );
    });
    this.changed(input.kind);
    return this.get(agent, id);
  }

  /**
   * A configuration as it would be saved, nothing written (the e-mail connection test before
   * saving): validated, and with `channelId`, the secrets it leaves out taken from that channel.
   */
  async unsavedConfig(agent: AuthAgent, kind: ChannelKind, config: Record<string, unknown>, channelId?: string) {
    if (!channelId) return this.validate(kind, config);
    const current = await this.resolve(agent.organizationId, channelId);
    if (!current) throw notFound('canal');
    if (current.kind !== kind) throw badRequest(`le canal ${current.name} n'est pas un canal ${kind}`);
    return this.validate(kind, this.withStoredSecrets(current, config));
  }

  /** `config` with the secrets it leaves out taken from the channel (an empty string clears one). */
  private withStoredSecrets(
    current: Pick<ResolvedChannel, 'kind' | 'config'>,
    config: Record<string, unknown>,
  ): Record<string, unknown> {
    const given = splitSecrets(current.kind, config);
    const { secrets: stored } = splitSecrets(current.kind, current.config);
    const kept = Object.fromEntries(Object.entries(stored).filter(([k]) => !(k in given.secrets)));
    const set = Object.fromEntries(Object.entries(given.secrets).filter(([, v]) => v !== ''));
    return mergeSecrets(given.publicConfig, { ...kept, ...set });
  }

  /**
   * Secrets are write-only: a PATCH config that omits a secret keeps the stored one; an empty
   * string clears it. The channel is read, merged and written under its row's lock: two admins
   * changing it at once take turns, the second merging into what the first saved (a secret the
   * first replaced is never written back over with the value both had read).
   */
  async update(agent: AuthAgent, id: string, input: UpdateChannelInput): Promise<ChannelDto> {
    if (input.teamId) await this.checkTeam(agent, input.teamId);
    const kind = await this.db.tx(async (m) => {
      const row = await this.channels.find(agent.organizationId, id, m, true);
      if (!row) throw notFound('canal');
      const current = { kind: row.kind, config: mergeSecrets(row.config, this.decrypt(row.id, row.secrets)) };
      const config = input.config ? this.validate(row.kind, this.withStoredSecrets(current, input.config)) : current.config;
      const { publicConfig, secrets } = splitSecrets(row.kind, config);
      const stored = splitSecrets(row.kind, current.config);
      const given = input.config ? splitSecrets(row.kind, input.config).secrets : {};
      // The admin's own switch (the platform's archiving of the town is another column).
      const next = {
        teamId: input.teamId ?? row.team_id,
        name: input.name ?? row.name,
        enabled: input.enabled ?? row.enabled,
      };
      await this.channels.update(m, id, {
        ...next,
        config: publicConfig,
        secrets: Object.keys(secrets).length ? encryptSecrets(this.config.encryptionKey, id, secrets) : null,
      });
      // Before and after without any secret: which ones are saved, and which this change replaced.
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'channel.updated',
          data: {
            channelId: id,
            before: audited(
              { kind: row.kind, name: row.name, teamId: row.team_id, enabled: row.enabled },
              stored.publicConfig,
              stored.secrets,
            ),
            after: audited({ kind: row.kind, ...next }, publicConfig, secrets),
            secretsReplaced: Object.keys(given)
              .filter((k) => given[k] !== '')
              .sort(),
          },
        },
        m,
      );
      return row.kind;
    });
    this.cachedChannels.delete(id);
    this.changed(kind);
    return this.get(agent, id);
  }
}
