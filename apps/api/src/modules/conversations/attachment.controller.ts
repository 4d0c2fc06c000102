import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
    const [bytes] = await Promise.all([
      this.blobs.get(a.sha256),
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
    res.setHeader('Content-Length', String(bytes.length));
    res.setHeader('Content-Disposition', attachmentDisposition(a.file_name));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.send(bytes);
  }
}
