import { Global, Module } from '@nestjs/common';
import { OrganizationMail } from './organization-mail.service';
import { OrganizationController } from './organization.controller';
import { OrganizationRepository } from './organization.repository';
import { OrganizationSettingsService } from './organization-settings.service';
import { SetupController } from './setup.controller';
import { SetupAnnouncer, SetupService } from './setup.service';

/** Global: the organization's own mail serves the agents' invitations and resets. */
@Global()
@Module({
  controllers: [SetupController, OrganizationController],
  providers: [OrganizationRepository, OrganizationMail, OrganizationSettingsService, SetupService, SetupAnnouncer],
  exports: [OrganizationRepository, OrganizationMail],
})
export class OrganizationsModule {}
