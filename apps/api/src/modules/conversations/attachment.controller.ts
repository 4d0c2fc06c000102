import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { attachmentDisposition } from '../../common/content-disposition';
import { notFound } from '../../common/errors';
import { IdPipe } from '../../common/zod.pipe';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { BlobStore } from '../blobs/blob-store';
import { canRead } from './conversation.service';
import { MessageRepository } from './message.repository';

/** Attachment bytes for agents who may read the conversation; always a download, never rendered inline, always audited. */
@ApiTags('pièces jointes')
@ApiBearerAuth()
@Controller('attachments')
export class AttachmentController {
  constructor(
    private readonly messages: MessageRepository,
    private readonly blobs: BlobStore,
    private readonly audit: AuditRepository,
  ) {}

  @Get(':id')
  async download(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('pièce jointe')) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const a = await this.messages.attachment(agent.organizationId, id);
    if (!a || !canRead(agent, a)) throw notFound('pièce jointe');
    // Streamed from the store (local file or bucket object): a file is never whole in memory.
    const [bytes] = await Promise.all([
      this.blobs.stream(a.sha256),
      this.audit.recordAccess({
        organizationId: agent.organizationId,
        agentId: agent.id,
        action: 'attachment.downloaded',
        conversationId: a.conversation_id,
        contactId: a.contact_id,
        data: { attachmentId: id },
      }),
    ]);
    res.setHeader('Content-Type', a.content_type);
    res.setHeader('Content-Length', String(a.size));
    res.setHeader('Content-Disposition', attachmentDisposition(a.file_name));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    // A store failing mid-way cuts the answer (its length is already announced): never a partial file taken for whole.
    await pipeline(bytes, res).catch(() => res.destroy());
  }
}
