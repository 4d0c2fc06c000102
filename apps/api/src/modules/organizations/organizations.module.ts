import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OrganizationMail } from './organization-mail.service';
import { OrganizationController } from './organization.controller';
import { OrganizationRepository } from './organization.repository';
import { OrganizationSettingsService } from './organization-settings.service';
import { PlatformAdminsController, PlatformController } from './platform.controller';
import { PlatformService } from './platform.service';
import { SetupController } from './setup.controller';
import { SetupAnnouncer, SetupService } from './setup.service';

/**
 * Global: publishes the organization's own mail (OrganizationMail) and its settings
 * (OrganizationSettingsService), which the agents' invitations and resets use.
 */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [SetupController, OrganizationController, PlatformController, PlatformAdminsController],
  providers: [
    OrganizationRepository,
    OrganizationMail,
    OrganizationSettingsService,
    SetupService,
    SetupAnnouncer,
    PlatformService,
  ],
  exports: [OrganizationMail, OrganizationSettingsService],
})
export class OrganizationsModule {}
