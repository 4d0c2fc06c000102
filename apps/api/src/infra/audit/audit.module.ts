import { Global, Module } from '@nestjs/common';
import { AuditRepository } from './audit.repository';

/** The audit log, written by every feature that changes something an agent may be asked about. */
@Global()
@Module({ providers: [AuditRepository], exports: [AuditRepository] })
export class AuditModule {}
