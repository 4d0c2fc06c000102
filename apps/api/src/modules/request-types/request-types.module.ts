import { Module } from '@nestjs/common';
import { DeadlineListener } from './deadline.listener';
import { DeadlineWarningRepository } from './deadline-warning.repository';
import { DeadlineWarnings } from './deadline-warnings.service';
import { DeadlineService } from './deadline.service';
import { DueDatesRecompute } from './due-dates-recompute.service';
import { RequestTypeController } from './request-type.controller';
import { RequestTypeRepository } from './request-type.repository';
import { RequestTypeService } from './request-type.service';

/** Démarches per service, the due dates they give conversations and the warnings before them (issue 13). */
@Module({
  controllers: [RequestTypeController],
  providers: [
    RequestTypeRepository,
    RequestTypeService,
    DeadlineService,
    DueDatesRecompute,
    DeadlineListener,
    DeadlineWarningRepository,
    DeadlineWarnings,
  ],
  exports: [RequestTypeService, DeadlineService, DeadlineListener],
})
export class RequestTypesModule {}
