import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { auditQuerySchema, type AuditPageDto, type AuditQuery } from '@guichet/contracts';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { ZodPipe } from '../../common/zod.pipe';
import { AuditViewerService } from './audit-viewer.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditViewerController {
  constructor(private readonly audit: AuditViewerService) {}

  /** `?contactId=&agentId=&conversationId=&from=&to=&before=&limit=`, newest first. */
  @Get()
  @Roles('admin', 'supervisor')
  page(@CurrentAgent() agent: AuthAgent, @Query(new ZodPipe(auditQuerySchema)) q: AuditQuery): Promise<AuditPageDto> {
    return this.audit.page(agent, q);
  }
}
