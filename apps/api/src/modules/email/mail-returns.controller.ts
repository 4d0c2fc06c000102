import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { MailReturnDto } from '@guichet/contracts';
import type { Response } from 'express';
import { CurrentAgent, isManager, type AuthAgent } from '../../common/auth-agent';
import { attachmentDisposition } from '../../common/content-disposition';
import { notFound } from '../../common/errors';
import { IdPipe } from '../../common/zod.pipe';
import { EmailRepository } from './email.repository';

/** How far back the services' mail returns are listed. */
const RETURNS_DAYS = 30;

/**
 * Delivery reports (bounces) that match no message Guichet sent, for the agents of the mailbox's
 * service (supervisors and admins: every service). They open no file, so they would otherwise be
 * seen by admins only, in the channel's activity.
 */
@ApiTags('canaux')
@ApiBearerAuth()
@Controller('mail-returns')
export class MailReturnsController {
  constructor(private readonly repo: EmailRepository) {}

  @Get()
  async list(@CurrentAgent() agent: AuthAgent): Promise<MailReturnDto[]> {
    const since = new Date(Date.now() - RETURNS_DAYS * 24 * 3600_000);
    const rows = await this.repo.listReturns(agent.organizationId, isManager(agent) ? null : agent.teamIds, since);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      channel: { id: r.channel_id, name: r.channel_name },
      team: { id: r.team_id, name: r.team_name },
      originalMessageId: r.external_id,
      reason: r.reason,
      size: r.size === null ? null : Number(r.size),
      createdAt: r.created_at.toISOString(),
    }));
  }

  /** The report itself, as the mailbox received it: a download, never rendered. */
  @Get(':id/source')
  async source(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('retour de messagerie')) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const row = await this.repo.returnSource(agent.organizationId, id, isManager(agent) ? null : agent.teamIds);
    if (!row) throw notFound('retour de messagerie');
    const day = row.created_at.toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'message/rfc822');
    res.setHeader('Content-Disposition', attachmentDisposition(`avis-de-non-remise-${day}.eml`));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.end(row.raw);
  }
}
