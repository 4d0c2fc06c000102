import { Injectable } from '@nestjs/common';
import type { CreateTeamInput, TeamAdminDto, UpdateTeamInput } from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { badRequest, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { TeamAdminRepository } from './team-admin.repository';

/** `État civil` -> `etat-civil` */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return slug.length >= 2 ? slug : `service-${slug || 'x'}`;
}

/**
 * Services: created, renamed, archived (never deleted: conversations reference them), their
 * public description and contact details, their members (whose sockets follow at once), their
 * opening hours and response targets (the due dates of their files in progress follow, from a job),
 * their own reply signature (L111-2).
 */
@Injectable()
export class TeamAdminService {
  constructor(
    private readonly db: Database,
    private readonly teams: TeamAdminRepository,
    private readonly audit: AuditRepository,
    private readonly publisher: RealtimePublisher,
    private readonly queue: JobQueue,
  ) {}

  list(organizationId: string): Promise<TeamAdminDto[]> {
    return this.teams.list(organizationId);
  }

  async create(admin: AuthAgent, input: CreateTeamInput): Promise<TeamAdminDto> {
    return this.db.tx(async (m) => {
      const id = await this.teams.insert(m, admin.organizationId, { ...input, slug: slugOf(input.name) });
      const team = (await this.teams.get(m, admin.organizationId, id))!;
      await this.audit.record(
        { organizationId: admin.organizationId, agentId: admin.id, action: 'team.created', data: { teamId: id, after: team } },
        m,
      );
      return team;
    });
  }

  async update(admin: AuthAgent, id: string, input: UpdateTeamInput): Promise<TeamAdminDto> {
    const organizationId = admin.organizationId;
    return this.db.tx(async (m, afterCommit) => {
      const before = await this.teams.get(m, organizationId, id, true);
      if (!before) throw notFound('service');
      await this.teams.update(m, id, input);
      if (input.memberIds && !(await this.teams.setMembers(m, organizationId, id, [...new Set(input.memberIds)]))) {
        throw badRequest('agent inconnu', ['memberIds: un des agents n’existe pas dans votre organisation']);
      }
      const after = (await this.teams.get(m, organizationId, id))!;
      await this.audit.record(
        { organizationId, agentId: admin.id, action: 'team.updated', data: { teamId: id, before, after } },
        m,
      );
      // Other opening hours or response targets: its files in progress are counted again (request-types works it).
      if (
        JSON.stringify(before.openingHours) !== JSON.stringify(after.openingHours) ||
        JSON.stringify(before.responseTargets) !== JSON.stringify(after.responseTargets)
      )
        await this.queue.sendInTx(m, QUEUES.dueDatesRecompute, { organizationId, teamId: id });
      const moved = [
        ...before.memberIds.filter((a) => !after.memberIds.includes(a)),
        ...after.memberIds.filter((a) => !before.memberIds.includes(a)),
      ];
      afterCommit(async () => {
        for (const agentId of moved) await this.publisher.agentAccessChanged(organizationId, agentId);
      });
      return after;
    });
  }
}
