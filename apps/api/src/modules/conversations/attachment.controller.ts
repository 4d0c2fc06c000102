import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { notFound } from '../../common/errors';
import { IdPipe } from '../../common/zod.pipe';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { BlobStore } from '../blobs/blob-store';
import { canRead } from './conversation.service';
import { MessageRepository } from './message.repository';

/**
 * `attachment` with the file's name twice (RFC 6266): `filename` in plain ASCII for old
 * clients ("décès" becomes "deces"), `filename*` with the exact UTF-8 name, percent-encoded as
 * RFC 8187 asks (encodeURIComponent leaves ' ( ) * as they are, which it does not allow).
 */
function attachmentDisposition(fileName: string): string {
  const ascii = fileName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  const utf8 = encodeURIComponent(fileName.toWellFormed()).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

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
