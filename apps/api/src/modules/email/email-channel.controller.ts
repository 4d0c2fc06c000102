import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiProduces, ApiTags } from '@nestjs/swagger';
import { checkEmailChannel, type ChannelTestResult, type EmailConfig } from '@guichet/channels';
import { testChannelSchema, type MailboxEventDto, type QuarantineDto, type TestChannelInput } from '@guichet/contracts';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { attachmentDisposition } from '../../common/content-disposition';
import { badRequest, notFound } from '../../common/errors';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { ChannelService } from '../channels/channel.service';
import type { EmailOutcome } from './email-ingest.service';
import { EmailRepository, type QuarantineRow } from './email.repository';
import { QuarantineService } from './quarantine.service';

const toDto = (r: QuarantineRow): QuarantineDto => ({
  id: r.id,
  channelId: r.channel_id,
  folder: r.folder,
  uid: Number(r.uid),
  size: Number(r.size),
  error: r.error,
  createdAt: r.created_at.toISOString(),
  retriedAt: r.retried_at?.toISOString() ?? null,
});

/** Email channel administration: connection test and quarantine of unreadable mail (admins). */
@ApiTags('canaux')
@ApiBearerAuth()
@Roles('admin')
@Controller('channels')
export class EmailChannelController {
  constructor(
    private readonly channels: ChannelService,
    private readonly repo: EmailRepository,
    private readonly quarantined: QuarantineService,
  ) {}

  private async emailChannel(agent: AuthAgent, id: string) {
    const channel = await this.channels.resolve(agent.organizationId, id);
    if (!channel) throw notFound('canal');
    if (channel.kind !== 'email') throw badRequest(`le canal ${channel.name} n'est pas un canal e-mail`);
    return channel;
  }

  /** Tries a configuration before it is saved (the admin form's « Tester la connexion »): nothing is written. */
  @Post('test')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(testChannelSchema, { io: 'input' }) as object })
  async testUnsaved(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(testChannelSchema)) input: TestChannelInput,
  ): Promise<ChannelTestResult> {
    const config = await this.channels.unsavedConfig(agent, input.kind, input.config, input.channelId);
    return checkEmailChannel(config as EmailConfig);
  }

  @Post(':id/test')
  @HttpCode(200)
  async test(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('canal')) id: string): Promise<ChannelTestResult> {
    const channel = await this.emailChannel(agent, id);
    return checkEmailChannel(channel.config as EmailConfig);
  }

  @Get(':id/quarantine')
  async quarantine(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('canal')) id: string): Promise<QuarantineDto[]> {
    await this.emailChannel(agent, id);
    return (await this.repo.listQuarantine(agent.organizationId, id)).map(toDto);
  }

  /** The channel's activity: every mail read and skipped (duplicates, bounces about nothing sent), newest first. */
  @Get(':id/activity')
  async activity(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('canal')) id: string): Promise<MailboxEventDto[]> {
    await this.emailChannel(agent, id);
    return (await this.repo.listEvents(agent.organizationId, id)).map((r) => ({
      id: r.id,
      kind: r.kind,
      folder: r.folder,
      uid: Number(r.uid),
      externalId: r.external_id,
      reason: r.reason,
      size: r.size === null ? null : Number(r.size),
      createdAt: r.created_at.toISOString(),
    }));
  }

  /** Parses and stores the kept raw source again (after a fix); on success it leaves the quarantine. */
  @Post(':id/quarantine/:qid/retry')
  @HttpCode(200)
  async retry(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('canal')) id: string,
    @Param('qid', new IdPipe('message en quarantaine')) qid: string,
  ): Promise<{ ok: boolean; error?: string; outcome?: EmailOutcome['kind']; conversationId?: string }> {
    return this.quarantined.retry(agent, await this.emailChannel(agent, id), qid);
  }

  /** Removes the mail from the quarantine at once, raw source and all (the audit keeps who, when, which mail). */
  @Post(':id/quarantine/:qid/discard')
  @HttpCode(200)
  async discard(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('canal')) id: string,
    @Param('qid', new IdPipe('message en quarantaine')) qid: string,
  ): Promise<{ ok: true }> {
    await this.emailChannel(agent, id);
    await this.quarantined.discard(agent, id, qid);
    return { ok: true };
  }

  /**
   * The quarantined mail's raw source, as the mailbox held it (an .eml to open in a mail program
   * or to send to whoever fixes the parser): always a download, never rendered here; audited.
   */
  @Get(':id/quarantine/:qid/raw')
  @ApiProduces('message/rfc822')
  async raw(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('canal')) id: string,
    @Param('qid', new IdPipe('message en quarantaine')) qid: string,
    @Res() res: Response,
  ): Promise<void> {
    await this.emailChannel(agent, id);
    const row = await this.quarantined.raw(agent, id, qid);
    res.setHeader('Content-Type', 'message/rfc822');
    res.setHeader('Content-Length', String(row.raw.length));
    res.setHeader('Content-Disposition', attachmentDisposition(`quarantaine-${row.folder}-${row.uid}.eml`));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.end(row.raw);
  }
}
