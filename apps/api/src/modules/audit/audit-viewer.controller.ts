import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AUDIT_CSV_HEADER,
  auditFilterSchema,
  auditQuerySchema,
  civilDateTimeAt,
  csvLines,
  type AuditEventDto,
  type AuditFilter,
  type AuditPageDto,
  type AuditQuery,
} from '@guichet/contracts';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { ZodPipe } from '../../common/zod.pipe';
import { AuditViewerService } from './audit-viewer.service';

/** One audit event as a CSV row, in the order of AUDIT_CSV_HEADER. */
function csvRow(e: AuditEventDto): string[] {
  return [
    e.id,
    civilDateTimeAt(new Date(e.at)),
    e.at,
    e.agent?.name ?? 'Système',
    e.agent?.id ?? '',
    e.action,
    e.conversationReference ?? '',
    e.conversationId ?? '',
    e.contactId ?? '',
    e.data ? JSON.stringify(e.data) : '',
    e.ip ?? '',
    e.sessionId ?? '',
  ];
}

/** The client took what was written, or went away. */
function drained(res: Response): Promise<void> {
  return new Promise((ok) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      ok();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditViewerController {
  constructor(private readonly audit: AuditViewerService) {}

  /** `?contactId=&agentId=&teamId=&conversationId=&from=&to=&before=&limit=`, newest first. */
  @Get()
  @Roles('admin', 'supervisor')
  page(@CurrentAgent() agent: AuthAgent, @Query(new ZodPipe(auditQuerySchema)) q: AuditQuery): Promise<AuditPageDto> {
    return this.audit.page(agent, q);
  }

  /**
   * The same filters, every matching event as CSV (for the data protection officer), streamed page
   * by page; refusals (rights, period) answer as JSON before anything is written.
   */
  @Get('export')
  @Roles('admin', 'supervisor')
  async export(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(auditFilterSchema)) q: AuditFilter,
    @Res() res: Response,
  ): Promise<void> {
    const pages = this.audit.export(agent, q);
    let page = await pages.next();
    const day = new Date().toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="journal-acces-${day}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200);
    res.write(`\ufeff${csvLines([AUDIT_CSV_HEADER])}`);
    try {
      while (!page.done) {
        if (res.destroyed) return;
        // Backpressure: the next page is read once the client took this one.
        if (!res.write(csvLines(page.value.map(csvRow)))) await drained(res);
        page = await pages.next();
      }
      res.end();
    } catch (err) {
      // Headers are gone: the only honest signal left is a cut connection (the file is incomplete).
      res.destroy(err as Error);
    } finally {
      await pages.return(undefined);
    }
  }
}
