import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module';
import { MunicipalEventsModule } from '../municipal-events/municipal-events.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { CitizenFileRepository } from './citizen-file.repository';
import { CitizenRightsController } from './citizen-rights.controller';
import { CitizenRightsService } from './citizen-rights.service';
import { ErasureScrubRepository } from './erasure-scrub.repository';
import { RetentionController } from './retention.controller';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';
import { RightsRequestController } from './rights-request.controller';
import { RightsRequestRepository } from './rights-request.repository';
import { RightsRequestService } from './rights-request.service';

/** RGPD (issue 16): retention and anonymization, legal holds, citizens' rights. */
@Module({
  imports: [OrganizationsModule, MunicipalEventsModule, EmailModule],
  controllers: [RetentionController, CitizenRightsController, RightsRequestController],
  providers: [
    RetentionRepository,
    RetentionService,
    CitizenFileRepository,
    CitizenRightsService,
    ErasureScrubRepository,
    RightsRequestRepository,
    RightsRequestService,
  ],
  exports: [RetentionService, RetentionRepository],
})
export class PrivacyModule {}
