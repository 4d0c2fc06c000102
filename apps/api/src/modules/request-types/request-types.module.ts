import { Module } from '@nestjs/common';
import { DeadlineListener } from './deadline.listener';
import { DeadlineService } from './deadline.service';
import { RequestTypeController } from './request-type.controller';
import { RequestTypeRepository } from './request-type.repository';
import { RequestTypeService } from './request-type.service';

/** Démarches per service and the due dates they give conversations (issue 13). */
@Module({
  controllers: [RequestTypeController],
  providers: [RequestTypeRepository, RequestTypeService, DeadlineService, DeadlineListener],
  exports: [RequestTypeService, DeadlineService, DeadlineListener],
})
export class RequestTypesModule {}
