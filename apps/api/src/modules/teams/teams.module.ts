import { Module } from '@nestjs/common';
import { TeamAdminController } from './team-admin.controller';
import { TeamAdminRepository } from './team-admin.repository';
import { TeamAdminService } from './team-admin.service';

@Module({ controllers: [TeamAdminController], providers: [TeamAdminRepository, TeamAdminService] })
export class TeamsModule {}
