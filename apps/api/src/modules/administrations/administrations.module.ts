import { Module } from '@nestjs/common';
import { AdministrationController } from './administration.controller';
import { AdministrationRepository } from './administration.repository';
import { AdministrationService } from './administration.service';

/** The directory of external administrations a town forwards requests to (issue 13, CRPA L114-2). */
@Module({
  controllers: [AdministrationController],
  providers: [AdministrationRepository, AdministrationService],
  exports: [AdministrationService],
})
export class AdministrationsModule {}
