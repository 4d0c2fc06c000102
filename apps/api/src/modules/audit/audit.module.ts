import { Module } from '@nestjs/common';
import { AuditViewerController } from './audit-viewer.controller';
import { AuditViewerRepository } from './audit-viewer.repository';
import { AuditViewerService } from './audit-viewer.service';

/** The audit viewer (issue 16); the log itself is written through infra/audit. */
@Module({ controllers: [AuditViewerController], providers: [AuditViewerRepository, AuditViewerService] })
export class AuditViewerModule {}
