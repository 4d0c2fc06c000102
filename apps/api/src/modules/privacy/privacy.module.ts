import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { CitizenFileRepository } from './citizen-file.repository';
import { CitizenRightsController } from './citizen-rights.controller';
import { CitizenRightsService } from './citizen-rights.service';
import { RetentionController } from './retention.controller';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** RGPD (issue 16): retention and anonymization, legal holds, citizens' rights. */
@Module({
  imports: [OrganizationsModule],
  controllers: [RetentionController, CitizenRightsController],
  providers: [RetentionRepository, RetentionService, CitizenFileRepository, CitizenRightsService],
  exports: [RetentionService, RetentionRepository],
})
export class PrivacyModule {}
